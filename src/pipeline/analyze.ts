/**
 * Analyze stage: sentiment, kind and language for each post, by whichever models the
 * analyzer was built with.
 */
import type { Analysis, PostDraft } from '../domain/post.js';
import type { Analyzer } from '../analysis/analyzer.js';
import { TimeSlice } from './time-slice.js';

export type AnalysedDraft = PostDraft & Analysis;

/** Analyses a batch, yielding to the event loop every few milliseconds so the API keeps answering. */
export async function analyze(drafts: readonly PostDraft[], analyzer: Analyzer): Promise<AnalysedDraft[]> {
  const analysed: AnalysedDraft[] = [];
  const slice = new TimeSlice();
  for (const draft of drafts) {
    if (slice.due()) await slice.yield();
    analysed.push({ ...draft, ...analyzer.analyze(draft) });
  }
  return analysed;
}
