/**
 * Accuracy, macro-F1, per-class recall/precision and the confusion matrix for post kinds, shared
 * by the kind bench, the kind trainer and the regression tests.
 */
import { POST_KINDS, type PostKind } from '../src/domain/post.js';

export interface KindMetrics {
  readonly n: number;
  readonly accuracy: number;
  /** Mean F1 over the kinds that occur in the gold labels. */
  readonly macroF1: number;
  readonly recall: Record<PostKind, number>;
  readonly precision: Record<PostKind, number>;
  readonly support: Record<PostKind, number>;
  /** confusion[gold][predicted] */
  readonly confusion: Record<PostKind, Record<PostKind, number>>;
}

export function scoreKindPredictions(gold: readonly PostKind[], predicted: readonly PostKind[]): KindMetrics {
  const zero = () => Object.fromEntries(POST_KINDS.map((k) => [k, 0])) as Record<PostKind, number>;
  const confusion = Object.fromEntries(POST_KINDS.map((k) => [k, zero()])) as Record<
    PostKind,
    Record<PostKind, number>
  >;
  let right = 0;
  for (let i = 0; i < gold.length; i++) {
    confusion[gold[i]!][predicted[i]!] += 1;
    if (gold[i] === predicted[i]) right++;
  }
  const recall = zero();
  const precision = zero();
  const support = zero();
  let f1Sum = 0;
  let classes = 0;
  for (const k of POST_KINDS) {
    const tp = confusion[k][k];
    const goldN = POST_KINDS.reduce((s, o) => s + confusion[k][o], 0);
    const predN = POST_KINDS.reduce((s, o) => s + confusion[o][k], 0);
    support[k] = goldN;
    recall[k] = goldN === 0 ? 0 : tp / goldN;
    precision[k] = predN === 0 ? 0 : tp / predN;
    if (goldN > 0) {
      classes++;
      f1Sum += recall[k] + precision[k] === 0 ? 0 : (2 * recall[k] * precision[k]) / (recall[k] + precision[k]);
    }
  }
  return {
    n: gold.length,
    accuracy: gold.length === 0 ? 0 : right / gold.length,
    macroF1: classes === 0 ? 0 : f1Sum / classes,
    recall,
    precision,
    support,
    confusion,
  };
}
