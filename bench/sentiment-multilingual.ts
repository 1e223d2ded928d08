/**
 * Sentiment by language: UMSAB validation macro-F1 per language (tweets routed by the detected
 * language, as the analyzer does, and by their true language), TweetEval validation
 * macro-recall of the same routed path, and how macro measures move when the class mix of the
 * test set changes, with and without the EM prior adjustment (`prior-shift.ts`).
 * Run: `npx tsx bench/sentiment-multilingual.ts` (or `npm run bench`). Validation splits only.
 */
import { detectLanguage } from '../src/analysis/language-fast.js';
import { adjustForPriors, estimatePriors } from '../src/analysis/prior-shift.js';
import { FeatureBuffer, featurize } from '../src/analysis/sentiment-features.js';
import { sentimentFromFeatures } from '../src/analysis/sentiment-multilingual.js';
import { earshotSentimentScorer } from '../src/analysis/sentiment-scorer.js';
import { evaluate, hasTweetEval, loadSplit, sharedDir, tweetEvalDir } from './tweeteval.js';
import { UMSAB_LANGUAGES, hasUmsab, loadUmsab, macroF1, umsabDir, type UmsabLanguage } from './umsab.js';

export interface LanguageRow {
  readonly lang: string;
  readonly routedMacroF1: number;
  readonly trueLanguageMacroF1: number;
  /** Share of the language's tweets the detector labelled with that language. */
  readonly detected: number;
}

export interface PriorShiftRow {
  readonly set: string;
  readonly mix: readonly number[];
  readonly raw: { macroRecall: number; macroF1: number; accuracy: number };
  readonly adjusted: { macroRecall: number; macroF1: number; accuracy: number };
  readonly estimatedMix: readonly number[];
}

export interface MultilingualBench {
  readonly languages: readonly LanguageRow[];
  readonly meanRoutedMacroF1: number;
  readonly meanTrueLanguageMacroF1: number;
  readonly tweetEvalMacroRecall: number;
  readonly priorShift: readonly PriorShiftRow[];
}

const buffer = new FeatureBuffer();
function probabilities(text: string, lang: string): [number, number, number] {
  const en = earshotSentimentScorer();
  featurize(text, en.features, en.lexicon, buffer);
  return sentimentFromFeatures(buffer, lang);
}
const argmax = (p: readonly number[]) => (p[0]! >= p[1]! && p[0]! >= p[2]! ? 0 : p[2]! > p[1]! ? 2 : 1);

/** Test mixes (negative, neutral, positive): balanced, TweetEval-like, complaint-heavy, crisis. */
export const MIXES: readonly (readonly number[])[] = [
  [1 / 3, 1 / 3, 1 / 3],
  [0.15, 0.45, 0.4],
  [0.5, 0.3, 0.2],
  [0.7, 0.2, 0.1],
];

export function benchMultilingual(shared = sharedDir()): MultilingualBench | null {
  if (!hasUmsab(umsabDir(shared)) || !hasTweetEval(tweetEvalDir(shared))) return null;
  const languages: LanguageRow[] = [];
  const pooled: { p: [number, number, number]; y: number }[] = [];
  for (const [name, lang] of Object.entries(UMSAB_LANGUAGES)) {
    const val = loadUmsab(umsabDir(shared), name as UmsabLanguage, 'val');
    const detectedLangs = val.texts.map((t) => detectLanguage(t));
    const routed = val.texts.map((t, i) => argmax(probabilities(t, detectedLangs[i]!)));
    const trueP = val.texts.map((t) => probabilities(t, lang));
    if (lang !== 'en') {
      trueP.forEach((p, i) => {
        pooled.push({ p, y: val.labels[i]! });
      });
    }
    languages.push({
      lang,
      routedMacroF1: macroF1(val.labels, routed).macroF1,
      trueLanguageMacroF1: macroF1(val.labels, trueP.map(argmax)).macroF1,
      detected: detectedLangs.filter((l) => l === lang).length / val.texts.length,
    });
  }
  const te = loadSplit(tweetEvalDir(shared), 'val');
  const teP = te.texts.map((t) => probabilities(t, detectLanguage(t)));
  const tweetEvalMacroRecall = evaluate(te.labels, teP.map(argmax)).macroRecall;
  const priorShift: PriorShiftRow[] = [];
  for (const [set, rows] of [
    ['TweetEval val (English model)', teP.map((p, i) => ({ p, y: te.labels[i]! }))],
    ['UMSAB val, 7 languages (multilingual model)', pooled],
  ] as const) {
    for (const mix of MIXES) priorShift.push({ set, mix, ...shiftRow(rows, mix) });
  }
  const mean = (f: (r: LanguageRow) => number) => languages.reduce((s, r) => s + f(r), 0) / languages.length;
  return {
    languages,
    meanRoutedMacroF1: mean((r) => r.routedMacroF1),
    meanTrueLanguageMacroF1: mean((r) => r.trueLanguageMacroF1),
    tweetEvalMacroRecall,
    priorShift,
  };
}

