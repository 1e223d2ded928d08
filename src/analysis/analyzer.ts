/**
 * The analysis stage: sentiment, kind and language of a post in one call, plus the
 * impersonation and scam watch (flags), with the name and version of every model used
 * recorded on the result so any label can be traced and re-run.
 *
 * Default path: language on the cheap path (`language-fast.ts`), the text featurised once
 * (`sentiment-features.ts`) and read by the sentiment model for its language
 * (`sentiment-multilingual.ts`) and by the trained kind model (`kind-model.ts`). The options
 * bring back the previous path (one sentiment model for every language, the kind rules, eld),
 * which the bench runs side by side.
 */
import type { Analysis, PostDraft, PostFlag } from '../domain/post.js';
import { classifyKind, KIND_MODEL } from './kind.js';
import { defaultKindModel } from './kind-model.js';
import { detectLanguage as detectWithEld, LANGUAGE_MODEL as ELD_MODEL } from './language.js';
import { detectLanguage as detectFast, LANGUAGE_MODEL as FAST_LANGUAGE_MODEL } from './language-fast.js';
import { FeatureBuffer, featurize } from './sentiment-features.js';
import { multilingualScorer, sentimentFromFeatures } from './sentiment-multilingual.js';
import { earshotSentimentScorer, sentimentResultOf } from './sentiment-scorer.js';
import type { SentimentModel } from './sentiment.js';
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
  /** One sentiment model for every language; by default Earshot's own, chosen by detected language. */
  readonly sentiment?: SentimentModel;
  /** `model` (default): the trained kind model; `rules`: the keyword rules alone. */
  readonly kind?: 'model' | 'rules';
  /** `fast` (default): script and function words first, eld where unsure; `eld`: eld for every post. */
  readonly language?: 'fast' | 'eld';
  /** The organisation's official handles and domains; none means nothing is flagged. */
  readonly organisation?: Organisation;
}

export function createAnalyzer(options: AnalyzerOptions = {}): Analyzer {
  const sentimentModel = options.sentiment;
  const useKindModel = (options.kind ?? 'model') === 'model';
  const detectLanguage = (options.language ?? 'fast') === 'fast' ? detectFast : detectWithEld;
  const organisation = options.organisation ?? { handles: [], domains: [] };
  // Built once: official skeletons are computed here, not per post.
  const checkImpersonation = createImpersonationCheck(organisation);
  const findLures = createLureCheck(organisation);
  // Fixed per analyzer, so built once; each result gets its own copy, as callers may mutate it.
  const sentimentModels = sentimentModel ? [sentimentModel] : [earshotSentimentScorer(), multilingualScorer()];
  const kindScorer = useKindModel ? defaultKindModel() : null;
  const kindModel = kindScorer ?? KIND_MODEL;
  const languageModel = detectLanguage === detectFast ? FAST_LANGUAGE_MODEL : ELD_MODEL;
  const models: readonly string[] = [...sentimentModels, kindModel, languageModel, IMPERSONATION_MODEL].map(
    (m) => `${m.name}@${m.version}`,
  );
  const english = earshotSentimentScorer();
  const buffer = new FeatureBuffer();

  function explain(draft: AnalyzerInput) {
    const impersonation = draft.author ? checkImpersonation(draft.author) : null;
    return { impersonation, lures: findLures(draft.text) };
  }

  return {
    explain,
    analyze: function analyze(draft: AnalyzerInput): Analysis {
      const text = typeof draft.text === 'string' ? draft.text : String(draft.text ?? '');
      const lang = detectLanguage(text);
      let probabilities: [number, number, number] | null = null;
      if (sentimentModel === undefined || useKindModel) {
        // One featurisation for the sentiment and kind models.
        featurize(text, english.features, english.lexicon, buffer);
        probabilities = sentimentFromFeatures(buffer, lang);
      }
      const { sentiment, score } = sentimentModel
        ? sentimentModel.score(draft.text)
        : sentimentResultOf(probabilities!);
      const flags = flagsOf(explain(draft));
      if (!useKindModel)
        return {
          sentiment,
          sentimentScore: score,
          kind: classifyKind(text, sentiment),
          lang,
          models: [...models],
          flags,
        };
      const kind = kindScorer!.classifyFeatures(text, buffer, probabilities!);
      return {
        sentiment,
        sentimentScore: score,
        kind: kind.kind,
        kindConfidence: kind.confidence,
        secondKind: kind.secondKind,
        secondKindConfidence: kind.secondConfidence,
        lang,
        models: [...models],
        flags,
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
