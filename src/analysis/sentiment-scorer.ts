/**
 * Scoring sentiment from features computed once (`sentiment-features.ts`), so the analyze
 * stage tokenises and hashes a post a single time for every model that reads it: the English
 * sentiment model, the multilingual one and the kind model.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { fmix32, fnv1a } from '../domain/hash.js';
import { SENTIMENTS } from '../domain/post.js';
import type { FeatureBuffer, FeatureConfig, Lexicon } from './sentiment-features.js';
import { DEFAULT_MODEL_URL, decodeSentimentModel, type SentimentModelData } from './sentiment-model.js';
import type { SentimentResult } from './sentiment.js';

/** Languages a multilingual model file may hold a bias for (UMSAB's eight). */
export const SENTIMENT_LANGUAGES = Object.freeze(['ar', 'de', 'en', 'es', 'fr', 'hi', 'it', 'pt']);

export interface FeatureSentimentScorer {
  readonly name: string;
  readonly version: string;
  readonly features: FeatureConfig;
  readonly lexicon: Lexicon;
  readonly meta: Readonly<Record<string, unknown>>;
  /** [P(negative), P(neutral), P(positive)] from features computed with `features` and `lexicon`. */
  probabilitiesFromFeatures(buffer: FeatureBuffer, lang: string): [number, number, number];
}

/** Index of the per-language bias feature (shared by the trainer and inference). */
export function languageFeature(lang: string, bits: number): number {
  return fmix32(fnv1a(`lang:${lang}`, 0x5e17_0001)) & ((1 << bits) - 1);
}

/** A scorer over model data; `languageBias` adds the per-language bias rows (multilingual files only). */
export function featureScorerFromData(
  data: SentimentModelData,
  options: { readonly languageBias?: boolean } = {},
): FeatureSentimentScorer {
  const { bias, features } = data;
  // Back to the file's int8 weights (per-class scale): a quarter of the memory, so the sparse
  // dot product misses the cache far less often.
  const scales = [0, 1, 2].map((c) => {
    let max = 0;
    for (let i = c; i < data.weights.length; i += 3) max = Math.max(max, Math.abs(data.weights[i]!));
    return max > 0 ? max / 127 : 1;
  });
  const q = new Int8Array(data.weights.length);
  for (let i = 0; i < q.length; i++) q[i] = Math.round(data.weights[i]! / scales[i % 3]!);
  const [s0, s1, s2] = scales as [number, number, number];
  const languageRows = new Map<string, number>(
    options.languageBias ? SENTIMENT_LANGUAGES.map((l) => [l, languageFeature(l, features.bits) * 3]) : [],
  );
  return {
    name: data.name,
    version: data.version,
    features,
    lexicon: new Map(data.lexicon),
    meta: data.meta,
    probabilitiesFromFeatures: function probabilitiesFromFeatures(
      buffer: FeatureBuffer,
      lang: string,
    ): [number, number, number] {
      let z0 = 0;
      let z1 = 0;
      let z2 = 0;
      const idx = buffer.indices;
      const val = buffer.values;
      for (let i = 0; i < buffer.length; i++) {
        const o = idx[i]! * 3;
        const v = val[i]!;
        z0 += q[o]! * v;
        z1 += q[o + 1]! * v;
        z2 += q[o + 2]! * v;
      }
      const row = languageRows.get(lang);
      if (row !== undefined) {
        z0 += q[row]!;
        z1 += q[row + 1]!;
        z2 += q[row + 2]!;
      }
      return softmax3(z0 * s0 + bias[0], z1 * s1 + bias[1], z2 * s2 + bias[2], buffer.sarcasm);
    },
  };
}

let english: FeatureSentimentScorer | undefined;
/** The committed English model (`models/sentiment-v1.bin`) as a feature scorer, loaded on first use. */
export function earshotSentimentScorer(): FeatureSentimentScorer {
  english ??= featureScorerFromData(decodeSentimentModel(readFileSync(DEFAULT_MODEL_URL)));
  return english;
}

/** Label and score (P(positive) − P(negative), in −1…1) from three probabilities. */
export function sentimentResultOf(p: readonly [number, number, number]): SentimentResult {
  const [neg, neu, pos] = p;
  const best = neg >= neu && neg >= pos ? 0 : pos > neu ? 2 : 1;
  const score = pos - neg;
  return { sentiment: SENTIMENTS[best]!, score: Number.isFinite(score) ? Math.max(-1, Math.min(1, score)) : 0 };
}

/** Softmax over three logits; a sarcasm cue swaps positive and negative, as in the English model. */
export function softmax3(z0: number, z1: number, z2: number, sarcasm: boolean): [number, number, number] {
  const m = Math.max(z0, z1, z2);
  const e0 = Math.exp(z0 - m);
  const e1 = Math.exp(z1 - m);
  const e2 = Math.exp(z2 - m);
  const s = e0 + e1 + e2;
  const p: [number, number, number] = [e0 / s, e1 / s, e2 / s];
  return sarcasm && p[2] > p[0] ? [p[2], p[1], p[0]] : p;
}
