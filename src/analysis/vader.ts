/**
 * VADER (lexicon and rules tuned for social media) as a `SentimentModel`: the library baseline
 * that Earshot's own model is measured against.
 */
import { createRequire } from 'node:module';
import vader from 'vader-sentiment';
import type { Sentiment } from '../domain/post.js';
import type { SentimentModel, SentimentResult } from './sentiment.js';

/** VADER authors' thresholds on the compound score: ≥ 0.05 positive, ≤ −0.05 negative. */
export const VADER_THRESHOLD = 0.05;

// The package has no `exports` map, so its package.json can be required for the version;
// results then name the exact lexicon release that produced them.
const { version } = createRequire(import.meta.url)('vader-sentiment/package.json') as { version: string };

const NEUTRAL: SentimentResult = Object.freeze({ sentiment: 'neutral', score: 0 });

export const vaderSentiment: SentimentModel = Object.freeze({
  name: 'vader',
  version,
  score: function vaderScore(text: string): SentimentResult {
    if (typeof text !== 'string' || text.length === 0) return NEUTRAL;
    let compound: number;
    try {
      compound = vader.SentimentIntensityAnalyzer.polarity_scores(text).compound;
    } catch {
      // The contract says never throw; a library bug on odd input costs one neutral score.
      return NEUTRAL;
    }
    if (!Number.isFinite(compound)) return NEUTRAL;
    const score = Math.max(-1, Math.min(1, compound));
    return { sentiment: sentimentFromCompound(score), score };
  },
});

/** Maps a compound score to a label with VADER's standard thresholds. */
export function sentimentFromCompound(compound: number): Sentiment {
  if (compound >= VADER_THRESHOLD) return 'positive';
  if (compound <= -VADER_THRESHOLD) return 'negative';
  return 'neutral';
}
