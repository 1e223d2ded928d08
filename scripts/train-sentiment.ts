/**
 * Trains Earshot's sentiment model (`npm run train:sentiment`) on the TweetEval train split,
 * choosing hyperparameters and the epoch count on the validation split, and writes
 * `models/sentiment-v1.bin`. Deterministic for a given `--seed`.
 *
 * Model: multinomial logistic regression, AdaGrad, L2 on touched weights, class-balanced
 * example weights (the real-world mix is more negative than train, so no thresholds are
 * tuned to the validation mix).
 *
 *   npm run train:sentiment -- [--shared-dir DIR] [--seed N] [--out FILE] [--search]
 *
 * Without `--search` only the configuration chosen by the last search is trained.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FeatureBuffer, featurize } from '../src/analysis/sentiment-features.js';
import type { FeatureConfig, Lexicon } from '../src/analysis/sentiment-features.js';
import { encodeSentimentModel, loadSentimentModel } from '../src/analysis/sentiment-model.js';
import type { SentimentModelData } from '../src/analysis/sentiment-model.js';
import { evaluate, hasTweetEval, loadSplit, sharedDir, tweetEvalDir } from '../bench/tweeteval.js';
import type { Evaluation, LabelledTexts } from '../bench/tweeteval.js';
import { mulberry32, shuffle } from './seeded-random.js';

export interface TrainConfig {
  readonly features: FeatureConfig;
  readonly learningRate: number;
  readonly l2: number;
  readonly maxEpochs: number;
  /** Evaluate and keep the running average of the weights (averaged SGD), not the last iterate. */
  readonly average: boolean;
}

/** The configuration the search below chose on validation (see docs/sentiment-model.md). */
export const CHOSEN: TrainConfig = {
  features: { bits: 20, wordBigrams: true, charMin: 2, charMax: 5, charWeight: 0.5, lexicon: true },
  learningRate: 0.1,
  l2: 1e-4,
  maxEpochs: 12,
  average: true,
};

/** A deliberately small grid: each entry changes one thing from CHOSEN. */
export const SEARCH: readonly TrainConfig[] = [
  CHOSEN,
  { ...CHOSEN, features: { ...CHOSEN.features, lexicon: false } },
  { ...CHOSEN, features: { ...CHOSEN.features, charMax: 0 } },
  { ...CHOSEN, features: { ...CHOSEN.features, wordBigrams: false } },
  { ...CHOSEN, features: { ...CHOSEN.features, bits: 18 } },
  { ...CHOSEN, features: { ...CHOSEN.features, charWeight: 1 } },
  { ...CHOSEN, l2: 1e-2 },
  { ...CHOSEN, l2: 1e-3 },
  { ...CHOSEN, learningRate: 0.2 },
  { ...CHOSEN, average: false },
];

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

