/**
 * Every channel end to end, the way a user sets it up: one source from `earshot.config.yaml`
 * (secrets as `${VAR}`, the intranet peer allowed by the file's `allowedPrivateHosts`) and one
 * added with `POST /api/sources` as docs/channels.md shows, on the real runtime (`serve`'s
 * sources, outbound worker and API) against real local peers: a feed server serving real feeds,
 * the Mastodon protocol fake, Dovecot with an SMTP sink, and a Bluesky network (PDS + AppView).
 * A customer's post becomes a ticket, the agent's reply goes out through the channel, the
 * customer's answer joins the same ticket, and when the peer is stopped and started again
 * `/api/sources` shows the failure (errors, lastError) and then the recovery.
 * Each peer is reached through a TCP relay that stops listening and starts again on its port.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { dropSchemasNamed } from '../helpers/scratch-schema.js';
import { appViewDatabaseUrl, appViewRedisHost, appViewSkip } from '../helpers/appview-network.js';
import { startChannelDesk, type ChannelDesk, type Health } from '../helpers/channel-desk.js';
import { FIXTURES_DIR, sharedSkip } from '../helpers/shared.js';
import { startTcpRelay, type TcpRelay } from './fakes/tcp-relay.js';
import { startFeedServer, type FeedServer } from './fakes/feed-server.js';
import { startFakeMastodon, type FakeMastodon } from './fakes/mastodon-server.js';
import { dovecotSkip, startDovecot, type Dovecot } from './fakes/dovecot.js';
import { startSmtpPeer, type SmtpPeer } from './fakes/smtp-peer.js';
import type { StreamInput } from '../../src/store/streams.js';

const GOOD = ['connected', 'polling'];

/** Post in → ticket → reply out → the customer's answer joins the ticket. */
async function conversation(
  desk: ChannelDesk,
  source: string,
  peer: {
    /** How the channel answers: in public, or privately (mail). */
    visibility: 'public' | 'private';
    post(): Promise<string>;
    replied(remoteId: string): Promise<void> | void;
    answer(remoteId: string, firstId: string): Promise<string>;
  },
): Promise<void> {
  const firstId = await peer.post();
  const first = await desk.waitForPost(source, (id) => id === firstId);
  const ticketId = await desk.ticketOf(first.id);
  assert.ok(ticketId, `${source}: the post raised a ticket`);
  await desk.api('POST', `/api/tickets/${ticketId}/replies`, {
    body: 'Thanks for telling us, we are looking into it now.',
    visibility: peer.visibility,
    acknowledgeWarnings: true,
  });
  const remoteId = await desk.waitForSent(ticketId);
  await peer.replied(remoteId);
  const answerId = await peer.answer(remoteId, firstId);
  const answer = await desk.waitForPost(source, (id) => id === answerId);
  assert.equal(await desk.ticketOf(answer.id), ticketId, `${source}: the answer joined the same ticket`);
}

/** The peer stops: health shows the failure; it starts again: health shows the recovery. */
async function outage(
  desk: ChannelDesk,
  sources: readonly string[],
  relay: TcpRelay,
  poke: () => Promise<void> = async () => {},
): Promise<void> {
  const before = new Map<string, Health>();
  for (const source of sources) before.set(source, await desk.waitForHealth(source, (h) => GOOD.includes(h.status)));
  await relay.stop();
  await poke();
  for (const source of sources) {
    const failed = await desk.waitForHealth(
      source,
      (h) => h.errors > before.get(source)!.errors && h.lastError !== null && !GOOD.includes(h.status),
    );
    assert.ok(failed.lastErrorAt, `${source}: the failure has a time`);
  }
  await relay.start();
  await poke();
  for (const source of sources) await desk.waitForHealth(source, (h) => GOOD.includes(h.status));
}

/** "Every post of this channel becomes a ticket", with the `channel:` field of the query language. */
const STREAM = (channel: string): StreamInput => ({
  name: `all ${channel}`,
  query: `channel:${channel}`,
  ticketRules: [{ kinds: [], sentiments: [], ticketType: 'request', priority: 'normal' }],
});

