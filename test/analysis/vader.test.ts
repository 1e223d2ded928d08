import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sentimentFromCompound, vaderSentiment } from '../../src/analysis/vader.js';

test('vader names itself with the installed package version', () => {
  assert.equal(vaderSentiment.name, 'vader');
  assert.match(vaderSentiment.version, /^\d+\.\d+\.\d+$/);
});

test('vader scores clear praise positive and clear complaints negative', () => {
  const praise = vaderSentiment.score('Thanks, the new release is awesome and I love it!');
  assert.equal(praise.sentiment, 'positive');
  assert.ok(praise.score >= 0.05);
  const complaint = vaderSentiment.score('This is terrible, worst support ever :(');
  assert.equal(complaint.sentiment, 'negative');
  assert.ok(complaint.score <= -0.05);
});

test('vader scores factual text neutral', () => {
  assert.deepEqual(vaderSentiment.score('The meeting is on Tuesday at ten.'), { sentiment: 'neutral', score: 0 });
});

test('compound thresholds are ±0.05, inclusive', () => {
  assert.equal(sentimentFromCompound(0.05), 'positive');
  assert.equal(sentimentFromCompound(0.0499), 'neutral');
  assert.equal(sentimentFromCompound(-0.0499), 'neutral');
  assert.equal(sentimentFromCompound(-0.05), 'negative');
});

test('vader never throws and stays within −1…1 on odd input', () => {
  const odd = [
    '',
    ' ',
    '😀😀😀',
    '日本語のテキスト',
    '\u0000\ud800',
    'constructor __proto__ toString',
    'GREAT!!!! '.repeat(5000),
    'no '.repeat(20000),
  ];
  for (const text of odd) {
    const { sentiment, score } = vaderSentiment.score(text);
    assert.ok(['negative', 'neutral', 'positive'].includes(sentiment), text.slice(0, 20));
    assert.ok(score >= -1 && score <= 1 && Number.isFinite(score), text.slice(0, 20));
  }
});
