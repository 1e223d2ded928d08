import { test } from 'node:test';
import assert from 'node:assert/strict';
import { influenceOf, influenceOfPost, WEIGHTS, withInfluence } from '../../src/analysis/influence.js';
import type { Author, AuthorSignals } from '../../src/domain/post.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const base: AuthorSignals = {
  followers: 500,
  following: 300,
  accountCreatedAt: '2021-05-01T00:00:00Z',
  posts: 10,
  likes: 80,
  reposts: 10,
  replies: 20,
  linkPosts: 1,
  repeatedLinkPosts: 0,
  spamPosts: 0,
};

test('weights sum to one and scores stay within 0–100', () => {
  assert.equal(Math.round((WEIGHTS.reach + WEIGHTS.engagement + WEIGHTS.rate + WEIGHTS.age) * 1000), 1000);
  const max = influenceOf(
    { ...base, followers: 5_000_000, likes: 10_000_000, reposts: 10_000_000, replies: 10_000_000 },
    NOW,
  );
  assert.ok(max.score <= 100 && max.score >= 90, String(max.score));
  const min = influenceOf(
    { ...base, followers: 0, posts: 0, likes: 0, reposts: 0, replies: 0, accountCreatedAt: NOW.toISOString() },
    NOW,
  );
  assert.equal(min.score, 0);
});

test('not follower count alone: a small engaged author outranks a big silent one', () => {
  const engaged = influenceOf({ ...base, followers: 800, posts: 10, likes: 600, reposts: 120, replies: 90 }, NOW);
  const silent = influenceOf({ ...base, followers: 250_000, posts: 10, likes: 3, reposts: 0, replies: 0 }, NOW);
  assert.ok(engaged.score > silent.score, `${engaged.score} vs ${silent.score}`);
  assert.equal(engaged.likelySpammer, false);
});

test('many followers and no engagement is a likely spammer', () => {
  const result = influenceOf({ ...base, followers: 50_000, posts: 12, likes: 2, reposts: 0, replies: 0 }, NOW);
  assert.equal(result.likelySpammer, true);
  assert.deepEqual(result.reasons, ['no-engagement']);
  // Too few posts to tell: not yet.
  assert.equal(
    influenceOf({ ...base, followers: 50_000, posts: 2, likes: 0, reposts: 0, replies: 0 }, NOW).likelySpammer,
    false,
  );
});

test('posting the same link repeatedly is a likely spammer; one repeat is not', () => {
  assert.deepEqual(influenceOf({ ...base, posts: 6, linkPosts: 6, repeatedLinkPosts: 5 }, NOW).reasons, [
    'repeated-link',
  ]);
  assert.equal(influenceOf({ ...base, posts: 6, linkPosts: 2, repeatedLinkPosts: 1 }, NOW).likelySpammer, false);
});

test('mostly spam posts is a likely spammer, and a spammer keeps a quarter of its score', () => {
  const clean = influenceOf(base, NOW);
  const spammy = influenceOf({ ...base, spamPosts: 6 }, NOW);
  assert.deepEqual(spammy.reasons, ['spam-posts']);
  assert.ok(Math.abs(spammy.score - clean.score * 0.25) <= 1, `${spammy.score} vs ${clean.score}`);
});

test('account age counts: a day-old account scores below a five-year-old one with the same posts', () => {
  const young = influenceOf({ ...base, accountCreatedAt: '2026-11-22T12:00:00Z' }, NOW);
  const old = influenceOf(base, NOW);
  assert.ok(young.score < old.score);
  assert.equal(old.parts.age, 1);
  assert.equal(influenceOf({ ...base, accountCreatedAt: null }, NOW).parts.age, 0.5);
});

test('a worked example matches the documented formula (docs/analysis.md)', () => {
  // 500 followers, 10 posts, 80 likes + 2×10 reposts + 1.5×20 replies = 130 → 13 per post.
  const r = influenceOf(base, NOW);
  const reach = Math.log10(501) / 6;
  const engagement = Math.log10(14) / 3;
  const rate = Math.min(1, 13 / 500 / 0.02);
  const expected = Math.round(100 * (0.25 * reach + 0.35 * engagement + 0.25 * rate + 0.15 * 1));
  assert.equal(r.score, expected);
  assert.equal(r.score, 65);
});

test('one post on its own, and nonsense numbers', () => {
  const single = influenceOfPost(
    { author: { followers: 100, following: 5 }, metrics: { likes: 4, reposts: 1, replies: 0 } },
    NOW,
  );
  assert.ok(single.score > 0 && single.score < 100);
  const odd = influenceOf(
    { ...base, followers: -5, likes: Number.NaN, reposts: -1, accountCreatedAt: 'not a date' },
    NOW,
  );
  assert.ok(Number.isFinite(odd.score) && odd.score >= 0 && odd.score <= 100);
});

test("withInfluence scores a stored post at the reader's clock, flags a likely spammer and drops the raw signals", () => {
  const author: Author = { handle: '@a@x.social', name: null, followers: 500, following: 300 };
  const read = withInfluence({ author: { ...author, signals: base }, flags: [] }, NOW);
  assert.deepEqual(read, { author: { ...author, influence: 65, likelySpammer: false, spamReasons: [] }, flags: [] });
  const spammer = withInfluence(
    { author: { ...author, signals: { ...base, posts: 4, spamPosts: 3 } }, flags: ['lure' as const] },
    NOW,
  );
  assert.deepEqual(spammer.flags, ['lure', 'likely-spammer']);
  assert.deepEqual(spammer.author.spamReasons, ['spam-posts']);
  // The author row was not found: nothing to score, the post is returned as it came.
  const unknown = { author, flags: [] };
  assert.equal(withInfluence(unknown, NOW), unknown);
});
