/**
 * Trains Earshot's multilingual sentiment model (`npx tsx scripts/train-sentiment-multilingual.ts`,
 * see docs/models.md) on the UMSAB train splits of eight languages plus TweetEval train, and
 * writes `models/sentiment-multilingual-v1.bin`. The configuration and epoch count are chosen on
 * the UMSAB validation splits (mean macro-F1 of the seven languages other than English, which
 * the English model serves). Deterministic for a given `--seed`. No test split is read.
 *
 * Features: the English model's (`sentiment-v1.bin` header: hashed word and character n-grams,
 * emoji, VADER lexicon classes), so the analyzer featurises a post once for every model, plus
 * one bias feature per language. Example weights: each UMSAB language carries the same total
 * weight, TweetEval a configurable share of one language; classes balanced within each source.
 *
 *   npx tsx scripts/train-sentiment-multilingual.ts [--shared-dir DIR] [--seed N] [--out FILE] [--search]
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FeatureBuffer, featurize } from '../src/analysis/sentiment-features.js';
import { DEFAULT_MODEL_URL, decodeSentimentModel, encodeSentimentModel } from '../src/analysis/sentiment-model.js';
import { languageFeature } from '../src/analysis/sentiment-scorer.js';
import { hasTweetEval, loadSplit, sharedDir, tweetEvalDir } from '../bench/tweeteval.js';
import { UMSAB_LANGUAGES, hasUmsab, loadUmsab, macroF1, umsabDir, type UmsabLanguage } from '../bench/umsab.js';
import { mulberry32, shuffle } from './seeded-random.js';

export interface MultiConfig {
  readonly learningRate: number;
  readonly l2: number;
  readonly maxEpochs: number;
  /** TweetEval's total weight, as a multiple of one UMSAB language's. */
  readonly tweetEvalShare: number;
}

export const CHOSEN: MultiConfig = { learningRate: 0.1, l2: 1e-4, maxEpochs: 12, tweetEvalShare: 1 };
export const SEARCH: readonly MultiConfig[] = [
  CHOSEN,
  { ...CHOSEN, tweetEvalShare: 0 },
  { ...CHOSEN, tweetEvalShare: 3 },
  { ...CHOSEN, l2: 1e-3 },
  { ...CHOSEN, learningRate: 0.05 },
];

interface Row {
  readonly text: string;
  readonly label: number;
  readonly lang: string;
  readonly source: string;
}

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

async function main(argv: readonly string[]): Promise<void> {
  const seed = Number(flag(argv, '--seed') ?? 1);
  const out = resolve(flag(argv, '--out') ?? resolve(REPO_ROOT, 'models/sentiment-multilingual-v1.bin'));
  const shared = sharedDir(argv);
  if (!hasUmsab(umsabDir(shared)) || !hasTweetEval(tweetEvalDir(shared)))
    throw new Error(`no UMSAB or TweetEval data in ${shared}`);
  const train: Row[] = [];
  const val: Row[] = [];
  for (const [name, lang] of Object.entries(UMSAB_LANGUAGES)) {
    const t = loadUmsab(umsabDir(shared), name as UmsabLanguage, 'train');
    t.texts.forEach((text, i) => {
      train.push({ text, label: t.labels[i]!, lang, source: `umsab-${lang}` });
    });
    const v = loadUmsab(umsabDir(shared), name as UmsabLanguage, 'val');
    v.texts.forEach((text, i) => {
      val.push({ text, label: v.labels[i]!, lang, source: `umsab-${lang}` });
    });
  }
  const te = loadSplit(tweetEvalDir(shared), 'train');
  te.texts.forEach((text, i) => {
    train.push({ text, label: te.labels[i]!, lang: 'en', source: 'tweeteval' });
  });
  const english = decodeSentimentModel(readFileSync(DEFAULT_MODEL_URL));
  const lexicon = new Map(english.lexicon);
  const X = toCsr(train, english.features, lexicon);
  const V = toCsr(val, english.features, lexicon);
  log(
    `train ${train.length} (UMSAB ${train.length - te.texts.length} in 8 languages, TweetEval ${te.texts.length}), validation ${val.length}, seed ${seed}`,
  );

  const configs = argv.includes('--search') ? SEARCH : [CHOSEN];
  let best: { config: MultiConfig; result: Trained } | undefined;
  for (const config of configs) {
    const result = trainMulti(config, X, train, V, val, english.features.bits, seed);
    log(
      `${describe(config)} → epoch ${result.epoch}: non-English validation mean macro-F1 ${pct(result.score)} (${perLanguage(result.perLanguage)})`,
    );
    if (best === undefined || result.score > best.result.score) best = { config, result };
  }
  if (best === undefined) return;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    encodeSentimentModel({
      name: 'earshot-sentiment-multilingual',
      version: '1',
      features: english.features,
      weights: best.result.weights,
      bias: best.result.bias,
      lexicon: english.lexicon,
      meta: {
        trainedOn: `UMSAB train (8 languages, ${train.length - te.texts.length} tweets) + TweetEval train (${te.texts.length}) from shared/data`,
        selectedOn: 'UMSAB validation: mean macro-F1 of ar, de, es, fr, hi, it, pt',
        seed,
        ...best.config,
        epochs: best.result.epoch,
        valMacroF1: Object.fromEntries(
          Object.entries(best.result.perLanguage).map(([l, v]) => [l, Math.round(v * 10000) / 10000]),
        ),
      },
    }),
  );
  log(
    `chose ${describe(best.config)}, epoch ${best.result.epoch}; wrote ${out} (${(statSync(out).size / 1024).toFixed(0)} KiB)`,
  );
}

