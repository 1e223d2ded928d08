/**
 * Reader for the TweetEval sentiment data in `../shared/data/tweeteval-sentiment`, used by the
 * training script, the sentiment bench and the regression test. The data sits outside the
 * repository; `EARSHOT_SHARED_DIR` or `--shared-dir <dir>` points at another `shared` folder.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SENTIMENTS } from '../src/domain/post.js';
import type { Sentiment } from '../src/domain/post.js';

export const SPLITS = ['train', 'val'] as const;
export type Split = (typeof SPLITS)[number];

export interface LabelledTexts {
  readonly texts: readonly string[];
  /** Index into `SENTIMENTS`: 0 negative, 1 neutral, 2 positive (TweetEval's mapping). */
  readonly labels: readonly number[];
}

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The `shared` folder: `--shared-dir`, else `EARSHOT_SHARED_DIR`, else `../shared` beside the repo. */
export function sharedDir(
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): string {
  const flag = argv.indexOf('--shared-dir');
  if (flag >= 0 && argv[flag + 1] !== undefined) return resolve(argv[flag + 1]!);
  const inline = argv.find((a) => a.startsWith('--shared-dir='));
  if (inline !== undefined) return resolve(inline.slice('--shared-dir='.length));
  if (env.EARSHOT_SHARED_DIR) return resolve(env.EARSHOT_SHARED_DIR);
  return resolve(REPO_ROOT, '../shared');
}

export function tweetEvalDir(shared: string = sharedDir()): string {
  return join(shared, 'data', 'tweeteval-sentiment');
}

export function hasTweetEval(dir: string = tweetEvalDir()): boolean {
  return existsSync(join(dir, 'val_text.txt')) && existsSync(join(dir, 'val_labels.txt'));
}

export function loadSplit(dir: string, split: Split): LabelledTexts {
  const texts = readLines(join(dir, `${split}_text.txt`)).map((t) => t.trim());
  const labels = readLines(join(dir, `${split}_labels.txt`)).map((l) => Number(l.trim()));
  if (texts.length !== labels.length) {
    throw new Error(`${split}: ${texts.length} texts but ${labels.length} labels in ${dir}`);
  }
  for (const l of labels) {
    if (!(l === 0 || l === 1 || l === 2)) throw new Error(`${split}: bad label ${l} in ${dir}`);
  }
  return { texts, labels };
}

export interface Evaluation {
  readonly macroRecall: number;
  readonly accuracy: number;
  readonly recall: Readonly<Record<Sentiment, number>>;
}

/** TweetEval's metric (macro-averaged recall) plus accuracy and per-class recall. */
export function evaluate(labels: readonly number[], predicted: readonly number[]): Evaluation {
  const hit = [0, 0, 0];
  const total = [0, 0, 0];
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    total[y]!++;
    if (predicted[i] === y) {
      hit[y]!++;
      correct++;
    }
  }
  const r = hit.map((h, c) => (total[c]! > 0 ? h / total[c]! : 0));
  return {
    macroRecall: (r[0]! + r[1]! + r[2]!) / 3,
    accuracy: labels.length > 0 ? correct / labels.length : 0,
    recall: { negative: r[0]!, neutral: r[1]!, positive: r[2]! },
  };
}

export function sentimentIndex(s: Sentiment): number {
  return SENTIMENTS.indexOf(s);
}

function readLines(path: string): string[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
