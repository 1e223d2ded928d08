/**
 * Words that name no topic, in the languages Earshot reads: the `stopword` package's lists for
 * English, Spanish, German, French, Portuguese, Italian and Dutch, plus the filler of social posts
 * ("rt", "pls", "thanks") and the English function words the package's short list lacks ("not", "why").
 */
import { deu, eng, fra, ita, nld, por, spa } from 'stopword';

const SOCIAL = (
  'rt amp via http https www com pls plz thx thanks thank hi hello hey dm lol im ive dont cant wont didnt doesnt ' +
  'isnt its youre get got getting just now today still one like know need want back going please anyone else ' +
  'guys really also would could should will can yes yeah ok okay ' +
  // English function words and fillers the package's short list lacks.
  'not no when why what where who how off new time made make say said see even again ever never always every ' +
  'does did doing done something anything nothing someone anyone day days week thing things help use using try trying tried lot'
).split(' ');

const STOPWORDS: ReadonlySet<string> = new Set(
  [...eng, ...spa, ...deu, ...fra, ...por, ...ita, ...nld, ...SOCIAL].map((word) => word.toLowerCase()),
);

/** `word` lower-cased, without apostrophes (`don't` → `dont`), is a stopword. */
export function isStopword(word: string): boolean {
  return STOPWORDS.has(word.toLowerCase().replace(/['’]/g, ''));
}
