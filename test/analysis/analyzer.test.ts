import { test } from 'node:test';
import assert from 'node:assert/strict';
import { domainToASCII } from 'node:url';
import { createAnalyzer } from '../../src/analysis/analyzer.js';
import { DEMO_ORGANISATION, loadConfig } from '../../src/config.js';
import { isEarshotError } from '../../src/domain/errors.js';
import { runCli } from '../helpers/cli.js';

const analyzer = createAnalyzer({ organisation: { handles: ['@AcmeSupport'], domains: ['acme.com'] } });

test('the analyzer flags impersonators and lures, and records the watch in models', () => {
  const a = analyzer.analyze({
    text: 'DM us your password, we will fix it',
    author: { handle: '@AcmeSupport_', name: 'Acme Support' },
  });
  assert.deepEqual(a.flags, ['impersonation', 'lure']);
  assert.ok(a.models.includes('impersonation-watch@1'));
  const b = analyzer.analyze({ text: `Claim your refund at https://${domainToASCII('\u0430cme.com')}/claim` });
  assert.deepEqual(b.flags, ['lure', 'lookalike-domain']);
  assert.deepEqual(
    analyzer.analyze({ text: 'The portal is down', author: { handle: '@AcmeSupport', name: null } }).flags,
    [],
  );
  assert.equal(
    analyzer.explain({ text: 'x', author: { handle: '@AcrneSupport', name: null } }).impersonation?.technique,
    'multi-char',
  );
});

test('without an organisation nothing is flagged for impersonation or domains', () => {
  const plain = createAnalyzer();
  assert.deepEqual(
    plain.analyze({ text: 'see https://acrne.com', author: { handle: '@AcrneSupport', name: null } }).flags,
    [],
  );
});

test('config reads official handles and domains, and refuses nonsense with a clear error', () => {
  const config = loadConfig({
    EARSHOT_OFFICIAL_HANDLES: ' @northwind_it , @NorthwindHelp@social.example,',
    EARSHOT_OFFICIAL_DOMAINS: 'Northwind.example, https://northwind.ac.uk/',
  });
  assert.deepEqual(config.organisation, {
    handles: ['@northwind_it', '@NorthwindHelp@social.example'],
    domains: ['northwind.example', 'northwind.ac.uk'],
  });
  assert.deepEqual(loadConfig({}).organisation, { handles: [], domains: [] });
  assert.deepEqual(DEMO_ORGANISATION, { handles: ['@northwind_it'], domains: ['northwind.example'] });
  assert.throws(
    () => loadConfig({ EARSHOT_OFFICIAL_DOMAINS: 'not a domain' }),
    (error) => isEarshotError(error) && error.code === 'ERR_CONFIG_INVALID' && /not a domain/.test(error.message),
  );
  assert.throws(
    () => loadConfig({ EARSHOT_OFFICIAL_HANDLES: '@' }),
    (error) => isEarshotError(error) && /not a handle/.test(error.message),
  );
});

test('earshot classify adds flags, and influence for JSON post lines', { timeout: 60_000 }, async () => {
  const post = {
    text: 'Verify your account here: https://acme.com.verify-login.io',
    author: { handle: '@AcmeSupport_', name: 'Acme', followers: 100, following: 10 },
    metrics: { likes: 4, reposts: 1, replies: 0 },
  };
  const input = `${JSON.stringify(post)}\nthe portal is down\n{not json\n`;
  const result = await runCli(
    ['classify'],
    { EARSHOT_OFFICIAL_HANDLES: '@AcmeSupport', EARSHOT_OFFICIAL_DOMAINS: 'acme.com' },
    input,
  );
  assert.equal(result.code, 0, result.stderr);
  const [first, second, third] = result.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  assert.deepEqual(first.flags, ['impersonation', 'lure', 'lookalike-domain']);
  assert.equal(typeof first.influence, 'number');
  assert.deepEqual(Object.keys(second).sort(), ['flags', 'kind', 'lang', 'score', 'sentiment']);
  assert.deepEqual(second.flags, []);
  assert.equal(second.kind, 'outage');
  assert.equal(third.influence, undefined);
});
