/**
 * Hardening of the HTTP surface (issue 13): nobody without a login can make the server read,
 * inflate or parse a body; bodies and inflation are bounded; slow clients are cut off; rate
 * limits hold behind a proxy; logins are limited per account; every response carries security
 * headers; ids beyond the database's range are a 400, not a 500.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { startTestDesk, type TestDesk } from '../helpers/app.js';
import { ingestLine } from '../helpers/posts.js';
import { LOGIN_FAILURES_PER_ACCOUNT } from '../../src/server/routes/auth.js';

let desk: TestDesk;
let agent: string;
before(async () => {
  desk = await startTestDesk({ env: { EARSHOT_TRUST_PROXY: '127.0.0.1', EARSHOT_REQUEST_TIMEOUT_MS: '1000' } });
  agent = await desk.tokenFor('agent');
  // A route that works longer than the 2 s socket idle timeout (twice the request timeout) once
  // its body has arrived, as a 50,000-post import does on a busy machine.
  desk.app.post('/api/test-slow-work', { config: { role: 'public' } }, async (request) => {
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    return { received: request.body };
  });
});
after(async () => desk?.close());

describe('security: no body is read before the caller is known', () => {
  test('an unauthenticated 60 MB ingest body is refused with 401 before it is read', async () => {
    await desk.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (desk.app.server.address() as AddressInfo).port;
    // Send only the headers and a first chunk: the answer must come without the rest.
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
    socket.write(
      'POST /api/ingest HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: 62914560\r\n\r\n',
    );
    socket.write(Buffer.alloc(64 * 1024, 0x20));
    const started = Date.now();
    while (!answer.includes('\r\n\r\n') && Date.now() - started < 900) await new Promise((r) => setTimeout(r, 20));
    socket.destroy();
    assert.match(answer, /^HTTP\/1\.1 401/);
  });

  test('an unauthenticated gzip bomb is refused with 401, uninflated', async () => {
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20));
    const response = await desk.app.inject({
      method: 'POST',
      url: '/api/ingest',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: bomb,
    });
    assert.equal(response.statusCode, 401);
  });

  test('an agent’s gzip body that inflates more than 20× is cut off with 413', async () => {
    const bomb = gzipSync(Buffer.from(`[${' '.repeat(8 * 1024 * 1024)}]`));
    const response = await desk.app.inject({
      method: 'POST',
      url: '/api/ingest',
      headers: { authorization: `Bearer ${agent}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: bomb,
    });
    assert.equal(response.statusCode, 413, response.body);
  });

  test('an agent’s NDJSON gzip body that inflates more than 20× is cut off with 413', async () => {
    const bomb = gzipSync(Buffer.from(`${' '.repeat(8 * 1024 * 1024)}\n`));
    const response = await desk.app.inject({
      method: 'POST',
      url: '/api/ingest',
      headers: { authorization: `Bearer ${agent}`, 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
      payload: bomb,
    });
    assert.equal(response.statusCode, 413, response.body);
  });

  test('an agent’s NDJSON body declared larger than the ingest limit is refused with 413 before it is read', async () => {
    await desk.app.listen({ port: 0, host: '127.0.0.1' }).catch(() => {});
    const port = (desk.app.server.address() as AddressInfo).port;
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
    const declared = 512 * 1024 * 1024;
    socket.write(
      `POST /api/ingest HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${agent}\r\nContent-Type: application/x-ndjson\r\nContent-Length: ${declared}\r\n\r\n`,
    );
    socket.write(Buffer.from('{"id":"x"}\n'));
    const started = Date.now();
    while (!answer.includes('\r\n\r\n') && Date.now() - started < 2_000) await new Promise((r) => setTimeout(r, 20));
    socket.destroy();
    assert.match(answer, /^HTTP\/1\.1 413/);
  });

  test('an ordinary gzip ingest body still works', async () => {
    const body = gzipSync(JSON.stringify([ingestLine({ id: 'gz-1' }), ingestLine({ id: 'gz-2' })]));
    const response = await desk.app.inject({
      method: 'POST',
      url: '/api/ingest',
      headers: { authorization: `Bearer ${agent}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: body,
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().new, 2);
  });

  test('the default body limit is about 1 MB; only /api/ingest takes more, after auth', async () => {
    const big = { name: 'x', query: `wifi ${'a'.repeat(1100 * 1024)}` };
    const refused = await desk.app.inject({
      method: 'POST',
      url: '/api/streams',
      headers: { authorization: `Bearer ${agent}` },
      payload: big,
    });
    assert.equal(refused.statusCode, 413);
    const posts = Array.from({ length: 30 }, (_, i) => ingestLine({ id: `big-${i}`, text: 'x'.repeat(60_000) }));
    const accepted = await desk.app.inject({
      method: 'POST',
      url: '/api/ingest',
      headers: { authorization: `Bearer ${agent}` },
      payload: posts,
    });
    assert.equal(accepted.statusCode, 200, accepted.body);
    assert.ok(Buffer.byteLength(JSON.stringify(posts)) > 1024 * 1024);
  });
});

describe('security: slow clients', () => {
  test('a body that trickles in is cut off after the request timeout', async () => {
    const port = (desk.app.server.address() as AddressInfo).port;
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /api/ingest HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${agent}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[`,
    );
    socket.on('error', () => {}); // EPIPE once the server has hung up: the point of the test
    const trickle = setInterval(() => socket.writable && socket.write(' '), 100);
    const started = Date.now();
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    clearInterval(trickle);
    assert.ok(Date.now() - started < 5_000, `closed after ${Date.now() - started} ms`);
  });

  test('a request that has fully arrived is answered however long the server works on it', async () => {
    const port = (desk.app.server.address() as AddressInfo).port;
    const started = Date.now();
    const response = await fetch(`http://127.0.0.1:${port}/api/test-slow-work`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ posts: 50_000 }),
    });
    assert.equal(response.status, 200, 'answered, not closed by the idle timeout');
    assert.deepEqual(await response.json(), { received: { posts: 50_000 } });
    assert.ok(Date.now() - started >= 2_900, 'the work outlasted the idle timeout');
  });
});

describe('security: rate limits and logins', () => {
  test('behind a trusted proxy the client’s address is limited, not exempt as loopback', async () => {
    let limited = 0;
    for (let i = 0; i < 1210 && limited === 0; i++) {
      const response = await desk.app.inject({
        method: 'GET',
        url: '/api/health',
        remoteAddress: '127.0.0.1',
        headers: { 'x-forwarded-for': '203.0.113.9' },
      });
      if (response.statusCode === 429) limited = i;
    }
    assert.ok(limited >= 1199, `limited at ${limited}`);
    const other = await desk.app.inject({
      method: 'GET',
      url: '/api/health',
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': '203.0.113.10' },
    });
    assert.equal(other.statusCode, 200, 'another client is not limited');
  });

  test('wrong passwords lock the account, whatever address they come from', async () => {
    for (let i = 0; i < LOGIN_FAILURES_PER_ACCOUNT; i++) {
      const response = await desk.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress: `198.51.100.${i + 1}`,
        payload: { username: 'admin', password: `wrong-${i}` },
      });
      assert.equal(response.statusCode, 401);
    }
    const locked = await desk.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: '198.51.100.200',
      payload: { username: 'admin', password: 'still-wrong' },
    });
    assert.equal(locked.statusCode, 429);
    assert.ok(Number(locked.headers['retry-after']) > 0);
  });

  test('a session cookie is Secure when a trusted proxy says the request came over https', async () => {
    const { createUser } = await import('../../src/store/users.js');
    await createUser(desk.runtime.store.db, { username: 'tls', role: 'agent', password: 'tls-password-123' });
    const response = await desk.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.50' },
      payload: { username: 'tls', password: 'tls-password-123' },
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.match(String(response.headers['set-cookie']), /; Secure/);
  });
});

describe('security: headers and ids', () => {
  test('every response carries the security headers, API and docs alike', async () => {
    for (const url of ['/api/health', '/api/docs', '/api/nothing-here', '/api/me']) {
      const response = await desk.app.inject({ method: 'GET', url });
      assert.equal(response.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(response.headers['x-frame-options'], 'DENY', url);
      assert.match(String(response.headers['content-security-policy']), /frame-ancestors 'none'/, url);
      assert.equal(response.headers['referrer-policy'], 'no-referrer', url);
    }
  });

  test('an id beyond 2^31-1 in a URL is a 400, not a database error', async () => {
    for (const url of ['/api/tickets/2147483648', '/api/posts/99999999999', '/api/incidents/2147483648']) {
      const response = await desk.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${agent}` } });
      assert.equal(response.statusCode, 400, `${url}: ${response.body}`);
    }
  });
});

describe('security: cross-site requests and passwords', () => {
  test('a text/plain body is not read (a cross-site form could send one without a preflight)', async () => {
    const response = await desk.app.inject({
      method: 'POST',
      url: '/api/ingest',
      headers: { authorization: `Bearer ${agent}`, 'content-type': 'text/plain' },
      payload: JSON.stringify(ingestLine({ id: 'plain-1' })),
    });
    assert.ok([400, 415].includes(response.statusCode), `${response.statusCode} ${response.body}`);
  });

  test('a change made with the session cookie from another site’s page is refused', async () => {
    const { createUser } = await import('../../src/store/users.js');
    await createUser(desk.runtime.store.db, { username: 'csrf', role: 'agent', password: 'csrf-password-123' });
    const cookie = await desk.login('csrf', 'csrf-password-123');
    const payload = { name: 'From elsewhere', query: 'wifi' };
    const foreign = await desk.app.inject({
      method: 'POST',
      url: '/api/streams',
      headers: { cookie, origin: 'https://evil.example', host: 'desk.example.org' },
      payload,
    });
    assert.equal(foreign.statusCode, 403, foreign.body);
    assert.equal(foreign.json().error.code, 'ERR_ORIGIN_REFUSED');
    const own = await desk.app.inject({
      method: 'POST',
      url: '/api/streams',
      headers: { cookie, origin: 'https://desk.example.org', host: 'desk.example.org' },
      payload: { ...payload, name: 'From the desk' },
    });
    assert.equal(own.statusCode, 201, own.body);
  });

  test('the first admin’s password must be at least 10 characters', async () => {
    const { loadConfig } = await import('../../src/config.js');
    assert.throws(() => loadConfig({ EARSHOT_ADMIN_PASSWORD: 'x' }), /at least 10 characters/);
  });
});

describe('security: API tokens', () => {
  test('using a token records when it was last used', async () => {
    const token = await desk.tokenFor('agent');
    const response = await desk.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(response.statusCode, 200);
    const rows = await desk.runtime.store.db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .select(['api_tokens.last_used_at'])
      .where('users.username', '=', response.json().user.username)
      .execute();
    assert.equal(rows.length, 1);
    assert.ok(rows[0]!.last_used_at, 'last_used_at is written');
  });
});
