/**
 * Accounts and secrets at rest (issue 13), on SQLite and PostgreSQL: API tokens carry scopes, an
 * expiry and can be revoked, and record their last use; passwords are Argon2id with their
 * parameters in the hash, old scrypt hashes are replaced at the next login, and no path sets a
 * password under the minimum; webhook signing secrets are sealed, rows stored in clear before are
 * sealed at start, and deliveries are still signed with the original secret.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, scryptSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backends } from '../helpers/backends.js';
import { startTestDesk, ADMIN_PASSWORD, type TestDesk } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { createUser, needsRehash } from '../../src/store/users.js';
import { listWebhooks, getContacts } from '../../src/store/escalation.js';
import { MIN_PASSWORD_CHARS } from '../../src/config.js';

const DAY_MS = 24 * 3600 * 1000;

for (const backend of await backends()) {
  describe(`security: API tokens (${backend.name})`, { skip: backend.skip ?? false }, () => {
    let opened: Awaited<ReturnType<typeof backend.open>>;
    let desk: TestDesk;
    let admin: string;
    before(async () => {
      opened = await backend.open();
      desk = await startTestDesk({ databaseUrl: opened.databaseUrl });
      admin = await desk.login();
    });
    after(async () => {
      await desk?.close();
      await opened?.dispose();
    });

    const call = (method: 'GET' | 'POST' | 'DELETE', url: string, auth: string, payload?: unknown) =>
      desk.app.inject({
        method,
        url,
        headers: auth.startsWith('earshot_session=') ? { cookie: auth } : { authorization: `Bearer ${auth}` },
        ...(payload === undefined ? {} : { payload: payload as object }),
      });

    test('a read-only token reads but cannot change or ingest; an ingest token only ingests', async () => {
      await createUser(desk.runtime.store.db, { username: 'robot', role: 'agent', password: 'robot-password' });
      const robotCookie = await desk.login('robot', 'robot-password');
      const made = await call('POST', '/api/tokens', robotCookie, { name: 'dashboard', scopes: ['read'] });
      assert.equal(made.statusCode, 201, made.body);
      const reader = made.json().token as string;
      assert.deepEqual(made.json().scopes, ['read']);
      const expiresIn = Date.parse(made.json().expiresAt) - Date.now();
      assert.ok(Math.abs(expiresIn - 90 * DAY_MS) < 60_000, 'expires in 90 days');
      assert.equal((await call('GET', '/api/tickets', reader)).statusCode, 200);
      const write = await call('POST', '/api/streams', reader, { name: 'Nope', query: 'wifi' });
      assert.equal(write.statusCode, 403);
      assert.equal(write.json().error.code, 'ERR_TOKEN_SCOPE');
      const ingest = await call('POST', '/api/ingest', reader, []);
      assert.equal(ingest.json().error.code, 'ERR_TOKEN_SCOPE');

      const ingester = (await call('POST', '/api/tokens', robotCookie, { name: 'feed', scopes: ['ingest'] })).json()
        .token as string;
      assert.equal((await call('POST', '/api/ingest', ingester, [])).statusCode, 200);
      assert.equal((await call('GET', '/api/tickets', ingester)).json().error.code, 'ERR_TOKEN_SCOPE');
    });

    test('an agent cannot give a token the admin scope, nor make one for someone else', async () => {
      const robotCookie = await desk.login('robot', 'robot-password');
      const admin1 = await call('POST', '/api/tokens', robotCookie, { name: 'x', scopes: ['read', 'admin'] });
      assert.equal(admin1.statusCode, 400, admin1.body);
      const other = await call('POST', '/api/tokens', robotCookie, { name: 'x', userId: 1 });
      assert.equal(other.statusCode, 403, other.body);
    });

    test('a token cannot mint another unless it holds the admin scope', async () => {
      const robotCookie = await desk.login('robot', 'robot-password');
      const writer = (await call('POST', '/api/tokens', robotCookie, { name: 'w', scopes: ['read', 'write'] })).json()
        .token as string;
      const minted = await call('POST', '/api/tokens', writer, { name: 'successor' });
      assert.equal(minted.statusCode, 403);
      assert.equal(minted.json().error.code, 'ERR_TOKEN_SCOPE');
    });

    test('an expired token is refused; one made to never expire keeps working', async () => {
      const short = (await call('POST', '/api/tokens', admin, { name: 'short', expiresInDays: 1 })).json();
      const forever = (await call('POST', '/api/tokens', admin, { name: 'forever', expiresInDays: null })).json();
      assert.equal(forever.expiresAt, null);
      assert.equal((await call('GET', '/api/me', short.token)).statusCode, 200);
      // A day later, as the database sees it: the expiry has passed.
      await desk.runtime.store.db
        .updateTable('api_tokens')
        .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
        .where('id', '=', short.id)
        .execute();
      assert.equal((await call('GET', '/api/me', short.token)).statusCode, 401);
      assert.equal((await call('GET', '/api/me', forever.token)).statusCode, 200);
    });

    test('a revoked token stops at once, stays listed as revoked, with its last use', async () => {
      const made = (await call('POST', '/api/tokens', admin, { name: 'to revoke' })).json();
      assert.equal((await call('GET', '/api/me', made.token)).statusCode, 200);
      const started = Date.now();
      const revoked = await call('DELETE', `/api/tokens/${made.id}`, admin);
      assert.equal(revoked.statusCode, 204, revoked.body);
      assert.equal((await call('GET', '/api/me', made.token)).statusCode, 401);
      const listed = (await call('GET', '/api/tokens', admin))
        .json()
        .tokens.find((t: { id: number }) => t.id === made.id);
      assert.ok(Date.parse(listed.revokedAt) >= started - 1000);
      assert.ok(Date.parse(listed.lastUsedAt) >= started - 60_000);
      assert.equal(listed.name, 'to revoke');
      assert.ok(!('token' in listed) && !JSON.stringify(listed).includes(made.token), 'the secret is never listed');
      assert.equal((await call('DELETE', `/api/tokens/${made.id}`, admin)).statusCode, 404, 'already revoked');
    });

    test('an agent lists and revokes only their own tokens', async () => {
      const robotCookie = await desk.login('robot', 'robot-password');
      const own = (await call('GET', '/api/tokens', robotCookie)).json().tokens as { username: string }[];
      assert.ok(own.length >= 3, JSON.stringify(own));
      assert.ok(own.every((t) => t.username === 'robot'));
      const adminToken = (await call('POST', '/api/tokens', admin, { name: 'admin-owned' })).json();
      assert.equal((await call('DELETE', `/api/tokens/${adminToken.id}`, robotCookie)).statusCode, 404);
      assert.equal((await call('GET', '/api/me', adminToken.token)).statusCode, 200);
    });

    test('token ids beyond 2^31-1 are a 400', async () => {
      assert.equal((await call('DELETE', '/api/tokens/2147483648', admin)).statusCode, 400);
    });
  });

  describe(`security: passwords (${backend.name})`, { skip: backend.skip ?? false }, () => {
    let opened: Awaited<ReturnType<typeof backend.open>>;
    let desk: TestDesk;
    before(async () => {
      opened = await backend.open();
      desk = await startTestDesk({ databaseUrl: opened.databaseUrl });
    });
    after(async () => {
      await desk?.close();
      await opened?.dispose();
    });

    const hashOf = async (username: string) =>
      (
        await desk.runtime.store.db
          .selectFrom('users')
          .select('password_hash')
          .where('username', '=', username)
          .executeTakeFirstOrThrow()
      ).password_hash;

    test('passwords are Argon2id with their parameters in the hash', async () => {
      const stored = await hashOf('admin');
      assert.match(stored, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      assert.equal(needsRehash(stored), false);
    });

    test('an old scrypt hash still logs in, and is replaced by Argon2id at that login', async () => {
      const salt = randomBytes(16);
      const legacy = `scrypt$${salt.toString('base64')}$${scryptSync('legacy-password', salt, 32).toString('base64')}`;
      await createUser(desk.runtime.store.db, { username: 'old', role: 'agent', password: 'placeholder-pass' });
      await desk.runtime.store.db
        .updateTable('users')
        .set({ password_hash: legacy })
        .where('username', '=', 'old')
        .execute();
      const wrong = await desk.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'old', password: 'not-the-password' },
      });
      assert.equal(wrong.statusCode, 401);
      assert.equal(await hashOf('old'), legacy, 'a wrong password changes nothing');
      await desk.login('old', 'legacy-password');
      assert.match(await hashOf('old'), /^\$argon2id\$/);
      await desk.login('old', 'legacy-password');
    });

    test(`no path sets a password under ${MIN_PASSWORD_CHARS} characters`, async () => {
      const short = 'x'.repeat(MIN_PASSWORD_CHARS - 1);
      const admin = await desk.login('admin', ADMIN_PASSWORD);
      const api = await desk.app.inject({
        method: 'POST',
        url: '/api/users',
        headers: { cookie: admin },
        payload: { username: 'shorty', role: 'agent', password: short },
      });
      assert.equal(api.statusCode, 400, api.body);
      await assert.rejects(
        createUser(desk.runtime.store.db, { username: 'shorty', role: 'agent', password: short }),
        /at least 10 characters/,
      );
      const { loadConfig } = await import('../../src/config.js');
      assert.throws(() => loadConfig({ EARSHOT_ADMIN_PASSWORD: short }), /at least 10 characters/);
      const cli = await runCli(['user', 'add', 'shorty', '--password', short], {
        EARSHOT_DATA_DIR: desk.runtime.config.dataDir,
        ...(opened.databaseUrl ? { EARSHOT_DATABASE_URL: opened.databaseUrl } : {}),
      });
      assert.notEqual(cli.code, 0);
      assert.match(cli.stderr, /at least 10 characters/);
    });
  });

  describe(`security: webhook secrets at rest (${backend.name})`, { skip: backend.skip ?? false }, () => {
    let opened: Awaited<ReturnType<typeof backend.open>>;
    after(async () => opened?.dispose());

    test('secrets are sealed when saved; rows in clear from before are sealed at start and still sign', async () => {
      opened = await backend.open();
      const dataDir = mkdtempSync(join(tmpdir(), 'earshot-seal-'));
      let desk = await startTestDesk({ databaseUrl: opened.databaseUrl, dataDir });
      const admin = await desk.login();
      const made = await desk.app.inject({
        method: 'POST',
        url: '/api/webhooks',
        headers: { cookie: admin },
        payload: { url: 'https://93.184.215.14/hook', events: ['alert'] },
      });
      assert.equal(made.statusCode, 201, made.body);
      const secret = made.json().secret as string;
      const row = await desk.runtime.store.db.selectFrom('webhook_subscriptions').selectAll().executeTakeFirstOrThrow();
      assert.ok(!row.secret.includes(secret), 'the stored value is not the secret');
      assert.match(row.secret, /^v1\./);
      // A row as an older Earshot wrote it: in clear.
      await desk.runtime.store.db
        .insertInto('webhook_subscriptions')
        .values({ url: 'https://93.184.215.14/old', secret: 'legacy-secret', events: '["ticket"]', created_at: 'x' })
        .execute();
      await desk.runtime.store.db
        .insertInto('user_contacts')
        .values({
          user_id: 1,
          email: null,
          webhook_url: 'https://93.184.215.14/me',
          webhook_secret: 'legacy-contact',
          updated_at: 'x',
        })
        .execute();
      await desk.close();

      // The same database with the same key, restarted: the clear rows are sealed and open to what they were.
      desk = await startTestDesk({ databaseUrl: opened.databaseUrl, dataDir });
      try {
        const rows = await desk.runtime.store.db
          .selectFrom('webhook_subscriptions')
          .selectAll()
          .orderBy('id')
          .execute();
        assert.ok(rows.every((r) => r.secret.startsWith('v1.')));
        const contact = await desk.runtime.store.db.selectFrom('user_contacts').selectAll().executeTakeFirstOrThrow();
        assert.match(contact.webhook_secret!, /^v1\./);
        const hooks = await listWebhooks(desk.runtime.store.db, desk.runtime.sources.secrets);
        assert.deepEqual(
          hooks.map((h) => h.secret),
          [secret, 'legacy-secret'],
        );
        const [opened1] = await getContacts(desk.runtime.store.db, desk.runtime.sources.secrets, [1]);
        assert.equal(opened1!.webhookSecret, 'legacy-contact');
        // A sealed secret moved to another row does not open.
        await desk.runtime.store.db
          .updateTable('webhook_subscriptions')
          .set({ secret: rows[0]!.secret })
          .where('id', '=', rows[1]!.id)
          .execute();
        await assert.rejects(listWebhooks(desk.runtime.store.db, desk.runtime.sources.secrets), /ERR_SECRETS|decrypt/i);
      } finally {
        await desk.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
}
