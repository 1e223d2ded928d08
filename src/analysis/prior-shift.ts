/**
 * Class-prior shift: a model trained with balanced class weights reads every stream as if its
 * classes were equally common, but real streams are not (a crisis is mostly negative). Given
 * the model's probabilities for a batch of posts, `estimatePriors` finds the batch's own class
 * mix by EM (Saerens, Latinne & Decaestecker, Neural Computation 2002), and `adjustForPriors`
 * re-weights each post's probabilities to it. Used by the sentiment bench to show how much
 * macro measures move with the class mix, with and without the adjustment.
 *
 * @module
 */

/** Re-weights class probabilities trained under `trainPrior` for a stream whose mix is `prior`. */
export function adjustForPriors(
  p: readonly number[],
  trainPrior: readonly number[],
  prior: readonly number[],
): number[] {
  const q = p.map((v, c) => (v * prior[c]!) / trainPrior[c]!);
  const s = q.reduce((a, b) => a + b, 0);
  return s > 0 ? q.map((v) => v / s) : [...p];
}

/** EM estimate of a batch's class mix from the model's probabilities (a few dozen iterations). */
export function estimatePriors(
  batch: readonly (readonly number[])[],
  trainPrior: readonly number[],
  iterations = 100,
  tolerance = 1e-6,
): number[] {
  const k = trainPrior.length;
  let prior = [...trainPrior];
  if (batch.length === 0) return prior;
  for (let it = 0; it < iterations; it++) {
    const next = new Array<number>(k).fill(0);
    for (const p of batch) {
      const q = adjustForPriors(p, trainPrior, prior);
      for (let c = 0; c < k; c++) next[c]! += q[c]!;
    }
    for (let c = 0; c < k; c++) next[c]! /= batch.length;
    const moved = next.reduce((m, v, c) => Math.max(m, Math.abs(v - prior[c]!)), 0);
    prior = next;
    if (moved < tolerance) break;
  }
  return prior;
}
