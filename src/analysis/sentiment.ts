/**
 * The one interface every sentiment model implements, so models are interchangeable
 * (the library baseline, Earshot's own trained model) and every result names its model.
 */
import type { Sentiment } from '../domain/post.js';

export interface SentimentResult {
  readonly sentiment: Sentiment;
  /** −1 (most negative) … 1 (most positive). */
  readonly score: number;
}

export interface SentimentModel {
  readonly name: string;
  readonly version: string;
  /** Must not throw on any string: empty, huge, any script or emoji. */
  score(text: string): SentimentResult;
}
