/**
 * Realistic posts for the speed benchmarks: real tweets from `../shared/data` (TweetEval's train
 * split, the complaints-to-support-accounts set, the CrisisLexT26 timelines in shared) and the
 * desk texts of test/data/kinds.jsonl, shuffled with a fixed seed. Never the reserved test splits.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const SHARED = new URL('../../shared/data/', import.meta.url).pathname;
const KINDS = new URL('../test/data/kinds.jsonl', import.meta.url).pathname;

export interface CorpusText {
  readonly text: string;
  readonly from: 'tweeteval-train' | 'complaints' | 'crisis' | 'desk';
}

/** Every text, shuffled; throws with a one-line reason when ../shared/data is missing. */
export function loadCorpus(seed = 15): CorpusText[] {
  if (!existsSync(SHARED)) throw new Error(`bench corpus: ${SHARED} is missing (the shared data folder)`);
  const texts: CorpusText[] = [];
  for (const line of readFileSync(join(SHARED, 'tweeteval-sentiment/train_text.txt'), 'utf8').split('\n')) {
    const text = line.replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
    if (text.trim()) texts.push({ text: text.trim(), from: 'tweeteval-train' });
  }
  for (const row of csvRows(readFileSync(join(SHARED, 'complaints-social-media/complaints-data.csv'), 'utf8')))
    if (row[1]?.trim()) texts.push({ text: row[1].trim(), from: 'complaints' });
  const crisis = join(SHARED, 'crisis-timelines');
  for (const file of readdirSync(crisis)
    .filter((name) => name.endsWith('.ndjson'))
    .sort())
    for (const line of readFileSync(join(crisis, file), 'utf8').split('\n'))
      if (line.trim()) texts.push({ text: (JSON.parse(line) as { text: string }).text, from: 'crisis' });
  for (const line of readFileSync(KINDS, 'utf8').split('\n'))
    if (line.trim()) texts.push({ text: (JSON.parse(line) as { text: string }).text, from: 'desk' });
  return shuffle(texts, seed);
}

/** `n` ingest-format posts from the corpus (cycled), spread over `spanMs` from `start`, by 5,000 authors. */
export function corpusPosts(
  corpus: readonly CorpusText[],
  n: number,
  options: { prefix?: string; start?: number; spanMs?: number } = {},
): Record<string, unknown>[] {
  const start = options.start ?? Date.UTC(2026, 10, 20);
  const span = options.spanMs ?? 24 * 3600e3;
  const prefix = options.prefix ?? 'b';
  return Array.from({ length: n }, (_, i) => ({
    source: i % 3 === 0 ? 'bench-mail' : 'bench',
    id: `${prefix}${i}`,
    author: {
      handle: `@u${(i * 7919) % 5000}@example.org`,
      name: `U ${i % 5000}`,
      followers: (i * 31) % 5000,
      following: 10,
    },
    text: corpus[i % corpus.length]!.text,
    url: null,
    createdAt: new Date(start + Math.floor((i / n) * span)).toISOString(),
    inReplyTo: null,
    metrics: { likes: i % 7, reposts: i % 3, replies: 0 },
  }));
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function shuffle<T>(items: T[], seed: number): T[] {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** RFC 4180 rows: quoted fields may hold commas, doubled quotes and newlines. */
function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (c !== '\r') field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}
