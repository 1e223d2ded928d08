/**
 * The trained kind model against the rules, on held-out real support tweets (the test split of
 * `test/data/support-kinds.tsv`, joined with ../shared; never used for training or tuning) and
 * on the held-out portion of Earshot's own `test/data/kinds.jsonl`: accuracy, macro-F1,
 * per-class recall, and outage recall as routing sees it (first kind, or a confident second).
 * Run: `npx tsx bench/kind-model.ts` (or `npm run bench`).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { classifyKind } from '../src/analysis/kind.js';
import { defaultKindModel, routingKinds, type KindResult } from '../src/analysis/kind-model.js';
import { DEFAULT_MODEL_URL, decodeSentimentModel, fromData } from '../src/analysis/sentiment-model.js';
import { FeatureBuffer, featurize } from '../src/analysis/sentiment-features.js';
import { POST_KINDS, type PostKind } from '../src/domain/post.js';
import { detectLanguage } from '../src/analysis/language.js';
import { loadKindSet } from './kind.js';
import { scoreKindPredictions, type KindMetrics } from './kind-metrics.js';
import { hasSupportTweets, loadSupportTweets } from './support-kinds.js';

export interface KindModelBench {
  readonly support: {
    readonly rules: KindMetrics;
    readonly model: KindMetrics;
    readonly routingOutageRecall: number;
    readonly routingOutagePrecision: number;
    readonly rulesOutagePrecision: number;
  } | null;
  readonly kinds: { readonly rules: KindMetrics; readonly model: KindMetrics };
  readonly nonEnglish: { readonly n: number; readonly rules: number; readonly model: number };
  /** test/data/kinds-multilingual.jsonl: accuracy per language (rules, model) and outage as routing sees it. */
  readonly languages: Record<
    string,
    {
      readonly n: number;
      readonly rules: number;
      readonly model: number;
      readonly outageRouted: number;
      readonly outages: number;
    }
  >;
}

export const MULTILINGUAL_KINDS_FILE = fileURLToPath(new URL('../test/data/kinds-multilingual.jsonl', import.meta.url));

/** Hand-written posts in Spanish, German, French, Portuguese and Italian (test only, see test/data/README.md). */
export function loadMultilingualKinds(): { text: string; kind: PostKind; lang: string }[] {
  return readFileSync(MULTILINGUAL_KINDS_FILE, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { text: string; kind: PostKind; lang: string });
}

function isRoutedOutage(r: KindResult): boolean {
  return routingKinds({ kind: r.kind, secondKind: r.secondKind, secondKindConfidence: r.secondConfidence }).includes(
    'outage',
  );
}

const sentimentData = decodeSentimentModel(readFileSync(DEFAULT_MODEL_URL));
const sentiment = fromData(sentimentData);
const lexicon = new Map(sentimentData.lexicon);
const buffer = new FeatureBuffer();

/** Classifies as the analyzer does: one featurisation shared by sentiment and kind. */
export function modelKind(text: string): KindResult {
  featurize(text, sentimentData.features, lexicon, buffer);
  return defaultKindModel().classifyFeatures(text, buffer, sentiment.probabilities(text));
}

export function rulesKind(text: string): PostKind {
  return classifyKind(text, sentiment.score(text).sentiment);
}

