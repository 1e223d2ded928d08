/**
 * The `earshot` command: serve the desk, ingest NDJSON files, classify text, manage users.
 */
import { adminPasswordBox } from './runtime/admin-box.js';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { Command, InvalidArgumentError } from 'commander';
import cliProgress from 'cli-progress';
import { loadConfig, MIN_PASSWORD_CHARS } from './config.js';
import type { Runtime } from './runtime.js';
import type { RawItem } from './pipeline/ingest.js';
import { isTokenScope, ROLES, TOKEN_SCOPES, type Role, type TokenScope } from './domain/user.js';
import { EarshotError, isEarshotError } from './domain/errors.js';
import { startWebBuild } from './server/build-web.js';
import { NODE_ROLES, servesApi, type NodeRole } from './domain/node-role.js';

// The rest of Earshot is imported when a command runs: `serve` starts building a missing web
// desk first and loads the server, analysis and store while the build runs.
const loadRuntime = () => import('./runtime.js');

const BATCH = 1000;

const program = new Command()
  .name('earshot')
  .description('Earshot — a social service desk: listen, understand, act, respond like a person.')
  .showHelpAfterError();

program
  .command('serve')
  .description('run the API and the web desk')
  .option('-p, --port <port>', 'port to listen on (default EARSHOT_PORT or 7410)', parsePort)
  .option('--demo', 'replay the bundled synthetic demo stream (fictional organisation)')
  .option(
    '--role <role>',
    `what this node does with EARSHOT_NATS_URL set: ${NODE_ROLES.join(', ')} (default all)`,
    parseNodeRole,
    'all' as NodeRole,
  )
  .action(async (options: { port?: number; demo?: boolean; role: NodeRole }) => {
    const webBuild = servesApi(options.role) ? startWebBuild() : null;
    const [{ createRuntime, buildApp }, { webDesk }] = await Promise.all([loadRuntime(), import('./server/web.js')]);
    const config = loadConfig(process.env, options.port !== undefined ? { port: options.port } : {});
    if (options.role !== 'all' && !config.nats)
      throw new EarshotError('ERR_CONFIG_INVALID', { detail: `--role ${options.role} needs EARSHOT_NATS_URL` });
    let adminNotice: string | null = null;
    const runtime = await createRuntime(config, {
      env: process.env,
      demo: options.demo ?? false,
      runSources: true,
      role: options.role,
      // Leases are gone with PostgreSQL's session: exit, and let the service manager start a clean node.
      onClusterLost: () => process.exit(1),
      log: {
        info: (m) => process.stderr.write(`${m}\n`),
        warn: (m) => process.stderr.write(`${m}\n`),
        error: (m) => process.stderr.write(`${m}\n`),
      },
      // Printed once the desk listens, last of the start-up lines, so no log line scrolls it away.
      onAdminCreated: (username, password) => {
        adminNotice = password
          ? adminPasswordBox(username, password)
          : `\nCreated user "${username}" with the password from EARSHOT_ADMIN_PASSWORD\n`;
      },
    });
    // A person's terminal gets readable lines; a pipe or a service manager gets JSON.
    const app = await buildApp(runtime, servesApi(options.role) ? [webDesk({ build: webBuild ?? true })] : [], {
      prettyLogs: process.stdout.isTTY === true,
    });
    const shutdown = async () => {
      await app.close();
      await runtime.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void shutdown());
    process.once('SIGTERM', () => void shutdown());
    try {
      await app.listen({ port: config.port, host: config.host });
    } catch (error) {
      // No desk, no polling: sources running without it would ingest beside the process that has the port.
      await app.close().catch(() => undefined);
      await runtime.close();
      const failure = error as NodeJS.ErrnoException;
      const detail = failure.code === 'EADDRINUSE' ? 'the address is in use' : failure.message;
      process.stderr.write(
        `earshot: ${new EarshotError('ERR_LISTEN_FAILED', { address: `${config.host}:${config.port}`, detail }).message}\n`,
      );
      process.exit(1);
    }
    app.log.info(
      `Earshot desk on http://localhost:${config.port} (store: ${runtime.store.dialect} ${runtime.store.location})`,
    );
    if (options.demo)
      app.log.info('Demo source running: synthetic posts about a fictional organisation (source "demo")');
    if (adminNotice) process.stderr.write(`${adminNotice}\n`);
  });

program
  .command('doctor')
  .description('check the store, its migrations and (with EARSHOT_NATS_URL) NATS, JetStream and the workers')
  .action(async () => {
    const { runDoctor } = await import('./runtime/doctor.js');
    const checks = await runDoctor(loadConfig(process.env));
    for (const check of checks) process.stdout.write(`${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}\n`);
    process.exitCode = checks.every((check) => check.ok) ? 0 : 1;
  });

