/**
 * The Bluesky source's AppView feeds (search, notifications) against the reference network
 * (`@atproto/dev-env` TestNetwork: PLC + PDS + AppView, the AppView on PostgreSQL and Redis).
 * A customer mentions the desk; the source finds it through notifications and search without
 * doubling it, the desk's reply shows up in the AppView's thread as a child of the mention, the
 * customer's answer arrives as a `reply` notification, and a restart resumes from the cursor.
 * Needs EARSHOT_TEST_DATABASE_URL and Redis (REDIS_HOST, default 127.0.0.1:6379): skipped with a
 * reason when either is missing, a failure under CI=true.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { dropSchemasNamed } from '../helpers/scratch-schema.js';
import { TestNetwork } from '@atproto/dev-env';
import { AtpAgent, RichText } from '@atproto/api';
import { createBlueskySource, type BlueskyOptions } from '../../src/sources/bluesky.js';
import type { PostDraft } from '../../src/domain/post.js';
import type { SourceEnvironment } from '../../src/sources/source.js';
import type { ReplyTarget } from '../../src/sources/source.js';
import { drive, recordingContext } from './fakes/source-context.js';

const databaseUrl = process.env.EARSHOT_TEST_DATABASE_URL?.trim() || null;
const redisHost = process.env.REDIS_HOST?.trim() || '127.0.0.1:6379';

function reachable(hostPort: string): Promise<boolean> {
  const [host, port] = hostPort.split(':') as [string, string];
  return new Promise((resolve) => {
    const socket = connect(Number(port), host);
    socket.setTimeout(500, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function skipReason(): Promise<string | false> {
  if (process.env.CI === 'true') return false;
  if (!databaseUrl) return 'EARSHOT_TEST_DATABASE_URL is not set (the AppView needs PostgreSQL)';
  if (!(await reachable(redisHost))) return `no Redis at ${redisHost} (the AppView needs it; set REDIS_HOST)`;
  return false;
}

describe('bluesky source with an AppView (search, notifications)', { skip: await skipReason() }, () => {
  let network: TestNetwork;
  let desk: AtpAgent;
  let customer: AtpAgent;
  // The AppView wants a schema of letters and underscores; each run gets its own, dropped after.
  const schema = `earshot_bsky_${Date.now()
    .toString(36)
    .replace(/\d/g, (digit) => 'abcdefghij'[Number(digit)]!)}`;

  before(async () => {
    assert.ok(databaseUrl, 'EARSHOT_TEST_DATABASE_URL is required under CI');
    process.env.REDIS_HOST = redisHost;
    network = await TestNetwork.create({ dbPostgresUrl: databaseUrl, dbPostgresSchema: schema });
    desk = new AtpAgent({ service: network.pds.url });
    await desk.createAccount({ handle: 'itdesk.test', email: 'itdesk@example.test', password: 'desk-pw' });
    customer = new AtpAgent({ service: network.pds.url });
    await customer.createAccount({ handle: 'customer.test', email: 'customer@example.test', password: 'customer-pw' });
  });
  after(async () => {
    await network?.close();
    if (databaseUrl) await dropSchemasNamed(databaseUrl, schema);
  });

  const env: SourceEnvironment = {
    name: 'bsky',
    fetch: globalThis.fetch,
    clock: () => new Date(),
    allowPrivateNetwork: true,
  };
  const options = (): BlueskyOptions => ({
    service: network.pds.url,
    identifier: 'itdesk.test',
    appPassword: 'desk-pw',
    searchQueries: ['portal'],
    watchNotifications: true,
    pollIntervalSeconds: 3600,
  });
  const targetOf = (draft: PostDraft): ReplyTarget => ({
    externalId: draft.externalId,
    url: draft.url,
    authorHandle: draft.author.handle,
    extra: draft.extra,
  });
  async function mention(
    text: string,
    reply?: { root: { uri: string; cid: string }; parent: { uri: string; cid: string } },
  ) {
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

  it('finds a mention through notifications and search once, and threads the reply under it', async () => {
    const post = await mention('@itdesk.test the student portal is down for everyone');
    await customer.post({ text: 'unrelated lunch post', createdAt: new Date().toISOString() });
    await network.processAll();

    const context = recordingContext();
    const source = drive(createBlueskySource(options(), env));
    await source.start(context, null);
    try {
      assert.deepEqual(
        context.emitted.map((draft) => draft.externalId),
        [post.uri],
        'once, though both feeds returned it',
      );
      const found = context.emitted[0]!;
      assert.equal(found.author.handle, '@customer.test');
      assert.ok(['notification', 'search'].includes(found.extra.via as string));

      const sent = await source.send!({
        idempotencyKey: 'appview-1',
        inReplyTo: found.externalId,
        visibility: 'public',
        body: 'We are on it, sorry!',
        target: targetOf(found),
      });
      await network.processAll();
      const thread = (await customer.app.bsky.feed.getPostThread({ uri: post.uri })).data.thread as {
        replies?: { post: { uri: string; author: { handle: string } } }[];
      };
      assert.deepEqual(
        thread.replies?.map((reply) => [reply.post.uri, reply.post.author.handle]),
        [[sent.remoteId, 'itdesk.test']],
      );

      // The customer answers in the thread: a `reply` notification, threaded to our reply.
      const ours = (
        await customer.com.atproto.repo.getRecord({
          repo: desk.session!.did,
          collection: 'app.bsky.feed.post',
          rkey: sent.remoteId.split('/').pop()!,
        })
      ).data;
      const answer = await mention('@itdesk.test still down here', {
        root: { uri: post.uri, cid: post.cid },
        parent: { uri: ours.uri, cid: ours.cid! },
      });
      await source.poll();
      const second = context.emitted.find((draft) => draft.externalId === answer.uri);
      assert.ok(second, 'the answer arrived');
      assert.equal(second.inReplyTo, ours.uri);
      assert.equal(context.emitted.length, 2);
    } finally {
      await source.stop();
    }
  });

  it('resumes notifications and search after a restart without loss or doubles', async () => {
    const first = recordingContext();
    const a = drive(createBlueskySource(options(), env));
    await a.start(first, null);
    await a.stop();
    const whileStopped = [
      (await mention('@itdesk.test portal login loops')).uri,
      (await mention('@itdesk.test password reset mail never came')).uri,
    ];
    const second = recordingContext();
    const b = drive(createBlueskySource(options(), env));
    await b.start(second, first.savedCursor);
    await b.stop();
    assert.deepEqual(second.emitted.map((draft) => draft.externalId).sort(), [...whileStopped].sort());
  });
});
