/**
 * The Mastodon source against a loopback Mastodon that speaks the REST and streaming protocols
 * with the documentation's own payloads: live statuses and mentions from the documented
 * streaming events, REST catch-up after a disconnect, cursor resume after a restart (with
 * min_id paging), a 429 with Retry-After, malformed frames skipped and counted, and replies
 * that arrive with the right visibility, thread and Idempotency-Key — unique per install, so a
 * fresh install on the same account sends its own reply instead of taking an earlier one's.
 */
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR, sharedPath, sharedSkip } from '../helpers/shared.js';
import { startFakeMastodon, type FakeMastodon } from './fakes/mastodon-server.js';
import { drive, recordingContext, type Driven, type RecordingContext } from './fakes/source-context.js';
import {
  createMastodonSource,
  type MastodonOptions,
  type MastodonSource,
  type MastodonTuning,
} from '../../src/sources/mastodon.js';
import { isEarshotError } from '../../src/domain/errors.js';
import { startEarshotHost } from './fakes/earshot-host.js';

const FIXTURES = 'data/protocol-fixtures/mastodon';

describe('mastodon source', { skip: sharedSkip(FIXTURES) }, () => {
  let fake: FakeMastodon;
  let delays: number[];
  let running: Driven<MastodonSource>[];
  let tuning: MastodonTuning;

  before(async () => {
    sharedPath(FIXTURES);
    fake = await startFakeMastodon(FIXTURES_DIR);
  });
  after(() => fake.close());
  afterEach(async () => {
    await Promise.all(running.map((source) => source.stop()));
  });
  beforeEach(() => {
    delays = [];
    running = [];
    tuning = {
      retry: { attempts: 4, baseDelayMs: 10, maxDelayMs: 60_000, sleep: async (ms) => void delays.push(ms) },
      reconnectBaseMs: 20,
      reconnectMaxMs: 100,
    };
  });

  const options = (extra: Partial<MastodonOptions> = {}): MastodonOptions => ({
    instanceUrl: fake.origin,
    accessToken: fake.token,
    hashtags: ['NorthwindIT'],
    mentions: true,
    ...extra,
  });
  const env = { name: 'masto-test', fetch, clock: () => new Date(), allowPrivateNetwork: true };
  async function start(
    context: RecordingContext,
    cursor: string | null = null,
    extra: Partial<MastodonOptions> = {},
  ): Promise<Driven<MastodonSource>> {
    const source = drive(createMastodonSource(options(extra), env, tuning));
    running.push(source);
    const subscribed = fake.subscriptions.length;
    await source.start(context, cursor);
    await context.waitFor(() => context.statuses.some((entry) => entry.status === 'connected'), 5000, 'connected');
    const all = options(extra);
    const expected = (all.hashtags?.length ?? 0) + (all.mentions === false ? 0 : 1);
    if (extra.streaming !== false)
      await context.waitFor(() => fake.subscriptions.length >= subscribed + expected, 5000, 'subscriptions');
    return source;
  }
  const stopAll = async () => Promise.all(running.map((source) => source.stop()));

  test('streams the documented update and mention events as plain-text posts', async () => {
    const context = recordingContext();
    await start(context);
    const events = readFileSync(join(sharedPath(FIXTURES), 'streaming', 'streaming-events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; payload: string });
    for (const { event, payload } of events) {
      if (event === 'notification') fake.push(['user:notification'], event, payload);
      else fake.push(['hashtag', 'NorthwindIT'], event, payload);
    }
    const updates = new Set(
      events
        .filter((entry) => entry.event === 'update')
        .map((entry) => (JSON.parse(entry.payload) as { id: string }).id),
    );
    await context.waitForPosts(updates.size + 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(
      context.emitted.length,
      updates.size + 1,
      'one post per update plus the mention; deletes, edits, announcements ignored',
    );
    assert.deepEqual(
      context.skipped,
      [],
      'filters_changed (payload "undefined") is an event we ignore, not a malformed one',
    );
    const mention = context.emitted.find((draft) => draft.author.handle === '@a@pl.nulled.red');
    assert.ok(mention, 'the mention notification became a post');
    for (const draft of context.emitted) {
      assert.ok(!/<[a-z/]/i.test(draft.text), `markup left in ${draft.text}`);
      assert.equal(draft.source, 'masto-test');
      assert.equal(draft.extra.statusId, draft.externalId);
    }
    const trwnh = context.emitted.find((draft) => draft.externalId === '108914398911648589')!;
    assert.equal(trwnh.author.handle, '@trwnh@mastodon.social');
    assert.ok(JSON.parse(context.savedCursor!).streams['hashtag:northwindit']);
    await stopAll();
  });

  test('catches up over REST after a disconnect: statuses posted while offline arrive once', async () => {
    const context = recordingContext();
    fake.addStatus('200000000000000001', { tags: ['NorthwindIT'], content: '<p>first</p>' });
    await start(context);
    await context.waitForPosts(1);
    fake.dropConnections();
    await context.waitFor(
      () => context.statuses.some((entry) => entry.status === 'backing-off'),
      5000,
      'backing-off (the drop is a counted failure)',
    );
    fake.addStatus('200000000000000002', { tags: ['NorthwindIT'], content: '<p>posted while we were away</p>' });
    fake.addStatus('200000000000000003', { tags: ['NorthwindIT'], content: '<p>and another</p>' });
    await context.waitForPosts(3);
    // The live copy of an already caught-up status is not emitted again.
    fake.push(['hashtag', 'NorthwindIT'], 'update', fake.addStatus('200000000000000003', { tags: ['NorthwindIT'] }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(
      context.emitted.map((draft) => draft.text),
      ['first', 'posted while we were away', 'and another'],
    );
    const catchUp = fake.requests
      .filter((request) => request.path.toLowerCase() === '/api/v1/timelines/tag/northwindit')
      .at(-1)!;
    assert.equal(catchUp.query.get('min_id'), '200000000000000001');
    await stopAll();
  });

  test('resumes from its cursor after a restart, paging with min_id: nothing lost, nothing doubled', async () => {
    const first = recordingContext();
    const source = await start(first, null, { hashtags: ['resume'], mentions: false });
    fake.addStatus('300000000000000000', { tags: ['resume'] });
    fake.push(['hashtag', 'resume'], 'update', fake.addStatus('300000000000000001', { tags: ['resume'] }));
    await first.waitForPosts(1);
    await source.stop();
    for (let i = 2; i <= 46; i++)
      fake.addStatus(`3000000000000000${String(i).padStart(2, '0')}`, {
        tags: ['resume'],
        content: `<p>offline ${i}</p>`,
      });
    const second = recordingContext();
    await start(second, first.savedCursor, { hashtags: ['resume'], mentions: false });
    await second.waitForPosts(45);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(second.emitted.length, 45);
    assert.deepEqual(
      second.emitted.map((draft) => draft.text),
      Array.from({ length: 45 }, (_, i) => `offline ${i + 2}`),
    );
    const pages = fake.requests.filter(
      (request) => request.path === '/api/v1/timelines/tag/resume' && request.query.get('min_id'),
    );
    assert.ok(pages.length >= 2, 'more than one page was fetched');
    await stopAll();
  });

  test('a 429 is waited out until its X-RateLimit-Reset, as a real instance says it, before the catch-up succeeds', async () => {
    fake.addStatus('400000000000000001', { tags: ['limited'] });
    // Refused with X-RateLimit-Remaining: 0 and X-RateLimit-Reset 3 s from now, and no Retry-After.
    fake.failNext('/api/v1/timelines/tag/limited', 429, 1, '3');
    const context = recordingContext();
    await start(context, null, { hashtags: ['limited'], mentions: false });
    await context.waitForPosts(1);
    const refused = fake.requests.findIndex((request) => request.path === '/api/v1/timelines/tag/limited');
    assert.ok(refused >= 0);
    assert.ok(delays[0]! >= 2500 && delays[0]! <= 3500, `waited ${delays[0]} ms; X-RateLimit-Reset said 3 s`);
    assert.ok(context.statuses.some((entry) => entry.status === 'backing-off'));
    await stopAll();
  });

  test('malformed frames and payloads are skipped and counted, and the stream carries on', async () => {
    const context = recordingContext();
    await start(context, null, { hashtags: ['messy'], mentions: true });
    fake.pushRaw('this is not JSON');
    fake.pushRaw(JSON.stringify({ stream: ['hashtag', 'messy'] }));
    fake.push(['hashtag', 'messy'], 'update', '{"id": 42, "content": null');
    fake.push(['hashtag', 'messy'], 'update', { id: '500000000000000001', content: '<p>no account</p>' });
    fake.push(['user:notification'], 'notification', { id: '77', type: 'mention', status: { id: 'x' } });
    fake.push(
      ['hashtag', 'messy'],
      'update',
      fake.addStatus('500000000000000002', { tags: ['messy'], content: '<p>good one</p>' }),
    );
    await context.waitForPosts(1);
    assert.equal(context.emitted[0]!.text, 'good one');
    assert.equal(context.skipped.length, 5, context.skipped.join('\n'));
    assert.equal(fake.connectedSockets(), 1);
    await stopAll();
  });

  test('replies reach Mastodon threaded, public or direct with the mention, and a retry with the same key posts once', async () => {
    const source = createMastodonSource(options({ publicReplyVisibility: 'unlisted' }), env, tuning);
    const target = {
      externalId: '103270115826048975',
      url: null,
      authorHandle: '@Gargron@mastodon.social',
      extra: { statusId: '103270115826048975', acct: 'Gargron@mastodon.social' },
    };
    const publicReply = await source.send!({
      idempotencyKey: 'reply-1',
      inReplyTo: '103270115826048975',
      visibility: 'public',
      body: 'Thanks, we are on it.',
      target,
    });
    const privateReply = await source.send!({
      idempotencyKey: 'reply-2',
      inReplyTo: '103270115826048975',
      visibility: 'private',
      body: 'Could you DM us your student number?',
      target,
    });
    const again = await source.send!({
      idempotencyKey: 'reply-2',
      inReplyTo: '103270115826048975',
      visibility: 'private',
      body: 'Could you DM us your student number?',
      target,
    });
    assert.equal(again.remoteId, privateReply.remoteId);
    assert.equal(fake.created.length, 2, 'the repeated key created nothing new');
    const posts = fake.requests.filter((request) => request.method === 'POST' && request.path === '/api/v1/statuses');
    assert.deepEqual(
      posts.map((request) => request.headers['idempotency-key']),
      ['reply-1', 'reply-2', 'reply-2'],
    );
    assert.deepEqual(posts[0]!.body, {
      status: '@Gargron@mastodon.social Thanks, we are on it.',
      visibility: 'unlisted',
      in_reply_to_id: '103270115826048975',
    });
    assert.deepEqual(posts[1]!.body, {
      status: '@Gargron@mastodon.social Could you DM us your student number?',
      visibility: 'direct',
      in_reply_to_id: '103270115826048975',
    });
    assert.match(publicReply.remoteUrl ?? '', new RegExp(`^${fake.origin}/@helpdesk/${publicReply.remoteId}$`));
  });

  test('a 5xx on sending is retried safely; a rejected reply fails with the remote error', async () => {
    const source = createMastodonSource(options(), env, tuning);
    const before = fake.created.length;
    fake.failNext('/api/v1/statuses', 503, 2);
    const sent = await source.send!({
      idempotencyKey: 'reply-3',
      inReplyTo: null,
      visibility: 'public',
      body: 'Back up now.',
      target: null,
    });
    assert.equal(fake.created.length, before + 1);
    assert.ok(sent.remoteId);
    await assert.rejects(
      source.send!({ idempotencyKey: 'reply-4', inReplyTo: null, visibility: 'public', body: '', target: null }),
      (error) => {
        assert.ok(isEarshotError(error) && error.code === 'ERR_SOURCE_SEND_FAILED');
        assert.match(error.message, /HTTP 422 Validation failed/);
        return true;
      },
    );
  });

  test('a refused token stops the source as failed instead of retrying forever, and never logs the token', async () => {
    const context = recordingContext();
    const source = drive(
      createMastodonSource(
        { ...options({ streaming: false, hashtags: ['x'] }), accessToken: 'wrong-token-abcdef' },
        env,
        tuning,
      ),
    );
    await assert.rejects(
      source.start(context, null),
      (error) => isEarshotError(error) && error.code === 'ERR_SOURCE_AUTH_FAILED',
    );
    await context.waitFor(() => context.statuses.some((entry) => entry.status === 'failed'), 5000, 'failed');
    assert.ok(!JSON.stringify([context.logs, context.statuses]).includes('wrong-token-abcdef'));
    await source.stop();
  });

  test('end to end: a status becomes a ticket, the desk replies, and the answer to that reply joins the ticket', async () => {
    fake.addStatus('990101', { content: '<p>#NorthwindWifi the wifi in hall B is down</p>', tags: ['northwindwifi'] });
    const host = await startEarshotHost();
    try {
      await host.addSource('masto-e2e', 'mastodon', {
        instanceUrl: fake.origin,
        accessToken: fake.token,
        hashtags: ['NorthwindWifi'],
        mentions: false,
        streaming: false,
        pollIntervalSeconds: 3600,
      });
      const postId = await host.waitForPost('masto-e2e', '990101');
      const sent = await host.replyFromDesk(postId, 'masto-e2e', 'We are on it, sorry!', 'public');
      assert.equal(sent.status, 'sent', sent.error ?? '');
      fake.addStatus('990102', {
        content: '<p>#NorthwindWifi still down here, thanks for looking</p>',
        tags: ['northwindwifi'],
        inReplyToId: sent.remoteId!,
      });
      await host.supervisor.reconcile('masto-e2e');
      const answerId = await host.waitForPost('masto-e2e', '990102');
      const first = (await host.ticketOf(postId))!;
      const joined = await host.ticketOf(answerId);
      assert.equal(joined?.id, first.id, 'the answer joined the first status’s ticket');
      assert.ok(joined.events.includes('message'));
    } finally {
      await host.close();
    }
  });

  test('a fresh install on an account holding an earlier install’s reply still sends its own', async () => {
    fake.addStatus('990001', { content: '<p>#NorthwindIT the VPN drops every hour</p>', tags: ['northwindit'] });
    // Two installs (two databases) on the same account: each one's first reply is outbound row 1.
    const hosts = [await startEarshotHost(), await startEarshotHost()];
    const before = fake.created.length;
    try {
      const sent = [];
      for (const [index, host] of hosts.entries()) {
        await host.addSource('masto', 'mastodon', {
          instanceUrl: fake.origin,
          accessToken: fake.token,
          hashtags: ['NorthwindIT'],
          mentions: false,
          streaming: false,
          pollIntervalSeconds: 3600,
        });
        const postId = await host.waitForPost('masto', '990001');
        sent.push(await host.replyFromDesk(postId, 'masto', `Install ${index + 1}: we are on it.`, 'public'));
      }
      for (const reply of sent) assert.equal(reply.status, 'sent', reply.error ?? '');
      assert.notEqual(sent[0]!.remoteId, sent[1]!.remoteId, 'the second install posted its own status');
      const bodies = fake.created.slice(before).map((status) => (status.request_body as { status: string }).status);
      assert.equal(bodies.length, 2);
      assert.match(bodies[0]!, /Install 1/);
      assert.match(bodies[1]!, /Install 2/);
      const keys = fake.requests
        .filter((request) => request.method === 'POST' && request.path === '/api/v1/statuses')
        .slice(-2)
        .map((request) => String(request.headers['idempotency-key']));
      assert.notEqual(keys[0], keys[1]);
      for (const key of keys) assert.match(key, /^earshot-[0-9a-f-]{36}-outbound-1$/);

      // A key the instance answers with a status replying to another post is not this reply: not "sent".
      const source = createMastodonSource(options(), env, tuning);
      await assert.rejects(
        source.send!({
          idempotencyKey: keys[0]!,
          inReplyTo: '103270115826048975',
          visibility: 'public',
          body: 'A different reply under a used key',
          target: {
            externalId: '103270115826048975',
            url: null,
            authorHandle: '@Gargron@mastodon.social',
            extra: { statusId: '103270115826048975', acct: 'Gargron@mastodon.social' },
          },
        }),
        (error) =>
          isEarshotError(error) && error.code === 'ERR_SOURCE_SEND_FAILED' && /not this reply/.test(error.message),
      );
    } finally {
      for (const host of hosts) await host.close();
    }
  });
});
