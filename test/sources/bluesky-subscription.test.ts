/**
 * The Bluesky source's subscription against the reference network (`@atproto/dev-env`
 * TestNetwork: PLC + PDS + AppView): a mention posted on the PDS reaches the source through the
 * PDS's firehose (`com.atproto.sync.subscribeRepos`) within 2 s while polls are an hour apart; a
 * restart replays from the saved stream position without loss or doubles; when the stream's TCP
 * relay stops, polling stands in (health says so) and still delivers, and once the relay is back
 * the source is subscribed again. Also: which streamed records are wanted, and Jetstream's JSON.
 * Needs EARSHOT_TEST_DATABASE_URL and Redis for the AppView: skipped with a reason when either is
 * missing, a failure under CI=true.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestNetwork } from '@atproto/dev-env';
import type { AtpAgent } from '@atproto/api';
import { createBlueskySource, subscriptionTarget, type BlueskyOptions } from '../../src/sources/bluesky.js';
import { decodeJetstreamMessage, subscriptionUrl } from '../../src/sources/bluesky-subscription.js';
import { wantedBecause, type StreamInterest } from '../../src/sources/bluesky-subscription-filter.js';
import { BLUESKY_CURSOR } from '../../src/sources/bluesky-posts.js';
import type { SourceEnvironment } from '../../src/sources/source.js';
import { dropSchemasNamed } from '../helpers/scratch-schema.js';
import { appViewDatabaseUrl, appViewRedisHost, appViewSkip } from '../helpers/appview-network.js';
import { drive, recordingContext, type RecordingContext } from './fakes/source-context.js';
import { startTcpRelay, type TcpRelay } from './fakes/tcp-relay.js';

const databaseUrl = appViewDatabaseUrl;
const redisHost = appViewRedisHost;

const env: SourceEnvironment = {
  name: 'bsky',
  fetch: globalThis.fetch,
  clock: () => new Date(),
  allowPrivateNetwork: true,
};
const FAST_RECONNECT = { reconnectBaseMs: 200, reconnectMaxMs: 1000 };

/** The status reported last. */
const lastStatus = (context: RecordingContext): { status: string; detail?: string } =>
  context.statuses.at(-1) ?? { status: 'none' };

