/**
 * Earshot's trained kind model: a 7-class logistic regression (softmax) over the same hashed
 * text features as the sentiment model (`sentiment-features.ts`, folded into a smaller table),
 * plus the verdicts of the kind rules (`kind.ts`), the multilingual intent cues
 * (`kind-cues.ts`) and the post's sentiment probabilities. Trained by `scripts/train-kind.ts` on
 * hand-labelled real support tweets and Earshot's own labelled posts; committed as
 * `models/kind-v3.bin`. It returns the kind, its probability, and a second kind when that one
 * is close ("is the vpn down?" → outage, then question), which routing uses.
 *
 * Sharing the sentiment featurisation is what keeps the analyze stage fast: a post is
 * tokenised and hashed once, then scored by both models (`scoreFeatures`).
 *
 * File format (gzip of): magic `EKM1`, u32 LE header length, UTF-8 JSON header, then int8
 * weights bucket-major (`w[bucket * 7 + class]`), each class with its own scale.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { fmix32, fnv1a } from '../domain/hash.js';
import { POST_KINDS, type PostKind } from '../domain/post.js';
import { CUE, cueSignals } from './kind-cues.js';
import { kindFromSignals, RULE, ruleSignals } from './kind.js';
import { decodeModelFile, encodeModelFile } from './model-file.js';
import { FEATURE_FORMAT, FeatureBuffer, featurize } from './sentiment-features.js';
import type { FeatureConfig, Lexicon } from './sentiment-features.js';

export const DEFAULT_KIND_MODEL_URL = new URL('../../models/kind-v3.bin', import.meta.url);

const K = POST_KINDS.length;

/** A second kind is reported when its probability is at least this (an outage runner-up from OUTAGE_SECOND_MIN). */
export const SECOND_KIND_MIN = 0.2;
/**
 * Routing treats a post as an outage report when outage is its kind, or its second kind with
 * at least this probability: the lowest whose cross-validated routing precision on the training pool
 * stays ≥ 50 % (`scripts/train-kind.ts`, recorded in the model file's meta; see docs/models.md).
 */
export const OUTAGE_SECOND_MIN = 0.225;

export interface KindModelData {
  readonly name: string;
  readonly version: string;
  /** Featurisation of the text (must match the sentiment model's for the shared fast path). */
  readonly features: FeatureConfig;
  /** log2 of the kind model's own table: text feature indices are folded into it. */
  readonly foldBits: number;
  /** Scale of the (unit-normalised) text features against the rule, cue and sentiment features. */
  readonly textWeight: number;
  /** Which text features it reads: all, or the word group and flags without character n-grams (cheaper). */
  readonly textFeatures: 'all' | 'words';
  /**
   * Kind-specific features on top of the rules, cues and sentiment: 1 (earshot-kind@1) or 2, which
   * adds the post's opening words and shape (see `shapeFeatures`).
   */
  readonly featureSet?: number;
  /** Bucket-major weights, `(1 << foldBits) * 7` long, classes in POST_KINDS order. */
  readonly weights: Float32Array;
  readonly bias: readonly number[];
  readonly meta: Readonly<Record<string, unknown>>;
}

export interface KindResult {
  readonly kind: PostKind;
  /** Probability of `kind`, 0…1. */
  readonly confidence: number;
  /** The runner-up when its probability is at least SECOND_KIND_MIN (outage: OUTAGE_SECOND_MIN), else null. */
  readonly secondKind: PostKind | null;
  readonly secondConfidence: number;
}

/** Sentiment probabilities [negative, neutral, positive], as the sentiment model gives them. */
export type SentimentProbabilities = readonly [number, number, number];

export interface KindScorer {
  readonly name: string;
  readonly version: string;
  readonly features: FeatureConfig;
  readonly meta: Readonly<Record<string, unknown>>;
  /** Featurises `text` itself (lexicon-free) and classifies it. */
  classify(text: string, sentiment: SentimentProbabilities): KindResult;
  /** Classifies from features already computed with `features` (the analyzer's fast path). */
  classifyFeatures(text: string, buffer: FeatureBuffer, sentiment: SentimentProbabilities): KindResult;
  /** Class probabilities in POST_KINDS order. */
  probabilities(text: string, buffer: FeatureBuffer, sentiment: SentimentProbabilities): Float64Array;
}

