import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { SENTIMENTS } from '../../src/domain/post.js';
import type { SentimentResult } from '../../src/analysis/sentiment.js';
import { DEFAULT_MODEL_URL, earshotSentiment, loadSentimentModel } from '../../src/analysis/sentiment-model.js';
import { evaluate, hasTweetEval, loadSplit, sentimentIndex, tweetEvalDir } from '../../bench/tweeteval.js';

/** Measured with the committed model (docs/sentiment-model.md); a drop of more than 0.01 fails. */
const MEASURED_VAL_MACRO_RECALL = 0.717;

const model = earshotSentiment;

function assertValid(r: SentimentResult): void {
  assert.ok(SENTIMENTS.includes(r.sentiment), `sentiment ${r.sentiment}`);
  assert.ok(Number.isFinite(r.score) && r.score >= -1 && r.score <= 1, `score ${r.score}`);
}

describe('earshot sentiment model', () => {
  it('names itself and its version', () => {
    assert.equal(model.name, 'earshot-sentiment');
    assert.equal(typeof model.version, 'string');
    assert.ok(model.version.length > 0);
  });

  it('reads negated negatives as not negative and negated positives as not positive', () => {
    assert.notEqual(model.score('not bad at all').sentiment, 'negative');
    assert.notEqual(model.score('not good').sentiment, 'positive');
  });

  it('reads emoticons', () => {
    assert.equal(model.score(':(').sentiment, 'negative');
    assert.equal(model.score(':-)').sentiment, 'positive');
  });

  it('reads emoji it never saw in training through their polarity class', () => {
    assert.equal(model.score('😡').sentiment, 'negative');
    assert.equal(model.score('😍').sentiment, 'positive');
  });

  it('treats an eye-roll as sarcasm: surface praise becomes a complaint', () => {
    const r = model.score('great, another outage 🙄');
    assertValid(r);
    assert.equal(r.sentiment, 'negative');
    assertValid(model.score('oh sure, best update ever /s'));
    assertValid(model.score('yeah right #sarcasm'));
  });

  it('reads shouted complaints as negative', () => {
    assert.equal(model.score('THIS IS THE WORST SERVICE EVER').sentiment, 'negative');
  });

  it('returns a valid result for non-English text', () => {
    for (const text of [
      'Der Service ist leider furchtbar langsam',
      'サービスが止まっています',
      'خدمة ممتازة',
      'Привет, всё сломалось',
    ]) {
      assertValid(model.score(text));
    }
  });

  it('handles empty, whitespace-only and very long input quickly', () => {
    assertValid(model.score(''));
    assertValid(model.score('   \n\t'));
    const long = 'the service is terrible and support never answers 😡 '.repeat(200).slice(0, 10_000);
    assert.equal(long.length, 10_000);
    const started = performance.now();
    const r = model.score(long);
    assert.ok(performance.now() - started < 200, 'a 10 000-character text scores in under 200 ms');
    assertValid(r);
    assertValid(model.score('🙂'.repeat(5_000)));
    assertValid(model.score('\uD800 lone surrogate \uDFFF and \u0000 nul'));
  });

  it('ships a model file of at most 10 MB', () => {
    assert.ok(statSync(DEFAULT_MODEL_URL).size <= 10 * 1024 * 1024);
  });

  it('loads deterministically: two loads give identical scores', () => {
    const a = loadSentimentModel();
    const b = loadSentimentModel(DEFAULT_MODEL_URL);
    for (const text of ['love it', 'hate it', 'it is a phone', 'not bad at all', '']) {
      assert.deepEqual(a.score(text), b.score(text));
    }
  });
});

describe('earshot sentiment model on TweetEval validation', () => {
  const dir = tweetEvalDir();
  const present = hasTweetEval(dir);
  const ci = process.env.CI === 'true';
  const skip = present || ci ? false : `no TweetEval data in ${dir} (set EARSHOT_SHARED_DIR)`;

  it(`keeps macro-recall at or above ${(MEASURED_VAL_MACRO_RECALL - 0.01).toFixed(4)}`, { skip }, () => {
    assert.ok(present, `CI=true but no TweetEval data in ${dir}`);
    const { texts, labels } = loadSplit(dir, 'val');
    const result = evaluate(
      labels,
      texts.map((t) => sentimentIndex(model.score(t).sentiment)),
    );
    assert.ok(
      result.macroRecall >= MEASURED_VAL_MACRO_RECALL - 0.01,
      `macro-recall ${result.macroRecall.toFixed(4)} < ${(MEASURED_VAL_MACRO_RECALL - 0.01).toFixed(4)}`,
    );
  });
});
