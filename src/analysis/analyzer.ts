/**
 * The analysis stage: sentiment, kind and language of a post in one call, with the name and
 * version of every model used recorded on the result so any label can be traced and re-run.
 */
import type { Analysis, PostDraft } from '../domain/post.js';
import { classifyKind, KIND_MODEL } from './kind.js';
import { detectLanguage, LANGUAGE_MODEL } from './language.js';
import type { SentimentModel } from './sentiment.js';
import { vaderSentiment } from './vader.js';
import { earshotSentiment } from './sentiment-model.js';

/** Selectable by name (EARSHOT_SENTIMENT); Earshot's own trained model is the default. */
export const SENTIMENT_MODELS: Readonly<Record<string, SentimentModel>> = Object.freeze({ earshot: earshotSentiment, vader: vaderSentiment });

export interface Analyzer {
  analyze(draft: Pick<PostDraft, 'text'>): Analysis;
}

export interface AnalyzerOptions {
  /** Sentiment model to use; VADER unless another is given. */
  readonly sentiment?: SentimentModel;
}

export function createAnalyzer(options: AnalyzerOptions = {}): Analyzer {
  const sentimentModel = options.sentiment ?? earshotSentiment;
  // Fixed per analyzer, so built once; each result gets its own copy, as callers may mutate it.
  const models: readonly string[] = [sentimentModel, KIND_MODEL, LANGUAGE_MODEL].map((m) => `${m.name}@${m.version}`);
  return {
    analyze: function analyze(draft: Pick<PostDraft, 'text'>): Analysis {
      const { sentiment, score } = sentimentModel.score(draft.text);
      return {
        sentiment,
        sentimentScore: score,
        kind: classifyKind(draft.text, sentiment),
        lang: detectLanguage(draft.text),
        models: [...models],
      };
    },
  };
}