interface Csr {
  readonly offsets: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

function toCsr(
  rows: readonly Row[],
  features: ReturnType<typeof decodeSentimentModel>['features'],
  lexicon: Map<string, number>,
): Csr {
  const buffer = new FeatureBuffer();
  const offsets = new Int32Array(rows.length + 1);
  let indices = new Int32Array(rows.length * 200);
  let values = new Float32Array(rows.length * 200);
  let at = 0;
  for (let i = 0; i < rows.length; i++) {
    const n = featurize(rows[i]!.text, features, lexicon, buffer);
    if (at + n + 1 > indices.length) {
      const ni = new Int32Array((at + n + 1) * 2);
      ni.set(indices);
      indices = ni;
      const nv = new Float32Array((at + n + 1) * 2);
      nv.set(values);
      values = nv;
    }
    indices.set(buffer.indices.subarray(0, n), at);
    values.set(buffer.values.subarray(0, n), at);
    at += n;
    indices[at] = languageFeature(rows[i]!.lang, features.bits);
    values[at] = 1;
    at++;
    // The sarcasm swap is applied at inference only, as in the English model.
    offsets[i + 1] = at;
  }
  return { offsets, indices: indices.slice(0, at), values: values.slice(0, at) };
}

interface Trained {
  readonly weights: Float32Array;
  readonly bias: [number, number, number];
  readonly epoch: number;
  readonly score: number;
  readonly perLanguage: Record<string, number>;
}

function trainMulti(
  config: MultiConfig,
  X: Csr,
  train: readonly Row[],
  V: Csr,
  val: readonly Row[],
  bits: number,
  seed: number,
): Trained {
  const size = (1 << bits) * 3;
  const w = new Float32Array(size);
  const g2 = new Float32Array(size);
  const u = new Float32Array(size);
  const b = [0, 0, 0];
  const bg2 = [0, 0, 0];
  const ub = [0, 0, 0];
  // Example weights: equal total per UMSAB language, TweetEval a share of one; classes balanced per source.
  const bySource = new Map<string, number[]>();
  for (const r of train) {
    const c = bySource.get(r.source) ?? [0, 0, 0];
    c[r.label]!++;
    bySource.set(r.source, c);
  }
  const perLanguageTotal = 1838;
  const weightOf = train.map((r) => {
    const counts = bySource.get(r.source)!;
    const share = r.source === 'tweeteval' ? config.tweetEvalShare : 1;
    return (share * perLanguageTotal) / (3 * counts[r.label]!);
  });
  const rng = mulberry32(seed);
  const order = Int32Array.from({ length: train.length }, (_, i) => i);
  let t = 0;
  let best: Trained | undefined;
  let since = 0;
  for (let epoch = 1; epoch <= config.maxEpochs; epoch++) {
    shuffle(order, rng);
    for (const i of order) {
      const sw = weightOf[i]!;
      if (sw === 0) continue;
      const y = train[i]!.label;
      const s0 = X.offsets[i]!;
      const s1 = X.offsets[i + 1]!;
      let z0 = b[0]!;
      let z1 = b[1]!;
      let z2 = b[2]!;
      for (let j = s0; j < s1; j++) {
        const o = X.indices[j]! * 3;
        const v = X.values[j]!;
        z0 += w[o]! * v;
        z1 += w[o + 1]! * v;
        z2 += w[o + 2]! * v;
      }
      const m = Math.max(z0, z1, z2);
      const e0 = Math.exp(z0 - m);
      const e1 = Math.exp(z1 - m);
      const e2 = Math.exp(z2 - m);
      const s = e0 + e1 + e2;
      const g = [
        sw * (e0 / s - (y === 0 ? 1 : 0)),
        sw * (e1 / s - (y === 1 ? 1 : 0)),
        sw * (e2 / s - (y === 2 ? 1 : 0)),
      ];
      t++;
      for (let c = 0; c < 3; c++) {
        bg2[c]! += g[c]! * g[c]!;
        const db = (config.learningRate * g[c]!) / Math.sqrt(bg2[c]! + 1e-8);
        b[c]! -= db;
        ub[c]! -= t * db;
      }
      for (let j = s0; j < s1; j++) {
        const o = X.indices[j]! * 3;
        const v = X.values[j]!;
        for (let c = 0; c < 3; c++) {
          const wi = o + c;
          const grad = g[c]! * v + config.l2 * w[wi]!;
          g2[wi]! += grad * grad;
          const dw = (config.learningRate * grad) / Math.sqrt(g2[wi]! + 1e-8);
          w[wi]! -= dw;
          u[wi]! -= t * dw;
        }
      }
    }
    const avg = new Float32Array(size);
    for (let i = 0; i < size; i++) avg[i] = w[i]! - u[i]! / t;
    const bias: [number, number, number] = [b[0]! - ub[0]! / t, b[1]! - ub[1]! / t, b[2]! - ub[2]! / t];
    const perLanguage = evaluate(V, val, avg, bias);
    const others = Object.entries(perLanguage).filter(([l]) => l !== 'en');
    const score = others.reduce((sum, [, v]) => sum + v, 0) / others.length;
    if (process.env.EARSHOT_TRAIN_VERBOSE) log(`  epoch ${epoch}: ${pct(score)}`);
    if (best === undefined || score > best.score) {
      best = { weights: avg, bias, epoch, score, perLanguage };
      since = 0;
    } else if (++since >= 3) break;
  }
  return best!;
}

function evaluate(V: Csr, val: readonly Row[], w: Float32Array, b: readonly number[]): Record<string, number> {
  const byLang = new Map<string, { gold: number[]; pred: number[] }>();
  for (let i = 0; i < val.length; i++) {
    const z = [b[0]!, b[1]!, b[2]!];
    for (let j = V.offsets[i]!; j < V.offsets[i + 1]!; j++) {
      const o = V.indices[j]! * 3;
      for (let c = 0; c < 3; c++) z[c]! += w[o + c]! * V.values[j]!;
    }
    const p = z[0]! >= z[1]! && z[0]! >= z[2]! ? 0 : z[2]! > z[1]! ? 2 : 1;
    const e = byLang.get(val[i]!.lang) ?? { gold: [], pred: [] };
    e.gold.push(val[i]!.label);
    e.pred.push(p);
    byLang.set(val[i]!.lang, e);
  }
  return Object.fromEntries([...byLang].map(([l, e]) => [l, macroF1(e.gold, e.pred).macroF1]));
}

const pct = (x: number) => (100 * x).toFixed(1);
const perLanguage = (r: Record<string, number>) =>
  Object.entries(r)
    .map(([l, v]) => `${l} ${pct(v)}`)
    .join(', ');
const describe = (c: MultiConfig) => `lr=${c.learningRate} l2=${c.l2} tweetEvalShare=${c.tweetEvalShare}`;
function flag(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}
function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`train-sentiment-multilingual: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  });
}
