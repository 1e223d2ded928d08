/**
 * The sources API through `app.inject()` on a real runtime: definitions with their secret
 * fields, adding a source (check run, secrets sealed, never returned), bad options named by
 * path, roles, changes taking effect without a restart, health, and no secret in any response
 * or log line (pino output and the supervisor's log captured at trace level).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Type, type Static } from '@sinclair/typebox';
import { loadConfig } from '../../src/config.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { build, type App } from '../../src/server/app.js';
import { demoSourceDefinition } from '../../src/sources/demo.js';
import { jsonCursor, type SourceDefinition } from '../../src/sources/source.js';
import { createApiToken, createUser } from '../../src/store/users.js';
import { getSourceByName } from '../../src/store/sources.js';

const SECRET = 'vault-token-7f3a9c2e11';
const PASSWORD = 'sources-admin-password';

/** What the vault source was last started with: proves the sealed secret reaches it intact. */
const started: { token: string; region: string }[] = [];
const VaultOptions = Type.Object(
  { region: Type.String({ minLength: 2 }), token: Type.String({ minLength: 8 }) },
  { additionalProperties: false },
);
const vaultDefinition: SourceDefinition<typeof VaultOptions> = {
  kind: 'vault',
  label: 'Vault (test)',
  description: 'A source whose check accepts one token.',
  capabilities: { canReplyPublicly: false, canDirectMessage: false, hasEdits: false, maxReplyLength: null },
  options: VaultOptions,
  secrets: ['token'],
  async check(options: Static<typeof VaultOptions>) {
    // Like a careless remote error that echoes the credential back.
    if (options.token !== SECRET) throw new Error(`401 Unauthorized: token ${options.token} is not valid`);
  },
  create: (options) => ({
    kind: 'vault',
    capabilities: { canReplyPublicly: false, canDirectMessage: false, hasEdits: false, maxReplyLength: null },
    cursor: jsonCursor(Type.Null()),
    async stream(_cursor, context) {
      started.push({ token: options.token, region: options.region });
      context.log.info(`connected to ${options.region}`);
      context.reportStatus?.('connected', `region ${options.region}`);
    },
  }),
};

