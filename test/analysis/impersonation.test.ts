import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createImpersonationCheck, skeleton, splitHandle } from '../../src/analysis/impersonation.js';

const check = createImpersonationCheck({
  handles: ['@AcmeSupport', '@northwind_it', 'acme.bsky.social', '@NorthwindIT@social.northwind.example'],
});

test('Cyrillic а (U+0430) for Latin a is a homoglyph impersonation', () => {
  const handle = '@\u0430cmeSupport';
  assert.notEqual(handle, '@acmeSupport');
  const finding = check({ handle, name: 'Acme Support' });
  assert.equal(finding?.official, '@AcmeSupport');
  assert.equal(finding?.technique, 'homoglyph');
});

test('Cyrillic о and і inside a Mastodon handle on another server', () => {
  const finding = check({ handle: '@n\u043erthw\u0456nd_it@mastodon.social', name: null });
  assert.equal(finding?.official, '@northwind_it');
  assert.equal(finding?.technique, 'homoglyph');
});

test('"rn" for "m" is a multi-character impersonation', () => {
  const finding = check({ handle: '@AcrneSupport', name: 'Acme Support' });
  assert.equal(finding?.official, '@AcmeSupport');
  assert.equal(finding?.technique, 'multi-char');
});

test('@AcmeSupport_ differs from @AcmeSupport by a separator only', () => {
  const finding = check({ handle: '@AcmeSupport_', name: null });
  assert.equal(finding?.official, '@AcmeSupport');
  assert.equal(finding?.technique, 'separator');
});

test('digits for letters and capital I for l collapse too', () => {
  assert.equal(check({ handle: '@n0rthwind_it', name: null })?.official, '@northwind_it');
  assert.equal(check({ handle: '@northwind_lt', name: null })?.official, '@northwind_it');
});

test('added words like support, help, official and team are impersonation', () => {
  for (const handle of [
    '@northwind_it_support',
    '@NorthwindITHelp',
    '@official_northwind_it',
    '@northwind_it_help_team',
    '@AcmeSupportTeam',
  ]) {
    assert.equal(check({ handle, name: null })?.technique, 'affix', handle);
  }
});

test('one typo away is within edit distance', () => {
  const finding = check({ handle: '@northwnd_it', name: null });
  assert.equal(finding?.technique, 'edit-distance');
});

test('a display name imitating the brand flags an unrelated handle', () => {
  const finding = check({ handle: '@helpdesk4829@example.social', name: 'Northwind IT Support' });
  assert.equal(finding?.technique, 'display-name');
  assert.equal(finding?.official, '@northwind_it');
});

test('the official accounts themselves are not flagged, whatever the case', () => {
  assert.equal(check({ handle: '@AcmeSupport', name: 'Acme Support' }), null);
  assert.equal(check({ handle: '@acmesupport', name: null }), null);
  assert.equal(check({ handle: '@northwind_it@social.example', name: 'Northwind IT' }), null);
  assert.equal(check({ handle: 'acme.bsky.social', name: 'Acme' }), null);
  assert.equal(check({ handle: '@NorthwindIT@social.northwind.example', name: 'Northwind IT' }), null);
});

test('the same name on a different server than the configured one is flagged', () => {
  const finding = check({ handle: '@NorthwindIT@mastodon.example', name: 'Northwind IT' });
  assert.equal(finding?.technique, 'other-server');
});

test('ordinary customers who mention the brand are not impersonators', () => {
  for (const [handle, name] of [
    ['@ana@example.social', 'Ana Costa'],
    ['@northwind_fan@example.social', 'Northwind fan account'],
    ['@acme_dev', 'Acme developer'],
    ['@support@example.social', 'Support'],
    ['@mike', 'Mike'],
    ['@northwestern_it', 'NU IT'],
  ] as const) {
    assert.equal(check({ handle, name }), null, handle);
  }
});

test('no official handles configured: nobody is flagged', () => {
  const none = createImpersonationCheck({ handles: [] });
  assert.equal(none({ handle: '@AcrneSupport', name: null }), null);
});

test('skeleton and splitHandle', () => {
  assert.equal(skeleton('Acrne'), skeleton('Acme'));
  assert.equal(skeleton('\u0430cme'), 'acme');
  assert.equal(skeleton('Ｎｏｒｔｈｗｉｎｄ'), skeleton('northwind'));
  assert.deepEqual(splitHandle('@ana@example.social'), { local: 'ana', server: 'example.social' });
  assert.deepEqual(splitHandle('ana.bsky.social'), { local: 'ana', server: 'bsky.social' });
  assert.deepEqual(splitHandle('@AcmeSupport'), { local: 'AcmeSupport', server: null });
});

test('the check never throws on odd input and is cached', () => {
  for (const author of [
    { handle: '' },
    { handle: '@' },
    { handle: '@@@' },
    { handle: 42 as unknown as string },
    { handle: '\u0000'.repeat(1000) },
  ]) {
    assert.doesNotThrow(() => check(author));
  }
  const start = performance.now();
  for (let i = 0; i < 100_000; i++) check({ handle: `@user${i % 500}@example.social`, name: 'Someone' });
  assert.ok(performance.now() - start < 2000);
});
