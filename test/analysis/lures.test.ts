import { test } from 'node:test';
import assert from 'node:assert/strict';
import { domainToASCII } from 'node:url';
import { createLureCheck } from '../../src/analysis/lures.js';

const findLures = createLureCheck({ domains: ['acme.com', 'northwind.example'] });

test('the brand as a subdomain of a foreign domain: acme.com.verify-login.io', () => {
  const [finding, ...rest] = findLures('Your account is locked. Unlock it at https://acme.com.verify-login.io/unlock');
  assert.equal(rest.length, 0);
  assert.equal(finding?.kind, 'brand-in-subdomain');
  assert.equal(finding?.domain, 'verify-login.io');
  assert.equal(finding?.imitates, 'acme.com');
  assert.equal(findLures('see https://northwind.example.secure-check.net/login')[0]?.kind, 'brand-in-subdomain');
  assert.equal(findLures('https://acme.com-account.help/')[0]?.domain, 'com-account.help');
});

test('a punycode look-alike (Cyrillic а) is decoded and caught', () => {
  const puny = domainToASCII('\u0430cme.com');
  assert.ok(puny.startsWith('xn--'), puny);
  const [finding] = findLures(`Refunds are processed at https://${puny}/refund today only`);
  assert.equal(finding?.kind, 'lookalike-domain');
  assert.equal(finding?.domain, '\u0430cme.com');
  assert.equal(finding?.imitates, 'acme.com');
  assert.match(finding!.detail, /punycode/);
});

test('the same look-alike written in Unicode, without a scheme, is caught', () => {
  const [finding] = findLures('log in at \u0430cme.com/login to keep your account');
  assert.equal(finding?.kind, 'lookalike-domain');
});

test('rn-for-m, typo and added-word domains are look-alikes', () => {
  for (const url of [
    'https://acrne.com/x',
    'http://acme-support.com',
    'https://acmelogin.net/a?b=1',
    'https://northwlnd.org/',
    'https://my-northwind-portal.com/',
  ]) {
    const findings = findLures(`Help here: ${url}`);
    assert.equal(findings[0]?.kind, 'lookalike-domain', url);
  }
});

test('official domains and their subdomains are fine; so are unrelated sites', () => {
  assert.deepEqual(
    findLures('Status page: https://status.acme.com and docs at https://www.northwind.example/help'),
    [],
  );
  assert.deepEqual(findLures('I read about it on https://news.example.org/acme-outage'), []);
  assert.deepEqual(findLures('mail me at ana@acme-support.com'), []);
  assert.deepEqual(findLures('version 2.10 is out. Great.'), []);
});

test('asks for passwords, card numbers and codes are credential lures', () => {
  for (const text of [
    'Hi! Please DM us your password so we can fix your account',
    'To process the refund reply with your card number and CVV',
    'send us the code you just received',
    'Confirm your login details here and we will unlock it',
    'We need to verify: what is the 6-digit code we sent to your phone?',
    'Please enter your one-time code on our form',
  ]) {
    assert.equal(findLures(text)[0]?.kind, 'credential-ask', text);
  }
});

test('customers talking about their own passwords are not lures', () => {
  for (const text of [
    'I forgot my password again',
    'please reset my password',
    'my card was charged twice',
    'Can I change the PIN on my card?',
    'the code review is done',
  ]) {
    assert.deepEqual(findLures(text), [], text);
  }
});

test('a lure with a credential ask and a look-alike link gives both findings', () => {
  const findings = findLures('Send your password to verify at https://acme-secure.com now');
  assert.deepEqual(findings.map((finding) => finding.kind).sort(), ['credential-ask', 'lookalike-domain']);
});

test('no configured domains: only credential asks are found', () => {
  const none = createLureCheck({ domains: [] });
  assert.deepEqual(none('https://acrne.com'), []);
  assert.equal(none('dm us your password').length, 1);
});

test('never throws and stays fast on hostile input', () => {
  for (const text of [
    '',
    '.',
    'a.'.repeat(50_000),
    `http://${'x'.repeat(10_000)}.com`,
    undefined as unknown as string,
    'your your your '.repeat(5000),
  ]) {
    assert.doesNotThrow(() => findLures(text));
  }
  const start = performance.now();
  for (let i = 0; i < 20_000; i++) findLures(`post ${i} about the portal being down at https://status.acme.com`);
  assert.ok(performance.now() - start < 2000);
});