/** Kinds a post counts as for routing: its kind, plus outage when outage is a confident second. */
export function routingKinds(post: {
  readonly kind: PostKind;
  readonly secondKind?: PostKind | null;
  readonly secondKindConfidence?: number;
}): PostKind[] {
  return post.secondKind === 'outage' && post.kind !== 'outage' && (post.secondKindConfidence ?? 0) >= OUTAGE_SECOND_MIN
    ? [post.kind, 'outage']
    : [post.kind];
}

/**
 * The kind model's sparse input for one text: the folded text features in `buffer` plus the
 * rule, cue and sentiment features. Written into `out` (cleared first); returns its length.
 * The trainer and inference both call this, so they cannot drift apart.
 */
export function kindFeatures(
  text: string,
  buffer: FeatureBuffer,
  model: Pick<KindModelData, 'foldBits' | 'textWeight' | 'textFeatures' | 'featureSet'>,
  sentiment: SentimentProbabilities,
  out: FeatureBuffer,
): number {
  out.length = 0;
  const mask = (1 << model.foldBits) - 1;
  for (let i = 0; i < buffer.length; i++) {
    if (model.textFeatures === 'words' && i === buffer.wordEnd) i = buffer.charEnd;
    if (i >= buffer.length) break;
    out.push(buffer.indices[i]! & mask, model.textWeight * buffer.values[i]!);
  }
  return kindExtras(text, mask, sentiment, out, model.featureSet ?? 1);
}

/** The rule, cue and sentiment features of `kindFeatures`, appended to `out`; returns its length. */
export function kindExtras(
  text: string,
  mask: number,
  sentiment: SentimentProbabilities,
  out: FeatureBuffer,
  featureSet = 1,
): number {
  const rules = ruleSignals(text);
  const cues = cueSignals(text);
  for (let b = 0; b < RULE_NAMES.length; b++) if (rules & (1 << b)) out.push(extraIndex(RULE_KEYS[b]!, mask), 1);
  for (let b = 0; b < CUE_NAMES.length; b++) if (cues & (1 << b)) out.push(extraIndex(CUE_KEYS[b]!, mask), 1);
  // The same intent from either source is one feature, so English-trained weights reach the other languages.
  if (rules & RULE.outage || cues & CUE.outage) out.push(extraIndex('any:outage', mask), 1);
  if (rules & RULE.request || cues & CUE.request) out.push(extraIndex('any:request', mask), 1);
  if (rules & RULE.question || cues & CUE.question) out.push(extraIndex('any:question', mask), 1);
  if (rules & (RULE.complaint | RULE.sarcasm) || cues & CUE.complaint) out.push(extraIndex('any:complaint', mask), 1);
  if (rules & RULE.praise || cues & CUE.praise) out.push(extraIndex('any:praise', mask), 1);
  const [neg, neu, pos] = sentiment;
  const label = neg >= neu && neg >= pos ? 'negative' : pos > neu ? 'positive' : 'neutral';
  out.push(extraIndex(DECISION_KEYS[kindFromSignals(rules, label)], mask), 1);
  out.push(extraIndex('s:neg', mask), neg);
  out.push(extraIndex('s:neu', mask), neu);
  out.push(extraIndex('s:pos', mask), pos);
  if (text.includes('?')) out.push(extraIndex('mark:?', mask), 1);
  if (text.includes('!')) out.push(extraIndex('mark:!', mask), 1);
  if (featureSet >= 2) shapeFeatures(text, mask, out);
  if (featureSet >= 3) conjunctionFeatures(text, rules, cues, label === 'negative', mask, out);
  return out.length;
}

/**
 * What a service failure looks like, in the six languages: the thing that fails (a site, an app,
 * the wifi, an account, the power) and when (now, again, since this morning). Outage and
 * complaint share their words ("can't", "why", "terrible"); what tells them apart is *what*
 * cannot be done. A linear model cannot see "a service noun and a trouble word together" from
 * the two words apart, so the pairs are features of their own (featureSet 3).
 */
const SERVICE_WORDS =
  /(?<![\p{L}\p{N}_])(?:apps?|website|site|web ?page|page|portal|online|wifi|wi-fi|internet|broadband|fibre|fiber|signal|network|server|servers|log ?in|login|sign ?in|account|connection|service|power|electricity|outage|update|e-?mail|checkout|stream(?:ing)?|router|modem|hub|box|tv|channel|phone line|landline|data|4g|lte|aplicaci[oó]n|p[aá]gina|red|cuenta|se[nñ]al|conexi[oó]n|luz|seite|konto|netz|verbindung|strom|r[ée]seau|compte|connexion|conta|rede|conex[aã]o|sito|rete|connessione|linea)(?![\p{L}\p{N}_])/iu;
