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

describe('guideline check: sentence ends, the allow-list and tone', () => {
  const kinds = (text: string, allowList: string[] = []) =>
    detectPersonalData(text, undefined, allowList).map((m) => `${m.kind}:${text.slice(m.span[0], m.span[1])}`);

  test('a phone number at the end of a sentence is caught, a version or a date is not', () => {
    assert.deepEqual(kinds('ring 020 7946 0958.'), ['phone:020 7946 0958']);
    assert.deepEqual(kinds('Call +44 20 7946 0958. We answer at once'), ['phone:+44 20 7946 0958']);
    assert.deepEqual(rulesOf('Please ring 020 7946 0958.'), ['personal-data:block']);
    assert.deepEqual(kinds('fixed in 2026.11.21.3 on 21.11.2026.'), []);
  });

  test('the organisation’s own numbers and addresses pass, in any written form', () => {
    const allowList = ['+44 20 7946 0000', 'help@greenline.example', '@press.greenline.example'];
    assert.deepEqual(kinds('Our help line is 020 7946 0000.', allowList), []);
    assert.deepEqual(kinds('Our help line is +44 (20) 7946-0000', allowList), []);
    assert.deepEqual(kinds('Write to HELP@greenline.example or ana@press.greenline.example', allowList), []);
    assert.deepEqual(kinds('Ring 020 7946 0958.', allowList), ['phone:020 7946 0958'], 'another number still blocks');
    assert.deepEqual(kinds('mail ana@evilgreenline.example', ['@greenline.example']), [
      'email:ana@evilgreenline.example',
    ]);
    const rules = { ...DEFAULT_GUIDELINE_RULES, allowList };
    assert.ok(checkReply({ body: 'Ring us on 020 7946 0000.', channel: 'mastodon', visibility: 'public' }, rules).ok);
  });

  test('blame and condescension warn, with the phrase; ordinary apologies do not', () => {
    const tone = (text: string) =>
      checkReply({ body: text, channel: 'mastodon', visibility: 'public' })
        .findings.filter((f) => f.rule === 'tone')
        .map((f) => text.slice(f.span![0], f.span![1]).toLowerCase());
    assert.deepEqual(tone('Calm down, it is not our fault'), ['calm down', 'it is not our fault']);
    assert.deepEqual(tone("That isn't our problem, you should have read the terms"), [
      "that isn't our problem",
      'you should have read',
    ]);
    assert.deepEqual(tone('As we already explained, it’s not that hard.'), [
      'as we already explained',
      'it’s not that hard',
    ]);
    assert.deepEqual(tone('Per my last message, this is user error'), ['per my last message', 'user error']);
    assert.equal(
      checkReply({ body: 'Calm down', channel: 'mastodon', visibility: 'public' }).findings[0]?.level,
      'warn',
    );
    for (const fine of [
      'Sorry about the delay, that is our fault and we are fixing it.',
      'You should see the refund in 3 days. We will not let this happen again.',
      'No need to re-enter your details: we have them.',
      'Thanks for your patience while we fixed it.',
      'It is not your fault: the outage hit every account.',
    ])
      assert.deepEqual(tone(fine), [], fine);
    assert.deepEqual(
      checkReply(
        { body: 'Calm down', channel: 'mastodon', visibility: 'public' },
        { ...DEFAULT_GUIDELINE_RULES, toneCheck: false },
      ).findings,
      [],
    );
  });
});
