/**
 * Blind SSRF (issue 13): an agent's escalation webhook and an admin's webhook subscription may
 * not point inside the network. They are refused when saved, and delivery checks each address
 * again and follows no redirect, so a public URL that answers 302 → loopback never reaches it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestDesk, type TestDesk } from '../helpers/app.js';
import { postWebhook } from '../../src/alerts/notify-webhook.js';
import { assertFetchable, privateAddressReason } from '../../src/sources/ssrf.js';
import { isEarshotError } from '../../src/domain/errors.js';

const refused = (error: unknown): boolean => isEarshotError(error) && error.code === 'ERR_SOURCE_URL_REFUSED';
const noRetry = { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => {} };

let desk: TestDesk;
let inside: Server;
let insideHits = 0;
let insideUrl: string;
before(async () => {
  desk = await startTestDesk();
  inside = createServer((request, response) => {
    insideHits += 1;
    request.resume();
    response.end('ok');
  });
  await new Promise<void>((resolve) => inside.listen(0, '127.0.0.1', resolve));
  insideUrl = `http://127.0.0.1:${(inside.address() as AddressInfo).port}/hook`;
});
after(async () => {
  await desk?.close();
  await new Promise<void>((resolve) => inside?.close(() => resolve()));
});

describe('security: outbound URLs', () => {
  test('an agent cannot save an escalation webhook that points inside', async () => {
    const agent = await desk.tokenFor('agent');
    for (const webhookUrl of [
      insideUrl,
      'http://[::1]/x',
      'http://[::7f00:1]/x',
      'http://169.254.169.254/latest',
      'http://localhost:9/x',
    ]) {
      const response = await desk.app.inject({
        method: 'PUT',
        url: '/api/me/contact',
        headers: { authorization: `Bearer ${agent}` },
        payload: { email: null, webhookUrl },
      });
      assert.equal(response.statusCode, 400, `${webhookUrl}: ${response.body}`);
      assert.match(response.json().error.code, /ERR_SOURCE_URL_REFUSED/);
    }
  });

  test('an admin cannot subscribe a webhook that points inside', async () => {
    const admin = await desk.tokenFor('admin');
    const response = await desk.app.inject({
      method: 'POST',
      url: '/api/webhooks',
      headers: { authorization: `Bearer ${admin}` },
      payload: { url: insideUrl, events: ['alert'] },
    });
    assert.equal(response.statusCode, 400, response.body);
  });

  test('delivery refuses a name that resolves inside, and sends nothing', async () => {
    const before = insideHits;
    await assert.rejects(
      postWebhook(insideUrl.replace('127.0.0.1', 'hooks.example.com'), { text: 'x' }, null, {
        retry: noRetry,
        resolve: async () => ['127.0.0.1'],
      }),
      refused,
    );
    assert.equal(insideHits, before);
  });

  test('delivery follows no redirect: a public receiver answering 302 → loopback is a failure', async () => {
    const before = insideHits;
    const fetch: typeof globalThis.fetch = async () =>
      new Response(null, { status: 302, headers: { location: insideUrl } });
    await assert.rejects(
      postWebhook('https://hooks.example.com/x', { text: 'x' }, null, {
        retry: noRetry,
        fetch,
        resolve: async () => ['93.184.216.34'],
      }),
      refused,
    );
    assert.equal(insideHits, before);
  });

  test('an intranet host the operator allowed may be reached; other private hosts still may not', async () => {
    const guard = { allowPrivateNetwork: false, allowedPrivateHosts: ['intranet.corp', '10.0.0.5'] };
    const resolve = async () => ['10.0.0.9'];
    await assertFetchable(new URL('https://intranet.corp/feed'), { ...guard, resolve });
    await assertFetchable(new URL('https://INTRANET.corp./feed'), { ...guard, resolve });
    await assertFetchable(new URL('http://10.0.0.5/hook'), guard);
    await assert.rejects(assertFetchable(new URL('https://other.corp/feed'), { ...guard, resolve }), refused);
    await assert.rejects(assertFetchable(new URL('http://10.0.0.6/hook'), guard), refused);
    const allowed = await startTestDesk({ env: { EARSHOT_ALLOWED_PRIVATE_HOSTS: '127.0.0.1' } });
    try {
      const agent = await allowed.tokenFor('agent');
      const save = (webhookUrl: string) =>
        allowed.app.inject({
          method: 'PUT',
          url: '/api/me/contact',
          headers: { authorization: `Bearer ${agent}` },
          payload: { email: null, webhookUrl },
        });
      assert.equal((await save(insideUrl)).statusCode, 200);
      assert.equal((await save('http://127.0.0.2/x')).statusCode, 400);
    } finally {
      await allowed.close();
    }
  });

  test('IPv4-compatible IPv6 forms of inside addresses are refused', () => {
    for (const address of ['::7f00:1', '::a00:1', '::c0a8:101', '::a9fe:a9fe']) {
      assert.ok(privateAddressReason(address), address);
    }
    assert.equal(privateAddressReason('::5db8:d822'), null, '::93.184.216.34 is public');
  });

  test('agents see feed URLs without credentials or query tokens; admins see them whole', async () => {
    const { insertSource } = await import('../../src/store/sources.js');
    await insertSource(desk.runtime.store.db, {
      name: 'secret-feed',
      kind: 'rss',
      options: { feeds: [{ url: 'https://reader:hunter22@feeds.example.org/x.xml?token=abc123' }] },
      sealedSecrets: null,
      secretsSet: [],
      enabled: false,
      origin: 'api',
    });
    const list = async (token: string) =>
      (await desk.app.inject({ method: 'GET', url: '/api/sources', headers: { authorization: `Bearer ${token}` } }))
        .body;
    const asAgent = await list(await desk.tokenFor('agent'));
    assert.ok(asAgent.includes('feeds.example.org'), asAgent);
    assert.ok(!asAgent.includes('hunter22') && !asAgent.includes('abc123'), asAgent);
    const asAdmin = await list(await desk.tokenFor('admin'));
    assert.ok(asAdmin.includes('abc123'));
  });
});