describe('rss end to end', { skip: sharedSkip('data/protocol-fixtures/feeds/sample-feeds') }, () => {
  let feeds: FeedServer;
  let relay: TcpRelay;
  let desk: ChannelDesk;
  const feed = (id: string) => readFileSync(join(FIXTURES_DIR, 'feeds', 'sample-feeds', 'real-world', id, 'feed.xml'));
  before(async () => {
    feeds = await startFeedServer();
    feeds.publish('/status.rss', { body: feed('0390cb7970a0c01c35d7bfb28aa300d3'), etag: '"a1"' });
    feeds.publish('/forum.rss', { body: feed('182cf60c6e9d1f6f7d1f557176ca5a84'), etag: '"b1"' });
    relay = await startTcpRelay(Number(new URL(feeds.origin).port));
    desk = await startChannelDesk({
      streams: [STREAM('rss')],
      configYaml: [
        'allowedPrivateHosts: [127.0.0.1]',
        'sources:',
        '  - name: vendor-status',
        '    kind: rss',
        '    options:',
        '      feeds:',
        `        - url: http://127.0.0.1:${relay.port}/status.rss`,
      ].join('\n'),
    });
  });
  after(async () => {
    await desk?.close();
    await relay?.close();
    await feeds?.close();
  });

  it('feed items become tickets, a reply is refused with a reason, health shows the outage and the recovery', async () => {
    await desk.api('POST', '/api/sources', {
      name: 'it-forum',
      kind: 'rss',
      options: { intervalSeconds: 300, feeds: [{ url: `http://127.0.0.1:${relay.port}/forum.rss` }] },
    });
    let ticketId = 0;
    for (const name of ['vendor-status', 'it-forum']) {
      const post = await desk.waitForPost(name, () => true);
      const ticket = await desk.ticketOf(post.id);
      assert.ok(ticket, `${name}: an item raised a ticket`);
      ticketId = ticket;
    }
    // Feeds cannot be answered (canReplyPublicly: false): the desk says so instead of queueing.
    const refused = await desk.app.inject({
      method: 'POST',
      url: `/api/tickets/${ticketId}/replies`,
      headers: { authorization: `Bearer ${desk.token}` },
      payload: { body: 'Thanks', visibility: 'public', acknowledgeWarnings: true },
    });
    assert.equal(refused.statusCode, 422, refused.body);
    assert.match(refused.body, /ERR_SOURCE_REPLY_UNSUPPORTED/);

    // Feeds poll every 5 minutes by default: the desk's Restart reads them at once.
    const { sources } = await desk.api<{ sources: { id: number; name: string }[] }>('GET', '/api/sources');
    const restart = async () => {
      for (const source of sources) await desk.api('POST', `/api/sources/${source.id}/restart`);
    };
    await outage(
      desk,
      sources.map((source) => source.name),
      relay,
      restart,
    );
  });
});

describe('mastodon end to end', { skip: sharedSkip('data/protocol-fixtures/mastodon') }, () => {
  let fake: FakeMastodon;
  let relay: TcpRelay;
  let desk: ChannelDesk;
  let serial = 0;
  before(async () => {
    fake = await startFakeMastodon(FIXTURES_DIR);
    relay = await startTcpRelay(Number(new URL(fake.origin).port));
    desk = await startChannelDesk({
      streams: [STREAM('mastodon')],
      env: { MASTODON_TOKEN: fake.token },
      configYaml: [
        'allowedPrivateHosts: [127.0.0.1]',
        'sources:',
        '  - name: northwind-mastodon',
        '    kind: mastodon',
        '    options:',
        `      instanceUrl: http://127.0.0.1:${relay.port}`,
        `      accessToken: \${MASTODON_TOKEN}`,
        '      hashtags: [NorthwindIT]',
        '      mentions: false',
      ].join('\n'),
    });
  });
  after(async () => {
    await desk?.close();
    await relay?.close();
    await fake?.close();
  });

  it('post → ticket → reply → the answer joins the ticket, from the file and from the API; outage and recovery', async () => {
    await desk.api('POST', '/api/sources', {
      name: 'mastodon-api',
      kind: 'mastodon',
      options: {
        instanceUrl: `http://127.0.0.1:${relay.port}`,
        accessToken: fake.token,
        hashtags: ['#Störung'],
        mentions: false,
      },
    });
    for (const [source, tag] of [
      ['northwind-mastodon', 'NorthwindIT'],
      ['mastodon-api', 'Störung'],
    ] as const) {
      await desk.waitForHealth(source, (h) => h.status === 'connected');
      await conversation(desk, source, {
        visibility: 'public',
        async post() {
          const id = String(400000000000000000n + BigInt(++serial));
          fake.push(
            ['hashtag', tag],
            'update',
            fake.addStatus(id, { tags: [tag], acct: 'ana', content: '<p>VPN down</p>' }),
          );
          return id;
        },
        replied(remoteId) {
          const sent = fake.created.find((status) => status.id === remoteId);
          assert.ok(sent, 'the instance got the reply');
        },
        async answer(remoteId) {
          const id = String(400000000000000000n + BigInt(++serial));
          const status = fake.addStatus(id, {
            tags: [tag],
            acct: 'ana',
            inReplyToId: remoteId,
            content: '<p>still</p>',
          });
          fake.push(['hashtag', tag], 'update', status);
          return id;
        },
      });
    }
    await outage(desk, ['northwind-mastodon', 'mastodon-api'], relay);
  });
});