program
  .command('ingest')
  .description('ingest NDJSON files of posts (one JSON object per line); safe to re-run after a crash')
  .argument('<files...>', 'NDJSON files; - for standard input')
  .option('-q, --quiet', 'no progress bar')
  .action(async (files: string[], options: { quiet?: boolean }) => {
    const { createRuntime } = await loadRuntime();
    const runtime = await createRuntime(loadConfig(process.env), { env: process.env });
    let anyRejected = false;
    try {
      for (const file of files)
        anyRejected = (await ingestFile(runtime, file, !options.quiet && process.stderr.isTTY)) || anyRejected;
    } finally {
      await runtime.close();
    }
    process.exitCode = anyRejected ? 3 : 0;
  });

program
  .command('classify')
  .description(
    'read text lines (or JSON posts) on stdin, write one JSON analysis per line on stdout (no server needed)',
  )
  .action(async () => {
    // Official handles and domains (EARSHOT_OFFICIAL_*) turn on the impersonation and scam flags.
    const [{ createAnalyzer }, { influenceOfPost }] = await Promise.all([
      import('./analysis/analyzer.js'),
      import('./analysis/influence.js'),
    ]);
    const analyzer = createAnalyzer({ organisation: loadConfig().organisation });
    const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of lines) {
      // Blank lines carry no post: skip them rather than answer an analysis of nothing.
      if (line.trim() === '') continue;
      // A JSON post line (ingest format) also gives the author, so influence and impersonation are known.
      const post = classifyInput(line);
      const analysis = analyzer.analyze(post);
      const result: Record<string, unknown> = {
        sentiment: analysis.sentiment,
        score: round(analysis.sentimentScore),
        kind: analysis.kind,
        lang: analysis.lang,
        // Always present, as the README documents: [] when nothing was flagged.
        flags: analysis.flags ?? [],
      };
      if (post.author && post.metrics)
        result.influence = influenceOfPost({ author: post.author, metrics: post.metrics }).score;
      const out = `${JSON.stringify(result)}\n`;
      if (!process.stdout.write(out)) await once(process.stdout, 'drain');
    }
  });

/** A classify line: plain text, or a JSON post whose author and metrics are used where present. */
function classifyInput(line: string): {
  text: string;
  author?: {
    handle: string;
    name: string | null;
    followers: number | null;
    following: number | null;
    createdAt: string | null;
  };
  metrics?: { likes: number; reposts: number; replies: number };
} {
  if (!line.startsWith('{')) return { text: line };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { text: line };
  }
  if (typeof value !== 'object' || value === null || typeof (value as { text?: unknown }).text !== 'string')
    return { text: line };
  const v = value as { text: string; author?: Record<string, unknown>; metrics?: Record<string, unknown> };
  const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
  const author =
    v.author && typeof v.author.handle === 'string'
      ? {
          handle: v.author.handle,
          name: typeof v.author.name === 'string' ? v.author.name : null,
          followers: num(v.author.followers),
          following: num(v.author.following),
          createdAt: typeof v.author.createdAt === 'string' ? v.author.createdAt : null,
        }
      : undefined;
  const metrics = author
    ? {
        likes: num(v.metrics?.likes) ?? 0,
        reposts: num(v.metrics?.reposts) ?? 0,
        replies: num(v.metrics?.replies) ?? 0,
      }
    : undefined;
  return { text: v.text, author, metrics };
}

const user = program.command('user').description('manage desk users');
user
  .command('add')
  .description('add a user')
  .argument('<username>')
  .option('-r, --role <role>', `one of ${ROLES.join(', ')}`, parseRole, 'agent')
  .option('-n, --name <displayName>', 'display name')
  .option('--password <password>', 'password (default: read one line from stdin)')
  .action(async (username: string, options: { role: Role; name?: string; password?: string }) => {
    const password = options.password ?? (await readLine());
    if (!password || password.length < MIN_PASSWORD_CHARS)
      throw new InvalidArgumentError(`the password must be at least ${MIN_PASSWORD_CHARS} characters`);
    const [{ createRuntime }, { createUser, listUsers }] = await Promise.all([
      loadRuntime(),
      import('./store/users.js'),
    ]);
    const runtime = await createRuntime(loadConfig(process.env), { env: process.env });
    try {
      if ((await listUsers(runtime.store.db)).some((existing) => existing.username === username))
        throw new InvalidArgumentError(`user ${username} exists already`);
      const created = await createUser(runtime.store.db, {
        username,
        displayName: options.name,
        role: options.role,
        password,
      });
      process.stdout.write(`${JSON.stringify(created)}\n`);
    } finally {
      await runtime.close();
    }
  });

