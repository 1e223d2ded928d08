/**
 * The real support tweets labelled by kind: labels from `test/data/support-kinds.tsv` (ids only,
 * committed), texts from `../shared/data/complaints-social-media/complaints-data.csv` (not
 * redistributable, joined at run time). Used by the kind trainer, the kind bench and its test.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmix32, fnv1a } from '../src/domain/hash.js';
import { POST_KINDS, type PostKind } from '../src/domain/post.js';
import { sharedDir } from './tweeteval.js';

export const SUPPORT_LABELS_FILE = fileURLToPath(new URL('../test/data/support-kinds.tsv', import.meta.url));
export const COMPLAINTS_RELATIVE = join('data', 'complaints-social-media', 'complaints-data.csv');

export interface SupportTweet {
  readonly id: string;
  readonly text: string;
  readonly kind: PostKind;
  readonly pass1: PostKind;
  readonly pass2: PostKind;
}

/** Held out (test) when the id hashes into 3 of 10 buckets; fixed before any model was trained. */
export function supportSplitOf(id: string): 'train' | 'test' {
  return fmix32(fnv1a(id)) % 10 < 3 ? 'test' : 'train';
}

export function complaintsCsv(shared: string = sharedDir()): string {
  return join(shared, COMPLAINTS_RELATIVE);
}

export function hasSupportTweets(shared: string = sharedDir()): boolean {
  return existsSync(complaintsCsv(shared));
}

/** Labelled support tweets joined with their texts; `split` filters by `supportSplitOf`. */
export function loadSupportTweets(
  split: 'train' | 'test' | 'all' = 'all',
  shared: string = sharedDir(),
): SupportTweet[] {
  const texts = new Map<string, string>();
  for (const row of parseCsv(readFileSync(complaintsCsv(shared), 'utf8'))) {
    if (row.length >= 2) texts.set(row[0]!, row[1]!);
  }
  const out: SupportTweet[] = [];
  const lines = readFileSync(SUPPORT_LABELS_FILE, 'utf8').split('\n').slice(1);
  for (const line of lines) {
    if (line.trim() === '') continue;
    const [id, pass1, pass2, kind] = line.split('\t') as [string, PostKind, PostKind, PostKind];
    if (![pass1, pass2, kind].every((k) => (POST_KINDS as readonly string[]).includes(k)))
      throw new Error(`support-kinds.tsv: bad kind in ${line}`);
    const text = texts.get(id);
    if (text === undefined) throw new Error(`support-kinds.tsv: tweet ${id} is not in ${complaintsCsv(shared)}`);
    if (split === 'all' || supportSplitOf(id) === split) out.push({ id, text, kind, pass1, pass2 });
  }
  return out;
}

/** RFC 4180 rows: quoted fields may hold commas, doubled quotes and newlines. */
export function parseCsv(csv: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const c = csv[i]!;
    if (quoted) {
      if (c === '"') {
        if (csv[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && csv[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Cohen's kappa between two label sequences of equal length. */
export function cohensKappa<T>(a: readonly T[], b: readonly T[]): { agreement: number; kappa: number } {
  const n = a.length;
  const ca = new Map<T, number>();
  const cb = new Map<T, number>();
  let same = 0;
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) same++;
    ca.set(a[i]!, (ca.get(a[i]!) ?? 0) + 1);
    cb.set(b[i]!, (cb.get(b[i]!) ?? 0) + 1);
  }
  let pe = 0;
  for (const [k, v] of ca) pe += (v / n) * ((cb.get(k) ?? 0) / n);
  const po = same / n;
  return { agreement: po, kappa: (po - pe) / (1 - pe) };
}
