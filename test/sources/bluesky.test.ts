/**
 * The Bluesky source against the reference PDS (`@atproto/dev-env`, TestNetworkNoAppView, on
 * loopback): a customer posts, the source ingests it from the repo feed, the desk's reply is
 * read back from the PDS as a reply record with the right root and parent; restarts resume from
 * the saved cursor; a 429 from a proxy in front of the PDS is waited out; a retried send makes
 * one record. Payload parsing is also checked on the captured AppView responses.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { TestNetworkNoAppView } from '@atproto/dev-env';
import { type AppBskyFeedPost, AtpAgent } from '@atproto/api';
import { createBlueskySource, blueskySourceDefinition, type BlueskyOptions } from '../../src/sources/bluesky.js';
import { draftFromView } from '../../src/sources/bluesky-posts.js';
import { rkeyFromIdempotencyKey, isTid } from '../../src/sources/bluesky-rkey.js';
import { isEarshotError } from '../../src/domain/errors.js';
import type { PostDraft } from '../../src/domain/post.js';
import type { SourceEnvironment } from '../../src/sources/source.js';
import type { ReplyTarget } from '../../src/sources/source.js';
import { drive, recordingContext } from './fakes/source-context.js';
import { startXrpcProxy } from './fakes/xrpc-proxy.js';
import { startEarshotHost } from './fakes/earshot-host.js';
import { FIXTURES_DIR, sharedPath, sharedSkip } from '../helpers/shared.js';

const FAST_RETRY = { attempts: 4, baseDelayMs: 20, maxDelayMs: 5000 };

describe('bluesky source on a real PDS', () => {
  let network: TestNetworkNoAppView;
  let customer: AtpAgent;
  let deskDid: string;
  let appPassword: string;

  before(async () => {
    network = await TestNetworkNoAppView.create({});
    const desk = new AtpAgent({ service: network.pds.url });
    await desk.createAccount({ handle: 'desk.test', email: 'desk@example.test', password: 'desk-account-pw' });
    deskDid = desk.session!.did;
    appPassword = (await desk.com.atproto.server.createAppPassword({ name: 'earshot' })).data.password;
    customer = new AtpAgent({ service: network.pds.url });
    await customer.createAccount({ handle: 'customer.test', email: 'customer@example.test', password: 'customer-pw' });
  });
  after(async () => {
    await network?.close();
  });

  const env = (name = 'bsky'): SourceEnvironment => ({
    name,
    fetch: globalThis.fetch,
    clock: () => new Date(),
    allowPrivateNetwork: true,
  });
  const options = (service = network.pds.url): BlueskyOptions => ({
    service,
    identifier: 'desk.test',
    appPassword,
    watchAccounts: ['customer.test'],
    watchNotifications: true,
    pollIntervalSeconds: 3600,
  });
  const targetOf = (draft: PostDraft): ReplyTarget => ({
    externalId: draft.externalId,
    url: draft.url,
    authorHandle: draft.author.handle,
    extra: draft.extra,
  });
  const deskReplies = async () =>
    (await customer.com.atproto.repo.listRecords({ repo: deskDid, collection: 'app.bsky.feed.post', limit: 100 })).data
      .records;

  it('ingests a watched account from the PDS alone and threads replies as root + parent records', async () => {
    const post = await customer.post({
      text: 'the VPN drops every 5 minutes since this morning',
      createdAt: new Date().toISOString(),
    });
    const context = recordingContext();
    const source = drive(createBlueskySource(options(), env()));
    await source.start(context, null);
    try {
      const found = context.emitted.find((draft) => draft.externalId === post.uri);
      assert.ok(found, `the post was ingested (got ${context.emitted.map((d) => d.externalId).join(', ')})`);
      assert.equal(found.source, 'bsky');
      assert.equal(found.author.handle, '@customer.test');
      assert.equal(found.text, 'the VPN drops every 5 minutes since this morning');
      assert.equal(found.url, `https://bsky.app/profile/customer.test/post/${post.uri.split('/').pop()}`);
      assert.equal(found.extra.cid, post.cid);
      // Without an AppView, search/notifications are paused and said so, not failed.
      assert.ok(
        context.statuses.some((s) => ['polling', 'connected'].includes(s.status) && /no AppView/.test(s.detail ?? '')),
        JSON.stringify(context.statuses),
      );

      const sent = await source.send!({
        idempotencyKey: 'reply-1',
        inReplyTo: found.externalId,
        visibility: 'public',
        body: 'Sorry @customer.test, we are on it.',
        target: targetOf(found),
      });
      const rkey = sent.remoteId.split('/').pop()!;
      const record = (
        await customer.com.atproto.repo.getRecord({ repo: deskDid, collection: 'app.bsky.feed.post', rkey })
      ).data.value as AppBskyFeedPost.Record;
      assert.deepEqual(record.reply, {
        root: { uri: post.uri, cid: post.cid },
        parent: { uri: post.uri, cid: post.cid },
      });
      assert.equal(sent.remoteUrl, `https://bsky.app/profile/desk.test/post/${rkey}`);
      // The mention is a facet pointing at the customer's DID, so they are notified.
      assert.deepEqual(record.facets?.[0]?.features?.[0], {
        $type: 'app.bsky.richtext.facet#mention',
        did: customer.session!.did,
      });

      // The customer answers our reply; our next reply keeps the thread's root.
      const reply = (
        await customer.com.atproto.repo.getRecord({ repo: deskDid, collection: 'app.bsky.feed.post', rkey })
      ).data;
      const answer = await customer.post({
        text: 'still broken',
        reply: { root: { uri: post.uri, cid: post.cid }, parent: { uri: reply.uri, cid: reply.cid! } },
        createdAt: new Date().toISOString(),
      });
      await source.poll();
      const second = context.emitted.find((draft) => draft.externalId === answer.uri)!;
      assert.equal(second.inReplyTo, reply.uri);
      const sent2 = await source.send!({
        idempotencyKey: 'reply-2',
        inReplyTo: second.externalId,
        visibility: 'public',
        body: 'Fixed now, thanks for waiting.',
        target: targetOf(second),
      });
      const record2 = (
        await customer.com.atproto.repo.getRecord({
          repo: deskDid,
          collection: 'app.bsky.feed.post',
          rkey: sent2.remoteId.split('/').pop()!,
        })
      ).data.value as AppBskyFeedPost.Record;
      assert.deepEqual(record2.reply, {
        root: { uri: post.uri, cid: post.cid },
        parent: { uri: answer.uri, cid: answer.cid },
      });
      // Our own replies are not ingested back as customer posts.
      assert.ok(!context.emitted.some((draft) => draft.extra.did === deskDid));
    } finally {
      await source.stop();
    }
  });

  it('end to end: Earshot stores the post, an agent replies from the desk, the PDS holds the reply record', async () => {
    const host = await startEarshotHost();
    try {
      const post = await customer.post({
        text: 'my exam upload keeps failing, please help',
        createdAt: new Date().toISOString(),
      });
      const { service, identifier, watchAccounts } = options();
      await host.addSource('bsky-desk', 'bluesky', {
        service,
        identifier,
        appPassword,
        watchAccounts,
        watchNotifications: false,
        pollIntervalSeconds: 3600,
      });
      const postId = await host.waitForPost('bsky-desk', post.uri);
      const sent = await host.replyFromDesk(
        postId,
        'bsky-desk',
        'Sorry about that! We have restarted the upload service, please try again.',
        'public',
      );
      assert.equal(sent.status, 'sent', sent.error ?? '');
      assert.match(sent.remoteId ?? '', new RegExp(`^at://${deskDid}/app\\.bsky\\.feed\\.post/`));
      assert.match(sent.remoteUrl ?? '', /^https:\/\/bsky\.app\/profile\/desk\.test\/post\//);
      const stored = (
        await customer.com.atproto.repo.getRecord({
          repo: deskDid,
          collection: 'app.bsky.feed.post',
          rkey: sent.remoteId!.split('/').pop()!,
        })
      ).data;
      const record = stored.value as AppBskyFeedPost.Record;
      assert.deepEqual(record.reply, {
        root: { uri: post.uri, cid: post.cid },
        parent: { uri: post.uri, cid: post.cid },
      });
      assert.equal(record.text, 'Sorry about that! We have restarted the upload service, please try again.');
      // A private reply cannot go out on Bluesky: it fails with the reason instead of going public.
      const refused = await host.replyFromDesk(
        postId,
        'bsky-desk',
        'Could you send us your student number?',
        'private',
      );
      assert.equal(refused.status, 'failed');
      assert.match(refused.error ?? '', /no private replies/);

      // The customer answers the desk's reply in the thread: it joins the same ticket, no new one.
      const answer = await customer.post({
        text: 'still failing after the restart, sorry',
        createdAt: new Date().toISOString(),
        reply: { root: { uri: post.uri, cid: post.cid }, parent: { uri: sent.remoteId!, cid: stored.cid! } },
      });
      await host.supervisor.reconcile('bsky-desk');
      const answerId = await host.waitForPost('bsky-desk', answer.uri);
      const first = (await host.ticketOf(postId))!;
      const joined = await host.ticketOf(answerId);
      assert.equal(joined?.id, first.id, 'the answer joined the ticket of the first post');
      assert.ok(joined.events.includes('message'));
    } finally {
      await host.close();
    }
  });

  it('a fresh install on an account holding an earlier install’s reply still sends its own', async () => {
    const post = await customer.post({ text: 'the print server is down again', createdAt: new Date().toISOString() });
    // Two installs (two databases) on the desk account: each one's first reply is outbound row 1.
    const hosts = [await startEarshotHost(), await startEarshotHost()];
    try {
      const sent = [];
      for (const [index, host] of hosts.entries()) {
        const { service, identifier, watchAccounts } = options();
        await host.addSource('bsky-desk', 'bluesky', {
          service,
          identifier,
          appPassword,
          watchAccounts,
          watchNotifications: false,
          pollIntervalSeconds: 3600,
        });
        const postId = await host.waitForPost('bsky-desk', post.uri);
        sent.push(await host.replyFromDesk(postId, 'bsky-desk', `Install ${index + 1}: restarting it now.`, 'public'));
      }
      for (const reply of sent) assert.equal(reply.status, 'sent', reply.error ?? '');
      assert.notEqual(sent[0]!.remoteId, sent[1]!.remoteId, 'the second install wrote its own record');
      const texts = [];
      for (const reply of sent)
        texts.push(
          (
            (
              await customer.com.atproto.repo.getRecord({
                repo: deskDid,
                collection: 'app.bsky.feed.post',
                rkey: reply.remoteId!.split('/').pop()!,
              })
            ).data.value as AppBskyFeedPost.Record
          ).text,
        );
      assert.deepEqual(texts, ['Install 1: restarting it now.', 'Install 2: restarting it now.']);

      // A record under a reply's key that is not that reply (another text, another post) is not "sent".
      const desk = new AtpAgent({ service: network.pds.url });
      await desk.login({ identifier: 'desk.test', password: 'desk-account-pw' });
      await desk.com.atproto.repo.createRecord({
        repo: deskDid,
        collection: 'app.bsky.feed.post',
        rkey: rkeyFromIdempotencyKey('earshot-outbound-77'),
        record: {
          $type: 'app.bsky.feed.post',
          text: 'an older install wrote this',
          createdAt: new Date().toISOString(),
        },
      });
      const source = createBlueskySource(options(), env());
      await assert.rejects(
        source.send!({
          idempotencyKey: 'earshot-outbound-77',
          inReplyTo: post.uri,
          visibility: 'public',
          body: 'Restarting it now.',
          target: {
            externalId: post.uri,
            url: null,
            authorHandle: '@customer.test',
            extra: { uri: post.uri, cid: post.cid },
          },
        }),
        (error) => isEarshotError(error) && error.code === 'ERR_SOURCE_SEND_FAILED' && /not sent/.test(error.message),
      );
    } finally {
      for (const host of hosts) await host.close();
    }
  });

  it('resumes after a restart from the saved cursor: nothing lost, nothing doubled', async () => {
    const first = recordingContext();
    const a = drive(createBlueskySource(options(), env()));
    await a.start(first, null);
    await a.stop();
    assert.ok(first.savedCursor, 'a cursor was saved');
    const before = new Set(first.emitted.map((draft) => draft.externalId));

    const whileStopped = [];
    for (const text of ['printer on floor 2 is jammed', 'and now the scanner too', 'wifi ok again']) {
      whileStopped.push((await customer.post({ text, createdAt: new Date().toISOString() })).uri);
    }
    const second = recordingContext();
    const b = drive(createBlueskySource(options(), env()));
    await b.start(second, first.savedCursor);
    await b.poll();
    await b.stop();
    assert.deepEqual(
      second.emitted.map((draft) => draft.externalId),
      whileStopped,
      'exactly the posts made while stopped, oldest first',
    );
    assert.ok(second.emitted.every((draft) => !before.has(draft.externalId)));
  });

  it('skips and counts a malformed record without stopping', async () => {
    const context = recordingContext();
    const source = drive(createBlueskySource(options(), env()));
    await source.start(context, null);
    const already = context.emitted.length;
    // A post record with no text: the PDS stores it when asked not to validate; real clients do odd things.
    await customer.com.atproto.repo.createRecord({
      repo: customer.session!.did,
      collection: 'app.bsky.feed.post',
      validate: false,
      record: { $type: 'app.bsky.feed.post', createdAt: new Date().toISOString() },
    });
    const good = await customer.post({ text: 'after the broken one', createdAt: new Date().toISOString() });
    await source.poll();
    await source.stop();
    assert.equal(context.skipped.length, 1, context.skipped.join('; '));
    assert.match(context.skipped[0]!, /has no text/);
    assert.deepEqual(
      context.emitted.slice(already).map((draft) => draft.externalId),
      [good.uri],
    );
  });

  it('waits out a 429 with Retry-After from in front of the PDS', async () => {
    const proxy = await startXrpcProxy(network.pds.url);
    try {
      const context = recordingContext();
      // Polling only: the proxy speaks HTTP, not the firehose's WebSocket, and this counts the poll's calls.
      const source = drive(
        createBlueskySource({ ...options(proxy.url), watchNotifications: false, subscription: 'off' }, env()),
      );
      await source.start(context, null);
      const post = await customer.post({ text: 'is the portal down?', createdAt: new Date().toISOString() });
      proxy.rateLimitNext('com.atproto.repo.listRecords', 1);
      const started = Date.now();
      await source.poll();
      const waited = Date.now() - started;
      await source.stop();
      assert.ok(waited >= 1000, `waited ${waited} ms, Retry-After said 1 s`);
      assert.ok(
        context.emitted.some((draft) => draft.externalId === post.uri),
        'the post arrived after the wait',
      );
      assert.ok(
        context.statuses.some((s) => s.status === 'backing-off'),
        'health showed the back-off',
      );
      assert.equal(
        proxy.calls.filter((call) => call === 'com.atproto.repo.listRecords').length,
        3,
        'first poll, the 429, the retry',
      );
    } finally {
      await proxy.close();
    }
  });

  it('a retried send with the same idempotency key makes one record, even when the first answer was lost', async () => {
    const proxy = await startXrpcProxy(network.pds.url);
    try {
      const context = recordingContext();
      // Polling only: the proxy speaks HTTP, not the firehose's WebSocket.
      const source = drive(createBlueskySource({ ...options(proxy.url), subscription: 'off' }, env(), FAST_RETRY));
      await source.start(context, null);
      const post = await customer.post({ text: 'can someone reset my password', createdAt: new Date().toISOString() });
      await source.poll();
      const target = targetOf(context.emitted.find((draft) => draft.externalId === post.uri)!);
      const countBefore = (await deskReplies()).length;
      // The PDS writes the record but the answer never arrives: the retry must find it, not post again.
      proxy.loseAnswerNext('com.atproto.repo.createRecord');
      const first = await source.send!({
        idempotencyKey: 'outbound-77',
        inReplyTo: post.uri,
        visibility: 'public',
        body: 'Sent you a reset link.',
        target,
      });
      // A second attempt after a crash, same key.
      const again = await source.send!({
        idempotencyKey: 'outbound-77',
        inReplyTo: post.uri,
        visibility: 'public',
        body: 'Sent you a reset link.',
        target,
      });
      await source.stop();
      assert.equal(again.remoteId, first.remoteId);
      assert.equal((await deskReplies()).length, countBefore + 1, 'exactly one new record');
      assert.equal(
        proxy.calls.filter((call) => call === 'com.atproto.repo.createRecord').length,
        1,
        'createRecord reached the PDS once',
      );
    } finally {
      await proxy.close();
    }
  });

  it('refuses a private reply, a wrong app password and an unallowed loopback service clearly', async () => {
    const source = drive(createBlueskySource(options(), env()));
    const target: ReplyTarget = {
      externalId: 'at://did:plc:x/app.bsky.feed.post/3abc',
      url: null,
      authorHandle: '@x.test',
      extra: { cid: 'bafy' },
    };
    await assert.rejects(
      source.send!({ idempotencyKey: 'k', inReplyTo: null, visibility: 'private', body: 'hi', target }),
      (error) => isEarshotError(error) && error.code === 'ERR_SOURCE_REPLY_UNSUPPORTED',
    );

    const context = recordingContext();
    const wrong = drive(createBlueskySource({ ...options(), appPassword: 'not-the-password' }, env()));
    await assert.rejects(
      wrong.start(context, null),
      (error) =>
        isEarshotError(error) && error.code === 'ERR_SOURCE_AUTH_FAILED' && !error.message.includes('not-the-password'),
    );
    assert.equal(context.statuses.at(-1)?.status, 'failed');
    await wrong.stop();

    assert.throws(
      () => createBlueskySource(options(), { ...env(), allowPrivateNetwork: false }),
      (error) => isEarshotError(error) && error.code === 'ERR_SOURCE_OPTIONS_INVALID',
    );
    await assert.rejects(
      blueskySourceDefinition.check({ ...options(), appPassword: 'nope' }, env()),
      (error) => isEarshotError(error) && error.code === 'ERR_SOURCE_AUTH_FAILED',
    );
    await blueskySourceDefinition.check(options(), env());
  });
});

describe('bluesky record keys', () => {
  it('derives a valid TID-shaped key from the idempotency key, the same every time', () => {
    const key = rkeyFromIdempotencyKey('outbound-1');
    assert.ok(isTid(key), key);
    assert.equal(rkeyFromIdempotencyKey('outbound-1'), key);
    assert.notEqual(rkeyFromIdempotencyKey('outbound-2'), key);
    // Sorts below any TID minted today, so it never looks like the newest post.
    assert.ok(key < '3m', key);
  });
});

describe('bluesky payloads (captured dev-env responses)', {
  skip: sharedSkip('data/protocol-fixtures/bluesky/local-dev-env'),
}, () => {
  const load = (name: string) =>
    JSON.parse(readFileSync(sharedPath(`data/protocol-fixtures/bluesky/local-dev-env/${name}`), 'utf8'));

  it('turns a mention notification into a draft with what a reply needs', () => {
    const notification = load('app.bsky.notification.listNotifications.json').notifications[0];
    const draft = draftFromView('bsky', notification, 'notification');
    assert.ok(typeof draft !== 'string', String(draft));
    assert.equal(draft.externalId, notification.uri);
    assert.equal(draft.author.handle, '@customer.test');
    assert.equal(draft.text, notification.record.text);
    assert.equal(draft.createdAt, '2026-11-23T07:17:16.844Z');
    assert.equal(draft.extra.cid, notification.cid);
    assert.equal(draft.extra.reply, null);
  });

  it('keeps the thread refs of a reply in a timeline and rejects broken views with a reason', () => {
    const feed = load('app.bsky.feed.getTimeline.json').feed as {
      post: { uri: string; record: Record<string, unknown> };
    }[];
    const replies = feed
      .map((item) => draftFromView('bsky', item.post, 'search'))
      .filter((d): d is PostDraft => typeof d !== 'string' && d.inReplyTo !== null);
    for (const reply of replies)
      assert.ok((reply.extra.reply as { root: { uri: string } }).root.uri.startsWith('at://'));
    const post = feed[0]!.post;
    assert.match(String(draftFromView('bsky', { ...post, uri: 'https://not-at-uri' }, 'search')), /valid at:\/\/ uri/);
    assert.match(
      String(draftFromView('bsky', { ...post, record: { ...post.record, text: 42 } }, 'search')),
      /has no text/,
    );
    assert.match(String(draftFromView('bsky', { ...post, author: null }, 'search')), /no author/);
    assert.ok(FIXTURES_DIR.length > 0);
  });
});