describe('mail end to end', { skip: dovecotSkip() }, () => {
  let dovecot: Dovecot;
  let relay: TcpRelay;
  let smtp: SmtpPeer;
  let desk: ChannelDesk;
  let serial = 0;
  before(async () => {
    dovecot = await startDovecot();
    relay = await startTcpRelay(dovecot.port);
    smtp = await startSmtpPeer();
    desk = await startChannelDesk({
      streams: [STREAM('mail')],
      env: { IMAP_PASSWORD: dovecot.password },
      configYaml: [
        'allowedPrivateHosts: [127.0.0.1]',
        'sources:',
        '  - name: helpdesk-mail',
        '    kind: mail',
        '    options:',
        '      imapHost: 127.0.0.1',
        `      imapPort: ${relay.port}`,
        '      imapSecure: false',
        '      imapUser: deskfile',
        `      imapPassword: \${IMAP_PASSWORD}`,
        '      smtpHost: 127.0.0.1',
        `      smtpPort: ${smtp.port}`,
        '      smtpSecure: false',
        '      fromAddress: help@desk.example',
      ].join('\n'),
    });
  });
  after(async () => {
    await desk?.close();
    await smtp?.close();
    await relay?.close();
    await dovecot?.stop();
  });

  /** Delivers into the user's INBOX at the server, as the MTA would. */
  async function deliver(user: string, fields: { inReplyTo?: string } = {}): Promise<string> {
    const messageId = `<e2e${++serial}.${Date.now()}@customer.example>`;
    const raw = [
      'From: Ana Costa <ana@customer.example>',
      'To: help@desk.example',
      `Subject: ${fields.inReplyTo ? 'Re: ' : ''}Printer on floor 3`,
      `Date: ${new Date().toUTCString()}`,
      `Message-ID: ${messageId}`,
      ...(fields.inReplyTo ? [`In-Reply-To: ${fields.inReplyTo}`, `References: ${fields.inReplyTo}`] : []),
      'Content-Type: text/plain; charset=utf-8',
      '',
      fields.inReplyTo ? 'It still jams.' : 'The printer on floor 3 jams on every page.',
      '',
    ].join('\r\n');
    const imap = new ImapFlow({
      host: dovecot.host,
      port: dovecot.port,
      secure: false,
      auth: { user, pass: dovecot.password },
      logger: false,
    });
    await imap.connect();
    await imap.append('INBOX', raw);
    await imap.logout();
    return messageId;
  }

  it('mail → ticket → reply by SMTP → the answer joins the ticket, from the file and from the API; outage and recovery', async () => {
    await desk.api('POST', '/api/sources', {
      name: 'mail-api',
      kind: 'mail',
      options: {
        imapHost: '127.0.0.1',
        imapPort: relay.port,
        imapSecure: false,
        imapUser: 'deskapi',
        imapPassword: dovecot.password,
        smtpHost: '127.0.0.1',
        smtpPort: smtp.port,
        smtpSecure: false,
        fromAddress: 'it@desk.example',
      },
    });
    for (const [source, user] of [
      ['helpdesk-mail', 'deskfile'],
      ['mail-api', 'deskapi'],
    ] as const) {
      await desk.waitForHealth(source, (h) => h.status === 'connected');
      await conversation(desk, source, {
        visibility: 'private',
        post: () => deliver(user),
        replied(remoteId) {
          assert.ok(
            smtp.delivered.some((mail) => mail.raw.toString().includes(remoteId)),
            'the SMTP peer got the reply',
          );
        },
        answer: (remoteId) => deliver(user, { inReplyTo: remoteId }),
      });
    }
    await outage(desk, ['helpdesk-mail', 'mail-api'], relay);
  });
});