async function main(argv: readonly string[]): Promise<void> {
  const seed = Number(flag(argv, '--seed') ?? 1);
  const out = resolve(flag(argv, '--out') ?? resolve(REPO_ROOT, 'models/sentiment-v1.bin'));
  const dir = tweetEvalDir(sharedDir(argv));
  if (!hasTweetEval(dir)) throw new Error(`no TweetEval data in ${dir} (set EARSHOT_SHARED_DIR or --shared-dir)`);
  const train = loadSplit(dir, 'train');
  const val = loadSplit(dir, 'val');
  const lexicon = loadVaderLexicon();
  log(`train ${train.texts.length}, val ${val.texts.length}, lexicon ${lexicon.size} words, seed ${seed}`);

  const configs = argv.includes('--search') ? SEARCH : [CHOSEN];
  let best: { config: TrainConfig; result: TrainResult } | undefined;
  for (const config of configs) {
    const t0 = performance.now();
    const result = trainOne(config, train, val, lexicon, seed);
    log(
      `${describe(config)} → epoch ${result.epoch}: val macro-recall ${fmt(result.val.macroRecall)}, ` +
        `acc ${fmt(result.val.accuracy)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
    );
    if (best === undefined || result.val.macroRecall > best.result.val.macroRecall) best = { config, result };
  }
  if (best === undefined) return;

  const data = modelData(best.config, best.result, lexicon, seed, train, dir);
  const file = encodeSentimentModel(data);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, file);
  // Re-read what was written, so the reported number is the quantised model's.
  const written = loadSentimentModel(out);
  const quantised = evaluate(
    val.labels,
    val.texts.map((t) => argmax(written.probabilities(t))),
  );
  log(`chose ${describe(best.config)}, epoch ${best.result.epoch}`);
  log(`wrote ${out} (${(statSync(out).size / 1024).toFixed(0)} KiB)`);
  log(
    `validation (int8 model): macro-recall ${fmt(quantised.macroRecall)}, accuracy ${fmt(quantised.accuracy)}, ` +
      `recall neg/neu/pos ${fmt(quantised.recall.negative)}/${fmt(quantised.recall.neutral)}/${fmt(quantised.recall.positive)}`,
  );
}

// ---------------------------------------------------------------------------------------

export interface TrainResult {
  readonly weights: Float32Array;
  readonly bias: [number, number, number];
  readonly epoch: number;
  readonly val: Evaluation;
}

interface Csr {
  readonly offsets: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

const csrCache = new Map<string, { train: Csr; val: Csr }>();

export function trainOne(
  config: TrainConfig,
  train: LabelledTexts,
  val: LabelledTexts,
  lexicon: Lexicon,
  seed: number,
): TrainResult {
  const key = JSON.stringify(config.features);
  let csr = csrCache.get(key);
  if (csr === undefined) {
    csr = { train: toCsr(train.texts, config.features, lexicon), val: toCsr(val.texts, config.features, lexicon) };
    csrCache.clear();
    csrCache.set(key, csr);
  }
  const { train: X, val: V } = csr;
  const buckets = 1 << config.features.bits;
  const w = new Float32Array(buckets * 3);
  const g2 = new Float32Array(buckets * 3);
  const b: [number, number, number] = [0, 0, 0];
  const bg2 = [0, 0, 0];
  const n = train.labels.length;
  const counts = [0, 0, 0];
  for (const y of train.labels) counts[y]!++;
  const classWeight = counts.map((c) => n / (3 * c));
  const rng = mulberry32(seed);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const lr = config.learningRate;
  const l2 = config.l2;
  const eps = 1e-8;
  const z = [0, 0, 0];
  const g = [0, 0, 0];
  // Averaging trick for sparse updates: avg = w - u / t with u += t * delta.
  const u = config.average ? new Float32Array(buckets * 3) : undefined;
  const ub = [0, 0, 0];
  let t = 0;

  let best: TrainResult | undefined;
  let sinceBest = 0;
  for (let epoch = 1; epoch <= config.maxEpochs; epoch++) {
    shuffle(order, rng);
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      const y = train.labels[i]!;
      const start = X.offsets[i]!;
      const end = X.offsets[i + 1]!;
      z[0] = b[0];
      z[1] = b[1];
      z[2] = b[2];
      for (let j = start; j < end; j++) {
        const o = X.indices[j]! * 3;
        const v = X.values[j]!;
        z[0] += w[o]! * v;
        z[1] += w[o + 1]! * v;
        z[2] += w[o + 2]! * v;
      }
      const m = Math.max(z[0]!, z[1]!, z[2]!);
      const e0 = Math.exp(z[0]! - m);
      const e1 = Math.exp(z[1]! - m);
      const e2 = Math.exp(z[2]! - m);
      const s = e0 + e1 + e2;
      const cw = classWeight[y]!;
      t++;
      g[0] = cw * (e0 / s - (y === 0 ? 1 : 0));
      g[1] = cw * (e1 / s - (y === 1 ? 1 : 0));
      g[2] = cw * (e2 / s - (y === 2 ? 1 : 0));
      for (let c = 0; c < 3; c++) {
        const gc = g[c]!;
        bg2[c]! += gc * gc;
        const db = (lr * gc) / Math.sqrt(bg2[c]! + eps);
        b[c]! -= db;
        ub[c]! -= t * db;
      }
      for (let j = start; j < end; j++) {
        const o = X.indices[j]! * 3;
        const v = X.values[j]!;
        for (let c = 0; c < 3; c++) {
          const wi = o + c;
          const grad = g[c]! * v + l2 * w[wi]!;
          g2[wi]! += grad * grad;
          const dw = (lr * grad) / Math.sqrt(g2[wi]! + eps);
          w[wi]! -= dw;
          if (u !== undefined) u[wi]! -= t * dw;
        }
      }
    }
    let weights = w;
    let bias: [number, number, number] = [b[0], b[1], b[2]];
    if (u !== undefined) {
      weights = new Float32Array(w.length);
      for (let i = 0; i < w.length; i++) weights[i] = w[i]! - u[i]! / t;
      bias = [b[0] - ub[0]! / t, b[1] - ub[1]! / t, b[2] - ub[2]! / t];
    }
    const result = evaluate(val.labels, predictCsr(V, weights, bias));
    if (process.env.EARSHOT_TRAIN_VERBOSE) log(`  epoch ${epoch}: val macro-recall ${fmt(result.macroRecall)}`);
    if (best === undefined || result.macroRecall > best.val.macroRecall) {
      best = { weights: weights === w ? w.slice() : weights, bias, epoch, val: result };
      sinceBest = 0;
    } else if (++sinceBest >= 3) {
      break;
    }
  }
  return best!;
}

function toCsr(texts: readonly string[], features: FeatureConfig, lexicon: Lexicon): Csr {
  const buffer = new FeatureBuffer();
  const offsets = new Int32Array(texts.length + 1);
  let indices = new Int32Array(texts.length * 256);
  let values = new Float32Array(texts.length * 256);
  let at = 0;
  for (let i = 0; i < texts.length; i++) {
    const len = featurize(texts[i]!, features, lexicon, buffer);
    if (at + len > indices.length) {
      const grownI = new Int32Array((at + len) * 2);
      grownI.set(indices);
      indices = grownI;
      const grownV = new Float32Array((at + len) * 2);
      grownV.set(values);
      values = grownV;
    }
    indices.set(buffer.indices.subarray(0, len), at);
    values.set(buffer.values.subarray(0, len), at);
    at += len;
    offsets[i + 1] = at;
  }
  return { offsets, indices: indices.slice(0, at), values: values.slice(0, at) };
}

function predictCsr(X: Csr, w: Float32Array, b: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < X.offsets.length; i++) {
    const z = [b[0]!, b[1]!, b[2]!];
    for (let j = X.offsets[i]!; j < X.offsets[i + 1]!; j++) {
      const o = X.indices[j]! * 3;
      const v = X.values[j]!;
      z[0]! += w[o]! * v;
      z[1]! += w[o + 1]! * v;
      z[2]! += w[o + 2]! * v;
    }
    out.push(argmax(z));
  }
  return out;
}

function modelData(
  config: TrainConfig,
  result: TrainResult,
  lexicon: Lexicon,
  seed: number,
  train: LabelledTexts,
  dir: string,
): SentimentModelData {
  return {
    name: 'earshot-sentiment',
    version: '1',
    features: config.features,
    weights: result.weights,
    bias: result.bias,
    lexicon: [...lexicon].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
    meta: {
      trainedOn: `TweetEval sentiment train (${train.texts.length} tweets) from ${dir.endsWith('tweeteval-sentiment') ? 'shared/data/tweeteval-sentiment' : dir}`,
      selectedOn: 'TweetEval sentiment validation (macro-averaged recall)',
      seed,
      learningRate: config.learningRate,
      l2: config.l2,
      epochs: result.epoch,
      valMacroRecallFloat: round4(result.val.macroRecall),
    },
  };
}

/** VADER's lexicon (MIT/Apache-2.0, shipped with `vader-sentiment`): word → mean valence. */
export function loadVaderLexicon(): Map<string, number> {
  const require = createRequire(import.meta.url);
  const path = resolve(dirname(require.resolve('vader-sentiment/package.json')), 'vader_lexicon.txt');
  const lexicon = new Map<string, number>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const [word, mean] = line.split('\t');
    if (word === undefined || mean === undefined) continue;
    // Only words (emoticons have their own features); one decimal is plenty.
    if (!/^[a-z][a-z'-]*$/.test(word)) continue;
    const v = Math.round(Number(mean) * 10) / 10;
    if (Number.isFinite(v) && v !== 0) lexicon.set(word, v);
  }
  return lexicon;
}

function argmax(z: readonly number[]): number {
  return z[0]! >= z[1]! && z[0]! >= z[2]! ? 0 : z[2]! > z[1]! ? 2 : 1;
}

function describe(c: TrainConfig): string {
  const f = c.features;
  return (
    `bits=${f.bits} bigrams=${f.wordBigrams} chars=${f.charMax > 0 ? `${f.charMin}-${f.charMax}x${f.charWeight}` : 'off'} ` +
    `lexicon=${f.lexicon} lr=${c.learningRate} l2=${c.l2}`
  );
}

function flag(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i >= 0) return argv[i + 1];
  const inline = argv.find((a) => a.startsWith(`${name}=`));
  return inline?.slice(name.length + 1);
}

function fmt(x: number): string {
  return x.toFixed(4);
}

function round4(x: number): number {
  return Math.round(x * 10000) / 10000;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`train-sentiment: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
