/**
 * Sentiment on the TweetEval validation split: macro-averaged recall (TweetEval's metric),
 * accuracy, per-class recall and single-threaded throughput for Earshot's own model and the
 * VADER baseline, in one run. Run alone: `npx tsx bench/sentiment.ts` (data from
 * `../shared`, or `EARSHOT_SHARED_DIR` / `--shared-dir`).
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { SentimentModel } from '../src/analysis/sentiment.js';
import { earshotSentiment } from '../src/analysis/sentiment-model.js';
import { vaderSentiment } from '../src/analysis/vader.js';
import { evaluate, hasTweetEval, loadSplit, sharedDir, sentimentIndex, tweetEvalDir } from './tweeteval.js';
import type { Evaluation } from './tweeteval.js';

export interface ModelReport extends Evaluation {
  readonly model: string;
  readonly textsPerSecond: number;
}

export interface SentimentBenchResult {
  readonly texts: number;
  readonly models: readonly ModelReport[];
}

export interface SentimentBenchOptions {
  readonly sharedDir?: string;
  readonly models?: readonly SentimentModel[];
  /** Minimum wall time spent timing each model. */
  readonly minTimingMs?: number;
  readonly log?: (line: string) => void;
}

/** Runs the bench; resolves to `null` (after one line saying why) when the data is absent. */
export async function run(options: SentimentBenchOptions = {}): Promise<SentimentBenchResult | null> {
  const log = options.log ?? console.log;
  const dir = tweetEvalDir(options.sharedDir ?? sharedDir());
  if (!hasTweetEval(dir)) {
    log(`sentiment bench skipped: no TweetEval data in ${dir} (set EARSHOT_SHARED_DIR)`);
    return null;
  }
  const { texts, labels } = loadSplit(dir, 'val');
  const models = options.models ?? [earshotSentiment, vaderSentiment];
  const reports = models.map((m) => measure(m, texts, labels, options.minTimingMs ?? 1500));

  log(`Sentiment, TweetEval validation split (${texts.length} tweets), single-threaded`);
  log('');
  log('| model | macro-recall | accuracy | recall neg | recall neu | recall pos | texts/s |');
  log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of reports) {
    log(
      `| ${r.model} | ${pct(r.macroRecall)} | ${pct(r.accuracy)} | ${pct(r.recall.negative)} | ` +
        `${pct(r.recall.neutral)} | ${pct(r.recall.positive)} | ${Math.round(r.textsPerSecond).toLocaleString('en-US')} |`,
    );
  }
  const [first, second] = reports;
  if (first !== undefined && second !== undefined) {
    log('');
    log(`throughput ${first.model} / ${second.model}: ${(first.textsPerSecond / second.textsPerSecond).toFixed(1)}×`);
  }
  return { texts: texts.length, models: reports };
}

function measure(
  model: SentimentModel,
  texts: readonly string[],
  labels: readonly number[],
  minMs: number,
): ModelReport {
  // The first pass gives the predictions and warms up the JIT (and loads lazy models).
  const predicted = texts.map((t) => sentimentIndex(model.score(t).sentiment));
  let scored = 0;
  let sink = 0;
  const started = performance.now();
  let elapsed = 0;
  do {
    for (const t of texts) sink += model.score(t).score;
    scored += texts.length;
    elapsed = performance.now() - started;
  } while (elapsed < minMs);
  if (Number.isNaN(sink)) throw new Error(`${model.name} returned NaN`);
  return {
    model: `${model.name}@${model.version}`,
    textsPerSecond: (scored / elapsed) * 1000,
    ...evaluate(labels, predicted),
  };
}

function pct(x: number): string {
  return (x * 100).toFixed(1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await run();
}
