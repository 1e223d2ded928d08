/**
 * Trains Earshot's kind model (`npx tsx scripts/train-kind.ts`, see docs/models.md) and writes
 * `models/kind-v3.bin`. Deterministic for a given `--seed`.
 *
 * Data: the train split of the hand-labelled support tweets (`test/data/support-kinds.tsv`
 * joined with ../shared) plus the dev portion of `test/data/kinds.jsonl`. Five-fold
 * cross-validation on that pool (`kind-cv.ts`), scored on its support tweets, chooses the
 * configuration, the epoch count and the outage routing threshold; the final model is then refitted
 * on the whole pool for that many epochs. The test splits (support tweets by id hash, kinds.jsonl by
 * text hash, kinds-multilingual.jsonl whole) are scored by `bench/kind-model.ts` and never chosen on.
 *
 *   npx tsx scripts/train-kind.ts [--shared-dir DIR] [--seed N] [--out FILE] [--search]
 *     [--fraction F]   train each fold on that share of its support tweets (learning curve)
 *     [--errors FILE]  write the out-of-fold mistakes on the pool's support tweets
 *     [--config N]     cross-validate only SEARCH[N]
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
import { complaintsCsv, hasSupportTweets, loadSupportTweets, parseCsv } from '../bench/support-kinds.js';
import { sharedDir } from '../bench/tweeteval.js';
import { scoreKindPredictions, type KindMetrics } from '../bench/kind-metrics.js';
import { mulberry32, shuffle } from './seeded-random.js';
import { FOLDS, foldOf, outageRouting, subset } from './kind-cv.js';

export interface KindTrainConfig {
  readonly foldBits: number;
  readonly textWeight: number;
  readonly textFeatures: 'all' | 'words';
  readonly learningRate: number;
  readonly l2: number;
  readonly maxEpochs: number;
  /** Class weights: none, 1/sqrt(frequency) or 1/frequency (normalised to mean 1). */
  readonly balance: 'none' | 'sqrt' | 'full';
  /** Kind-specific features (`KindModelData.featureSet`). */
  readonly featureSet: number;
  /**
   * Also train on the data set's random tweets (not written to support accounts), as `other`
   * when its annotators said "not a complaint" and `complaint` when they said complaint.
   */
  readonly randomTweets: boolean;
  /** Extra weight on outage examples (1 = none), to trade precision for outage recall. */
  readonly outageWeight?: number;
}

export const CHOSEN: KindTrainConfig = {
  foldBits: 18,
  textWeight: 2,
  textFeatures: 'words',
  learningRate: 0.1,
  l2: 1e-4,
  maxEpochs: 60,
  balance: 'none',
  featureSet: 3,
  randomTweets: false,
  outageWeight: 1.5,
};
/**
 * What `--search` compares (5-fold CV on the training pool). Earlier searches (v1, v2; docs/models.md)
 * also tried 1/√frequency and 1/frequency class weights, lr 0.2, L2 1e-3/1e-5, text ×1/×3, a 2^16
 * table and the data set's random tweets; none beat these.
 */
export const SEARCH: readonly KindTrainConfig[] = [
  CHOSEN,
  { ...CHOSEN, featureSet: 2, outageWeight: 1 },
  { ...CHOSEN, featureSet: 2 },
  { ...CHOSEN, outageWeight: 1 },
  { ...CHOSEN, outageWeight: 2 },
  { ...CHOSEN, textFeatures: 'all' },
];

export interface Example {
  readonly key: string;
  readonly text: string;
  readonly kind: PostKind;
  readonly source: 'support' | 'kinds' | 'random';
}

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

