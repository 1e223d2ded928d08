import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizePost } from '../../src/pipeline/normalize.js';

const valid = (): Record<string, unknown> => ({
  source: 'mastodon',
  id: '109876543210987654',
  author: { handle: '@ana@example.social', name: 'Ana', followers: 120, following: 80 },
  text: 'Is the helpdesk down?',
  url: 'https://example.social/@ana/109876543210987654',
  createdAt: '2026-11-20T10:00:00Z',
  inReplyTo: null,
  metrics: { likes: 1, reposts: 2, replies: 3 },
});

function rejects(input: unknown, message: string | RegExp): void {
  assert.throws(
    () => normalizePost(input),
    (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.equal((error as { code?: string }).code, 'ERR_INPUT_INVALID');
      if (typeof message === 'string') assert.equal(error.message, message);
      else assert.match(error.message, message);
      return true;
    },
  );
}

test('a valid payload becomes a draft', () => {
  assert.deepEqual(normalizePost(valid()), {
    source: 'mastodon',
    externalId: '109876543210987654',
    author: { handle: '@ana@example.social', name: 'Ana', followers: 120, following: 80 },
    text: 'Is the helpdesk down?',
    url: 'https://example.social/@ana/109876543210987654',
    createdAt: '2026-11-20T10:00:00.000Z',
    inReplyTo: null,
    metrics: { likes: 1, reposts: 2, replies: 3 },
    extra: {},
  });
});

test('optional fields default; integer ids become strings; dates are normalised', () => {
  const draft = normalizePost({
    source: 'rss',
    id: 42,
    author: { handle: 'feed' },
    text: 'x',
    createdAt: 'Fri, 20 Nov 2026 11:00:00 +0100',
    inReplyTo: 41,
  });
  assert.equal(draft.externalId, '42');
  assert.equal(draft.inReplyTo, '41');
  assert.equal(draft.createdAt, '2026-11-20T10:00:00.000Z');
  assert.deepEqual(draft.author, { handle: 'feed', name: null, followers: null, following: null });
  assert.equal(draft.url, null);
  assert.deepEqual(draft.metrics, { likes: 0, reposts: 0, replies: 0 });
  assert.equal(normalizePost({ ...valid(), metrics: { likes: 5 } }).metrics.replies, 0);
  assert.equal(
    normalizePost({ ...valid(), author: { handle: 'a', createdAt: '2020-01-01' } }).author.createdAt,
    '2020-01-01T00:00:00.000Z',
  );
});

test('unknown fields are kept in extra, author ones under extra.author', () => {
  const draft = normalizePost({
    ...valid(),
    lang: 'en',
    media: [{ type: 'image' }],
    author: { handle: 'a', bot: true },
    metrics: { likes: 1, quotes: 4 },
  });
  assert.deepEqual(draft.extra, {
    lang: 'en',
    media: [{ type: 'image' }],
    author: { bot: true },
    metrics: { quotes: 4 },
  });
});

test('a __proto__ key in the payload cannot set the prototype of extra', () => {
  const draft = normalizePost(
    JSON.parse(
      '{"source":"x","id":"1","author":{"handle":"a"},"text":"t","createdAt":"2026-01-01","__proto__":{"polluted":true}}',
    ),
  );
  assert.equal(Object.getPrototypeOf(draft.extra), Object.prototype);
  assert.equal((draft.extra as { polluted?: unknown }).polluted, undefined);
});

test('hostile HTML text is kept literally', () => {
  const html = '<script>alert("x")</script><img src=x onerror=alert(1)> &amp; <b>bold</b>';
  assert.equal(normalizePost({ ...valid(), text: html }).text, html);
});

test('text loses control characters (not \\n or \\t), becomes NFC and is trimmed', () => {
  const draft = normalizePost({ ...valid(), text: '  a\u0000b\u0007c\r\nd\te\u001b[31m \u0065\u0301\ud800  ' });
  assert.equal(draft.text, 'abc\nd\te[31m \u00e9\ufffd');
});

