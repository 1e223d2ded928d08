/**
 * Report topics: the words and phrases most posts of a period carry, compared with the period
 * before; counted over the newest posts of the period in scope, on SQLite and PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { periodTopics, rankTopics, termsOf } from '../../src/reports/topics.js';
import { insertPosts } from '../../src/store/posts.js';
import { backends } from '../helpers/backends.js';
import { newPost } from '../helpers/posts.js';

test('terms: content words and adjacent pairs; links, handles, stopwords and the hashtag sign dropped', () => {
  const terms = termsOf('@NorthwindIT why is the #VPN down again?? https://status.example/vpn Password reset fails');
  assert.deepEqual(
    [...terms].sort(),
    ['down', 'fails', 'password', 'password reset', 'reset', 'reset fails', 'vpn', 'vpn down'].sort(),
  );
  assert.deepEqual([...termsOf('¿Por qué no funciona la aplicación del banco?')].sort(), [
    'aplicación',
    'banco',
    'funciona',
  ]);
});

test('ranking: a phrase that carries its words replaces them, the brand everyone names is no topic, shares compare', () => {
  const current = [
    ...Array.from({ length: 12 }, (_, i) => `Northwind password reset broken ${i}`),
    ...Array.from({ length: 6 }, (_, i) => `Northwind canvas slow today ${i}`),
    ...Array.from({ length: 2 }, (_, i) => `Northwind printer jammed ${i}`),
    'Northwind is great',
    'Northwind thanks',
  ];
  const previous = ['canvas slow', 'canvas slow again', 'the canvas is slow', 'printer ok'];
  const topics = rankTopics(current, previous, 5);
  const terms = topics.map((topic) => topic.term);
  assert.ok(!terms.includes('northwind'), 'in every post: the brand, not a topic');
  assert.deepEqual(terms, ['password reset', 'canvas slow']);
  const canvas = topics.find((topic) => topic.term === 'canvas slow')!;
  assert.equal(canvas.posts, 6);
  assert.equal(canvas.share, 6 / current.length);
  // "the canvas is slow": the stopword between breaks the pair.
  assert.equal(canvas.previousShare, 2 / previous.length);
  assert.deepEqual(rankTopics([], previous), []);
});

for (const backend of await backends()) {
  describe(`${backend.name}: topics read from the store`, { skip: backend.skip ?? false }, () => {
    let opened: Awaited<ReturnType<typeof backend.open>>;
    before(async () => {
      opened = await backend.open();
      const at = (day: number, minute: number) => new Date(Date.UTC(2026, 10, day, 10, minute)).toISOString();
      const posts = [
        ...Array.from({ length: 5 }, (_, i) =>
          newPost({ source: 'mast', externalId: `n-${i}`, text: 'the wifi keeps dropping', createdAt: at(10, i) }),
        ),
        ...Array.from({ length: 4 }, (_, i) =>
          newPost({ source: 'mast', externalId: `o-${i}`, text: 'exam results missing', createdAt: at(20, i) }),
        ),
        ...Array.from({ length: 5 }, (_, i) =>
          newPost({ source: 'rss', externalId: `r-${i}`, text: 'library opening hours', createdAt: at(10, i) }),
        ),
      ];
      await insertPosts(opened.store.db, posts);
    });
    after(async () => opened?.dispose());

    test('the period and the scope decide which posts count', async () => {
      const october = { from: '2026-10-01T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' };
      const firstHalf = { from: '2026-11-01T00:00:00.000Z', to: '2026-11-15T00:00:00.000Z' };
      const secondHalf = { from: '2026-11-15T00:00:00.000Z', to: '2026-11-29T00:00:00.000Z' };
      const first = await periodTopics(opened.store.db, ['mast'], firstHalf, october);
      assert.deepEqual(
        first.map((topic) => [topic.term, topic.posts, topic.previousShare]),
        [['keeps dropping', 5, 0]],
      );
      const second = await periodTopics(opened.store.db, ['mast'], secondHalf, firstHalf);
      assert.deepEqual(
        second.map((topic) => [topic.term, topic.previousShare]),
        [['exam results', 0]],
      );
      const everything = await periodTopics(opened.store.db, null, firstHalf, october);
      assert.ok(everything.some((topic) => topic.term === 'library opening'));
      assert.deepEqual(await periodTopics(opened.store.db, [], firstHalf, october), []);
    });
  });
}
