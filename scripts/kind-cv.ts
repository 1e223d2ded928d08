/**
 * Cross-validation for the kind trainer: five folds of the training pool (support-tweet train
 * split + kinds.jsonl dev) by a hash of the key, independent of the test split. Every choice the
 * trainer makes (configuration, epochs, the outage routing threshold) is made on the pooled
 * out-of-fold predictions for the *support tweets* of the pool, never on a test split.
 */
import { fmix32, fnv1a } from '../src/domain/hash.js';
import { POST_KINDS, type PostKind } from '../src/domain/post.js';
import type { Csr } from './train-kind.js';

export const FOLDS = 5;

export function foldOf(key: string): number {
  return fmix32(fnv1a(`cv:${key}`)) % FOLDS;
}

/** The rows `rows` of a CSR matrix, in that order. */
export function subset(X: Csr, rows: readonly number[]): Csr {
  const offsets = new Int32Array(rows.length + 1);
  let n = 0;
  for (let i = 0; i < rows.length; i++) {
    n += X.offsets[rows[i]! + 1]! - X.offsets[rows[i]!]!;
    offsets[i + 1] = n;
  }
  const indices = new Int32Array(n);
  const values = new Float32Array(n);
  for (let i = 0; i < rows.length; i++) {
    const from = X.offsets[rows[i]!]!;
    const to = X.offsets[rows[i]! + 1]!;
    indices.set(X.indices.subarray(from, to), offsets[i]!);
    values.set(X.values.subarray(from, to), offsets[i]!);
  }
  return { offsets, indices, values };
}

export type Probabilities = Float64Array;

/** Outage as routing sees it (`routingKinds`): the first kind, or the second with probability ≥ `threshold`. */
export function routingOutage(p: Probabilities, threshold: number): boolean {
  const o = POST_KINDS.indexOf('outage');
  let first = 0;
  for (let c = 1; c < p.length; c++) if (p[c]! > p[first]!) first = c;
  if (first === o) return true;
  for (let c = 0; c < p.length; c++) if (c !== first && c !== o && p[c]! > p[o]!) return false;
  return p[o]! >= threshold;
}

export function outageRouting(
  gold: readonly PostKind[],
  probs: readonly Probabilities[],
  threshold: number,
): { recall: number; precision: number; f2: number } {
  let tp = 0;
  let pred = 0;
  let pos = 0;
  for (let i = 0; i < gold.length; i++) {
    const r = routingOutage(probs[i]!, threshold);
    if (r) pred++;
    if (gold[i] === 'outage') {
      pos++;
      if (r) tp++;
    }
  }
  const recall = pos === 0 ? 0 : tp / pos;
  const precision = pred === 0 ? 0 : tp / pred;
  return { recall, precision, f2: recall + precision === 0 ? 0 : (5 * precision * recall) / (4 * precision + recall) };
}
