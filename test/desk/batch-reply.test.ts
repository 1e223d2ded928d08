/** Batch replies: visibility per channel and personal data, one reply per reporter, rate limits. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { proposeReplies, type ReporterPost } from '../../src/desk/batch-reply.js';

const post = (overrides: Partial<ReporterPost>): ReporterPost => ({
  postId: 1,
  source: 'mastodon',
  externalId: 'e1',
  authorHandle: '@ana@example.social',
  authorName: 'Ana López',
  text: 'portal down',
  createdAt: '2026-11-21T09:00:00.000Z',
  wroteToUs: false,
  ...overrides,
});

describe('batch replies', () => {
  test('a post with personal data is answered privately only if they wrote to us, and never echoed', () => {
    const { proposals } = proposeReplies('We are on it.', [
      post({ postId: 1, text: 'portal down and my card 4111 1111 1111 1111 got charged' }),
      post({
        postId: 2,
        authorHandle: '@bo@example.social',
        text: 'portal down, call me +44 20 7946 0958',
        wroteToUs: true,
      }),
    ]);
    assert.deepEqual(
      proposals.map((p) => [p.postId, p.visibility, p.ok]),
      [
        [1, 'public', true],
        [2, 'private', true],
      ],
    );
    assert.ok(!proposals[0]!.body.includes('4111') && /personal details/.test(proposals[0]!.body));
  });

  test('a channel without public replies skips people who never wrote to us', () => {
    const { proposals, skipped } = proposeReplies('We are on it.', [post({ source: 'email' })], {
      channels: { email: { canReplyPublicly: false, canDirectMessage: true, maxPerMinute: 10 } },
    });
    assert.equal(proposals.length, 0);
    assert.match(skipped[0]!.reason, /never wrote to us/);
  });

  test('one reply per reporter, to their latest post, spread out by the channel rate limit', () => {
    const posts = Array.from({ length: 25 }, (_, i) =>
      post({
        postId: i + 1,
        externalId: `e${i}`,
        authorHandle: `@u${i % 20}@example.social`,
        createdAt: new Date(Date.UTC(2026, 10, 21, 9, i)).toISOString(),
      }),
    );
    const now = new Date('2026-11-21T10:00:00.000Z');
    const { proposals, skipped } = proposeReplies('We are on it.', posts, {
      now,
      channels: { mastodon: { canReplyPublicly: true, canDirectMessage: true, maxPerMinute: 10 } },
    });
    assert.equal(proposals.length, 20);
    assert.equal(skipped.length, 5);
    assert.ok(proposals.every((p) => Number(p.inReplyTo.slice(1)) >= 5 || Number(p.inReplyTo.slice(1)) < 20));
    assert.deepEqual(
      [...new Set(proposals.map((p) => p.sendAfter))],
      ['2026-11-21T10:00:00.000Z', '2026-11-21T10:01:00.000Z'],
    );
  });
});
