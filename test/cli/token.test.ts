/**
 * `earshot token` (issue 13): `--scopes` and `--expires` make the same scoped, expiring tokens as
 * the API, never beyond the user's role; the token alone goes to stdout; bad values are refused
 * with a clear message before anything is made. The token is then used against the real API.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { ADMIN_PASSWORD, startTestDesk, type TestDesk } from '../helpers/app.js';
import { createUser } from '../../src/store/users.js';
import { ingestLine } from '../helpers/posts.js';

let dataDir: string;
let desk: TestDesk;
const env = () => ({ EARSHOT_DATA_DIR: dataDir, EARSHOT_ADMIN_PASSWORD: ADMIN_PASSWORD });
before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'earshot-token-'));
  // The desk and the CLI share the data folder (neither runs sources, so neither takes its lock).
  desk = await startTestDesk({ dataDir });
  await createUser(desk.runtime.store.db, { username: 'bot', role: 'agent', password: 'a-long-password' });
});
after(async () => {
  await desk?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('earshot token --scopes read --expires 2d: a read-only token that expires in two days; by default every scope the role allows (never admin for an agent), no expiry', async () => {
  const started = Date.now();
  const [made, plain] = await Promise.all([
    runCli(['token', 'bot', '--name', 'dashboard', '--scopes', 'read', '--expires', '2d'], env()),
    runCli(['token', 'bot'], env()),
  ]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stderr, /scopes read, write, ingest; expires never/);
  assert.equal(made.code, 0, made.stderr);
  const token = made.stdout.trim();
  assert.match(token, /^\S+$/, 'stdout holds the token alone');
  assert.match(made.stderr, /scopes read; expires 20\d\d-/);
  const auth = { authorization: `Bearer ${token}` };
  const listed = await desk.app.inject({ method: 'GET', url: '/api/tokens', headers: auth });
  assert.equal(listed.statusCode, 200, 'the read scope may list');
  const mine = listed.json<{ tokens: { name: string; scopes: string[]; expiresAt: string | null }[] }>().tokens;
  const row = mine.find((candidate) => candidate.name === 'dashboard')!;
  assert.deepEqual(row.scopes, ['read']);
  const expires = Date.parse(row.expiresAt!) - started;
  assert.ok(Math.abs(expires - 2 * 24 * 3600 * 1000) < 120_000, `expires in ${expires} ms`);
  const write = await desk.app.inject({ method: 'POST', url: '/api/ingest', headers: auth, payload: ingestLine() });
  assert.equal(write.statusCode, 403, 'a read-only token cannot ingest');
});

test('earshot token refuses scopes beyond the role, unknown scopes and past or malformed expiries', async () => {
  const runs = await Promise.all([
    runCli(['token', 'bot', '--scopes', 'read,admin'], env()),
    runCli(['token', 'bot', '--scopes', 'read,root'], env()),
    runCli(['token', 'bot', '--expires', '2020-01-01'], env()),
    runCli(['token', 'bot', '--expires', 'soon'], env()),
  ]);
  const messages = [
    /bot \(agent\) cannot hold the admin scope/,
    /unknown scope root/,
    /2020-01-01 is not in the future/,
    /must be '30d', an ISO 8601 date, or 'never'/,
  ];
  for (const [i, run] of runs.entries()) {
    assert.notEqual(run.code, 0, String(messages[i]));
    assert.match(run.stderr, messages[i]!);
    assert.equal(run.stdout, '', 'no token made');
  }
});