const databaseUrl = appViewDatabaseUrl;
const redisHost = appViewRedisHost;

describe('bluesky end to end', { skip: await appViewSkip({ ci: true }) }, () => {
  let network: import('@atproto/dev-env').TestNetwork;
  let customer: import('@atproto/api').AtpAgent;
  let relay: TcpRelay;
  let desk: ChannelDesk;
  const schema = `earshot_channels_${Date.now()
    .toString(36)
    .replace(/\d/g, (digit) => 'abcdefghij'[Number(digit)]!)}`;

  before(async () => {
    assert.ok(databaseUrl, 'EARSHOT_TEST_DATABASE_URL is required under CI');
    process.env.REDIS_HOST = redisHost;
    const { TestNetwork } = await import('@atproto/dev-env');
    const { AtpAgent } = await import('@atproto/api');
    network = await TestNetwork.create({ dbPostgresUrl: databaseUrl, dbPostgresSchema: schema });
    for (const handle of ['deskfile.test', 'deskapi.test'])
      await new AtpAgent({ service: network.pds.url }).createAccount({
        handle,
        email: `${handle}@example.test`,
        password: 'desk-pw',
      });
    customer = new AtpAgent({ service: network.pds.url });
    await customer.createAccount({ handle: 'customer.test', email: 'customer@example.test', password: 'customer-pw' });
    relay = await startTcpRelay(Number(new URL(network.pds.url).port));
    desk = await startChannelDesk({
      streams: [STREAM('bluesky')],
      env: { BLUESKY_APP_PASSWORD: 'desk-pw' },
      configYaml: [
        'allowedPrivateHosts: [127.0.0.1]',
        'sources:',
        '  - name: northwind-bluesky',
        '    kind: bluesky',
        '    options:',
        `      service: http://127.0.0.1:${relay.port}`,
        '      identifier: deskfile.test',
        `      appPassword: \${BLUESKY_APP_PASSWORD}`,
        '      pollIntervalSeconds: 1',
      ].join('\n'),
    });
  });
  after(async () => {
    await desk?.close();
    await relay?.close();
    await network?.close();
    if (databaseUrl) await dropSchemasNamed(databaseUrl, schema);
  });

  async function say(
    text: string,
    reply?: { root: { uri: string; cid: string }; parent: { uri: string; cid: string } },
  ) {
    const { RichText } = await import('@atproto/api');
    const rich = new RichText({ text });
    await rich.detectFacets(customer);
    const post = await customer.post({
      text: rich.text,
      facets: rich.facets,
      ...(reply ? { reply } : {}),
      createdAt: new Date().toISOString(),
    });
    await network.processAll();
    return post;
  }

  it('mention → ticket → reply in the thread → the answer joins the ticket, from the file and from the API; outage and recovery', async () => {
    await desk.api('POST', '/api/sources', {
      name: 'bluesky-api',
      kind: 'bluesky',
      options: {
        service: `http://127.0.0.1:${relay.port}`,
        identifier: 'deskapi.test',
        appPassword: 'desk-pw',
        pollIntervalSeconds: 1,
      },
    });
    for (const [source, handle] of [
      ['northwind-bluesky', 'deskfile.test'],
      ['bluesky-api', 'deskapi.test'],
    ] as const) {
      await desk.waitForHealth(source, (h) => GOOD.includes(h.status));
      let root: { uri: string; cid: string } | null = null;
      await conversation(desk, source, {
        visibility: 'public',
        async post() {
          root = await say(`@${handle} the student portal is down`);
          return root.uri;
        },
        async replied(remoteId) {
          await network.processAll();
          const thread = (await customer.app.bsky.feed.getPostThread({ uri: root!.uri })).data.thread as {
            replies?: { post: { uri: string } }[];
          };
          assert.ok(
            thread.replies?.some((reply) => reply.post.uri === remoteId),
            'the reply is in the thread',
          );
        },
        async answer(remoteId) {
          const [, , repo, collection, rkey] = remoteId.split('/') as string[];
          const ours = (
            await customer.com.atproto.repo.getRecord({ repo: repo!, collection: collection!, rkey: rkey! })
          ).data;
          const post = await say(`@${handle} still down`, { root: root!, parent: { uri: ours.uri, cid: ours.cid! } });
          return post.uri;
        },
      });
    }
    await outage(desk, ['northwind-bluesky', 'bluesky-api'], relay);
  });
});
