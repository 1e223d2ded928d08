/** Starts a whole Earshot (runtime + app, not listening) on a fresh store for API tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { buildApp, createRuntime, type Runtime } from '../../src/runtime.js';
import type { App } from '../../src/server/app.js';
import { createApiToken, createUser } from '../../src/store/users.js';
import type { Role } from '../../src/domain/user.js';

export const ADMIN_PASSWORD = 'admin-password-for-tests';

export interface TestDesk {
  readonly app: App;
  readonly runtime: Runtime;
  /** Logs in and returns the session cookie header value. */
  login(username?: string, password?: string): Promise<string>;
  /** Creates a user with that role and returns a bearer token acting as them. */
  tokenFor(role: Role): Promise<string>;
  close(): Promise<void>;
}

export async function startTestDesk(
  options: {
    databaseUrl?: string | null;
    clock?: () => Date;
    env?: Record<string, string>;
    /** A data folder to use (and keep): for a test that restarts on the same store. */
    dataDir?: string;
    /** The routes read `clock` too (by default only the runtime does, and the routes read real time). */
    routesOnClock?: boolean;
  } = {},
): Promise<TestDesk> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'earshot-app-'));
  const config = loadConfig({
    EARSHOT_DATA_DIR: dataDir,
    EARSHOT_ADMIN_PASSWORD: ADMIN_PASSWORD,
    EARSHOT_LOG_LEVEL: 'silent',
    ...(options.databaseUrl ? { EARSHOT_DATABASE_URL: options.databaseUrl } : {}),
    ...options.env,
  });
  const runtime = await createRuntime(config, { clock: options.clock });
  const app = await buildApp(runtime, [], options.routesOnClock ? { clock: options.clock } : {});
  let users = 0;
  return {
    app,
    runtime,
    async login(username = 'admin', password = ADMIN_PASSWORD) {
      const response = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
      if (response.statusCode !== 200) throw new Error(`login failed: ${response.body}`);
      const cookie = response.cookies.find((candidate) => candidate.name === 'earshot_session');
      return `earshot_session=${cookie!.value}`;
    },
    async tokenFor(role) {
      users += 1;
      const user = await createUser(runtime.store.db, {
        username: `${role}${users}`,
        role,
        password: 'a-long-password',
      });
      return (await createApiToken(runtime.store.db, user.id, 'test')).token;
    },
    async close() {
      await app.close();
      await runtime.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
