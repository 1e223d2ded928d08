/**
 * The plans of the hot read queries, so a change that makes one scan the posts fails here rather
 * than at 10 million posts: every search shape of `GET /api/posts` and the reads behind
 * `/api/stats`. SQLite: EXPLAIN QUERY PLAN must show no temporary B-tree for the order and no
 * scan of a filtered table. PostgreSQL (sequential scans disabled, so only a missing index can
 * produce one): EXPLAIN must show no sequential scan.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type Compilable } from 'kysely';
import { backends } from '../helpers/backends.js';
import type { Store } from '../../src/store/open.js';
import { searchSql, type PostFilter } from '../../src/store/post-search.js';
import { lowerQuery } from '../../src/pipeline/search.js';
import { parseQuery } from '../../src/pipeline/query.js';
import { countWindowQuery, rawCountsQuery, rollupRowsQuery } from '../../src/store/rollups.js';
import { createStream } from '../../src/store/streams.js';
import { countSourcesByDayQuery } from '../../src/store/source-rollups.js';

const SHAPES: readonly [name: string, filter: (streamId: number) => Omit<PostFilter, 'accept' | 'limit'>][] = [
  ['newest posts', () => ({})],
  ['a page further back', () => ({})],
  ['sentiment', () => ({ sentiment: 'negative' })],
  ['kind', () => ({ kind: 'outage' })],
  ['stream column', (streamId) => ({ streamId })],
  ['one word', () => ({ where: where('vpn') })],
  ['words', () => ({ where: where('vpn down') })],
  ['boolean', () => ({ where: where('vpn OR portal') })],
  ['word within a stream', (streamId) => ({ streamId, where: where('vpn') })],
  ['word and sentiment', () => ({ sentiment: 'negative', where: where('vpn') })],
  ['prefix', () => ({ where: where('log*') })],
];

function where(q: string) {
  return lowerQuery(parseQuery(q)).condition!;
}

for (const backend of await backends()) {
  describe(`${backend.name}: query plans of the hot queries`, { skip: backend.skip ?? false }, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    let streamId: number;
    before(async () => {
      const opened = await backend.open();
      store = opened.store;
      dispose = opened.dispose;
      streamId = (await createStream(store.db, { name: 'plans', query: 'vpn' })).id;
    });
    after(async () => dispose?.());

    async function plan(query: Compilable): Promise<string> {
      const compiled = query.compile();
      if (store.dialect === 'sqlite') {
        const result = await store.db.executeQuery<{ detail: string }>({
          ...compiled,
          sql: `explain query plan ${compiled.sql}`,
        });
        return result.rows.map((row) => row.detail).join('\n');
      }
      return store.db.connection().execute(async (connection) => {
        await connection.executeQuery(sql`set enable_seqscan = off`.compile(store.db));
        try {
          const result = await connection.executeQuery<{ 'QUERY PLAN': string }>({
            ...compiled,
            sql: `explain ${compiled.sql}`,
          });
          return result.rows.map((row) => row['QUERY PLAN']).join('\n');
        } finally {
          await connection.executeQuery(sql`reset enable_seqscan`.compile(store.db));
        }
      });
    }

    function assertIndexed(name: string, text: string): void {
      if (store.dialect === 'sqlite') {
        assert.doesNotMatch(text, /TEMP B-TREE/, `${name} sorts outside an index:\n${text}`);
        assert.doesNotMatch(
          text,
          /SCAN (p|ps|post_streams|post_rollups)\b(?! USING)/,
          `${name} scans a table:\n${text}`,
        );
      } else {
        assert.doesNotMatch(text, /Seq Scan/, `${name} scans a table:\n${text}`);
      }
    }

    for (const [name, filter] of SHAPES) {
      test(`search: ${name}`, async () => {
        const before = name === 'a page further back' ? 1000 : undefined;
        const text = await plan({
          compile: () => searchSql(store.dialect, filter(streamId), before, 51).compile(store.db),
        });
        if (store.dialect === 'sqlite' && name === 'newest posts') {
          // Unfiltered: walking the primary key newest first is the plan, no sort.
          assert.doesNotMatch(text, /TEMP B-TREE/, text);
          return;
        }
        if (store.dialect === 'sqlite' && name.includes('word')) assert.match(text, /posts_fts VIRTUAL TABLE/, text);
        if (name === 'newest posts' || name === 'a page further back') {
          assert.doesNotMatch(text, store.dialect === 'sqlite' ? /TEMP B-TREE/ : /Seq Scan/, text);
          return;
        }
        assertIndexed(name, text);
      });
    }

    test('stats: rollup rows for a window, all posts and one stream', async () => {
      for (const stream of [0, streamId]) {
        const text = await plan(rollupRowsQuery(store.db, 'hour', stream, '2026-11-01T00', '2026-12-01T00'));
        assertIndexed('rollups', text);
        if (store.dialect === 'sqlite')
          assert.match(text, /SEARCH post_rollups USING (COVERING INDEX|INDEX|PRIMARY KEY)/, text);
      }
    });

    test('stats: a 30-day window is summed in one query over the rollups and the edge minutes, by index', async () => {
      for (const streamId_ of [undefined, streamId])
        for (const bucket of ['day', 'hour'] as const) {
          const query = countWindowQuery(store.db, {
            since: '2026-11-01T10:17:42.123Z',
            until: '2026-12-01T10:18:42.123Z',
            bucket,
            ...(streamId_ !== undefined ? { streamId: streamId_ } : {}),
          });
          assert.ok(query);
          const text = await plan(query);
          if (store.dialect === 'sqlite') {
            // Both granularities of rollup rows by their key, the edge posts by their time.
            assert.match(text, /SEARCH post_rollups USING (COVERING INDEX|INDEX|PRIMARY KEY)/, text);
            assert.match(text, /posts_created_at/, text);
            assert.doesNotMatch(text, /SCAN (p|ps|post_streams|post_rollups)\b(?! USING)/, text);
          } else assert.doesNotMatch(text, /Seq Scan/, text);
        }
    });

    test('reports: posts by day of a month, one service and all, from the source rollups by index', async () => {
      for (const sources of [['mastodon', 'rss'], null]) {
        const query = countSourcesByDayQuery(store.db, sources, '2026-11-01T00:30:00.000Z', '2026-12-01T00:00:00.000Z');
        assert.ok(query);
        const text = await plan(query);
        if (store.dialect === 'sqlite') {
          assert.match(
            text,
            /SEARCH post_source_rollups USING (COVERING )?INDEX|SEARCH post_source_rollups USING PRIMARY KEY/,
            text,
          );
          assert.match(text, /SEARCH posts USING INDEX (posts_source_created|posts_created_at)/, text);
          assert.doesNotMatch(text, /SCAN (posts|post_source_rollups)\b(?! USING)/, text);
        } else assert.doesNotMatch(text, /Seq Scan/, text);
      }
    });

    test('stats: the raw posts of a partial minute use the time index', async () => {
      for (const stream of [undefined, streamId]) {
        const text = await plan(
          rawCountsQuery(store.db, '2026-11-20T10:00:30.000Z', '2026-11-20T10:01:00.000Z', stream),
        );
        if (store.dialect === 'sqlite') assert.match(text, /posts_created_at/, text);
        else assert.doesNotMatch(text, /Seq Scan/, text);
      }
    });
  });
}
