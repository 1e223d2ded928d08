import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileQuery, parseQuery, queryTerms, type MatchablePost } from '../../src/pipeline/query.js';
import { EarshotError } from '../../src/domain/errors.js';

const post = (text: string, extra: Partial<MatchablePost> = {}): MatchablePost => ({
  text,
  authorHandle: '@ana@example.social',
  ...extra,
});
const matches = (q: string, text: string, extra: Partial<MatchablePost> = {}): boolean =>
  compileQuery(q)(post(text, extra));

test('the stream example: helpdesk AND (down OR ":(") -spam', () => {
  const q = compileQuery('helpdesk AND (down OR ":(") -spam');
  assert.equal(q(post('The Helpdesk is DOWN')), true);
  assert.equal(q(post('helpdesk, again :(')), true);
  assert.equal(q(post('helpdesk is down, buy spam now')), false);
  assert.equal(q(post('helpdesk is fine')), false);
  assert.equal(q(post('everything is down :(')), false);
});

test('bare words match whole words, case-insensitively', () => {
  assert.equal(matches('down', 'Site DOWN!'), true);
  assert.equal(matches('down', 'the download page'), false);
  assert.equal(matches('down', 'downtime'), false);
  assert.equal(matches("can't", 'I can’t log in'), true);
  assert.equal(matches('can', "I can't log in"), false);
});

test('a trailing * matches a prefix', () => {
  assert.equal(matches('log*', 'Login failed'), true);
  assert.equal(matches('log*', 'blog post'), false);
});

test('words with punctuation match exactly, bounded by non-word characters', () => {
  assert.equal(matches('v2.0', 'upgraded to v2.0, broken'), true);
  assert.equal(matches('v2.0', 'upgraded to v2.01'), false);
  assert.equal(matches('e-mail', 'my E-mail bounced'), true);
});

test('phrases match substrings, punctuation included', () => {
  assert.equal(matches('"log in"', 'I cannot LOG IN today'), true);
  assert.equal(matches('"log in"', 'login'), false);
  assert.equal(matches('":("', 'sad :('), true);
  assert.equal(matches('"say \\"hi\\""', 'they say "hi" a lot'), true);
});

test('hashtags match whole tags', () => {
  assert.equal(matches('#help', 'pls #HELP!'), true);
  assert.equal(matches('#help', 'see #helpdesk'), false);
  assert.equal(matches('#help', 'help'), false);
});

test('mentions match the handle, with or without an instance', () => {
  assert.equal(matches('@acme', 'hey @acme'), true);
  assert.equal(matches('@acme', 'hey @Acme@mastodon.social'), true);
  assert.equal(matches('@acme', 'cc @acme.'), true);
  assert.equal(matches('@acme', 'hey @acme_support'), false);
  assert.equal(matches('@acme', 'mail bob@acme.com'), false);
  assert.equal(matches('@acme@mastodon.social', 'hey @acme@mastodon.social'), true);
  assert.equal(matches('@acme@mastodon.social', 'hey @acme'), false);
});

test('from: compares the author handle, case-insensitive, @ optional', () => {
  assert.equal(matches('from:@ana@example.social', 'x'), true);
  assert.equal(matches('from:ANA@Example.Social', 'x'), true);
  assert.equal(matches('from:ana', 'x'), false);
  assert.equal(matches('from:ana', 'x', { authorHandle: 'ana' }), true);
});

test('lang:, kind: and sentiment: compare the analysis', () => {
  assert.equal(matches('lang:fr', 'x', { lang: 'fr' }), true);
  assert.equal(matches('lang:fr', 'x', { lang: 'en' }), false);
  assert.equal(matches('lang:fr', 'x'), false);
  assert.equal(matches('kind:outage sentiment:negative', 'x', { kind: 'outage', sentiment: 'negative' }), true);
  assert.equal(matches('kind:outage sentiment:negative', 'x', { kind: 'outage', sentiment: 'neutral' }), false);
});

test('source: matches the configured source name, channel: its kind (the name when not configured)', () => {
  const mail = { source: 'Helpdesk-Mail', channel: 'mail' };
  assert.equal(matches('source:helpdesk-mail', 'x', mail), true, 'names compare case-insensitively');
  assert.equal(matches('source:helpdesk', 'x', mail), false, 'a whole name, not a prefix');
  assert.equal(matches('channel:mail', 'x', mail), true);
  assert.equal(matches('channel:bluesky', 'x', mail), false);
  assert.equal(
    matches('channel:mastodon', 'x', { source: 'mastodon' }),
    true,
    'an unconfigured source is its own channel',
  );
  assert.equal(matches('channel:mail', 'x'), false);
  // "All mail becomes tickets", and combinations with the other fields and words.
  assert.equal(matches('channel:mail OR channel:rss', 'x', { source: 'vendor-status', channel: 'rss' }), true);
  assert.equal(matches('channel:mail -kind:praise vpn', 'the VPN is down', { ...mail, kind: 'outage' }), true);
  assert.equal(matches('channel:mail -kind:praise vpn', 'the VPN is great', { ...mail, kind: 'praise' }), false);
  assert.equal(matches('source:uni.mastodon_2', 'x', { source: 'uni.mastodon_2', channel: 'mastodon' }), true);
  assert.deepEqual(parseQuery('channel:Mail'), { type: 'field', field: 'channel', value: 'mail', position: 0 });
});

