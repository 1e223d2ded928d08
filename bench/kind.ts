/**
 * Post kinds on Earshot's own labelled set (test/data/kinds.jsonl, see test/data/README.md):
 * accuracy, per-class recall and the confusion matrix on the held-out portion (the rules were
 * not tuned on it), and classification throughput.
 * Run: `npx tsx bench/kind.ts` (or `npm run bench`); `--split dev` shows the tuning portion.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { classifyKind } from '../src/analysis/kind.js';
import { earshotSentiment } from '../src/analysis/sentiment-model.js';
import { POST_KINDS, type PostKind } from '../src/domain/post.js';
import { fmix32, fnv1a } from '../src/domain/hash.js';

export const KINDS_FILE = fileURLToPath(new URL('../test/data/kinds.jsonl', import.meta.url));

export interface LabelledPost {
  readonly text: string;
  readonly kind: PostKind;
}

/** The fixed split: a post is held out when its text hashes into 3 of 10 buckets. */
export function splitOf(text: string): 'dev' | 'test' {
  return fmix32(fnv1a(text)) % 10 < 3 ? 'test' : 'dev';
}

export function loadKindSet(split: 'dev' | 'test' | 'all' = 'all', file = KINDS_FILE): LabelledPost[] {
  const rows = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  return rows
    .map((line, index) => {
      const row = JSON.parse(line) as { text?: unknown; kind?: unknown };
      if (typeof row.text !== 'string' || !(POST_KINDS as readonly unknown[]).includes(row.kind))
        throw new Error(`${file}:${index + 1}: needs "text" and a known "kind"`);
      return { text: row.text, kind: row.kind as PostKind };
    })
    .filter((row) => split === 'all' || splitOf(row.text) === split);
}

export interface KindScore {
  readonly n: number;
  readonly accuracy: number;
  readonly recall: Record<PostKind, number>;
  /** confusion[gold][predicted] */
  readonly confusion: Record<PostKind, Record<PostKind, number>>;
  readonly errors: { text: string; gold: PostKind; predicted: PostKind }[];
}

/** Scores the rules as the analyzer runs them: with the earshot sentiment of each text. */
export function scoreKinds(rows: readonly LabelledPost[]): KindScore {
  const empty = () => Object.fromEntries(POST_KINDS.map((kind) => [kind, 0])) as Record<PostKind, number>;
  const confusion = Object.fromEntries(POST_KINDS.map((kind) => [kind, empty()])) as Record<
    PostKind,
    Record<PostKind, number>
  >;
  const errors: KindScore['errors'] = [];
  let right = 0;
  for (const row of rows) {
    const predicted = classifyKind(row.text, earshotSentiment.score(row.text).sentiment);
    confusion[row.kind][predicted] += 1;
    if (predicted === row.kind) right += 1;
    else errors.push({ text: row.text, gold: row.kind, predicted });
  }
  const recall = empty();
  for (const kind of POST_KINDS) {
    const total = POST_KINDS.reduce((sum, other) => sum + confusion[kind][other], 0);
    recall[kind] = total === 0 ? 0 : confusion[kind][kind] / total;
  }
  return { n: rows.length, accuracy: rows.length === 0 ? 0 : right / rows.length, recall, confusion, errors };
}

export async function run(options: { split?: 'dev' | 'test'; showErrors?: boolean } = {}): Promise<KindScore> {
  const split = options.split ?? 'test';
  const rows = loadKindSet(split);
  const score = scoreKinds(rows);
  const sentiments = rows.map((row) => earshotSentiment.score(row.text).sentiment);
  let calls = 0;
  const start = performance.now();
  while (performance.now() - start < 1000) {
    for (let i = 0; i < rows.length; i++) classifyKind(rows[i]!.text, sentiments[i]!);
    calls += rows.length;
  }
  const perSecond = Math.round(calls / ((performance.now() - start) / 1000));

  const pct = (x: number) => (100 * x).toFixed(1);
  console.log(
    `\nPost kinds (${split} portion of test/data/kinds.jsonl, ${score.n} posts; kind-rules with earshot sentiment)`,
  );
  console.log(
    `accuracy ${pct(score.accuracy)} %   classifyKind ${perSecond.toLocaleString('en')} texts/s (sentiment not included)`,
  );
  console.log(`recall   ${POST_KINDS.map((kind) => `${kind} ${pct(score.recall[kind])}`).join(' · ')}`);
  console.log(
    `confusion (rows: label, columns: predicted)\n${'label'.padEnd(10)}${POST_KINDS.map((kind) => kind.slice(0, 8).padStart(9)).join('')}`,
  );
  for (const gold of POST_KINDS)
    console.log(
      `${gold.padEnd(10)}${POST_KINDS.map((kind) => String(score.confusion[gold][kind]).padStart(9)).join('')}`,
    );
  if (options.showErrors)
    for (const error of score.errors) console.log(`  ${error.gold} → ${error.predicted}: ${error.text}`);
  return score;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const split = process.argv.includes('--split')
    ? (process.argv[process.argv.indexOf('--split') + 1] as 'dev' | 'test')
    : 'test';
  await run({ split, showErrors: process.argv.includes('--errors') });
}
