/**
 * The store contract: the same suite on SQLite and on PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../helpers/backends.js';
import { newPost } from '../helpers/posts.js';
import type { Store } from '../../src/store/open.js';
import { countPosts, existingPostKeys, getPost, insertPosts, postStats } from '../../src/store/posts.js';
import { searchPosts } from '../../src/pipeline/search.js';
import { postKey } from '../../src/domain/post.js';
import { createStream, deleteStream, listStreams, updateStream } from '../../src/store/streams.js';
import { addOutbound, addTicketEvent, createTickets, listTicketEvents, listTickets } from '../../src/store/tickets.js';
import {
  authenticate,
  createApiToken,
  createSession,
  createUser,
  userForApiToken,
  userForSession,
} from '../../src/store/users.js';
import { listAlerts, raiseAlert } from '../../src/store/alerts.js';

for (const backend of await backends()) {
  describe(`${backend.name}: store`, { skip: backend.skip ?? false }, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    before(async () => {
      const opened = await backend.open();
      store = opened.store;
      dispose = opened.dispose;
    });
    after(async () => dispose?.());

    test('stores a post once per (source, external id), keeping unknown fields', async () => {
      const post = newPost({ externalId: 'dup-1', extra: { lang_hint: 'en', nested: { a: 1 } } });
      const first = await insertPosts(store.db, [post]);
      const second = await insertPosts(store.db, [post, newPost({ externalId: 'dup-1', source: 'bluesky' })]);
      assert.equal(first.length, 1);
      assert.equal(second.length, 1, 'only the bluesky post is new');
      assert.equal(second[0]!.source, 'bluesky');
      const stored = await getPost(store.db, first[0]!.id);
      assert.deepEqual(stored?.extra, { lang_hint: 'en', nested: { a: 1 } });
      const keys = await existingPostKeys(store.db, [
        { source: 'mastodon', externalId: 'dup-1' },
        { source: 'mastodon', externalId: 'nope' },
      ]);
      assert.deepEqual([...keys], [postKey('mastodon', 'dup-1')]);
    });

    test('full-text search with filters and keyset pagination', async () => {
      const stream = await createStream(store.db, { name: 'fts', query: 'wifi' });
      const posts = Array.from({ length: 25 }, (_, i) =>
        newPost({
          text: i % 2 === 0 ? `The campus wifi is down again ${i}` : `Lovely coffee today ${i}`,
          sentiment: i % 2 === 0 ? 'negative' : 'positive',
          kind: i % 2 === 0 ? 'outage' : 'praise',
          streamIds: i % 2 === 0 ? [stream.id] : [],
        }),
      );
      await insertPosts(store.db, posts);
      const firstPage = await searchPosts(store, { q: 'wifi down', limit: 5 });
      assert.equal(firstPage.posts.length, 5);
      assert.ok(firstPage.posts.every((post) => post.text.includes('wifi')));
      assert.ok(firstPage.nextBefore !== null);
      const all: number[] = firstPage.posts.map((post) => post.id);
      let before: number | null = firstPage.nextBefore;
      while (before !== null) {
        const page = await searchPosts(store, { q: 'wifi down', limit: 5, before });
        all.push(...page.posts.map((post) => post.id));
        before = page.nextBefore;
      }
      assert.equal(all.length, 13);
      assert.equal(new Set(all).size, 13, 'no post on two pages');
      assert.deepEqual(
        all,
        [...all].sort((a, b) => b - a),
        'newest first',
      );
      const negative = await searchPosts(store, {
        sentiment: 'positive',
        kind: 'praise',
        limit: 100,
      });
      assert.ok(negative.posts.length >= 12 && negative.posts.every((post) => post.sentiment === 'positive'));
      const inStream = await searchPosts(store, { streamId: stream.id, limit: 100 });
      assert.equal(inStream.posts.length, 13);
      assert.ok(inStream.posts.every((post) => post.streamIds.includes(stream.id)));
      const hostile = await searchPosts(store, { q: '" OR 1=1 -- NEAR( * ) "', limit: 5 });
      assert.equal(hostile.posts.length, 0, 'query syntax characters are plain words');
    });

    test('counts by sentiment and kind over a window', async () => {
      const since = '2030-01-01T00:00:00.000Z';
      await insertPosts(store.db, [
        newPost({ createdAt: '2030-01-01T00:01:00.000Z', sentiment: 'negative', kind: 'outage' }),
        newPost({ createdAt: '2030-01-01T00:01:30.000Z', sentiment: 'negative', kind: 'complaint' }),
        newPost({ createdAt: '2030-01-01T00:02:00.000Z', sentiment: 'positive', kind: 'praise' }),
        newPost({ createdAt: '2031-01-01T00:00:00.000Z', sentiment: 'positive', kind: 'praise' }),
      ]);
      const stats = await postStats(store.db, { since, until: '2030-12-31T00:00:00.000Z', bucket: 'minute' });
      assert.deepEqual(stats.bySentiment, { negative: 2, neutral: 0, positive: 1 });
      assert.equal(stats.byKind.outage, 1);
      assert.equal(stats.negativePositiveRatio, 2);
      assert.deepEqual(
        stats.series.map((row) => [row.bucket, row.negative, row.positive]),
        [
          ['2030-01-01T00:01', 2, 0],
          ['2030-01-01T00:02', 0, 1],
        ],
      );
    });

    test('streams CRUD', async () => {
      const created = await createStream(store.db, {
        name: 'Mentions',
        query: '@acme',
        ticketRules: [{ kinds: ['outage'], sentiments: [], ticketType: 'incident', priority: 'high' }],
      });
      assert.equal(created.ticketRules[0]?.ticketType, 'incident');
      const updated = await updateStream(store.db, created.id, { query: '@acme OR #acme' });
      assert.equal(updated?.query, '@acme OR #acme');
      assert.ok((await listStreams(store.db)).some((stream) => stream.name === 'Mentions'));
      assert.equal(await deleteStream(store.db, created.id), true);
      assert.equal(await deleteStream(store.db, created.id), false);
      await assert.rejects(createStream(store.db, { name: 'fts', query: 'dup name' }));
    });

    test('one ticket per post, with its timeline and queued replies', async () => {
      const [inserted] = await insertPosts(store.db, [newPost({ text: 'VPN is down' })]);
      const ticket = {
        type: 'incident',
        priority: 'high',
        subject: 'VPN is down',
        postId: inserted!.id,
        streamId: null,
        source: 'mastodon',
        slaDueAt: '2026-11-20T11:00:00.000Z',
      } as const;
      const created = await createTickets(store.db, [ticket]);
      const again = await createTickets(store.db, [ticket]);
      assert.equal(created.length, 1);
      assert.equal(again.length, 0, 'the same post never raises a second ticket');
      const id = created[0]!.id;
      const note = await addTicketEvent(
        store.db,
        { ticketId: id, type: 'note', actorId: null, body: 'looking' },
        new Date().toISOString(),
      );
      await addOutbound(
        store.db,
        { ticketId: id, eventId: note.id, source: 'mastodon', inReplyTo: 'x', visibility: 'public', body: 'On it!' },
        new Date().toISOString(),
      );
      const events = await listTicketEvents(store.db, id);
      assert.deepEqual(
        events.map((event) => event.type),
        ['created', 'note'],
      );
      const breached = await listTickets(store.db, { breachedAt: '2026-11-20T12:00:00.000Z' });
      assert.ok(breached.tickets.some((t) => t.id === id));
      const notYet = await listTickets(store.db, { breachedAt: '2026-11-20T10:30:00.000Z' });
      assert.ok(!notYet.tickets.some((t) => t.id === id));
    });

    test('users, sessions and API tokens', async () => {
      const user = await createUser(store.db, { username: 'ana', role: 'agent', password: 'correct horse' });
      assert.equal((await authenticate(store.db, 'ana', 'correct horse'))?.id, user.id);
      assert.equal(await authenticate(store.db, 'ana', 'wrong'), undefined);
      assert.equal(await authenticate(store.db, 'nobody', 'x'), undefined);
      const session = await createSession(store.db, user.id, 60_000);
      assert.equal((await userForSession(store.db, session.token))?.username, 'ana');
      assert.equal(await userForSession(store.db, session.token, '2999-01-01T00:00:00.000Z'), undefined, 'expired');
      const token = await createApiToken(store.db, user.id, 'ci');
      assert.equal((await userForApiToken(store.db, token.token))?.user.role, 'agent');
      assert.equal(await userForApiToken(store.db, `${token.token}x`), undefined);
    });

    test('alerts are de-duplicated by key while open', async () => {
      const first = await raiseAlert(store.db, {
        type: 'burst',
        severity: 'warning',
        title: 'Burst',
        key: 'burst:1',
        evidence: { count: 5 },
      });
      const second = await raiseAlert(store.db, {
        type: 'burst',
        severity: 'critical',
        title: 'Burst',
        key: 'burst:1',
        evidence: { count: 9 },
      });
      assert.equal(first.created, true);
      assert.equal(second.created, false);
      assert.equal(second.alert.id, first.alert.id);
      assert.equal(second.alert.severity, 'critical');
      assert.equal((await listAlerts(store.db)).filter((alert) => alert.key === 'burst:1').length, 1);
    });

    test('a batch is stored whole or not at all', async () => {
      const before = await countPosts(store.db);
      const bad = newPost({ externalId: 'atomic-2' });
      // A row that violates NOT NULL fails the insert; the good row in the same batch must not remain.
      (bad as { text: string | null }).text = null;
      await assert.rejects(insertPosts(store.db, [newPost({ externalId: 'atomic-1' }), bad]));
      assert.equal(await countPosts(store.db), before);
    });
  });
}
