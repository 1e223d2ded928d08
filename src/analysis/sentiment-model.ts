/**
 * Earshot's own sentiment model: a multinomial logistic regression over hashed features
 * (`sentiment-features.ts`), trained by `scripts/train-sentiment.ts` on TweetEval and committed
 * as `models/sentiment-v1.bin`. Inference is plain TypeScript, one sparse dot product per class.
 *
 * File format (gzip of): magic `ESM1`, u32 LE header length, UTF-8 JSON header, then int8
 * weights laid out bucket-major (`w[bucket * 3 + class]`), each class with its own scale.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { SENTIMENTS } from '../domain/post.js';
import { decodeModelFile, encodeModelFile } from './model-file.js';
import { FEATURE_FORMAT, FeatureBuffer, featurize } from './sentiment-features.js';
import type { FeatureConfig, Lexicon } from './sentiment-features.js';
import type { SentimentModel, SentimentResult } from './sentiment.js';

export const DEFAULT_MODEL_URL = new URL('../../models/sentiment-v1.bin', import.meta.url);

/** What a model file holds, before quantisation. */
export interface SentimentModelData {
  readonly name: string;
  readonly version: string;
  readonly features: FeatureConfig;
  /** Bucket-major weights, `buckets * 3` long. */
  readonly weights: Float32Array;
  readonly bias: readonly [number, number, number];
  /** Word → valence, embedded so inference needs no other file. */
  readonly lexicon: ReadonlyArray<readonly [string, number]>;
  /** Free-form training record (seed, hyperparameters, validation numbers). */
  readonly meta: Readonly<Record<string, unknown>>;
}

/** The model's class probabilities, for callers that want more than the label. */
export interface SentimentScorer extends SentimentModel {
  /** [P(negative), P(neutral), P(positive)]. */
  probabilities(text: string): [number, number, number];
  readonly meta: Readonly<Record<string, unknown>>;
}

/** Loads a model file synchronously; the default is the committed `models/sentiment-v1.bin`. */
export function loadSentimentModel(path?: string | URL): SentimentScorer {
  return fromData(decodeSentimentModel(readFileSync(path ?? DEFAULT_MODEL_URL)));
}

/** The committed model, loaded on first use. */
export const earshotSentiment: SentimentModel = {
  name: 'earshot-sentiment',
  get version(): string {
    return defaultModel().version;
  },
  score: function earshotSentimentScore(text: string): SentimentResult {
    return defaultModel().score(text);
  },
};

/** Builds a scorer from in-memory model data (the trainer uses it to evaluate before writing). */
export function fromData(data: SentimentModelData): SentimentScorer {
  const { weights, bias, features } = data;
  const lexicon: Lexicon = new Map(data.lexicon);
  const buffer = new FeatureBuffer();
  const p: [number, number, number] = [0, 0, 0];

  function probabilities(text: string): [number, number, number] {
    const n = featurize(typeof text === 'string' ? text : String(text ?? ''), features, lexicon, buffer);
    let z0 = bias[0];
    let z1 = bias[1];
    let z2 = bias[2];
    const idx = buffer.indices;
    const val = buffer.values;
    for (let i = 0; i < n; i++) {
      const o = idx[i]! * 3;
      const v = val[i]!;
      z0 += weights[o]! * v;
      z1 += weights[o + 1]! * v;
      z2 += weights[o + 2]! * v;
    }
    const m = Math.max(z0, z1, z2);
    const e0 = Math.exp(z0 - m);
    const e1 = Math.exp(z1 - m);
    const e2 = Math.exp(z2 - m);
    const s = e0 + e1 + e2;
    p[0] = e0 / s;
    p[1] = e1 / s;
    p[2] = e2 / s;
    // A sarcasm cue (🙄, "/s", #sarcasm, "yeah right") turns surface praise into complaint:
    // the training data has almost none of these, so this is a rule, not a learned weight.
    if (buffer.sarcasm && p[2] > p[0]) {
      const t = p[0];
      p[0] = p[2];
      p[2] = t;
    }
    return [p[0], p[1], p[2]];
  }

  return {
    name: data.name,
    version: data.version,
    meta: data.meta,
    probabilities,
    score: function score(text: string): SentimentResult {
      const [neg, neu, pos] = probabilities(text);
      const best = neg >= neu && neg >= pos ? 0 : pos > neu ? 2 : 1;
      return { sentiment: SENTIMENTS[best]!, score: clamp(pos - neg) };
    },
  };
}

/** Quantises weights to int8 (per-class scale) and gzips, deterministically. */
export function encodeSentimentModel(data: SentimentModelData): Buffer {
  const { weights } = data;
  const scales = [0, 1, 2].map((c) => {
    let max = 0;
    for (let i = c; i < weights.length; i += 3) max = Math.max(max, Math.abs(weights[i]!));
    return max > 0 ? max / 127 : 1;
  });
  const q = new Int8Array(weights.length);
  for (let i = 0; i < weights.length; i++) q[i] = Math.round(weights[i]! / scales[i % 3]!);
  const header = {
    format: FEATURE_FORMAT,
    name: data.name,
    version: data.version,
    classes: SENTIMENTS,
    features: data.features,
    scales,
    bias: data.bias,
    meta: data.meta,
    lexicon: data.lexicon,
  };
  return encodeModelFile(MAGIC, header, q);
}

export function decodeSentimentModel(file: Uint8Array): SentimentModelData {
  const { header, weights: stored } = decodeModelFile<ModelHeader>(file, MAGIC, 'sentiment model');
  if (header.format !== FEATURE_FORMAT) {
    throw new Error(`sentiment model format ${header.format}, this code reads ${FEATURE_FORMAT}`);
  }
  const buckets = 1 << header.features.bits;
  const q = stored(buckets * 3);
  const weights = new Float32Array(buckets * 3);
  const [s0, s1, s2] = header.scales;
  for (let i = 0; i < weights.length; i += 3) {
    weights[i] = q[i]! * s0;
    weights[i + 1] = q[i + 1]! * s1;
    weights[i + 2] = q[i + 2]! * s2;
  }
  return {
    name: header.name,
    version: header.version,
    features: header.features,
    weights,
    bias: header.bias,
    lexicon: header.lexicon,
    meta: header.meta,
  };
}

const MAGIC = 'ESM1';

interface ModelHeader {
  readonly format: number;
  readonly name: string;
  readonly version: string;
  readonly features: FeatureConfig;
  readonly scales: [number, number, number];
  readonly bias: [number, number, number];
  readonly meta: Record<string, unknown>;
  readonly lexicon: Array<[string, number]>;
}

let cached: SentimentScorer | undefined;
function defaultModel(): SentimentScorer {
  cached ??= loadSentimentModel();
  return cached;
}

function clamp(x: number): number {
  return Number.isFinite(x) ? Math.max(-1, Math.min(1, x)) : 0;
}
