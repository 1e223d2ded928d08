/**
 * Sentiment for posts that are not in English: a 3-class logistic regression over the same
 * hashed features as the English model (`sentiment-features.ts`: word and character n-grams,
 * emoji, emoticons) plus a bias per language, trained by `scripts/train-sentiment-multilingual.ts`
 * on UMSAB (Arabic, English, French, German, Hindi, Italian, Portuguese, Spanish) and TweetEval,
 * committed as `models/sentiment-multilingual-v1.bin` (the English model's file format).
 * `sentimentByLanguage` picks by detected language: the English model for English and
 * undetermined text (it is better there), this one for everything else.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { detectLanguage } from './language-fast.js';
import { FeatureBuffer, featurize } from './sentiment-features.js';
import { decodeSentimentModel } from './sentiment-model.js';
import {
  earshotSentimentScorer,
  featureScorerFromData,
  sentimentResultOf,
  type FeatureSentimentScorer,
} from './sentiment-scorer.js';
import type { SentimentModel, SentimentResult } from './sentiment.js';

export const MULTILINGUAL_MODEL_URL = new URL('../../models/sentiment-multilingual-v1.bin', import.meta.url);

let cached: FeatureSentimentScorer | undefined;
/** The committed multilingual model, loaded on first use. */
export function multilingualScorer(): FeatureSentimentScorer {
  cached ??= featureScorerFromData(decodeSentimentModel(readFileSync(MULTILINGUAL_MODEL_URL)), { languageBias: true });
  return cached;
}

/** Whether a language is scored by the English model (English, and text too short to tell). */
export function usesEnglishModel(lang: string): boolean {
  return lang === 'en' || lang === 'und';
}

/** Probabilities by language from features computed once with the English model's settings. */
export function sentimentFromFeatures(buffer: FeatureBuffer, lang: string): [number, number, number] {
  return (usesEnglishModel(lang) ? earshotSentimentScorer() : multilingualScorer()).probabilitiesFromFeatures(
    buffer,
    lang,
  );
}

/** The language-routed pair as a plain SentimentModel: detects the language and featurises itself. */
export const sentimentByLanguage: SentimentModel & {
  probabilities(text: string, lang?: string): [number, number, number];
} = (() => {
  const buffer = new FeatureBuffer();
  const probabilities = (text: string, lang?: string): [number, number, number] => {
    const t = typeof text === 'string' ? text : String(text ?? '');
    const en = earshotSentimentScorer();
    featurize(t, en.features, en.lexicon, buffer);
    return sentimentFromFeatures(buffer, lang ?? detectLanguage(t));
  };
  return {
    name: 'earshot-sentiment-by-language',
    get version(): string {
      return `${earshotSentimentScorer().version}+${multilingualScorer().version}`;
    },
    probabilities,
    score: function score(text: string): SentimentResult {
      return sentimentResultOf(probabilities(text));
    },
  };
})();
