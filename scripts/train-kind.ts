/**
 * Trains Earshot's kind model (`npx tsx scripts/train-kind.ts`, see docs/models.md) and writes
 * `models/kind-v1.bin`. Deterministic for a given `--seed`.
 *
 * Data: the train split of the hand-labelled support tweets (`test/data/support-kinds.tsv`
 * joined with ../shared) plus the dev portion of `test/data/kinds.jsonl`. A fifth of that pool
 * (by hash) is the validation portion that chooses the configuration and epoch count; the
 * final model is then refitted on the whole pool for that many epochs. The test splits (support
 * tweets by id hash, kinds.jsonl by text hash) are scored once at the end and never chosen on.
 *
 *   npx tsx scripts/train-kind.ts [--shared-dir DIR] [--seed N] [--out FILE] [--search]
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmix32, fnv1a } from '../src/domain/hash.js';
import { POST_KINDS, type PostKind } from '../src/domain/post.js';
import { encodeKindModel, kindFeatures, resultOf, type KindModelData } from '../src/analysis/kind-model.js';
import { DEFAULT_MODEL_URL, decodeSentimentModel, fromData } from '../src/analysis/sentiment-model.js';
import { FeatureBuffer, featurize } from '../src/analysis/sentiment-features.js';
import { loadKindSet } from '../bench/kind.js';
import { hasSupportTweets, loadSupportTweets } from '../bench/support-kinds.js';
import { sharedDir } from '../bench/tweeteval.js';
import { scoreKindPredictions, type KindMetrics } from '../bench/kind-metrics.js';
import { mulberry32, shuffle } from './seeded-random.js';

export interface KindTrainConfig {
  readonly foldBits: number;
  readonly textWeight: number;
  readonly textFeatures: 'all' | 'words';
  readonly learningRate: number;
  readonly l2: number;
  readonly maxEpochs: number;
  /** Class weights: none, 1/sqrt(frequency) or 1/frequency (normalised to mean 1). */
  readonly balance: 'none' | 'sqrt' | 'full';
}

export const CHOSEN: KindTrainConfig = {
  foldBits: 18,
  textWeight: 2,
  textFeatures: 'words',
  learningRate: 0.1,
  l2: 1e-4,
  maxEpochs: 30,
  balance: 'sqrt',
};
export const SEARCH: readonly KindTrainConfig[] = [
  CHOSEN,
  { ...CHOSEN, balance: 'none' },
  { ...CHOSEN, balance: 'full' },
  { ...CHOSEN, foldBits: 16 },
  { ...CHOSEN, learningRate: 0.2 },
  { ...CHOSEN, l2: 1e-3 },
  { ...CHOSEN, l2: 1e-5 },
  { ...CHOSEN, textWeight: 1 },
  { ...CHOSEN, textWeight: 3 },
  { ...CHOSEN, textFeatures: 'all', textWeight: 1 },
  { ...CHOSEN, textFeatures: 'all' },
];

export interface Example {
  readonly key: string;
  readonly text: string;
  readonly kind: PostKind;
  readonly source: 'support' | 'kinds';
}

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The validation portion of the training pool: a fifth, by a hash independent of the test split. */
export function isValidation(key: string): boolean {
  return fmix32(fnv1a(`val:${key}`)) % 5 === 0;
}

