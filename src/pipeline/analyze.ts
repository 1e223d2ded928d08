/**
 * Analyze stage: sentiment, kind and language for each post, by whichever models the
 * analyzer was built with.
 */
import type { Analysis, PostDraft } from '../domain/post.js';
import type { Analyzer } from '../analysis/analyzer.js';

export type AnalysedDraft = PostDraft & Analysis;

export function analyze(drafts: readonly PostDraft[], analyzer: Analyzer): AnalysedDraft[] {
  return drafts.map((draft) => ({ ...draft, ...analyzer.analyze(draft) }));
}
