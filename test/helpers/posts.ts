/** Builders for test posts in Earshot's ingest shape. */
import type { NewPost } from '../../src/store/posts.js';

let counter = 0;

export function ingestLine(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    source: 'mastodon',
    id: `t${counter}`,
    author: {
      handle: `@user${counter % 7}@example.social`,
      name: `User ${counter % 7}`,
      followers: 100,
      following: 50,
    },
    text: `Test post number ${counter}`,
    url: `https://example.social/@user/${counter}`,
    createdAt: new Date(Date.UTC(2026, 10, 20, 10, 0, counter % 60)).toISOString(),
    inReplyTo: null,
    metrics: { likes: 0, reposts: 0, replies: 0 },
    ...overrides,
  };
}

export function newPost(overrides: Partial<NewPost> = {}): NewPost {
  counter += 1;
  return {
    source: 'mastodon',
    externalId: `p${counter}`,
    author: { handle: `@user${counter % 5}@example.social`, name: 'User', followers: 10, following: 5 },
    text: `Post ${counter}`,
    url: null,
    createdAt: new Date(Date.UTC(2026, 10, 20, 10, counter % 60)).toISOString(),
    inReplyTo: null,
    metrics: { likes: 0, reposts: 0, replies: 0 },
    extra: {},
    sentiment: 'neutral',
    sentimentScore: 0,
    kind: 'other',
    lang: 'en',
    models: ['test@1'],
    streamIds: [],
    ...overrides,
  };
}