describe('bluesky subscription on the reference network', { skip: await appViewSkip({ ci: true }) }, () => {
  let network: TestNetwork;
  let customer: AtpAgent;
  const schema = `earshot_bsub_${Date.now()
    .toString(36)
    .replace(/\d/g, (digit) => 'abcdefghij'[Number(digit)]!)}`;

  before(async () => {
    assert.ok(databaseUrl, 'EARSHOT_TEST_DATABASE_URL is required under CI');
    process.env.REDIS_HOST = redisHost;
    const { TestNetwork } = await import('@atproto/dev-env');
    const { AtpAgent } = await import('@atproto/api');
    network = await TestNetwork.create({ dbPostgresUrl: databaseUrl, dbPostgresSchema: schema });
    const desk = new AtpAgent({ service: network.pds.url });
    await desk.createAccount({ handle: 'subdesk.test', email: 'subdesk@example.test', password: 'desk-pw' });

    customer = new AtpAgent({ service: network.pds.url });
    await customer.createAccount({ handle: 'customer.test', email: 'customer@example.test', password: 'customer-pw' });
    await network.processAll();
  });
  after(async () => {
    await network?.close();
    if (databaseUrl) await dropSchemasNamed(databaseUrl, schema);
  });

  const options = (extra: Partial<BlueskyOptions> = {}): BlueskyOptions => ({
    service: network.pds.url,
    identifier: 'subdesk.test',
    appPassword: 'desk-pw',
    searchQueries: ['portal outage'],
    watchNotifications: true,
    pollIntervalSeconds: 3600,
    ...extra,
  });

  /** Posts as the customer, with the mention as a facet (as the Bluesky app does); returns the uri. */
  async function say(text: string): Promise<string> {
    const { RichText } = await import('@atproto/api');
    const rich = new RichText({ text });
    await rich.detectFacets(customer);
    return (await customer.post({ text: rich.text, facets: rich.facets, createdAt: new Date().toISOString() })).uri;
  }

  it('delivers mentions and search hits through the PDS firehose within 2 s while polls are an hour apart', async () => {
    const context = recordingContext();
    const source = drive(createBlueskySource(options(), env, undefined, FAST_RECONNECT));
    await source.start(context, null);
    try {
      await context.waitFor(() => lastStatus(context).status === 'connected', 10_000, 'subscribed');
      assert.match(
        lastStatus(context).detail ?? '',
        /subscribed to the firehose at localhost:\d+; .*this PDS's accounts only/,
      );
      const before = context.emitted.length;

      const started = Date.now();
      const uri = await say('@subdesk.test my badge stopped opening the lab door');
      // The first post of an author also waits for one profile lookup (then remembered): a looser bound.
      await context.waitFor(() => context.emitted.some((draft) => draft.externalId === uri), 3000, 'the mention');
      const ms = Date.now() - started;
      const found = context.emitted.find((draft) => draft.externalId === uri)!;
      assert.equal(found.extra.via, 'subscription');
      assert.equal(found.author.handle, '@customer.test', 'the author is looked up by DID');
      assert.match(found.url ?? '', /^https:\/\/bsky\.app\/profile\/customer\.test\/post\//);

      // A search query's words (no mention), then an unrelated post and the desk's own post: only the first comes.
      const searchStarted = Date.now();
      const searched = await say('is there a portal outage right now?');
      await context.waitFor(
        () => context.emitted.some((draft) => draft.externalId === searched),
        2000,
        'the search hit',
      );
      const searchMs = Date.now() - searchStarted;
      await say('lunch was great today');
      await source.source.send!({
        idempotencyKey: 'sub-own-post',
        inReplyTo: uri,
        visibility: 'public',
        body: 'We are looking into it',
        target: { externalId: found.externalId, url: found.url, authorHandle: found.author.handle, extra: found.extra },
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.deepEqual(
        context.emitted.slice(before).map((draft) => [draft.externalId, draft.extra.via]),
        [
          [uri, 'subscription'],
          [searched, 'subscription'],
        ],
      );
      console.log(`# through the firehose: first mention ${ms} ms (with the profile lookup), next post ${searchMs} ms`);
      const saved = BLUESKY_CURSOR.decode(context.savedCursor!);
      assert.ok(saved.stream && saved.stream.position > 0, 'the stream position is saved');
    } finally {
      await source.stop();
    }
  });

  it('resumes from the saved stream position after a restart, without loss or doubles', async () => {
    const first = recordingContext();
    const a = drive(createBlueskySource(options(), env, undefined, FAST_RECONNECT));
    await a.start(first, null);
    await first.waitFor(() => lastStatus(first).status === 'connected', 10_000, 'subscribed');
    const beforeStop = await say('@subdesk.test printer on floor 2 is jammed');
    await first.waitFor(
      () => first.emitted.some((draft) => draft.externalId === beforeStop),
      2000,
      'the first mention',
    );
    await a.stop();

    // Posted while no one listens; the AppView is not told (no processAll), so only the stream's replay can bring them.
    const whileStopped = [await say('@subdesk.test still jammed'), await say('@subdesk.test and now it smokes')];

    const second = recordingContext();
    const b = drive(createBlueskySource(options(), env, undefined, FAST_RECONNECT));
    await b.start(second, first.savedCursor);
    try {
      await second.waitForPosts(2, 5000);
      await second.waitFor(() => lastStatus(second).status === 'connected', 10_000, 'subscribed');
      await network.processAll();
      const afterRestart = await say('@subdesk.test never mind, fixed');
      await second.waitFor(
        () => second.emitted.some((draft) => draft.externalId === afterRestart),
        2000,
        'the new one',
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(
        second.emitted.map((draft) => draft.externalId),
        [...whileStopped, afterRestart],
        'each once, none from before the restart',
      );
    } finally {
      await b.stop();
    }
  });

  it('polls while the stream is unreachable, and subscribes again once it is back', async () => {
    const relay: TcpRelay = await startTcpRelay(Number(new URL(network.pds.url).port));
    const context = recordingContext();
    const source = drive(
      createBlueskySource(
        options({
          subscription: 'firehose',
          subscriptionUrl: `ws://127.0.0.1:${relay.port}`,
          pollIntervalSeconds: 0.5,
        }),
        env,
        undefined,
        FAST_RECONNECT,
      ),
    );
    await source.start(context, null);
    try {
      await context.waitFor(() => lastStatus(context).status === 'connected', 10_000, 'subscribed');
      assert.equal(lastStatus(context).detail, `subscribed to the firehose at 127.0.0.1:${relay.port}`);

      await relay.stop();
      await context.waitFor(() => lastStatus(context).status === 'polling', 5000, 'polling');
      assert.match(
        lastStatus(context).detail ?? '',
        /firehose at 127\.0\.0\.1:\d+ is unavailable \(.+\); polling every 0\.5 s/,
      );
      assert.ok(
        context.errors.some((error) => error.startsWith('subscription: ')),
        'the drop is counted',
      );
      const polled = await say('@subdesk.test wifi in room 12 is down');
      await network.processAll();
      await context.waitFor(
        () => context.emitted.some((draft) => draft.externalId === polled),
        5000,
        'the polled mention',
      );
      assert.equal(context.emitted.find((draft) => draft.externalId === polled)!.extra.via, 'notification');

      await relay.start();
      await context.waitFor(() => lastStatus(context).status === 'connected', 10_000, 'subscribed again');
      const pushed = await say('@subdesk.test and room 14 too');
      await context.waitFor(
        () => context.emitted.some((draft) => draft.externalId === pushed),
        2000,
        'the pushed mention',
      );
      assert.equal(context.emitted.find((draft) => draft.externalId === pushed)!.extra.via, 'subscription');
      const ids = context.emitted.map((draft) => draft.externalId);
      assert.equal(new Set(ids).size, ids.length, 'nothing doubled');
    } finally {
      await source.stop();
      await relay.close();
    }
  });
});

describe('bluesky subscription parts', () => {
  const interest: StreamInterest = {
    did: 'did:plc:desk',
    handle: 'desk.example.com',
    notifications: true,
    searchQueries: ['portal outage', '#NorthwindIT'],
    accounts: new Set(['did:plc:watched']),
  };
  const post = (record: Record<string, unknown>) => ({ text: '', createdAt: '2026-12-02T10:00:00Z', ...record });

  it('wants mentions, replies, quotes, search words and watched accounts, and nothing else', () => {
    const mentionFacet = {
      index: { byteStart: 0, byteEnd: 5 },
      features: [{ $type: 'app.bsky.richtext.facet#mention', did: 'did:plc:desk' }],
    };
    const cases: [string, unknown, string | null][] = [
      ['did:plc:a', post({ text: '@desk hi', facets: [mentionFacet] }), 'mention'],
      ['did:plc:a', post({ text: 'hello @Desk.Example.com, help' }), 'mention'],
      ['did:plc:a', post({ text: 'mail me at x@desk.example.com' }), null],
      ['did:plc:a', post({ text: '@desk.example.community' }), null],
      [
        'did:plc:a',
        post({
          text: 'still broken',
          reply: {
            root: { uri: 'at://did:plc:desk/app.bsky.feed.post/1', cid: 'c' },
            parent: { uri: 'at://did:plc:desk/app.bsky.feed.post/1', cid: 'c' },
          },
        }),
        'reply',
      ],
      [
        'did:plc:a',
        post({
          text: 'look',
          embed: { $type: 'app.bsky.embed.record', record: { uri: 'at://did:plc:desk/app.bsky.feed.post/2' } },
        }),
        'quote',
      ],
      ['did:plc:a', post({ text: 'The Portal has an OUTAGE again' }), 'search'],
      ['did:plc:a', post({ text: 'the portal works' }), null],
      ['did:plc:a', post({ text: 'thanks #northwindit' }), 'search'],
      ['did:plc:a', post({ text: 'thanks northwindit' }), null],
      ['did:plc:watched', post({ text: 'anything at all' }), 'account'],
      ['did:plc:a', { notText: true }, null],
    ];
    for (const [did, record, want] of cases)
      assert.equal(wantedBecause(interest, did, record), want, JSON.stringify(record));
    assert.equal(
      wantedBecause(
        { ...interest, notifications: false },
        'did:plc:a',
        post({ text: '@desk hi', facets: [mentionFacet] }),
      ),
      null,
    );
  });

  it('reads Jetstream commits and moves the position on every event', async () => {
    const created = await decodeJetstreamMessage(
      JSON.stringify({
        did: 'did:plc:a',
        time_us: 1_796_000_000_000_000,
        kind: 'commit',
        commit: {
          rev: '3n3',
          operation: 'create',
          collection: 'app.bsky.feed.post',
          rkey: '3n3onfaknts2p',
          cid: 'bafyreiejviwcke7itmybcicn2jwfge3wy3yfdquqfyajaczr4sumzknfku',
          record: { $type: 'app.bsky.feed.post', text: 'hi @desk.example.com', createdAt: '2026-12-02T10:00:00Z' },
        },
      }),
    );
    assert.deepEqual(created, {
      type: 'event',
      event: {
        position: 1_796_000_000_000_000,
        posts: [
          {
            uri: 'at://did:plc:a/app.bsky.feed.post/3n3onfaknts2p',
            cid: 'bafyreiejviwcke7itmybcicn2jwfge3wy3yfdquqfyajaczr4sumzknfku',
            did: 'did:plc:a',
            record: { $type: 'app.bsky.feed.post', text: 'hi @desk.example.com', createdAt: '2026-12-02T10:00:00Z' },
          },
        ],
      },
    });
    assert.deepEqual(await decodeJetstreamMessage('{"did":"did:plc:a","time_us":5,"kind":"identity"}'), {
      type: 'event',
      event: { position: 5, posts: [] },
    });
    await assert.rejects(decodeJetstreamMessage('{"kind":"commit"}'), /time_us/);
  });

  it('picks the stream: Jetstream for Bluesky-hosted accounts, the PDS firehose otherwise, none when off', () => {
    const base = { identifier: 'desk', appPassword: 'x' };
    const pick = (extra: Partial<BlueskyOptions>) => {
      const target = subscriptionTarget({ service: 'https://bsky.social', ...base, ...extra }, env);
      return target && [target.kind, target.url.href, target.partial];
    };
    assert.deepEqual(pick({}), ['jetstream', 'wss://jetstream2.us-east.bsky.network/subscribe', false]);
    assert.deepEqual(pick({ service: 'https://pds.example.org' }), ['firehose', 'https://pds.example.org/', true]);
    assert.deepEqual(pick({ subscriptionUrl: 'wss://bsky.network' }), ['firehose', 'wss://bsky.network/', false]);
    assert.deepEqual(pick({ subscriptionUrl: 'wss://jet.example.org/subscribe' }), [
      'jetstream',
      'wss://jet.example.org/subscribe',
      false,
    ]);
    assert.equal(pick({ subscription: 'off' }), null);
    assert.throws(
      () =>
        subscriptionTarget(
          { service: 'https://bsky.social', ...base, subscriptionUrl: 'ws://10.0.0.5:2470' },
          { ...env, allowPrivateNetwork: false },
        ),
      /subscriptionUrl/,
    );
    assert.equal(
      subscriptionUrl('firehose', new URL('https://bsky.network'), 42).href,
      'wss://bsky.network/xrpc/com.atproto.sync.subscribeRepos?cursor=42',
    );
    assert.equal(
      subscriptionUrl('jetstream', new URL('wss://jet.example.org'), null).href,
      'wss://jet.example.org/subscribe?wantedCollections=app.bsky.feed.post',
    );
  });
});
