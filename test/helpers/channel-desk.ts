/**
 * A whole Earshot as `earshot serve` runs it (runtime with its sources, outbound worker and the
 * API), configured the way a user does: an `earshot.config.yaml` beside the data folder and the
 * admin API (`POST /api/sources`, `PUT /api/sources/settings`). The channels' end-to-end test and
 * the latency bench drive it against real local peers; this only waits and reads.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { buildApp, createRuntime, type Runtime } from '../../src/runtime.js';
import type { App } from '../../src/server/app.js';
import { createApiToken, createUser } from '../../src/store/users.js';
import { openStore } from '../../src/store/open.js';
import { createStream, type StreamInput } from '../../src/store/streams.js';

export interface ChannelDesk {
  readonly app: App;
  readonly runtime: Runtime;
  /** The admin's API token. */
  readonly token: string;
  /** Calls the API as the admin; throws with the body unless the status is the one expected. */
  api<T = unknown>(method: string, url: string, payload?: unknown, expected?: number): Promise<T>;
  /** Resolves with the post's id once stored (any external id when `externalId` is left out: the source's newest). */
  waitForPost(source: string, match: (externalId: string) => boolean, timeoutMs?: number): Promise<StoredPost>;
  /** The ticket a post raised, or joined as a customer message. */
  ticketOf(postId: number): Promise<number | null>;
  /** Waits until the reply queued on the ticket is `sent`; returns its remote id. */
  waitForSent(ticketId: number, timeoutMs?: number): Promise<string>;
  /** Waits until `GET /api/sources` shows the source's health meeting `test`. */
  waitForHealth(source: string, test: (health: Health) => boolean, timeoutMs?: number): Promise<Health>;
  close(): Promise<void>;
}

export interface StoredPost {
  readonly id: number;
  readonly externalId: string;
}

export interface Health {
  readonly status: string;
  readonly errors: number;
  readonly lastError: string | null;
  readonly lastErrorAt: string | null;
  readonly posts: number;
  readonly detail: string | null;
}

export async function startChannelDesk(options: {
  /** The earshot.config.yaml text (secrets as `${VAR}`, resolved from `env`). */
  readonly configYaml: string;
  readonly env?: Record<string, string>;
  /** Streams the install has before its sources start. */
  readonly streams?: readonly StreamInput[];
}): Promise<ChannelDesk> {
  const root = mkdtempSync(join(tmpdir(), 'earshot-channels-'));
  const dataDir = join(root, 'data');
  // Beside the data folder, where `earshot serve` looks for it.
  writeFileSync(join(root, 'earshot.config.yaml'), options.configYaml);
  const config = loadConfig({
    EARSHOT_DATA_DIR: dataDir,
    EARSHOT_ADMIN_PASSWORD: 'admin-password-for-tests',
    EARSHOT_LOG_LEVEL: 'silent',
  });
  const quiet = { info() {}, warn() {}, error() {} };
  if (options.streams?.length) {
    // An install that already has its streams when `serve` starts its sources.
    const store = await openStore({ databaseUrl: null, dataDir });
    for (const stream of options.streams) await createStream(store.db, stream);
    await store.close();
  }
  const runtime = await createRuntime(config, {
    runSources: true,
    env: options.env ?? {},
    // The worker's own schedule, a little quicker than serve's default so a test waits less.
    outboundIntervalMs: 100,
    log: quiet,
  });
  const app = await buildApp(runtime);
  const admin = await createUser(runtime.store.db, { username: 'ops', role: 'admin', password: 'a-long-password' });
  const token = (await createApiToken(runtime.store.db, admin.id, 'channels')).token;
  const db = runtime.store.db;

  async function api<T>(method: string, url: string, payload?: unknown, expected?: number): Promise<T> {
    const response = await app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
    const ok = expected === undefined ? response.statusCode < 300 : response.statusCode === expected;
    if (!ok) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
    return (response.body ? response.json() : null) as T;
  }

  async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | null | undefined>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await probe();
      if (found !== null && found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  return {
    app,
    runtime,
    token,
    api,
    waitForPost: (source, match, timeoutMs = 15_000) =>
      until(`a post from ${source}`, timeoutMs, async () => {
        const rows = await db
          .selectFrom('posts')
          .select(['id', 'external_id'])
          .where('source', '=', source)
          .orderBy('id', 'desc')
          .limit(200)
          .execute();
        const row = rows.find((candidate) => match(candidate.external_id));
        return row ? { id: Number(row.id), externalId: row.external_id } : null;
      }),
    async ticketOf(postId) {
      const own = await db.selectFrom('tickets').select('id').where('post_id', '=', postId).executeTakeFirst();
      if (own) return Number(own.id);
      const joined = await db
        .selectFrom('ticket_messages')
        .select('ticket_id')
        .where('post_id', '=', postId)
        .executeTakeFirst();
      return joined ? Number(joined.ticket_id) : null;
    },
    waitForSent: (ticketId, timeoutMs = 15_000) =>
      until(`the reply on ticket ${ticketId} to be sent`, timeoutMs, async () => {
        const row = await db
          .selectFrom('outbound_messages')
          .select(['status', 'remote_id', 'error'])
          .where('ticket_id', '=', ticketId)
          .orderBy('id', 'desc')
          .executeTakeFirst();
        if (row?.status === 'failed') throw new Error(`the reply failed: ${row.error}`);
        return row?.status === 'sent' ? row.remote_id! : null;
      }),
    waitForHealth: (source, test, timeoutMs = 15_000) =>
      until(`health of ${source}`, timeoutMs, async () => {
        const { sources } = await api<{ sources: { name: string; health: Health | null }[] }>('GET', '/api/sources');
        const health = sources.find((candidate) => candidate.name === source)?.health ?? null;
        return health && test(health) ? health : null;
      }),
    async close() {
      await app.close();
      await runtime.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
