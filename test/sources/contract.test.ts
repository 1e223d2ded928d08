/**
 * Every channel through the one source contract (`contract.ts`), each over the peer its own
 * tests use: the Mastodon fake, a feed server, the reference Bluesky PDS, Dovecot with an SMTP
 * peer, and the demo's clock.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { URL } from 'node:url';
import { ImapFlow } from 'imapflow';
import { TestNetworkNoAppView } from '@atproto/dev-env';
import { AtpAgent } from '@atproto/api';
import { runSourceContract } from './contract.js';
import { startFakeMastodon } from './fakes/mastodon-server.js';
import { startFeedServer } from './fakes/feed-server.js';
import { dovecotSkip, startDovecot } from './fakes/dovecot.js';
import { startTcpRelay } from './fakes/tcp-relay.js';
import { startSmtpPeer } from './fakes/smtp-peer.js';
import { FIXTURES_DIR, sharedSkip } from '../helpers/shared.js';
import { createDemoSource } from '../../src/sources/demo.js';
import { createRssSource } from '../../src/sources/rss.js';
import { createMastodonSource } from '../../src/sources/mastodon.js';
import { createBlueskySource } from '../../src/sources/bluesky.js';
import { createMailSource } from '../../src/sources/mail.js';
import type { SourceEnvironment } from '../../src/sources/source.js';

const env = (name: string): SourceEnvironment => ({
  name,
  fetch: globalThis.fetch,
  clock: () => new Date(),
  allowPrivateNetwork: true,
});
const REFUSED = /was refused by .*it needs new credentials/;

runSourceContract('demo', async () => {
  // Mid-day and far from a burst or a scam slot, so each minute is one post.
  let now = Date.parse('2026-11-23T12:00:30Z');
  return {
    create: () =>
      createDemoSource({
        intervalSeconds: 60,
        backfillHours: 1,
        burstEveryMinutes: 1440,
        scamEveryMinutes: 0,
        name: 'demo-contract',
      }),
    clock: () => new Date(now),
    async publish() {
      now += 60_000;
      return `demo-${Math.floor(now / 60_000) * 60_000}`;
    },
    refusal: null,
    outage: null,
    remoteReplies: null,
    close: async () => undefined,
  };
});

runSourceContract('rss', async () => {
  const server = await startFeedServer();
  const items: number[] = [];
  const feed = () =>
    `<?xml version="1.0"?><rss version="2.0"><channel><title>Status</title><link>https://status.example.org/</link>${[
      ...items,
    ]
      .reverse()
      .map((n) => `<item><guid>https://status.example.org/c/${n}</guid><title>Incident ${n}</title></item>`)
      .join('')}</channel></rss>`;
  const url = server.publish('/contract.xml', { body: feed() });
  const retry = { attempts: 3, baseDelayMs: 1, maxDelayMs: 5, sleep: async () => undefined };
  return {
    create: () => createRssSource({ feeds: [{ url }] }, env('rss-contract'), { retry }),
    async publish() {
      items.push(items.length + 1);
      server.publish('/contract.xml', { body: feed() });
      return `https://status.example.org/c/${items.length}`;
    },
    refusal: null,
    // Every attempt of one poll fails; the next poll finds the feed back.
    outage: { down: () => server.failNext('/contract.xml', 503, retry.attempts), up: () => undefined },
    remoteReplies: null,
    close: () => server.close(),
  };
});

runSourceContract(
  'mastodon',
  async () => {
    const fake = await startFakeMastodon(FIXTURES_DIR);
    let serial = 0;
    const tuning = {
      retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 50, sleep: async () => undefined },
      reconnectBaseMs: 20,
      reconnectMaxMs: 100,
    };
    return {
      create: (variant) =>
        createMastodonSource(
          {
            instanceUrl: fake.origin,
            accessToken: variant?.wrongCredentials ? 'wrong-token-abcdef' : fake.token,
            hashtags: ['contract'],
            mentions: false,
          },
          env('masto-contract'),
          tuning,
        ),
      async publish() {
        const id = `7000000000000000${String(++serial).padStart(2, '0')}`;
        fake.push(
          ['hashtag', 'contract'],
          'update',
          fake.addStatus(id, { tags: ['contract'], content: `<p>contract ${serial}</p>` }),
        );
        return id;
      },
      refusal: REFUSED,
      // The line drops and the first catch-up calls fail: the source reconnects and retries with backoff.
      outage: {
        down: () => {
          fake.failNext('/api/v1/timelines/tag/contract', 503, 2);
          fake.dropConnections();
        },
        up: () => undefined,
      },
      remoteReplies: () => fake.created.length,
      close: () => fake.close(),
    };
  },
  { skip: sharedSkip('data/protocol-fixtures/mastodon') },
);

runSourceContract('bluesky', async () => {
  const network = await TestNetworkNoAppView.create({});
  const desk = new AtpAgent({ service: network.pds.url });
  await desk.createAccount({ handle: 'desk.test', email: 'desk@example.test', password: 'desk-account-pw' });
  const deskDid = desk.session!.did;
  const appPassword = (await desk.com.atproto.server.createAppPassword({ name: 'earshot' })).data.password;
  const customer = new AtpAgent({ service: network.pds.url });
  await customer.createAccount({ handle: 'customer.test', email: 'customer@example.test', password: 'customer-pw' });
  // The source reaches the PDS through a relay that can cut the line.
  const relay = await startTcpRelay(Number(new URL(network.pds.url).port));
  let serial = 0;
  return {
    create: (variant) =>
      createBlueskySource(
        {
          service: `http://127.0.0.1:${relay.port}`,
          identifier: 'desk.test',
          appPassword: variant?.wrongCredentials ? 'not-the-password' : appPassword,
          watchAccounts: ['customer.test'],
          watchNotifications: false,
          pollIntervalSeconds: 3600,
        },
        env('bsky-contract'),
        { attempts: 3, baseDelayMs: 5, maxDelayMs: 50 },
      ),
    async publish() {
      return (await customer.post({ text: `contract post ${++serial}`, createdAt: new Date().toISOString() })).uri;
    },
    refusal: REFUSED,
    outage: {
      down: () => {
        relay.down();
        relay.cut();
      },
      up: () => relay.up(),
    },
    remoteReplies: async () =>
      (await customer.com.atproto.repo.listRecords({ repo: deskDid, collection: 'app.bsky.feed.post', limit: 100 }))
        .data.records.length,
    async close() {
      await relay.close();
      await network.close();
    },
  };
});

runSourceContract(
  'mail',
  async () => {
    const dovecot = await startDovecot();
    const relay = await startTcpRelay(dovecot.port);
    const smtp = await startSmtpPeer();
    const user = 'contract';
    let serial = 0;
    return {
      create: (variant) =>
        createMailSource(
          {
            imapHost: '127.0.0.1',
            imapPort: relay.port,
            imapSecure: false,
            imapUser: user,
            imapPassword: variant?.wrongCredentials ? 'wrong-password' : dovecot.password,
            smtpHost: '127.0.0.1',
            smtpPort: smtp.port,
            smtpSecure: false,
            fromAddress: 'help@desk.example',
            sentMailbox: 'Sent',
          },
          env('mail-contract'),
          { reconnectBaseMs: 100, idleDelayMs: 100 },
        ),
      async publish() {
        const messageId = `<contract-${++serial}.${Date.now()}@customer.example>`;
        const imap = new ImapFlow({
          host: dovecot.host,
          port: dovecot.port,
          secure: false,
          auth: { user, pass: dovecot.password },
          logger: false,
        });
        await imap.connect();
        await imap.append(
          'INBOX',
          [
            'From: Ana Costa <ana@customer.example>',
            'To: help@desk.example',
            `Subject: Question ${serial}`,
            `Message-ID: ${messageId}`,
            'Content-Type: text/plain; charset=utf-8',
            '',
            `Body ${serial}`,
            '',
          ].join('\r\n'),
        );
        await imap.logout();
        return messageId;
      },
      refusal: REFUSED,
      outage: {
        down: () => {
          relay.down();
          relay.cut();
        },
        up: () => relay.up(),
      },
      remoteReplies: () => smtp.delivered.length,
      async close() {
        await smtp.close();
        await relay.close();
        await dovecot.stop();
      },
    };
  },
  { skip: dovecotSkip() },
);

describe('cursors saved before the source contract', () => {
  const quiet = env('legacy');
  const cases: [string, { cursor: { decode(text: string): unknown; encode(value: never): string } }, string][] = [
    ['demo', createDemoSource(), '1763899200000'],
    [
      'rss',
      createRssSource({ feeds: [{ url: 'https://example.org/feed.xml' }] }, quiet),
      '{"v":1,"feeds":{"https://example.org/feed.xml":{"etag":"\\"v1\\"","lastModified":null,"seen":["https://example.org/i/1"]}}}',
    ],
    [
      'mastodon',
      createMastodonSource({ instanceUrl: 'https://example.social', accessToken: 'token' }, quiet),
      '{"v":1,"streams":{"hashtag:northwindit":"109000000000000001","mentions":"77"}}',
    ],
    [
      'bluesky',
      createBlueskySource({ service: 'https://bsky.social', identifier: 'desk.test', appPassword: 'pw' }, quiet),
      '{"v":1,"searches":{"portal":"2026-11-20T10:00:00.000Z"},"notifications":null,"repos":{"did:plc:abc":"3kabc"},"seen":["at://did:plc:abc/app.bsky.feed.post/3kabc"]}',
    ],
    [
      'mail',
      createMailSource(
        {
          imapHost: 'imap.example.org',
          imapUser: 'u',
          imapPassword: 'p',
          smtpHost: 'smtp.example.org',
          fromAddress: 'help@example.org',
        },
        quiet,
      ),
      '{"v":1,"uidValidity":"1700000000","lastUid":42}',
    ],
  ];
  for (const [name, source, saved] of cases) {
    it(`${name} still reads the cursor it saved before, and re-encodes it the same`, () => {
      const decoded = source.cursor.decode(saved);
      assert.equal(source.cursor.encode(decoded as never), saved);
      assert.throws(() => source.cursor.decode('{"v":2}'));
    });
  }
});
