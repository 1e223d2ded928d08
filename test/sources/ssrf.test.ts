/**
 * The SSRF guard: loopback, private, link-local, IPv4-mapped and names resolving to them are
 * refused unless the private network is allowed, and a public URL that redirects to a private
 * address is stopped before the private one is ever requested.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assertFetchable, guardedFetch, privateAddressReason } from '../../src/sources/ssrf.js';
import { isPrivateHost } from '../../src/sources/private-host.js';
import { isEarshotError } from '../../src/domain/errors.js';

const refused = (error: unknown): boolean => isEarshotError(error) && error.code === 'ERR_SOURCE_URL_REFUSED';
const deny = { allowPrivateNetwork: false } as const;

describe('ssrf: addresses', () => {
  test('refuses loopback, private, link-local, CGNAT, unique-local, multicast, unspecified and mapped addresses', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
    ]) {
      assert.ok(privateAddressReason(address), `${address} should be refused`);
    }
  });

  test('lets public unicast addresses through', () => {
    for (const address of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '::ffff:93.184.216.34'])
      assert.equal(privateAddressReason(address), null, address);
  });
});

describe('ssrf: URLs', () => {
  for (const url of [
    'http://127.0.0.1/feed',
    'http://10.0.0.8:8080/',
    'http://[::1]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::ffff:7f00:1]/',
  ]) {
    test(`refuses ${url} when the private network is not allowed`, async () => {
      await assert.rejects(assertFetchable(new URL(url), deny), refused);
    });
  }

  test('refuses a DNS name that resolves to loopback (localhost, via the real resolver)', async () => {
    await assert.rejects(assertFetchable(new URL('http://localhost:9/feed.xml'), deny), refused);
  });

  test('refuses a name when any one of its addresses is private', async () => {
    const resolve = async () => ['93.184.216.34', '10.0.0.1'];
    await assert.rejects(
      assertFetchable(new URL('https://mixed.example/'), { allowPrivateNetwork: false, resolve }),
      refused,
    );
  });

  test('refuses non-http schemes even when the private network is allowed', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://example.org/x', 'gopher://example.org/']) {
      await assert.rejects(assertFetchable(new URL(url), { allowPrivateNetwork: true }), refused, url);
    }
  });

  test('allows loopback when an admin allowed the private network', async () => {
    await assertFetchable(new URL('http://127.0.0.1/feed'), { allowPrivateNetwork: true });
  });

  test('the message never carries credentials from the URL', async () => {
    await assert.rejects(
      assertFetchable(new URL('http://user:hunter2@127.0.0.1/x?token=s3cret'), deny),
      (error: Error) => {
        assert.ok(!error.message.includes('hunter2') && !error.message.includes('s3cret'), error.message);
        return true;
      },
    );
  });
});

describe('ssrf: redirects', () => {
  let server: Server;
  let port: number;
  const requested: string[] = [];

  before(async () => {
    server = createServer((request, response) => {
      requested.push(request.url ?? '');
      if (request.url === '/to-private') response.writeHead(302, { location: `http://127.0.0.1:${port}/secret` }).end();
      else if (request.url === '/to-metadata')
        response.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      else if (request.url?.startsWith('/loop'))
        response.writeHead(302, { location: `/loop${Number(request.url.slice(5) || 0) + 1}` }).end();
      else if (request.url === '/hop') response.writeHead(307, { location: '/final' }).end();
      else response.writeHead(200, { 'content-type': 'text/plain' }).end(`body of ${request.url}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  // The only fake here is DNS: "public.example" resolves to a public address for the guard,
  // and the connection goes to the loopback server that plays that public host.
  const resolve = async (host: string) => (host === 'public.example' ? ['93.184.216.34'] : ['127.0.0.1']);
  const viaLoopback: typeof fetch = (input, init) => {
    const url = new URL(String(input));
    if (url.hostname === 'public.example') url.hostname = '127.0.0.1';
    return fetch(url, init);
  };

  test('a public URL redirecting to a loopback address is refused before the second request', async () => {
    requested.length = 0;
    await assert.rejects(
      guardedFetch(
        `http://public.example:${port}/to-private`,
        {},
        { allowPrivateNetwork: false, resolve, fetch: viaLoopback },
      ),
      refused,
    );
    assert.deepEqual(requested, ['/to-private']);
  });

  test('a redirect to the cloud metadata address is refused', async () => {
    await assert.rejects(
      guardedFetch(
        `http://public.example:${port}/to-metadata`,
        {},
        { allowPrivateNetwork: false, resolve, fetch: viaLoopback },
      ),
      refused,
    );
  });

  test('redirects are followed to the end when allowed, and a redirect loop stops after 5 hops', async () => {
    const { response, url } = await guardedFetch(
      `http://127.0.0.1:${port}/hop`,
      {},
      { allowPrivateNetwork: true, fetch },
    );
    assert.equal(await response.text(), 'body of /final');
    assert.equal(url.pathname, '/final');
    requested.length = 0;
    await assert.rejects(
      guardedFetch(`http://127.0.0.1:${port}/loop`, {}, { allowPrivateNetwork: true, fetch }),
      /more than 5 redirects/,
    );
    assert.equal(requested.length, 6);
  });
});

describe('private hosts named in socket options (IMAP, SMTP, PDS)', () => {
  test('judges literal addresses by the same rules as the fetch guard, and refuses localhost names', () => {
    for (const host of [
      'localhost',
      'imap.localhost',
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '::1',
      '[::1]',
      '::ffff:127.0.0.1',
      'fd00::1',
      '0.0.0.0',
    ]) {
      assert.equal(isPrivateHost(host), true, host);
    }
    for (const host of ['93.184.216.34', '2606:4700::1111', 'mail.example.com'])
      assert.equal(isPrivateHost(host), false, host);
  });
});
