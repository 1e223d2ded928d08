/**
 * Throughput of the whole analyze stage (sentiment, kind, language, impersonation, lures) on
 * one core, previous path and current default side by side in one run, over a realistic mix:
 * TweetEval validation (English) and UMSAB validation (eight languages), plus the support
 * tweets when ../shared has them. Also where the language decisions were made.
 * Run: `npx tsx bench/analyze-speed.ts` (or `npm run bench`).
 */
import { createAnalyzer, type Analyzer } from '../src/analysis/analyzer.js';
import { detectLanguageWithPath, type LanguagePath } from '../src/analysis/language-fast.js';
import { earshotSentiment } from '../src/analysis/sentiment-model.js';
import { hasSupportTweets, loadSupportTweets } from './support-kinds.js';
import { hasTweetEval, loadSplit, tweetEvalDir } from './tweeteval.js';
import { UMSAB_LANGUAGES, hasUmsab, loadUmsab, umsabDir, type UmsabLanguage } from './umsab.js';

export interface SpeedBench {
  readonly posts: number;
  readonly previous: number;
  readonly current: number;
  readonly languagePaths: Record<LanguagePath, number>;
}

export function corpus(): string[] {
  const texts: string[] = [];
  if (hasTweetEval()) texts.push(...loadSplit(tweetEvalDir(), 'val').texts);
  if (hasUmsab())
    for (const name of Object.keys(UMSAB_LANGUAGES))
      texts.push(...loadUmsab(umsabDir(), name as UmsabLanguage, 'val').texts);
  if (hasSupportTweets()) texts.push(...loadSupportTweets('all').map((t) => t.text));
  return texts;
}

/**
 * Posts per CPU-second over `texts`, repeated for at least `minMs` of CPU time after a warm-up
 * pass. CPU time, not wall time: on a shared machine other work steals wall time from both paths
 * unevenly, while the CPU time this process spends per post is what one core can do.
 */
export function postsPerSecond(analyzer: Analyzer, texts: readonly string[], minMs: number): number {
  const drafts = texts.map((text) => ({ text, author: { handle: '@someone', name: null } }));
  for (const d of drafts) analyzer.analyze(d);
  let n = 0;
  const start = process.cpuUsage();
  const cpuMs = () => {
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  };
  while (cpuMs() < minMs) {
    for (const d of drafts) analyzer.analyze(d);
    n += drafts.length;
  }
  return n / (cpuMs() / 1000);
}

export async function run(options: { minMs?: number } = {}): Promise<SpeedBench | null> {
  const texts = corpus();
  if (texts.length === 0) {
    console.log('\nAnalyze-stage speed bench skipped: no TweetEval/UMSAB data in ../shared (set EARSHOT_SHARED_DIR)');
    return null;
  }
  const organisation = { handles: ['@AcmeSupport'], domains: ['acme.example'] };
  const previous = createAnalyzer({ organisation, sentiment: earshotSentiment, kind: 'rules', language: 'eld' });
  const current = createAnalyzer({ organisation });
  const minMs = options.minMs ?? 1500;
  // Alternate the two and keep each one's best, so a busy moment on a shared machine hurts both alike.
  let prev = 0;
  let cur = 0;
  for (let round = 0; round < 2; round++) {
    prev = Math.max(prev, postsPerSecond(previous, texts, minMs));
    cur = Math.max(cur, postsPerSecond(current, texts, minMs));
  }
  const languagePaths: Record<LanguagePath, number> = { script: 0, words: 0, eld: 0, short: 0 };
  for (const t of texts) languagePaths[detectLanguageWithPath(t).path]++;
  const fmt = (x: number) => Math.round(x).toLocaleString('en');
  console.log(
    `\nAnalyze stage, one core, ${texts.length} real posts (TweetEval val, UMSAB val in 8 languages${hasSupportTweets() ? ', support tweets' : ''})`,
  );
  console.log(
    `  previous path (earshot-sentiment for all languages, kind rules, eld): ${fmt(prev)} posts per CPU-second`,
  );
  console.log(
    `  current default (fast language, sentiment by language, kind model):  ${fmt(cur)} posts per CPU-second (${(cur / prev).toFixed(2)}×)`,
  );
  console.log(
    `  language decided by: script ${languagePaths.script}, function words ${languagePaths.words}, eld ${languagePaths.eld}, too short ${languagePaths.short}`,
  );
  return { posts: texts.length, previous: prev, current: cur, languagePaths };
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