async function main(argv: readonly string[]): Promise<void> {
  const seed = Number(flag(argv, '--seed') ?? 1);
  const out = resolve(flag(argv, '--out') ?? resolve(REPO_ROOT, 'models/kind-v3.bin'));
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
    ...loadRandomTweets(shared),
  ];
  const sentimentData = decodeSentimentModel(readFileSync(DEFAULT_MODEL_URL));
  const sentiment = fromData(sentimentData);
  const lexicon = new Map(sentimentData.lexicon);
  const prepare = makePreparer(sentimentData.features, lexicon, sentiment.probabilities);
  // Random tweets are extra training data only: never in a validation fold.
  const folds = pool.map((e) => (e.source === 'random' ? -1 : foldOf(e.key)));
  const supportRows = pool.flatMap((e, i) => (e.source === 'support' ? [i] : []));
  const supportGold = supportRows.map((i) => pool[i]!.kind);
  log(
    `pool ${pool.length} (support ${supportRows.length}, kinds.jsonl dev ${pool.filter((e) => e.source === 'kinds').length}, random tweets ${pool.filter((e) => e.source === 'random').length}), ${FOLDS}-fold cross-validation scored on the support tweets, seed ${seed}`,
  );

  // --fraction F trains each fold on that share of its support tweets (a learning curve, to see the ceiling).
  const fraction = Number(flag(argv, '--fraction') ?? 1);
  const only = flag(argv, '--config');
  const configs = only !== undefined ? [SEARCH[Number(only)]!] : argv.includes('--search') ? SEARCH : [CHOSEN];
  let best:
    | { config: KindTrainConfig; epochs: number; score: number; metrics: KindMetrics; oof: Float64Array[] }
    | undefined;
  for (const config of configs) {
    const X = prepare(pool, config);
    // Out-of-fold probabilities per epoch: oof[epoch - 1][row].
    const oof: Float64Array[][] = Array.from({ length: config.maxEpochs }, () => new Array<Float64Array>(pool.length));
    for (let f = 0; f < FOLDS; f++) {
      const trainRows = pool.flatMap((e, i) =>
        folds[i] !== f &&
        (config.randomTweets || e.source !== 'random') &&
        (e.source !== 'support' || fmix32(fnv1a(`curve:${e.key}`)) % 100 < 100 * fraction)
          ? [i]
          : [],
      );
      const valRows = pool.flatMap((_, i) => (folds[i] === f ? [i] : []));
      const V = subset(X, valRows);
      trainKind(
        config,
        subset(X, trainRows),
        trainRows.map((i) => pool[i]!.kind),
        seed,
        (w, b, epoch) => {
          predict(V, w, b).forEach((p, j) => {
            oof[epoch - 1]![valRows[j]!] = p;
          });
          return { score: epoch, metrics: EMPTY_METRICS };
        },
      );
    }
    let bestEpoch: { epoch: number; score: number; metrics: KindMetrics } | undefined;
    for (let e = 1; e <= config.maxEpochs; e++) {
      const metrics = scoreKindPredictions(
        supportGold,
        supportRows.map((i) => resultOf(oof[e - 1]![i]!).kind),
      );
      const score = (metrics.accuracy + metrics.macroF1) / 2;
      if (bestEpoch === undefined || score > bestEpoch.score) bestEpoch = { epoch: e, score, metrics };
    }
    const m = bestEpoch!.metrics;
    log(
      `${describe(config)} → epoch ${bestEpoch!.epoch}: CV accuracy ${pct(m.accuracy)}, macro-F1 ${pct(m.macroF1)}, outage recall ${pct(m.recall.outage)}`,
    );
    if (best === undefined || bestEpoch!.score > best.score)
      best = { config, epochs: bestEpoch!.epoch, score: bestEpoch!.score, metrics: m, oof: oof[bestEpoch!.epoch - 1]! };
  }
  if (best === undefined) return;

  // The outage routing threshold: the second-kind probability from which a post also routes as an
  // outage, chosen on the out-of-fold predictions as the lowest that keeps routing precision ≥ 50 %
  // (at most one needless outage look per real outage report), so recall is as high as that allows.
  const supportProbs = supportRows.map((i) => best!.oof[i]!);
  let threshold = 0.5;
  for (let t = 0.5; t >= 0.05 - 1e-9; t -= 0.025) {
    const r = Math.round(t * 1000) / 1000;
    const m = outageRouting(supportGold, supportProbs, r);
    log(`  outage threshold ${r}: CV routing recall ${pct(m.recall)}, precision ${pct(m.precision)}`);
    if (m.precision >= 0.5) threshold = r;
  }
  const routing = outageRouting(supportGold, supportProbs, threshold);
  const errorsFile = flag(argv, '--errors');
  if (errorsFile !== undefined) {
    // Out-of-fold mistakes on the training pool's support tweets, for reading the guideline against.
    const lines = supportRows.flatMap((i, j) => {
      const r = resultOf(supportProbs[j]!);
      return r.kind === pool[i]!.kind
        ? []
        : [`${pool[i]!.key}\t${pool[i]!.kind}\t${r.kind}\t${r.confidence}\t${pool[i]!.text.replace(/\s+/g, ' ')}`];
    });
    writeFileSync(errorsFile, `${lines.join('\n')}\n`);
  }
  log(
    `outage routing threshold ${threshold}: CV outage recall ${pct(routing.recall)}, precision ${pct(routing.precision)} (class recall ${pct(best.metrics.recall.outage)})`,
  );

  // Refit on the whole pool for the chosen number of epochs.
  const refit = pool.filter((e) => best!.config.randomTweets || e.source !== 'random');
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
    version: '3',
    features: sentimentData.features,
    foldBits: best.config.foldBits,
    textWeight: best.config.textWeight,
    textFeatures: best.config.textFeatures,
    featureSet: best.config.featureSet,
    weights: final.weights,
    bias: final.bias,
    meta: {
      trainedOn: `support-kinds.tsv train split (${pool.filter((e) => e.source === 'support').length} real support tweets) + kinds.jsonl dev (${pool.filter((e) => e.source === 'kinds').length})${best.config.randomTweets ? ` + ${pool.filter((e) => e.source === 'random').length} random tweets` : ''}`,
      selectedOn: `${FOLDS}-fold cross-validation on that pool, scored on its support tweets: (accuracy + macro-F1) / 2`,
      seed,
      learningRate: best.config.learningRate,
      l2: best.config.l2,
      balance: best.config.balance,
      epochs: best.epochs,
      cvAccuracy: round4(best.metrics.accuracy),
      cvMacroF1: round4(best.metrics.macroF1),
      cvOutageRecall: round4(best.metrics.recall.outage),
      outageRoutingThreshold: threshold,
      cvRoutingOutageRecall: round4(routing.recall),
      cvRoutingOutagePrecision: round4(routing.precision),
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

/** The complaints data set's tweets not written to support accounts, labelled from its complaint flag. */
function loadRandomTweets(shared: string): Example[] {
  return parseCsv(readFileSync(complaintsCsv(shared), 'utf8'))
    .filter((row) => row.length >= 4 && (row[3] === 'random_reply' || row[3] === 'random_tweet'))
    .map((row) => ({
      key: row[0]!,
      text: row[1]!,
      kind: row[2] === '1' ? ('complaint' as const) : ('other' as const),
      source: 'random' as const,
    }));
}

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
  config: Pick<KindTrainConfig, 'foldBits' | 'textWeight' | 'textFeatures' | 'featureSet'>,
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
  const classWeight = raw.map((r, c) => (r / mean) * (POST_KINDS[c] === 'outage' ? (config.outageWeight ?? 1) : 1));
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
  return `fold=${c.foldBits} text=${c.textFeatures}x${c.textWeight} lr=${c.learningRate} l2=${c.l2} balance=${c.balance} set=${c.featureSet}${c.randomTweets ? ' +random' : ''}${c.outageWeight ? ` outage×${c.outageWeight}` : ''}`;
}

function flag(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

const EMPTY_METRICS = scoreKindPredictions([], []);
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
