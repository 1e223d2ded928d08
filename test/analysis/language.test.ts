import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectLanguage, LANGUAGE_MODEL } from '../../src/analysis/language.js';

const samples: [string, string][] = [
  ['en', 'The helpdesk is down again and I cannot log in to my account'],
  ['fr', 'Le service est en panne depuis ce matin, je ne peux pas me connecter'],
  ['de', 'Der Dienst ist seit heute Morgen ausgefallen, ich kann mich nicht anmelden'],
  ['es', 'El servicio no funciona desde esta mañana, no puedo iniciar sesión'],
  ['ja', 'サービスが今朝から使えません。ログインできません'],
];

for (const [lang, text] of samples) {
  test(`detects ${lang}`, () => {
    assert.equal(detectLanguage(text), lang);
  });
}

test('too short or letterless text is und', () => {
  for (const text of ['ok', '', '   ', '12345', '😀😀😀', '!!!'])
    assert.equal(detectLanguage(text), 'und', JSON.stringify(text));
});

test('links, mentions and hashtags are ignored', () => {
  assert.equal(detectLanguage('@acme@mastodon.social #helpdesk https://example.com/the/english/path'), 'und');
  assert.equal(
    detectLanguage('@acme Le service est en panne depuis ce matin #helpdesk https://example.com/down/again'),
    'fr',
  );
});

test('detectLanguage never throws on odd or huge input', () => {
  for (const text of [undefined as unknown as string, '\u0000\ud800', 'a'.repeat(100_000)])
    assert.equal(typeof detectLanguage(text), 'string');
});

test('LANGUAGE_MODEL names eld and its version', () => {
  assert.equal(LANGUAGE_MODEL.name, 'eld-small');
  assert.match(LANGUAGE_MODEL.version, /^\d+\.\d+\.\d+$/);
});