/** Subsamples `rows` (deterministically) to `mix`, then scores raw and EM-adjusted predictions. */
function shiftRow(
  rows: readonly { p: readonly number[]; y: number }[],
  mix: readonly number[],
): Omit<PriorShiftRow, 'set' | 'mix'> {
  const byClass = [0, 1, 2].map((c) => rows.filter((r) => r.y === c));
  const size = Math.floor(Math.min(...byClass.map((rs, c) => rs.length / mix[c]!)));
  const sample = byClass.flatMap((rs, c) => rs.slice(0, Math.round(size * mix[c]!)));
  const uniform = [1 / 3, 1 / 3, 1 / 3];
  const estimatedMix = estimatePriors(
    sample.map((r) => r.p),
    uniform,
  );
  const score = (pred: number[]) => {
    const gold = sample.map((r) => r.y);
    const m = macroF1(gold, pred);
    return {
      macroRecall: m.macroRecall,
      macroF1: m.macroF1,
      accuracy: pred.filter((p, i) => p === gold[i]).length / gold.length,
    };
  };
  return {
    raw: score(sample.map((r) => argmax(r.p))),
    adjusted: score(sample.map((r) => argmax(adjustForPriors(r.p, uniform, estimatedMix)))),
    estimatedMix,
  };
}

export async function run(): Promise<MultilingualBench | null> {
  const result = benchMultilingual();
  if (result === null) {
    console.log(
      '\nMultilingual sentiment bench skipped: no UMSAB or TweetEval data in ../shared (set EARSHOT_SHARED_DIR)',
    );
    return null;
  }
  const pct = (x: number) => (100 * x).toFixed(1);
  console.log(
    '\nSentiment by language (UMSAB validation, macro-F1; routed = by detected language as the analyzer does)',
  );
  for (const r of result.languages)
    console.log(
      `  ${r.lang}  routed ${pct(r.routedMacroF1).padStart(5)}   by true language ${pct(r.trueLanguageMacroF1).padStart(5)}   detected as ${r.lang}: ${pct(r.detected)} %`,
    );
  console.log(
    `  mean   routed ${pct(result.meanRoutedMacroF1)}   by true language ${pct(result.meanTrueLanguageMacroF1)}`,
  );
  console.log(`TweetEval validation macro-recall, routed path: ${pct(result.tweetEvalMacroRecall)}`);
  console.log('Class-mix shift (neg/neu/pos of the test sample): raw → EM-adjusted');
  for (const r of result.priorShift) {
    console.log(
      `  ${r.set.padEnd(44)} mix ${r.mix.map((m) => m.toFixed(2)).join('/')}: macro-recall ${pct(r.raw.macroRecall)} → ${pct(r.adjusted.macroRecall)}, ` +
        `macro-F1 ${pct(r.raw.macroF1)} → ${pct(r.adjusted.macroF1)}, accuracy ${pct(r.raw.accuracy)} → ${pct(r.adjusted.accuracy)} (estimated mix ${r.estimatedMix.map((m) => m.toFixed(2)).join('/')})`,
    );
  }
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
