/** The guideline check: personal data, blocked words, length, tone, private-vs-public. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkReply, detectPersonalData, luhn } from '../../src/desk/guideline.js';
import { DEFAULT_GUIDELINE_RULES } from '../../src/domain/guideline.js';

const rulesOf = (text: string, visibility: 'public' | 'private' = 'public', channel = 'mastodon') =>
  checkReply({ body: text, channel, visibility }).findings.map((f) => `${f.rule}:${f.level}`);

describe('guideline check', () => {
  test('finds cards by Luhn, phone numbers, e-mail addresses and secrets', () => {
    assert.ok(luhn('4111111111111111'));
    assert.ok(!luhn('4111111111111112'));
    const kinds = (text: string) => detectPersonalData(text).map((m) => m.kind);
    assert.deepEqual(kinds('card 4111 1111 1111 1111 please'), ['card']);
    assert.deepEqual(kinds('order 4111 1111 1111 1112'), [], 'not Luhn-valid: not a card');
    assert.deepEqual(kinds('call me on +44 20 7946 0958'), ['phone']);
    assert.deepEqual(kinds('mail ana.lopez+desk@example.org'), ['email']);
    assert.deepEqual(kinds('thanks @ana@example.social'), [], 'a fediverse handle is not an address');
    assert.deepEqual(kinds('my password is Hunter2!'), ['secret']);
    assert.deepEqual(kinds('the verification code: 493021'), ['secret']);
    assert.deepEqual(kinds('error code 500 on the password reset page at 10:30 on 2026-11-21'), []);
  });

  test('personal data blocks a public reply and warns in a private one', () => {
    assert.deepEqual(rulesOf('Is your number +44 20 7946 0958?'), ['personal-data:block']);
    assert.deepEqual(rulesOf('Is your number +44 20 7946 0958?', 'private'), ['personal-data:warn']);
  });

  test('blocked words, profanity, shouting and per-channel length', () => {
    assert.deepEqual(rulesOf('We guarantee it will not happen again'), ['blocked-word:block']);
    assert.deepEqual(rulesOf('Sorry, that was a shit experience'), ['profanity:block']);
    assert.deepEqual(rulesOf('WE ARE WORKING ON IT RIGHT NOW'), ['all-caps:warn']);
    assert.deepEqual(rulesOf('x'.repeat(301), 'public', 'bluesky'), ['length:block']);
    assert.deepEqual(rulesOf('x'.repeat(301), 'public', 'mastodon'), []);
    assert.equal(DEFAULT_GUIDELINE_RULES.maxLength.x, 280);
  });

  test('no automated DMs to people who never wrote to us; account details advised private', () => {
    assert.deepEqual(
      checkReply({
        body: 'Hi, we are on it',
        channel: 'mastodon',
        visibility: 'private',
        recipientWroteToUs: false,
      }).findings.map((f) => f.rule),
      ['unsolicited-dm'],
    );
    assert.ok(
      checkReply({ body: 'Hi, we are on it', channel: 'mastodon', visibility: 'private', recipientWroteToUs: true }).ok,
    );
    assert.deepEqual(rulesOf('Your account number 12345 is fine'), ['visibility:advice']);
  });

  test('rules carry their version into the result', () => {
    assert.equal(
      checkReply({ body: 'ok', channel: 'x', visibility: 'public' }, { ...DEFAULT_GUIDELINE_RULES, version: 4 })
        .version,
      4,
    );
  });
});
