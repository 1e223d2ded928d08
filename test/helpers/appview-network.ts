/**
 * What the reference Bluesky network (@atproto/dev-env: PDS + AppView) needs here: PostgreSQL for
 * the AppView's schema and Redis for its cache. The Bluesky suites and the channel-latency bench
 * ask `appViewSkip()` before they start one.
 */
import { connect } from 'node:net';

export const appViewDatabaseUrl = process.env.EARSHOT_TEST_DATABASE_URL?.trim() || null;
export const appViewRedisHost = process.env.REDIS_HOST?.trim() || '127.0.0.1:6379';

/**
 * Why the network cannot start here, or false when it can. Under CI=true a test never skips
 * (`ci: true`): a missing service must fail the run, not hide the suite.
 */
export async function appViewSkip(options: { readonly ci?: boolean } = {}): Promise<string | false> {
  if (options.ci && process.env.CI === 'true') return false;
  if (!appViewDatabaseUrl) return 'EARSHOT_TEST_DATABASE_URL is not set (the AppView needs PostgreSQL)';
  const [host, port] = appViewRedisHost.split(':') as [string, string];
  const open = await new Promise<boolean>((resolve) => {
    const socket = connect(Number(port), host);
    const done = (value: boolean) => {
      socket.destroy();
      resolve(value);
    };
    // Generous: a loaded machine answered a 1-s probe too late once and the suite skipped.
    socket.setTimeout(3000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
  return open ? false : `no Redis at ${appViewRedisHost} (the AppView needs it; set REDIS_HOST)`;
}