program
  .command('token')
  .description('create an API token for a user (printed once, alone on stdout)')
  .argument('<username>')
  .option('--name <name>', 'what the token is for', 'cli')
  .option(
    '--scopes <scopes>',
    `comma-separated, of ${TOKEN_SCOPES.join(', ')} (default: all the user's role allows)`,
    parseScopes,
  )
  .option('--expires <when>', "'30d' (days from now), an ISO 8601 date, or 'never' (default)", parseExpiry)
  .action(async (username: string, options: { name: string; scopes?: TokenScope[]; expires?: string | null }) => {
    const [{ createRuntime }, { createApiToken, defaultScopes, listUsers }] = await Promise.all([
      loadRuntime(),
      import('./store/users.js'),
    ]);
    const runtime = await createRuntime(loadConfig(process.env), { env: process.env });
    try {
      const found = (await listUsers(runtime.store.db)).find((candidate) => candidate.username === username);
      if (!found) throw new InvalidArgumentError(`no user ${username}`);
      // As the API: never more than the user's role allows (only an admin's token may hold `admin`).
      const allowed = defaultScopes(found.role);
      const scopes = options.scopes ?? allowed;
      const beyond = scopes.filter((scope) => !allowed.includes(scope));
      if (beyond.length > 0)
        throw new InvalidArgumentError(`${username} (${found.role}) cannot hold the ${beyond.join(', ')} scope`);
      const now = new Date();
      const expiresAt = options.expires ?? null;
      const token = await createApiToken(runtime.store.db, found.id, options.name, now.toISOString(), {
        scopes,
        expiresAt,
      });
      process.stdout.write(`${token.token}\n`);
      process.stderr.write(
        `token ${token.id} for ${username}: scopes ${token.scopes.join(', ')}; expires ${token.expiresAt ?? 'never'}\n`,
      );
    } finally {
      await runtime.close();
    }
  });

/** Streams one file through the pipeline in batches; returns whether any line was rejected. */
async function ingestFile(runtime: Runtime, file: string, progress: boolean): Promise<boolean> {
  const input = file === '-' ? process.stdin : createReadStream(file);
  const total = file === '-' || !existsSync(file) ? 0 : statSync(file).size;
  const bar =
    progress && total > 0
      ? new cliProgress.SingleBar(
          { stream: process.stderr, format: `${file} [{bar}] {percentage}% | {value}/{total} bytes | {posts} posts` },
          cliProgress.Presets.shades_classic,
        )
      : null;
  bar?.start(total, 0, { posts: 0 });
  let bytes = 0;
  const counted = (async function* () {
    for await (const chunk of input) {
      bytes += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  })();
  const totals = { read: 0, new: 0, duplicate: 0, rejected: 0 };
  let batch: RawItem[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const result = await runtime.pipeline.ingest(batch);
    totals.new += result.new;
    totals.duplicate += result.duplicate;
    totals.rejected += result.rejected.length;
    for (const rejection of result.rejected) process.stderr.write(`${file}:${rejection.line}: ${rejection.message}\n`);
    batch = [];
    bar?.update(bytes, { posts: totals.read });
  };
  try {
    const { readNdjson } = await import('./pipeline/ndjson.js');
    for await (const line of readNdjson(counted)) {
      totals.read += 1;
      if (line.ok) batch.push({ value: line.value, line: line.line });
      else {
        totals.rejected += 1;
        process.stderr.write(`${file}:${line.line}: ${line.error}\n`);
      }
      if (batch.length >= BATCH) await flush();
    }
    await flush();
  } catch (error) {
    bar?.stop();
    throw new Error(`${file}: ${(error as Error).message}`, { cause: error });
  }
  bar?.stop();
  process.stdout.write(
    `${file}: read ${totals.read}, new ${totals.new}, duplicate ${totals.duplicate}, rejected ${totals.rejected}\n`,
  );
  return totals.rejected > 0;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('not a port number');
  return port;
}

function parseNodeRole(value: string): NodeRole {
  if (!(NODE_ROLES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`must be one of ${NODE_ROLES.join(', ')}`);
  return value as NodeRole;
}

function parseScopes(value: string): TokenScope[] {
  const scopes = value.split(',').map((scope) => scope.trim());
  const unknown = scopes.filter((scope) => !isTokenScope(scope));
  if (unknown.length > 0 || scopes.length === 0)
    throw new InvalidArgumentError(`unknown scope ${unknown.join(', ')}; scopes are ${TOKEN_SCOPES.join(', ')}`);
  return TOKEN_SCOPES.filter((scope) => scopes.includes(scope));
}

const DAY_MS = 24 * 3600 * 1000;
/**
 * `--expires`: `never`, `<days>d` (1–3650, as the API), or an ISO 8601 date or date-time in the
 * future; the expiry as an ISO string, or null for none.
 */
function parseExpiry(value: string): string | null {
  if (value === 'never') return null;
  const now = Date.now();
  const days = /^(\d{1,4})d$/.exec(value);
  if (days) {
    const count = Number(days[1]);
    if (count < 1 || count > 3650) throw new InvalidArgumentError('must be 1d to 3650d');
    return new Date(now + count * DAY_MS).toISOString();
  }
  const at = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at)) throw new InvalidArgumentError("must be '30d', an ISO 8601 date, or 'never'");
  if (at <= now) throw new InvalidArgumentError(`${value} is not in the future`);
  return new Date(at).toISOString();
}

function parseRole(value: string): Role {
  if (!(ROLES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`must be one of ${ROLES.join(', ')}`);
  return value as Role;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

async function readLine(): Promise<string> {
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) return line.trim();
  return '';
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const message =
    isEarshotError(error) || error instanceof InvalidArgumentError
      ? error.message
      : ((error as Error).stack ?? String(error));
  process.stderr.write(`earshot: ${message}\n`);
  process.exitCode = 1;
}
