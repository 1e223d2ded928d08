/**
 * Author signals accumulate in the store as posts arrive, on SQLite and PostgreSQL, come back on
 * each post's author, and feed influence when the reader applies its clock (`withInfluence`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../helpers/backends.js';
import { getPost, insertPosts, linkOf } from '../../src/store/posts.js';
import { newPost } from '../helpers/posts.js';
import { withInfluence } from '../../src/analysis/influence.js';

const NOW = new Date('2026-11-24T12:00:00Z');

for (const backend of await backends()) {
  test(`${backend.name}: author signals accumulate across batches and skip duplicates`, {
    skip: backend.skip ?? false,
  }, async () => {
    const { store, dispose } = await backend.open();
    try {
      const author = {
        handle: '@ana@example.social',
        name: 'Ana',
        followers: 200,
        following: 100,
        createdAt: '2020-01-01T00:00:00Z',
      };
      await insertPosts(store.db, [
        newPost({
          externalId: 'a1',
          author,
          metrics: { likes: 5, reposts: 1, replies: 2 },
          text: 'see https://www.Example.org/page/ now',
        }),
        newPost({
          externalId: 'a2',
          author,
          metrics: { likes: 3, reposts: 0, replies: 1 },
          text: 'no link here',
          kind: 'spam',
        }),
      ]);
      // Same link twice in one batch, once more in the next, plus a duplicate of a1 that must not count.
      await insertPosts(store.db, [
        newPost({
          externalId: 'a3',
          author,
          metrics: { likes: 1, reposts: 0, replies: 0 },
          text: 'again http://example.org/page?utm=1',
        }),
        newPost({ externalId: 'a1', author, metrics: { likes: 100, reposts: 100, replies: 100 }, text: 'dup' }),
      ]);
      await insertPosts(store.db, [
        newPost({ externalId: 'a4', author, text: 'https://example.org/page.' }),
        newPost({ externalId: 'a5', author, text: 'https://other.example/x' }),
      ]);

      const row = await store.db
        .selectFrom('authors')
        .selectAll()
        .where('handle', '=', author.handle)
        .executeTakeFirstOrThrow();
      assert.deepEqual(
        {
          posts: row.post_count,
          likes: row.likes_total,
          reposts: row.reposts_total,
          replies: row.replies_total,
          links: row.link_posts,
          repeated: row.repeated_link_posts,
          spam: row.spam_posts,
        },
        { posts: 5, likes: 9, reposts: 1, replies: 3, links: 4, repeated: 2, spam: 1 },
      );
      const links = await store.db.selectFrom('author_links').select(['link', 'count']).orderBy('link').execute();
      assert.deepEqual(
        links.map((link) => [link.link, Number(link.count)]),
        [
          ['example.org/page', 3],
          ['other.example/x', 1],
        ],
      );

      const ids = await store.db
        .selectFrom('posts')
        .select('id')
        .where('external_id', '=', 'a1')
        .executeTakeFirstOrThrow();
      const stored = (await getPost(store.db, ids.id))!;
      assert.equal(stored.author.influence, undefined, 'the store returns signals, not a score at its own clock');
      assert.deepEqual(stored.author.signals, {
        followers: 200,
        following: 100,
        accountCreatedAt: '2020-01-01T00:00:00Z',
        posts: 5,
        likes: 9,
        reposts: 1,
        replies: 3,
        linkPosts: 4,
        repeatedLinkPosts: 2,
        spamPosts: 1,
      });
      const post = withInfluence(stored, NOW);
      assert.equal(post.author.signals, undefined);
      assert.equal(typeof post?.author.influence, 'number');
      assert.equal(post?.author.likelySpammer, false);
      assert.deepEqual(post?.flags, []);
    } finally {
      await dispose();
    }
  });

  test(`${backend.name}: the same link again and again makes a likely spammer, flagged on read`, {
    skip: backend.skip ?? false,
  }, async () => {
    const { store, dispose } = await backend.open();
    try {
      const author = { handle: '@promo@example.social', name: 'Deals', followers: 40, following: 4000 };
      for (let i = 0; i < 4; i++)
        await insertPosts(store.db, [
          newPost({ externalId: `s${i}`, author, text: `Best deal ${i} https://deals.example/buy`, flags: [] }),
        ]);
      const { id } = await store.db
        .selectFrom('posts')
        .select('id')
        .where('external_id', '=', 's3')
        .executeTakeFirstOrThrow();
      const post = withInfluence((await getPost(store.db, id))!, NOW);
      assert.equal(post?.author.likelySpammer, true);
      assert.deepEqual(post?.author.spamReasons, ['repeated-link']);
      assert.deepEqual(post?.flags, ['likely-spammer']);
    } finally {
      await dispose();
    }
  });
}

test('linkOf: first link, host without www, no query or trailing punctuation', () => {
  assert.equal(linkOf('x https://WWW.Example.org/a/b/?q=1#f y'), 'example.org/a/b');
  assert.equal(linkOf('(see http://example.org/a).'), 'example.org/a');
  assert.equal(linkOf('no links, just http talk'), null);
});
