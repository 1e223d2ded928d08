/**
 * `/api/stats` reads the per-minute and per-hour rollups kept at ingest: its counts must equal
 * counting the posts themselves, for windows that start and end mid-minute and mid-hour, for
 * every post and for one stream, and after a stream is matched again. The same for the reports'
 * hourly counts by source.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { backends } from '../helpers/backends.js';
import { newPost } from '../helpers/posts.js';
import { rng } from '../helpers/random.js';
import type { Store } from '../../src/store/open.js';
import { insertPosts, postStats, type NewPost } from '../../src/store/posts.js';
import { backfillStream, createStream } from '../../src/store/streams.js';
import { POST_KINDS, SENTIMENTS } from '../../src/domain/post.js';
import { countSourcesByDay } from '../../src/store/source-rollups.js';
import * as reportRollups from '../../src/store/migrations/2026-12-04g-report-rollups.js';
import * as reportSpeed from '../../src/store/migrations/2026-12-06b-report-speed.js';

const START = Date.UTC(2026, 10, 18, 7, 13, 27);

for (const backend of await backends()) {
  describe(`${backend.name}: stats from rollups`, { skip: backend.skip ?? false }, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    let streamId: number;
    const posts: NewPost[] = [];
    before(async () => {
      const opened = await backend.open();
      store = opened.store;
      dispose = opened.dispose;
      streamId = (await createStream(store.db, { name: 'rollups', query: 'wifi' })).id;
      const random = rng(7);
      for (let i = 0; i < 600; i++) {
        const inStream = random() < 0.4;
        posts.push(
          newPost({
            text: inStream ? `wifi trouble ${i}` : `other ${i}`,
            source: random() < 0.6 ? 'mast' : 'rss',
            createdAt: new Date(START + Math.floor(random() * 3 * 86_400e3)).toISOString(),
            sentiment: SENTIMENTS[Math.floor(random() * SENTIMENTS.length)]!,
            kind: POST_KINDS[Math.floor(random() * POST_KINDS.length)]!,
            streamIds: inStream ? [streamId] : [],
          }),
        );
      }
      // Several batches, so rows are added to as well as created.
      for (let i = 0; i < posts.length; i += 150) await insertPosts(store.db, posts.slice(i, i + 150));
    });
    after(async () => dispose?.());

    function expected(since: string, until: string, width: number, only?: (post: NewPost) => boolean) {
      const inWindow = posts.filter(
        (post) => post.createdAt >= since && post.createdAt < until && (!only || only(post)),
      );
      const bySentiment = { negative: 0, neutral: 0, positive: 0 };
      const byKind: Record<string, number> = {};
      const series = new Map<string, { bucket: string; negative: number; neutral: number; positive: number }>();
      for (const post of inWindow) {
        bySentiment[post.sentiment] += 1;
        byKind[post.kind] = (byKind[post.kind] ?? 0) + 1;
        const bucket = post.createdAt.slice(0, width);
        const entry = series.get(bucket) ?? { bucket, negative: 0, neutral: 0, positive: 0 };
        entry[post.sentiment] += 1;
        series.set(bucket, entry);
      }
      return {
        total: inWindow.length,
        bySentiment,
        byKind,
        series: [...series.values()].sort((a, b) => (a.bucket < b.bucket ? -1 : 1)),
      };
    }

    const windows: [since: number, until: number, bucket: 'minute' | 'hour' | 'day'][] = [
      [START + 3_600e3 + 17_321, START + 3_600e3 + 6 * 3_600e3 + 41_000, 'minute'],
      [START + 5_000, START + 86_400e3 + 12_345, 'hour'],
      [START - 86_400e3, START + 4 * 86_400e3, 'day'],
      [START + 2 * 86_400e3 + 1_000, START + 2 * 86_400e3 + 50_000, 'minute'],
      [START + 40 * 60e3 + 5_500, START + 3 * 86_400e3 - 7_777, 'hour'],
    ];

    test('every post: equal to counting the posts, whatever the window edges', async () => {
      for (const [from, to, bucket] of windows) {
        const since = new Date(from).toISOString();
        const until = new Date(to).toISOString();
        const stats = await postStats(store.db, { since, until, bucket });
        const want = expected(since, until, { minute: 16, hour: 13, day: 10 }[bucket]);
        assert.equal(stats.total, want.total, `${since}…${until}`);
        assert.deepEqual(stats.bySentiment, want.bySentiment);
        assert.deepEqual(stats.byKind, want.byKind);
        assert.deepEqual(stats.series, want.series);
      }
    });

    test('equal to the old computation: one GROUP BY over the posts of the window, in SQL', async () => {
      let compared = 0;
      for (const [from, to] of windows)
        for (const bucket of ['minute', 'hour', 'day'] as const)
          for (const stream of [undefined, streamId]) {
            const since = new Date(from).toISOString();
            const until = new Date(to).toISOString();
            const width = { minute: 16, hour: 13, day: 10 }[bucket];
            // What `/api/stats` did before the rollups: every post of the window, grouped.
            let old = store.db
              .selectFrom('posts as p')
              .select([sql<string>`substr(p.created_at, 1, ${sql.lit(width)})`.as('bucket'), 'p.sentiment', 'p.kind'])
              .select((eb) => eb.fn.countAll().as('n'))
              .where('p.created_at', '>=', since)
              .where('p.created_at', '<', until)
              .groupBy([sql`substr(p.created_at, 1, ${sql.lit(width)})`, 'p.sentiment', 'p.kind']);
            if (stream !== undefined)
              old = old.where('p.id', 'in', (eb) =>
                eb.selectFrom('post_streams').select('post_id').where('stream_id', '=', stream),
              );
            const rows = (await old.execute()).map((row) => ({ ...row, n: Number(row.n) }));
            const stats = await postStats(store.db, { since, until, bucket, ...(stream ? { streamId: stream } : {}) });
            const bySentiment = { negative: 0, neutral: 0, positive: 0 };
            const byKind: Record<string, number> = {};
            const series = new Map<string, { bucket: string; negative: number; neutral: number; positive: number }>();
            for (const row of rows) {
              bySentiment[row.sentiment] += row.n;
              byKind[row.kind] = (byKind[row.kind] ?? 0) + row.n;
              const entry = series.get(row.bucket) ?? { bucket: row.bucket, negative: 0, neutral: 0, positive: 0 };
              entry[row.sentiment] += row.n;
              series.set(row.bucket, entry);
            }
            const label = `${since}…${until} by ${bucket}, stream ${stream ?? 'all'}`;
            compared += rows.length;
            assert.deepEqual(stats.bySentiment, bySentiment, label);
            assert.deepEqual(stats.byKind, byKind, label);
            assert.deepEqual(
              stats.series,
              [...series.values()].sort((a, b) => (a.bucket < b.bucket ? -1 : 1)),
              label,
            );
          }
      assert.ok(compared > 1000, `only ${compared} groups compared`);
    });

    test('reports: posts by source, day, sentiment and kind equal a GROUP BY over the posts', async () => {
      let compared = 0;
      for (const [from, to] of [...windows, [START - 86_400e3, START + 5 * 86_400e3] as const])
        for (const sources of [null, ['mast'], ['mast', 'rss'], []]) {
          const since = new Date(from).toISOString();
          const until = new Date(to).toISOString();
          const want = new Map<string, number>();
          for (const post of posts)
            if (post.createdAt >= since && post.createdAt < until && (!sources || sources.includes(post.source))) {
              const key = `${post.createdAt.slice(0, 10)} ${post.sentiment} ${post.kind}`;
              want.set(key, (want.get(key) ?? 0) + 1);
            }
          const got = new Map(
            (await countSourcesByDay(store.db, sources, since, until)).map((row) => [
              `${row.day} ${row.sentiment} ${row.kind}`,
              row.n,
            ]),
          );
          assert.deepEqual(got, want, `${since}…${until} ${JSON.stringify(sources)}`);
          compared += want.size;
        }
      assert.ok(compared > 100, `only ${compared} groups compared`);
    });

    test('one stream, and again after the stream is matched anew', async () => {
      const [from, to] = windows[1]!;
      const since = new Date(from).toISOString();
      const until = new Date(to).toISOString();
      const stats = await postStats(store.db, { since, until, streamId, bucket: 'hour' });
      const inStream = (post: NewPost) => post.streamIds.includes(streamId);
      assert.deepEqual(stats.bySentiment, expected(since, until, 13, inStream).bySentiment);
      assert.deepEqual(stats.series, expected(since, until, 13, inStream).series);

      // The query now matches only the negative posts of the stream: the rollups follow post_streams.
      await backfillStream(store.db, streamId, (post) => post.text.startsWith('wifi') && post.sentiment === 'negative');
      const after = await postStats(store.db, { since, until, streamId, bucket: 'hour' });
      const narrowed = (post: NewPost) => inStream(post) && post.sentiment === 'negative';
      assert.deepEqual(after.bySentiment, expected(since, until, 13, narrowed).bySentiment);
      assert.ok(after.bySentiment.negative > 0);
    });

    test('a store from before the day and source rollups gets them from its posts (migrations 2026-12-04g, 06b)', async () => {
      // Undo and redo the migrations over the stored posts: their backfill must equal counting them.
      await reportSpeed.down(store.db);
      await reportRollups.down(store.db);
      await reportRollups.up(store.db);
      await reportSpeed.up(store.db);
      const since = new Date(START - 86_400e3).toISOString();
      const until = new Date(START + 4 * 86_400e3).toISOString();
      const stats = await postStats(store.db, { since, until, bucket: 'day' });
      assert.equal(stats.total, posts.length);
      assert.deepEqual(stats.series, expected(since, until, 10).series);
      const bySource = await countSourcesByDay(store.db, ['rss'], since, until);
      assert.equal(
        bySource.reduce((sum, row) => sum + row.n, 0),
        posts.filter((post) => post.source === 'rss').length,
      );
    });
  });
}