test('wrong types name the field and what came instead', () => {
  rejects(null, 'post must be an object, got null');
  rejects([], 'post must be an object, got array');
  rejects(
    { ...valid(), author: { handle: 'a', followers: '120' } },
    'author.followers must be a non-negative integer, got string',
  );
  rejects(
    { ...valid(), author: { handle: 'a', following: -1 } },
    'author.following must be a non-negative integer, got -1',
  );
  rejects(
    { ...valid(), author: { handle: 'a', followers: 1.5 } },
    'author.followers must be a non-negative integer, got 1.5',
  );
  rejects({ ...valid(), author: 'ana' }, 'author must be an object, got string');
  rejects({ ...valid(), author: { handle: 7 } }, 'author.handle must be a string, got number');
  rejects({ ...valid(), author: { handle: 'a', name: 5 } }, 'author.name must be a string or null, got number');
  rejects({ ...valid(), text: 123 }, 'text must be a string, got number');
  rejects({ ...valid(), id: true }, 'id must be a string or an integer, got boolean');
  rejects({ ...valid(), id: 2 ** 60 }, /^id must be a string or a safe integer/);
  rejects({ ...valid(), inReplyTo: {} }, 'inReplyTo must be a string or an integer, got object');
  rejects({ ...valid(), metrics: { likes: -2 } }, 'metrics.likes must be a non-negative integer, got -2');
  rejects({ ...valid(), metrics: [] }, 'metrics must be an object, got array');
});

test('required fields must be present', () => {
  for (const field of ['source', 'id', 'author', 'text', 'createdAt']) {
    const input = valid();
    delete input[field];
    rejects(input, new RegExp(`^${field}\\b`));
  }
  rejects({ ...valid(), author: {} }, 'author.handle must be a string, got undefined');
  rejects({ ...valid(), id: '' }, 'id must not be empty');
});

test('source is lowercase letters, digits, _ and -, at most 64', () => {
  rejects({ ...valid(), source: 'Mastodon' }, 'source must be lowercase letters, digits, _ or -, got "Mastodon"');
  rejects({ ...valid(), source: 'a'.repeat(65) }, 'source must be at most 64 characters, got 65');
  rejects({ ...valid(), source: '' }, 'source must not be empty');
  assert.equal(normalizePost({ ...valid(), source: 'my_feed-2' }).source, 'my_feed-2');
});

test('limits on id, handle and text length', () => {
  rejects({ ...valid(), id: 'x'.repeat(257) }, 'id must be at most 256 characters, got 257');
  rejects({ ...valid(), author: { handle: 'h'.repeat(257) } }, 'author.handle must be at most 256 characters, got 257');
  rejects({ ...valid(), text: 'x'.repeat(100_001) }, 'text must be at most 100000 characters, got 100001');
  assert.equal(normalizePost({ ...valid(), text: 'x'.repeat(100_000) }).text.length, 100_000);
});

test('dates must parse', () => {
  rejects({ ...valid(), createdAt: 'yesterday' }, 'createdAt must be a date, got "yesterday"');
  rejects({ ...valid(), createdAt: 1700000000 }, 'createdAt must be a date string, got number');
  rejects({ ...valid(), author: { handle: 'a', createdAt: 'soon' } }, 'author.createdAt must be a date, got "soon"');
});

test('url must be http or https', () => {
  assert.equal(normalizePost({ ...valid(), url: 'http://example.com/x' }).url, 'http://example.com/x');
  rejects({ ...valid(), url: 'javascript:alert(1)' }, 'url must be an http or https URL, got "javascript:alert(1)"');
  rejects({ ...valid(), url: 'not a url' }, 'url must be an http or https URL, got "not a url"');
  rejects({ ...valid(), url: 5 }, 'url must be a string or null, got number');
});
