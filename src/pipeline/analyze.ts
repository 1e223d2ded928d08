/**
 * Analyze stage: sentiment, kind and language for each post, by whichever models the
 * analyzer was built with.
 */
import { setImmediate } from 'node:timers/promises';
import type { Analysis, PostDraft } from '../domain/post.js';
import type { Analyzer } from '../analysis/analyzer.js';

export type AnalysedDraft = PostDraft & Analysis;

/** Posts analysed between two yields to the event loop, so the API keeps answering during a large import. */
export const ANALYZE_SLICE = 200;

export async function analyze(drafts: readonly PostDraft[], analyzer: Analyzer): Promise<AnalysedDraft[]> {
  const analysed: AnalysedDraft[] = [];
  for (const [index, draft] of drafts.entries()) {
    if (index > 0 && index % ANALYZE_SLICE === 0) await setImmediate();
    analysed.push({ ...draft, ...analyzer.analyze(draft) });
  }
  return analysed;
}