const NOW_WORDS =
  /(?<![\p{L}\p{N}_])(?:again|today|tonight|this (?:morning|evening|afternoon)|right now|since|all day|for (?:hours|days|\d+ (?:hours|hrs|days|mins|minutes))|currently|still|anyone else|is it just me|otra vez|desde|hoy|schon wieder|seit|heute|encore|depuis|aujourd'hui|de novo|desde|hoje|ancora|da stamattina|oggi)(?![\p{L}\p{N}_])/iu;

function conjunctionFeatures(
  text: string,
  rules: number,
  cues: number,
  negative: boolean,
  mask: number,
  out: FeatureBuffer,
): void {
  const service = SERVICE_WORDS.test(text);
  const now = NOW_WORDS.test(text);
  const trouble = (cues & CUE.trouble) !== 0;
  const outage = (rules & RULE.outage) !== 0 || (cues & CUE.outage) !== 0;
  const asked = text.includes('?');
  if (service) out.push(extraIndex('x:service', mask), 1);
  if (now) out.push(extraIndex('x:now', mask), 1);
  if (service && trouble) out.push(extraIndex('x:service&trouble', mask), 1);
  if (service && outage) out.push(extraIndex('x:service&outage', mask), 1);
  if (service && asked) out.push(extraIndex('x:service&?', mask), 1);
  if (trouble && now) out.push(extraIndex('x:trouble&now', mask), 1);
  if (outage && asked) out.push(extraIndex('x:outage&?', mask), 1);
  if (trouble && asked) out.push(extraIndex('x:trouble&?', mask), 1);
  if (negative && asked) out.push(extraIndex('x:negative&?', mask), 1);
  if (negative && service) out.push(extraIndex('x:negative&service', mask), 1);
}

/** Word tokens for the opening-words features: letters, digits and apostrophes. */
const OPENING_WORD = /[\p{L}\p{N}']+/gu;
const LEADING_NOISE = /^(?:\s*(?:[@#][\p{L}\p{N}_]+(?:@[\w.-]+)?|https?:\/\/\S+|[^\p{L}\p{N}@#\s]+))*\s*/u;

/**
 * How a post opens and its shape. The first words after the @mentions carry most of the intent
 * in short posts ("is the…", "can you…", "why is…", "thanks for…", "hi, my…"), in any language,
 * and bag-of-words features lose their position. Shape: ends with `?`, more than one `?`, a
 * link, digits (order and flight numbers), and length bands (one-line follow-ups are `other`).
 */
function shapeFeatures(text: string, mask: number, out: FeatureBuffer): void {
  const lead = LEADING_NOISE.exec(text);
  const rest = lead === null ? text : text.slice(lead[0].length, lead[0].length + 80);
  OPENING_WORD.lastIndex = 0;
  const first = OPENING_WORD.exec(rest)?.[0]?.toLowerCase();
  const second = first === undefined ? undefined : OPENING_WORD.exec(rest)?.[0]?.toLowerCase();
  if (first !== undefined) {
    // Hashed directly, not through the name cache: opening words are open-ended.
    out.push(fmix32(fnv1a(`o1:${first}`, EXTRA_SEED)) & mask, 1);
    if (second !== undefined) out.push(fmix32(fnv1a(`o2:${first} ${second}`, EXTRA_SEED)) & mask, 1);
  }
  let end = text.length - 1;
  while (end >= 0 && text.charCodeAt(end) <= 0x20) end--;
  if (end >= 0 && text.charCodeAt(end) === 0x3f) out.push(extraIndex('shape:ends?', mask), 1);
  if (text.indexOf('?') !== text.lastIndexOf('?')) out.push(extraIndex('shape:??', mask), 1);
  if (text.includes('http')) out.push(extraIndex('shape:url', mask), 1);
  // One pass for the digit run and the word count (the opening, at most 80 characters, bounds it).
  let run = 0;
  let digits = false;
  for (let i = 0; i < text.length && !digits; i++) {
    const c = text.charCodeAt(i);
    run = c >= 0x30 && c <= 0x39 ? run + 1 : 0;
    if (run >= 3) digits = true;
  }
  if (digits) out.push(extraIndex('shape:digits', mask), 1);
  let words = 0;
  let inWord = false;
  for (let i = 0; i < rest.length; i++) {
    const space = rest.charCodeAt(i) <= 0x20;
    if (!space && !inWord) words++;
    inWord = !space;
  }
  out.push(extraIndex(words <= 4 ? 'len:≤4' : words <= 10 ? 'len:≤10' : words <= 20 ? 'len:≤20' : 'len:>20', mask), 1);
}

/** Loads a kind model file synchronously; the default is the committed `models/kind-v3.bin`. */
export function loadKindModel(path?: string | URL): KindScorer {
  return kindScorerFromData(decodeKindModel(readFileSync(path ?? DEFAULT_KIND_MODEL_URL)));
}

let cached: KindScorer | undefined;
/** The committed model, loaded on first use. */
export function defaultKindModel(): KindScorer {
  cached ??= loadKindModel();
  return cached;
}

export function kindScorerFromData(data: KindModelData, lexicon: Lexicon | null = null): KindScorer {
  const { bias, foldBits, features, textWeight } = data;
  const wordsOnly = data.textFeatures === 'words';
  const featureSet = data.featureSet ?? 1;
  // int8 weights with a scale per class: a quarter of the memory of floats, so the table stays
  // in cache and the sparse dot product is several times faster.
  const { q, scales } = quantise(data.weights);
  const mask = (1 << foldBits) - 1;
  const own = new FeatureBuffer();
  const extras = new FeatureBuffer(64);
  const z = new Float64Array(K);

  function probabilities(text: string, buffer: FeatureBuffer, sentiment: SentimentProbabilities): Float64Array {
    let z0 = 0;
    let z1 = 0;
    let z2 = 0;
    let z3 = 0;
    let z4 = 0;
    let z5 = 0;
    let z6 = 0;
    const add = (idx: Int32Array, val: Float32Array, from: number, to: number, scale: number) => {
      for (let i = from; i < to; i++) {
        const o = (idx[i]! & mask) * 7;
        const v = val[i]! * scale;
        z0 += q[o]! * v;
        z1 += q[o + 1]! * v;
        z2 += q[o + 2]! * v;
        z3 += q[o + 3]! * v;
        z4 += q[o + 4]! * v;
        z5 += q[o + 5]! * v;
        z6 += q[o + 6]! * v;
      }
    };
    if (wordsOnly) {
      add(buffer.indices, buffer.values, 0, buffer.wordEnd, textWeight);
      add(buffer.indices, buffer.values, buffer.charEnd, buffer.length, textWeight);
    } else add(buffer.indices, buffer.values, 0, buffer.length, textWeight);
    extras.length = 0;
    add(extras.indices, extras.values, 0, kindExtras(text, mask, sentiment, extras, featureSet), 1);
    z[0] = z0 * scales[0]! + bias[0]!;
    z[1] = z1 * scales[1]! + bias[1]!;
    z[2] = z2 * scales[2]! + bias[2]!;
    z[3] = z3 * scales[3]! + bias[3]!;
    z[4] = z4 * scales[4]! + bias[4]!;
    z[5] = z5 * scales[5]! + bias[5]!;
    z[6] = z6 * scales[6]! + bias[6]!;
    let m = -Infinity;
    for (let c = 0; c < K; c++) m = Math.max(m, z[c]!);
    let s = 0;
    const p = new Float64Array(K);
    for (let c = 0; c < K; c++) {
      p[c] = Math.exp(z[c]! - m);
      s += p[c]!;
    }
    for (let c = 0; c < K; c++) p[c]! /= s;
    return p;
  }

  function classifyFeatures(text: string, buffer: FeatureBuffer, sentiment: SentimentProbabilities): KindResult {
    const t = typeof text === 'string' ? text : String(text ?? '');
    if (t.trim() === '') return { kind: 'other', confidence: 1, secondKind: null, secondConfidence: 0 };
    return resultOf(probabilities(t, buffer, sentiment));
  }

  return {
    name: data.name,
    version: data.version,
    features,
    meta: data.meta,
    probabilities,
    classifyFeatures,
    classify: function classify(text: string, sentiment: SentimentProbabilities): KindResult {
      const t = typeof text === 'string' ? text : String(text ?? '');
      featurize(t, features, lexicon, own);
      return classifyFeatures(t, own, sentiment);
    },
  };
}

/** The kind, its probability and the runner-up from class probabilities in POST_KINDS order. */
export function resultOf(p: ArrayLike<number>): KindResult {
  let first = 0;
  for (let c = 1; c < K; c++) if (p[c]! > p[first]!) first = c;
  let second = first === 0 ? 1 : 0;
  for (let c = 0; c < K; c++) if (c !== first && p[c]! > p[second]!) second = c;
  const secondConfidence = p[second]!;
  // An outage runner-up is reported from the (lower) routing threshold, so routing can see it.
  const min = second === OUTAGE ? Math.min(SECOND_KIND_MIN, OUTAGE_SECOND_MIN) : SECOND_KIND_MIN;
  return {
    kind: POST_KINDS[first]!,
    confidence: round3(p[first]!),
    secondKind: secondConfidence >= min ? POST_KINDS[second]! : null,
    secondConfidence: round3(secondConfidence),
  };
}

/** Quantises weights to int8 (per-class scale) and gzips, deterministically. */
export function encodeKindModel(data: KindModelData): Buffer {
  const { q, scales } = quantise(data.weights);
  const header = {
    format: FEATURE_FORMAT,
    name: data.name,
    version: data.version,
    classes: POST_KINDS,
    features: data.features,
    foldBits: data.foldBits,
    textWeight: data.textWeight,
    textFeatures: data.textFeatures,
    featureSet: data.featureSet ?? 1,
    scales,
    bias: data.bias,
    meta: data.meta,
  };
  return encodeModelFile(MAGIC, header, q);
}

export function decodeKindModel(file: Uint8Array): KindModelData {
  const { header, weights: stored } = decodeModelFile<KindHeader>(file, MAGIC, 'kind model');
  if (header.format !== FEATURE_FORMAT)
    throw new Error(`kind model format ${header.format}, this code reads ${FEATURE_FORMAT}`);
  if (header.classes.join() !== POST_KINDS.join())
    throw new Error(`kind model classes ${header.classes.join()} differ from POST_KINDS`);
  const size = (1 << header.foldBits) * K;
  const q = stored(size);
  const weights = new Float32Array(size);
  for (let i = 0; i < size; i++) weights[i] = q[i]! * header.scales[i % K]!;
  return {
    name: header.name,
    version: header.version,
    features: header.features,
    foldBits: header.foldBits,
    textWeight: header.textWeight,
    textFeatures: header.textFeatures ?? 'all',
    featureSet: header.featureSet ?? 1,
    weights,
    bias: header.bias,
    meta: header.meta,
  };
}

const MAGIC = 'EKM1';
const OUTAGE = POST_KINDS.indexOf('outage');
const RULE_NAMES = Object.keys(RULE);
const CUE_NAMES = Object.keys(CUE);
const RULE_KEYS = RULE_NAMES.map((n) => `r:${n}`);
const CUE_KEYS = CUE_NAMES.map((n) => `c:${n}`);
const DECISION_KEYS = Object.fromEntries(POST_KINDS.map((k) => [k, `rules:${k}`])) as Record<PostKind, string>;

/** Per-class int8 quantisation (as in the file): weights ≈ q[i] * scales[i % 7]. */
function quantise(weights: Float32Array): { q: Int8Array; scales: number[] } {
  const scales = POST_KINDS.map((_, c) => {
    let max = 0;
    for (let i = c; i < weights.length; i += K) max = Math.max(max, Math.abs(weights[i]!));
    return max > 0 ? max / 127 : 1;
  });
  const q = new Int8Array(weights.length);
  for (let i = 0; i < weights.length; i++) q[i] = Math.round(weights[i]! / scales[i % K]!);
  return { q, scales };
}

interface KindHeader {
  readonly format: number;
  readonly name: string;
  readonly version: string;
  readonly classes: string[];
  readonly features: FeatureConfig;
  readonly foldBits: number;
  readonly textWeight: number;
  readonly textFeatures?: 'all' | 'words';
  readonly featureSet?: number;
  readonly scales: number[];
  readonly bias: number[];
  readonly meta: Record<string, unknown>;
}

const EXTRA_SEED = 0x4b1d_0001;
/** Cached hashes of the fixed feature names (rules, cues, shape): a closed set. */
const extraCache = new Map<string, number>();
function extraIndex(name: string, mask: number): number {
  let h = extraCache.get(name);
  if (h === undefined) {
    h = fmix32(fnv1a(name, EXTRA_SEED));
    extraCache.set(name, h);
  }
  return h & mask;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
