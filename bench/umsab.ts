/**
 * Reader for UMSAB (multilingual tweet sentiment, train and validation splits) in
 * `../shared/data/umsab-sentiment`, and its metric (macro-F1 per language). The test split is
 * not there and is never read.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDir, type LabelledTexts } from './tweeteval.js';

/** UMSAB folder name → ISO 639-1 code (what the language detector returns). */
export const UMSAB_LANGUAGES = Object.freeze({
  arabic: 'ar',
  english: 'en',
  french: 'fr',
  german: 'de',
  hindi: 'hi',
  italian: 'it',
  portuguese: 'pt',
  spanish: 'es',
});
export type UmsabLanguage = keyof typeof UMSAB_LANGUAGES;

export function umsabDir(shared: string = sharedDir()): string {
  return join(shared, 'data', 'umsab-sentiment');
}

export function hasUmsab(dir: string = umsabDir()): boolean {
  return existsSync(join(dir, 'spanish', 'val_text.txt'));
}

export function loadUmsab(dir: string, language: UmsabLanguage, split: 'train' | 'val'): LabelledTexts {
  const read = (name: string) =>
    readFileSync(join(dir, language, name), 'utf8')
      .split('\n')
      .filter((l, i, all) => i < all.length - 1 || l !== '');
  const texts = read(`${split}_text.txt`).map((t) => t.trim());
  const labels = read(`${split}_labels.txt`).map((l) => Number(l.trim()));
  if (texts.length !== labels.length)
    throw new Error(`umsab ${language} ${split}: ${texts.length} texts, ${labels.length} labels`);
  return { texts, labels };
}

/** Macro-F1 over negative/neutral/positive, UMSAB's metric; also macro-recall. */
export function macroF1(
  labels: readonly number[],
  predicted: readonly number[],
): { macroF1: number; macroRecall: number; f1: number[] } {
  const tp = [0, 0, 0];
  const gold = [0, 0, 0];
  const pred = [0, 0, 0];
  for (let i = 0; i < labels.length; i++) {
    gold[labels[i]!]!++;
    pred[predicted[i]!]!++;
    if (labels[i] === predicted[i]) tp[labels[i]!]!++;
  }
  const f1 = tp.map((t, c) => (gold[c]! + pred[c]! === 0 ? 0 : (2 * t) / (gold[c]! + pred[c]!)));
  const recall = tp.map((t, c) => (gold[c]! === 0 ? 0 : t / gold[c]!));
  return { macroF1: (f1[0]! + f1[1]! + f1[2]!) / 3, macroRecall: (recall[0]! + recall[1]! + recall[2]!) / 3, f1 };
}