async function main(argv: readonly string[]): Promise<void> {
  const seed = Number(flag(argv, '--seed') ?? 1);
  const out = resolve(flag(argv, '--out') ?? resolve(REPO_ROOT, 'models/kind-v1.bin'));
  const shared = sharedDir(argv);
  if (!hasSupportTweets(shared))
    throw new Error(`no complaints data in ${shared} (set EARSHOT_SHARED_DIR or --shared-dir)`);
  const pool: Example[] = [
    ...loadSupportTweets('train', shared).map((t) => ({
      key: t.id,
      text: t.text,
      kind: t.kind,
      source: 'support' as const,
    })),
    ...loadKindSet('dev').map((p) => ({ key: p.text, text: p.text, kind: p.kind, source: 'kinds' as const })),
  ];
  const train = pool.filter((e) => !isValidation(e.key));
  const val = pool.filter((e) => isValidation(e.key));
  const sentimentData = decodeSentimentModel(readFileSync(DEFAULT_MODEL_URL));
  const sentiment = fromData(sentimentData);
  const lexicon = new Map(sentimentData.lexicon);
  const prepare = makePreparer(sentimentData.features, lexicon, sentiment.probabilities);
  log(
    `pool ${pool.length} (support ${pool.filter((e) => e.source === 'support').length}, kinds.jsonl dev ${pool.filter((e) => e.source === 'kinds').length}): train ${train.length}, validation ${val.length}, seed ${seed}`,
  );

  const configs = argv.includes('--search') ? SEARCH : [CHOSEN];
  let best: { config: KindTrainConfig; epochs: number; score: number; metrics: KindMetrics } | undefined;
  for (const config of configs) {
    const X = prepare(train, config);
    const V = prepare(val, config);
    const result = trainKind(
      config,
      X,
      train.map((e) => e.kind),
      seed,
      (w, b) => {
        const metrics = scoreKindPredictions(
          val.map((e) => e.kind),
          predict(V, w, b).map((p) => resultOf(p).kind),
        );
        return { score: (metrics.accuracy + metrics.macroF1) / 2, metrics };
      },
    );
    log(
      `${describe(config)} → epoch ${result.epoch}: val accuracy ${pct(result.metrics!.accuracy)}, macro-F1 ${pct(result.metrics!.macroF1)}, outage recall ${pct(result.metrics!.recall.outage)}`,
    );
    if (best === undefined || result.score > best.score)
      best = { config, epochs: result.epoch, score: result.score, metrics: result.metrics! };
  }
  if (best === undefined) return;

  // Refit on the whole pool for the chosen number of epochs.
  const refit = process.env.KIND_NO_REFIT ? train : pool;
  const all = prepare(refit, best.config);
  const final = trainKind(
    { ...best.config, maxEpochs: best.epochs },
    all,
    refit.map((e) => e.kind),
    seed,
    null,
  );
  const data: KindModelData = {
    name: 'earshot-kind',
    version: '1',
    features: sentimentData.features,
    foldBits: best.config.foldBits,
    textWeight: best.config.textWeight,
    textFeatures: best.config.textFeatures,
    weights: final.weights,
    bias: final.bias,
    meta: {
      trainedOn: `support-kinds.tsv train split (${pool.filter((e) => e.source === 'support').length} real support tweets) + kinds.jsonl dev (${pool.filter((e) => e.source === 'kinds').length})`,
      selectedOn: `validation fifth of that pool (${val.length}): (accuracy + macro-F1) / 2`,
      seed,
      learningRate: best.config.learningRate,
      l2: best.config.l2,
      balance: best.config.balance,
      epochs: best.epochs,
      valAccuracy: round4(best.metrics.accuracy),
      valMacroF1: round4(best.metrics.macroF1),
    },
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, encodeKindModel(data));
  log(
    `chose ${describe(best.config)}, ${best.epochs} epochs; wrote ${out} (${(statSync(out).size / 1024).toFixed(0)} KiB)`,
  );

  // The held-out test splits are scored by `npx tsx bench/kind.ts`, never here.
}

// ---------------------------------------------------------------------------------------

export interface Csr {
  readonly offsets: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

/** Featurises examples once per fold size (the sentiment probabilities are a feature too). */
export function makePreparer(
  features: KindModelData['features'],
  lexicon: ReadonlyMap<string, number>,
  sentimentProbabilities: (text: string) => [number, number, number],
): (
  rows: readonly { text: string }[],
  config: Pick<KindTrainConfig, 'foldBits' | 'textWeight' | 'textFeatures'>,
) => Csr {
  const buffer = new FeatureBuffer();
  const out = new FeatureBuffer();
  return function prepare(rows, config) {
    const offsets = new Int32Array(rows.length + 1);
    const indices: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < rows.length; i++) {
      const text = rows[i]!.text;
      featurize(text, features, lexicon, buffer);
      const n = kindFeatures(text, buffer, config, sentimentProbabilities(text), out);
      for (let j = 0; j < n; j++) {
        indices.push(out.indices[j]!);
        values.push(out.values[j]!);
      }
      offsets[i + 1] = indices.length;
    }
    return { offsets, indices: Int32Array.from(indices), values: Float32Array.from(values) };
  };
}

const K = POST_KINDS.length;

export interface TrainedKind {
  readonly weights: Float32Array;
  readonly bias: number[];
  readonly epoch: number;
  readonly score: number;
  readonly metrics?: KindMetrics;
}