export function benchKindModel(): KindModelBench {
  let support: KindModelBench['support'] = null;
  if (hasSupportTweets()) {
    const test = loadSupportTweets('test');
    const gold = test.map((t) => t.kind);
    const results = test.map((t) => modelKind(t.text));
    const rulesPred = test.map((t) => rulesKind(t.text));
    const routed = results.map(isRoutedOutage);
    const outageN = gold.filter((k) => k === 'outage').length;
    const routedRight = routed.filter((r, i) => r && gold[i] === 'outage').length;
    const rulesOutage = rulesPred.filter((k) => k === 'outage').length;
    support = {
      rules: scoreKindPredictions(gold, rulesPred),
      model: scoreKindPredictions(
        gold,
        results.map((r) => r.kind),
      ),
      routingOutageRecall: routedRight / outageN,
      routingOutagePrecision: routedRight / Math.max(1, routed.filter(Boolean).length),
      rulesOutagePrecision:
        rulesPred.filter((k, i) => k === 'outage' && gold[i] === 'outage').length / Math.max(1, rulesOutage),
    };
  }
  const kindsTest = loadKindSet('test');
  const kinds = {
    rules: scoreKindPredictions(
      kindsTest.map((p) => p.kind),
      kindsTest.map((p) => rulesKind(p.text)),
    ),
    model: scoreKindPredictions(
      kindsTest.map((p) => p.kind),
      kindsTest.map((p) => modelKind(p.text).kind),
    ),
  };
  const foreign = kindsTest.filter((p) => !['en', 'und'].includes(detectLanguage(p.text)));
  const nonEnglish = {
    n: foreign.length,
    rules: foreign.filter((p) => rulesKind(p.text) === p.kind).length / Math.max(1, foreign.length),
    model: foreign.filter((p) => modelKind(p.text).kind === p.kind).length / Math.max(1, foreign.length),
  };
  const languages: KindModelBench['languages'] = {};
  for (const p of loadMultilingualKinds()) {
    const r = modelKind(p.text);
    const e = languages[p.lang] ?? { n: 0, rules: 0, model: 0, outageRouted: 0, outages: 0 };
    languages[p.lang] = e;
    Object.assign(e, {
      n: e.n + 1,
      rules: e.rules + (rulesKind(p.text) === p.kind ? 1 : 0),
      model: e.model + (r.kind === p.kind ? 1 : 0),
      outages: e.outages + (p.kind === 'outage' ? 1 : 0),
      outageRouted: e.outageRouted + (p.kind === 'outage' && isRoutedOutage(r) ? 1 : 0),
    });
  }
  for (const e of Object.values(languages)) Object.assign(e, { rules: e.rules / e.n, model: e.model / e.n });
  return { support, kinds, nonEnglish, languages };
}

export async function run(): Promise<KindModelBench> {
  const result = benchKindModel();
  const pct = (x: number) => (100 * x).toFixed(1);
  const row = (name: string, m: KindMetrics) =>
    `${name.padEnd(22)} acc ${pct(m.accuracy).padStart(5)}  macro-F1 ${pct(m.macroF1).padStart(5)}  recall ${POST_KINDS.filter(
      (k) => m.support[k] > 0,
    )
      .map((k) => `${k} ${pct(m.recall[k])}`)
      .join(' · ')}`;
  const { support } = result;
  if (support === null)
    console.log(
      '\nKind model on real support tweets: skipped (no ../shared/data/complaints-social-media; set EARSHOT_SHARED_DIR)',
    );
  else {
    console.log(
      `\nPost kinds on held-out real support tweets (test split of test/data/support-kinds.tsv, ${support.model.n} tweets; judging data, never tuned on)`,
    );
    console.log(row('kind-rules@2', support.rules));
    console.log(row(`${defaultKindModel().name}@${defaultKindModel().version}`, support.model));
    console.log(
      `${' '.repeat(22)} precision ${POST_KINDS.filter((k) => support.model.support[k] > 0)
        .map((k) => `${k} ${pct(support.model.precision[k])}`)
        .join(' · ')}`,
    );
    console.log(
      `outage as routing sees it: rules recall ${pct(support.rules.recall.outage)} (precision ${pct(support.rulesOutagePrecision)}); ` +
        `model first-or-confident-second recall ${pct(support.routingOutageRecall)} (precision ${pct(support.routingOutagePrecision)})`,
    );
  }
  console.log(`Post kinds on kinds.jsonl held-out portion (${result.kinds.model.n} posts)`);
  console.log(row('kind-rules@2', result.kinds.rules));
  console.log(row(`${defaultKindModel().name}@${defaultKindModel().version}`, result.kinds.model));
  console.log(
    `  of which not English (detected): ${result.nonEnglish.n} posts, rules ${pct(result.nonEnglish.rules)} %, model ${pct(result.nonEnglish.model)} %`,
  );
  console.log(
    'Post kinds in five more languages (test/data/kinds-multilingual.jsonl, 12 hand-written posts each; test only):',
  );
  for (const [lang, e] of Object.entries(result.languages))
    console.log(
      `  ${lang}  rules ${pct(e.rules).padStart(5)} %  model ${pct(e.model).padStart(5)} %  outages routed as outage ${e.outageRouted}/${e.outages}`,
    );
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