describe('sources API', () => {
  let dataDir: string;
  let runtime: Runtime;
  let app: App;
  let admin: string;
  let agent: string;
  const logs: string[] = [];

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'earshot-sources-api-'));
    const config = loadConfig({ EARSHOT_DATA_DIR: dataDir, EARSHOT_ADMIN_PASSWORD: PASSWORD });
    const capture = {
      info: (m: string) => logs.push(m),
      warn: (m: string) => logs.push(m),
      error: (m: string) => logs.push(m),
    };
    runtime = await createRuntime(config, {
      runSources: true,
      outboundIntervalMs: 0,
      sourceDefinitions: [demoSourceDefinition, vaultDefinition],
      log: capture,
    });
    const stream = new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    });
    app = await build(
      config,
      {
        store: runtime.store,
        secrets: runtime.sources.secrets,
        bus: runtime.bus,
        pipeline: runtime.pipeline,
        desk: runtime.desk,
        incidents: runtime.incidents,
        sources: runtime.sources,
      },
      { logger: { level: 'trace', stream } },
    );
    const adminUser = await createUser(runtime.store.db, {
      username: 'root',
      role: 'admin',
      password: 'a-long-password',
    });
    const agentUser = await createUser(runtime.store.db, {
      username: 'ag',
      role: 'agent',
      password: 'a-long-password',
    });
    admin = `Bearer ${(await createApiToken(runtime.store.db, adminUser.id, 't')).token}`;
    agent = `Bearer ${(await createApiToken(runtime.store.db, agentUser.id, 't')).token}`;
  });
  after(async () => {
    await app?.close();
    await runtime?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, auth = admin) =>
    app.inject({
      method,
      url: `/api${url}`,
      headers: { authorization: auth },
      ...(payload !== undefined && { payload: payload as object }),
    });
  const all: string[] = [];
  const seen = <T extends { body: string }>(response: T): T => {
    all.push(response.body);
    return response;
  };
  async function until(what: string, check: () => Promise<boolean>): Promise<void> {
    const end = Date.now() + 10_000;
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  const sourceNamed = async (name: string) =>
    (
      seen(await call('GET', '/sources')).json().sources as {
        name: string;
        id: number;
        health: { status: string; posts: number; detail: string | null } | null;
        enabled: boolean;
      }[]
    ).find((s) => s.name === name);

  test('lists the definitions with their option schemas and secret fields', async () => {
    const response = seen(await call('GET', '/sources/definitions', undefined, agent));
    assert.equal(response.statusCode, 200);
    const vault = response.json().definitions.find((d: { kind: string }) => d.kind === 'vault');
    assert.deepEqual(vault.secrets, ['token']);
    assert.equal(vault.canCheck, true);
    assert.equal(vault.options.properties.region.type, 'string');
  });

  test('a failing check refuses the source, without echoing the secret', async () => {
    const response = seen(
      await call('POST', '/sources', {
        name: 'vault-eu',
        kind: 'vault',
        options: { region: 'eu', token: 'wrong-token-123' },
      }),
    );
    assert.equal(response.statusCode, 422);
    assert.equal(response.json().error.code, 'ERR_SOURCE_CHECK_FAILED');
    assert.equal(
      response.json().error.message,
      'Source vault-eu failed its check: 401 Unauthorized: token *** is not valid',
    );
    assert.equal(await getSourceByName(runtime.store.db, 'vault-eu'), undefined);
  });

  test('bad options are refused with the path of the field; unknown kinds and roles too', async () => {
    const bad = seen(
      await call('POST', '/sources', { name: 'vault-eu', kind: 'vault', options: { region: 'e', token: SECRET } }),
    );
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'ERR_SOURCE_OPTIONS_INVALID');
    assert.match(
      bad.json().error.message,
      /^Source vault-eu: option region expected string length greater or equal to 2$/,
    );
    const kind = seen(await call('POST', '/sources', { name: 'x', kind: 'telegraph', options: {} }));
    assert.equal(kind.json().error.code, 'ERR_SOURCE_UNKNOWN_KIND');
    const forbidden = seen(await call('POST', '/sources', { name: 'x', kind: 'demo', options: {} }, agent));
    assert.equal(forbidden.statusCode, 403);
    const badName = seen(await call('POST', '/sources', { name: '../etc', kind: 'demo' }));
    assert.equal(badName.statusCode, 400);
  });

  test('an admin adds a source: secret sealed, never returned, source running at once', async () => {
    const response = seen(
      await call('POST', '/sources', { name: 'vault-eu', kind: 'vault', options: { region: 'eu', token: SECRET } }),
    );
    assert.equal(response.statusCode, 201, response.body);
    const created = response.json();
    assert.deepEqual(created.secretsSet, ['token']);
    assert.deepEqual(created.options, { region: 'eu' });
    assert.equal(created.label, 'Vault (test)');
    assert.deepEqual(started.at(-1), { token: SECRET, region: 'eu' });
    const row = await runtime.store.db
      .selectFrom('sources')
      .selectAll()
      .where('name', '=', 'vault-eu')
      .executeTakeFirstOrThrow();
    assert.doesNotMatch(JSON.stringify(row), new RegExp(SECRET));
    await until('connected', async () => (await sourceNamed('vault-eu'))?.health?.status === 'connected');
    const duplicate = seen(
      await call('POST', '/sources', { name: 'vault-eu', kind: 'vault', options: { region: 'eu', token: SECRET } }),
    );
    assert.equal(duplicate.statusCode, 409);
  });

  test('changes take effect without a restart; a secret left out is kept', async () => {
    const { id } = (await sourceNamed('vault-eu'))!;
    const moved = seen(await call('PATCH', `/sources/${id}`, { options: { region: 'us' } }));
    assert.equal(moved.statusCode, 200, moved.body);
    assert.deepEqual(moved.json().options, { region: 'us' });
    assert.deepEqual(started.at(-1), { token: SECRET, region: 'us' }, 'restarted with the kept secret');
    const disabled = seen(await call('PATCH', `/sources/${id}`, { enabled: false }));
    assert.equal(disabled.json().enabled, false);
    await until('disconnected', async () => (await sourceNamed('vault-eu'))?.health?.status === 'disconnected');
    const count = started.length;
    seen(await call('PATCH', `/sources/${id}`, { enabled: true }));
    assert.equal(started.length, count + 1);
    seen(await call('POST', `/sources/${id}/restart`));
    assert.equal(started.length, count + 2);
  });

  test('a demo source added from the API posts, and its health is readable by agents', async () => {
    const created = seen(
      await call('POST', '/sources', {
        name: 'demo-api',
        kind: 'demo',
        options: { intervalSeconds: 3600, backfillHours: 1 },
      }),
    );
    assert.equal(created.statusCode, 201, created.body);
    assert.deepEqual(created.json().secretsSet, []);
    await until('demo posts counted', async () => ((await sourceNamed('demo-api'))?.health?.posts ?? 0) > 0);
    const asAgent = seen(await call('GET', '/sources', undefined, agent));
    assert.equal(asAgent.statusCode, 200);
    const posts = seen(await call('GET', '/posts?limit=5', undefined, agent)).json().posts as { source: string }[];
    assert.ok(posts.length > 0 && posts.every((post) => post.source === 'demo-api'), 'posts carry the configured name');
  });

  test('deleting a source stops it and removes it', async () => {
    const { id } = (await sourceNamed('demo-api'))!;
    assert.equal(seen(await call('DELETE', `/sources/${id}`)).statusCode, 204);
    assert.equal(await sourceNamed('demo-api'), undefined);
    assert.deepEqual(await runtime.sources.sender('demo-api'), {
      ok: false,
      retryable: false,
      reason: 'no configured source named "demo-api"',
    });
    assert.equal(seen(await call('DELETE', `/sources/${id}`)).statusCode, 404);
  });

  test('no response and no log line ever held the secret', async () => {
    assert.ok(all.length > 10);
    for (const body of all) assert.doesNotMatch(body, new RegExp(SECRET));
    assert.ok(logs.length > 5, 'logs were captured');
    assert.ok(
      logs.some((line) => /connected to eu/.test(line)),
      'the source log is in the capture',
    );
    for (const line of logs) assert.doesNotMatch(line, new RegExp(SECRET));
  });
});