/** Multinomial logistic regression, AdaGrad, L2, averaged weights; early stop on `evaluate`. */
export function trainKind(
  config: KindTrainConfig,
  X: Csr,
  labels: readonly PostKind[],
  seed: number,
  evaluate: ((w: Float32Array, b: number[], epoch: number) => { score: number; metrics: KindMetrics }) | null,
): TrainedKind {
  const buckets = 1 << config.foldBits;
  const w = new Float32Array(buckets * K);
  const g2 = new Float32Array(buckets * K);
  const u = new Float32Array(buckets * K);
  const b = new Array<number>(K).fill(0);
  const bg2 = new Array<number>(K).fill(0);
  const ub = new Array<number>(K).fill(0);
  const y = labels.map((k) => POST_KINDS.indexOf(k));
  const counts = new Array<number>(K).fill(0);
  for (const c of y) counts[c]!++;
  const raw = counts.map((c) =>
    c === 0 ? 0 : config.balance === 'none' ? 1 : config.balance === 'sqrt' ? 1 / Math.sqrt(c) : 1 / c,
  );
  const mean = y.reduce((s, c) => s + raw[c]!, 0) / y.length;
  const classWeight = raw.map((r) => r / mean);
  const rng = mulberry32(seed);
  const order = Int32Array.from({ length: y.length }, (_, i) => i);
  const z = new Float64Array(K);
  const g = new Float64Array(K);
  const lr = config.learningRate;
  let t = 0;
  let best: TrainedKind | undefined;
  let sinceBest = 0;
  for (let epoch = 1; epoch <= config.maxEpochs; epoch++) {
    shuffle(order, rng);
    for (let k = 0; k < order.length; k++) {
      const i = order[k]!;
      const start = X.offsets[i]!;
      const end = X.offsets[i + 1]!;
      for (let c = 0; c < K; c++) z[c] = b[c]!;
      for (let j = start; j < end; j++) {
        const o = X.indices[j]! * K;
        const v = X.values[j]!;
        for (let c = 0; c < K; c++) z[c]! += w[o + c]! * v;
      }
      let m = -Infinity;
      for (let c = 0; c < K; c++) m = Math.max(m, z[c]!);
      let s = 0;
      for (let c = 0; c < K; c++) {
        z[c] = Math.exp(z[c]! - m);
        s += z[c]!;
      }
      const cw = classWeight[y[i]!]!;
      t++;
      for (let c = 0; c < K; c++) {
        g[c] = cw * (z[c]! / s - (c === y[i] ? 1 : 0));
        bg2[c]! += g[c]! * g[c]!;
        const db = (lr * g[c]!) / Math.sqrt(bg2[c]! + 1e-8);
        b[c]! -= db;
        ub[c]! -= t * db;
      }
      for (let j = start; j < end; j++) {
        const o = X.indices[j]! * K;
        const v = X.values[j]!;
        for (let c = 0; c < K; c++) {
          const wi = o + c;
          const grad = g[c]! * v + config.l2 * w[wi]!;
          g2[wi]! += grad * grad;
          const dw = (lr * grad) / Math.sqrt(g2[wi]! + 1e-8);
          w[wi]! -= dw;
          u[wi]! -= t * dw;
        }
      }
    }
    // Averaged weights (avg = w - u / t), as in the sentiment trainer.
    const avg = new Float32Array(w.length);
    for (let i = 0; i < w.length; i++) avg[i] = w[i]! - u[i]! / t;
    const bias = b.map((v, c) => v - ub[c]! / t);
    if (evaluate === null) {
      best = { weights: avg, bias, score: 0, epoch };
      continue;
    }
    const result = evaluate(avg, bias, epoch);
    if (best === undefined || result.score > best.score) {
      best = { ...result, epoch, weights: avg, bias };
      sinceBest = 0;
    } else if (++sinceBest >= 5) break;
  }
  return best!;
}

export function predict(X: Csr, w: Float32Array, b: readonly number[]): Float64Array[] {
  const out: Float64Array[] = [];
  for (let i = 0; i + 1 < X.offsets.length; i++) {
    const z = Float64Array.from(b);
    for (let j = X.offsets[i]!; j < X.offsets[i + 1]!; j++) {
      const o = X.indices[j]! * K;
      for (let c = 0; c < K; c++) z[c]! += w[o + c]! * X.values[j]!;
    }
    const m = Math.max(...z);
    let s = 0;
    for (let c = 0; c < K; c++) {
      z[c] = Math.exp(z[c]! - m);
      s += z[c]!;
    }
    for (let c = 0; c < K; c++) z[c]! /= s;
    out.push(z);
  }
  return out;
}

function describe(c: KindTrainConfig): string {
  return `fold=${c.foldBits} text=${c.textFeatures}x${c.textWeight} lr=${c.learningRate} l2=${c.l2} balance=${c.balance}`;
}

function flag(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

const pct = (x: number) => (100 * x).toFixed(1);
const round4 = (x: number) => Math.round(x * 10000) / 10000;
function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`train-kind: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  });
}
