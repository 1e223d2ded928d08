/**
 * The analysis stage: sentiment, kind and language of a post in one call, plus the
 * impersonation and scam watch (flags), with the name and version of every model used
 * recorded on the result so any label can be traced and re-run.
 */
import type { Analysis, PostDraft, PostFlag } from '../domain/post.js';
import { classifyKind, KIND_MODEL } from './kind.js';
import { detectLanguage, LANGUAGE_MODEL } from './language.js';
import type { SentimentModel } from './sentiment.js';
import { earshotSentiment } from './sentiment-model.js';
import {
  createImpersonationCheck,
  IMPERSONATION_MODEL,
  type ImpersonationFinding,
  type Organisation,
} from './impersonation.js';
import { createLureCheck, type LureFinding } from './lures.js';

/** What the analyzer reads: the text always; the author when known (for impersonation). */
export type AnalyzerInput = Pick<PostDraft, 'text'> & {
  readonly author?: Pick<PostDraft['author'], 'handle' | 'name'>;
};

export interface Analyzer {
  analyze(draft: AnalyzerInput): Analysis;
  /** Why a post was flagged: the findings behind `flags`, for alerts and explanations. */
  explain(draft: AnalyzerInput): { impersonation: ImpersonationFinding | null; lures: LureFinding[] };
}

export interface AnalyzerOptions {
  /** Sentiment model to use; Earshot's own unless another is given. */
  readonly sentiment?: SentimentModel;
  /** The organisation's official handles and domains; none means nothing is flagged. */
  readonly organisation?: Organisation;
}

export function createAnalyzer(options: AnalyzerOptions = {}): Analyzer {
  const sentimentModel = options.sentiment ?? earshotSentiment;
  const organisation = options.organisation ?? { handles: [], domains: [] };
  // Built once: official skeletons are computed here, not per post.
  const checkImpersonation = createImpersonationCheck(organisation);
  const findLures = createLureCheck(organisation);
  // Fixed per analyzer, so built once; each result gets its own copy, as callers may mutate it.
  const models: readonly string[] = [sentimentModel, KIND_MODEL, LANGUAGE_MODEL, IMPERSONATION_MODEL].map(
    (m) => `${m.name}@${m.version}`,
  );

  function explain(draft: AnalyzerInput) {
    const impersonation = draft.author ? checkImpersonation(draft.author) : null;
    return { impersonation, lures: findLures(draft.text) };
  }

  return {
    explain,
    analyze: function analyze(draft: AnalyzerInput): Analysis {
      const { sentiment, score } = sentimentModel.score(draft.text);
      return {
        sentiment,
        sentimentScore: score,
        kind: classifyKind(draft.text, sentiment),
        lang: detectLanguage(draft.text),
        models: [...models],
        flags: flagsOf(explain(draft)),
      };
    },
  };
}

/** Findings → the post's flags, in POST_FLAGS order. */
export function flagsOf(found: {
  impersonation: ImpersonationFinding | null;
  lures: readonly LureFinding[];
}): PostFlag[] {
  const flags: PostFlag[] = [];
  if (found.impersonation) flags.push('impersonation');
  if (found.lures.length > 0) flags.push('lure');
  if (found.lures.some((lure) => lure.kind !== 'credential-ask')) flags.push('lookalike-domain');
  return flags;
}