test('precedence is NOT > AND > OR', () => {
  // a OR (b AND c)
  assert.equal(matches('a OR b c', 'a'), true);
  assert.equal(matches('a OR b c', 'b'), false);
  assert.equal(matches('a OR b AND c', 'b c'), true);
  // (NOT a) AND b
  assert.equal(matches('NOT a b', 'b'), true);
  assert.equal(matches('NOT a b', 'a b'), false);
  assert.equal(matches('NOT a OR b', 'a b'), true);
  assert.deepEqual(parseQuery('a OR b NOT c'), {
    type: 'or',
    children: [
      { type: 'word', value: 'a', position: 0 },
      {
        type: 'and',
        children: [
          { type: 'word', value: 'b', position: 5 },
          { type: 'not', child: { type: 'word', value: 'c', position: 11 } },
        ],
      },
    ],
  });
});

test('negation with -term, -"phrase", -(group) and NOT', () => {
  assert.equal(matches('help -spam', 'help me'), true);
  assert.equal(matches('help -spam', 'help spam'), false);
  assert.equal(matches('help -"buy now"', 'help, buy now'), false);
  assert.equal(matches('help -(buy OR sell)', 'help sell'), false);
  assert.equal(matches('help -(buy OR sell)', 'help me'), true);
  assert.equal(matches('help NOT NOT spam', 'help spam'), true);
  assert.equal(matches('-from:@bot@x.social help', 'help', { authorHandle: '@bot@x.social' }), false);
});

test('lowercase and/or/not are words; hyphens inside words are not negation', () => {
  assert.equal(matches('rock and roll', 'rock and roll'), true);
  assert.equal(matches('rock and roll', 'rock roll'), false);
  assert.equal(matches('log-in', 'log-in page'), true);
});

test('queryTerms lists positive text terms only, once each', () => {
  const terms = queryTerms(parseQuery('help OR "log in" -spam NOT (buy -sell) #status @acme down* lang:en help'));
  assert.deepEqual(
    terms.map((t) => `${t.type}:${t.value}`),
    ['word:help', 'phrase:log in', 'word:sell', 'hashtag:#status', 'mention:@acme', 'prefix:down'],
  );
});

function syntaxError(q: string): { position: number; detail: string } {
  try {
    parseQuery(q);
  } catch (error) {
    assert.ok(error instanceof EarshotError);
    assert.equal(error.code, 'ERR_QUERY_SYNTAX');
    assert.equal(error.status, 400);
    return { position: Number(error.params.position), detail: String(error.params.detail) };
  }
  assert.fail(`expected ${JSON.stringify(q)} to be a syntax error`);
}

test('syntax errors carry the position of the fault', () => {
  const cases: [string, number, RegExp][] = [
    ['', 0, /empty/],
    ['   ', 0, /empty/],
    ['(down OR up', 0, /unbalanced '\('/],
    ['down)', 4, /unbalanced '\)'/],
    ['a AND', 5, /after AND/],
    ['a OR', 4, /after OR/],
    ['NOT', 3, /after NOT/],
    ['AND a', 0, /unexpected AND/],
    ['a OR OR b', 5, /unexpected OR/],
    ['help "log in', 5, /unterminated quote/],
    ['""', 0, /empty phrase/],
    ['a - b', 2, /'-'/],
    ['()', 1, /empty parentheses/],
    ['kind:nonsense', 5, /kind: must be one of/],
    ['sentiment:angry', 10, /sentiment: must be one of/],
    ['lang:', 5, /needs a value/],
    ['source:', 7, /needs a value/],
    ['source:-mail', 7, /source: expects a source name/],
    ['a channel:m@il', 10, /channel: expects a channel kind/],
    ['*', 0, /wildcard/],
    ['#', 0, /hashtag/],
  ];
  for (const [q, position, detail] of cases) {
    const error = syntaxError(q);
    assert.equal(error.position, position, JSON.stringify(q));
    assert.match(error.detail, detail, JSON.stringify(q));
  }
});

test('the error message states the position', () => {
  assert.throws(() => compileQuery('a AND'), {
    code: 'ERR_QUERY_SYNTAX',
    message: 'Query syntax error at position 5: expected a term after AND',
  });
});

test('absurd nesting and length are syntax errors, not stack overflows', () => {
  assert.match(syntaxError(`${'('.repeat(10_000)}a${')'.repeat(10_000)}`).detail, /longer than/);
  assert.match(syntaxError(`${'('.repeat(100)}a${')'.repeat(100)}`).detail, /nested deeper/);
  assert.match(syntaxError(`${'NOT '.repeat(100)}a`).detail, /nested deeper/);
});

test('a compiled query evaluates 100k posts a second', () => {
  const q = compileQuery('helpdesk AND (down OR ":(") -spam kind:outage');
  const posts = Array.from({ length: 1000 }, (_, i) =>
    post(`The helpdesk of acme is down again for the ${i}th time :( #status @acme`, { kind: 'outage' }),
  );
  const start = performance.now();
  let n = 0;
  for (let round = 0; round < 100; round++) for (const p of posts) if (q(p)) n++;
  assert.equal(n, 100_000);
  // Generous bound for slow CI; locally this takes about 200 ms.
  assert.ok(performance.now() - start < 2000);
});
