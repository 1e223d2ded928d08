/**
 * Language detection on a cheap path first: the writing system settles most non-Latin text
 * (Arabic without Persian or Urdu letters, Greek, Hebrew, Thai, Korean, Japanese, Chinese, Georgian, Armenian and the Indic scripts
 * with one main language), and function words settle most Latin-script posts in the languages
 * Earshot sees most (English, Spanish, Portuguese, French, German, Italian, Dutch, and Hindi
 * written in Latin letters). Only what
 * stays unclear (short or mixed text, Cyrillic, Persian and Urdu, Devanagari, other Latin-script
 *  languages) goes to the full n-gram detector (`language.ts`, eld). Same contract: an
 * ISO 639-1 code, or `und`.
 *
 * @module
 */
import { detectLanguage as detectWithEld, LANGUAGE_MODEL as ELD_MODEL, UNDETERMINED } from './language.js';

export { UNDETERMINED };
export const LANGUAGE_MODEL = Object.freeze({ name: 'earshot-lang-fast+eld', version: `1+${ELD_MODEL.version}` });

/** How a result was reached, for the bench: the cheap path or eld. */
export type LanguagePath = 'script' | 'words' | 'eld' | 'short';

const MAX_CHARS = 2000;
const MIN_LETTERS = 3;
/** A function-word decision needs this many hits for the winner… */
const MIN_HITS = 2;
/** …and this lead over the runner-up. */
const MIN_LEAD = 2;

/** Language of `text` (ISO 639-1) or `und`. */
export function detectLanguage(text: string): string {
  return detectLanguageWithPath(text).lang;
}

export function detectLanguageWithPath(text: string): { lang: string; path: LanguagePath } {
  if (typeof text !== 'string') return { lang: UNDETERMINED, path: 'short' };
  const head = text.length > MAX_CHARS ? text.slice(0, MAX_CHARS) : text;
  const script = scriptOf(head);
  if (script.letters < MIN_LETTERS) return { lang: UNDETERMINED, path: 'short' };
  if (script.unique !== null) return { lang: script.unique, path: 'script' };
  if (script.latinOnly) {
    const lang = byFunctionWords(head);
    if (lang !== null) return { lang, path: 'words' };
  }
  return { lang: detectWithEld(head), path: 'eld' };
}

// Scripts whose presence (as most of the letters) names one language.
const UNIQUE_SCRIPTS: ReadonlyArray<readonly [number, number, string]> = [
  [0x0370, 0x03ff, 'el'],
  [0x0590, 0x05ff, 'he'],
  [0x0e00, 0x0e7f, 'th'],
  [0x1100, 0x11ff, 'ko'],
  [0xac00, 0xd7af, 'ko'],
  [0x3130, 0x318f, 'ko'],
  [0x3040, 0x30ff, 'ja'],
  [0x10a0, 0x10ff, 'ka'],
  [0x0530, 0x058f, 'hy'],
  [0x0980, 0x09ff, 'bn'],
  [0x0a00, 0x0a7f, 'pa'],
  [0x0a80, 0x0aff, 'gu'],
  [0x0b80, 0x0bff, 'ta'],
  [0x0c00, 0x0c7f, 'te'],
  [0x0c80, 0x0cff, 'kn'],
  [0x0d00, 0x0d7f, 'ml'],
  [0x0d80, 0x0dff, 'si'],
  [0x1780, 0x17ff, 'km'],
  [0x1000, 0x109f, 'my'],
  [0x1200, 0x137f, 'am'],
];

const PERSIAN_URDU = new Set([
  0x067e, 0x0686, 0x0698, 0x06af, 0x06a9, 0x06cc, 0x06d2, 0x0679, 0x0688, 0x0691, 0x06ba, 0x06c1, 0x06be,
]);

interface ScriptCount {
  readonly letters: number;
  /** The language named by the dominant script, when it names one. */
  readonly unique: string | null;
  /** Every letter is Latin (links, mentions and hashtags skipped). */
  readonly latinOnly: boolean;
}

function scriptOf(text: string): ScriptCount {
  let letters = 0;
  let latin = 0;
  let han = 0;
  let kana = 0;
  let other = 0;
  let arabic = 0;
  let persianOrUrdu = false;
  const counts = new Map<string, number>();
  let skip = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // Skip @mentions, #hashtags and links: they say nothing about the language.
    if (c === 0x40 || c === 0x23 || (c === 0x68 && text.startsWith('http', i))) skip = true;
    else if (c <= 0x20) skip = false;
    if (skip) continue;
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7)) {
      latin++;
      letters++;
    } else if (
      c < 0x370 ||
      (c >= 0xd800 && c <= 0xdfff) ||
      (c >= 0x2000 && c <= 0x2bff) ||
      (c >= 0xfe00 && c <= 0xfe0f) ||
      (c >= 0x3000 && c <= 0x303f)
    ) {
      // ASCII punctuation and digits, symbols, emoji halves, variation selectors, CJK punctuation.
    } else if (c >= 0x4e00 && c <= 0x9fff) {
      han++;
      letters++;
    } else if (c >= 0x0600 && c <= 0x06ff) {
      letters++;
      arabic++;
      // Letters Arabic does not use: Persian and Urdu go to eld.
      if (PERSIAN_URDU.has(c)) persianOrUrdu = true;
    } else {
      letters++;
      if (c >= 0x3040 && c <= 0x30ff) kana++;
      let named = false;
      for (const [from, to, lang] of UNIQUE_SCRIPTS) {
        if (c >= from && c <= to) {
          counts.set(lang, (counts.get(lang) ?? 0) + 1);
          named = true;
          break;
        }
      }
      if (!named) other++;
    }
  }
  let unique: string | null = null;
  if (arabic >= letters / 2 && !persianOrUrdu) unique = 'ar';
  else if (kana > 0 && kana + han >= letters / 2) unique = 'ja';
  else if (han >= letters / 2) unique = 'zh';
  else {
    for (const [lang, n] of counts) if (n >= letters / 2) unique = lang;
  }
  return { letters, unique, latinOnly: latin === letters && other === 0 };
}

const FUNCTION_WORDS: Readonly<Record<string, string>> = {
  en: "the and is are was were you your i my me it this that to of in for on with have has not but be do does did can will just so what when how why get got im i'm it's don't can't we they our at from all been would should there their about out up if an or by",
  es: 'el la los las de que y en un una es por para con no se lo del al como pero más mas muy esta está estoy mi me te tu su hay ya yo también porque qué cuando todo nada bien hoy ser son fue le les nos eso ni sin sobre',
  pt: 'o a os as de que e em um uma é não nao com para por do da dos das no na se mas mais muito eu você voce meu minha isso esse essa está tá foi são hoje tem também ser já pra vai ele ela',
  fr: "le la les de des du et est un une en que qui pas ne je tu il elle nous vous pour sur avec dans ce cette mais plus très tout suis c'est j'ai au aux mon ma mes on été être ça fait",
  de: 'der die das und ist nicht ich du er sie es wir ihr ein eine mit auf für von zu den dem des auch noch aber wie was so sehr schon bin hat habe im mal kein keine nur oder wenn dass heute mir mich uns',
  it: 'il lo la gli le di che e è un una per non con del della dei da in mi ti si ma più sono ho ha anche come questo questa molto tutto oggi cosa perché io noi voi al alla ci sei',
  nl: 'de het een en van ik je niet dat is op te met voor zijn maar ook als wat nog er naar bij heb dit wel geen veel',
  // Romanised Hindi (Hinglish), as written on Twitter and in chat: Latin-script Hindi has no script of its own to
  // give it away, so its closed-class words vote like the others'. The list is Hindi's core grammar words
  // (McGregor, *Outline of Hindi Grammar*, 1995) in the spellings people type (Roy et al., FIRE 2013 shared task on
  // transliterated search, lists the variants): postpositions ka/ke/ki/ko/se/mein/pe; copula and auxiliaries
  // hai/hain/hoon/hu/ho/tha/thi/raha/rahi/rahe/rha/rhe/rhi/gaya/gayi/gya/hoga/hota/hoti; negation nahi/nahin/nhi/mat;
  // question words kya/kyun/kyu/kaise/kab/kahan/kaun; pronouns mujhe/mera/meri/tum/aap/hum/yeh/ye/woh/wo/uska/unka…;
  // aur, bhi, lekin, toh, ab, abhi, sirf, kuch, sab, bahut; the address particles ji, yaar/yar, bhai. Left out because
  // they are common English or another list's commonest words: hi, main, me, the, to, par, na, a, h, k, b.
  hi: 'hai hain hoon hu ho tha thi nahi nahin nhi mat kya kyun kyu kaise kese kab kahan kaun ka ke ki ko se mein pe aur bhi lekin toh mujhe mujhko mera meri mere tum tumhe tera teri aap apna apne apni hum humara hamara yeh ye woh wo uska uski unka unki iska iski kuch sab bahut bohot bhut raha rahi rahe rha rhe rhi gaya gayi gya gyi hoga hota hoti kar karo karna kiya diya ab abhi sirf jo jab tab ji yaar yar bhai',
};
const LANGS = Object.keys(FUNCTION_WORDS);
const HI = LANGS.indexOf('hi');
const WORD_LANGS = new Map<string, number>();
LANGS.forEach((lang, i) => {
  for (const w of FUNCTION_WORDS[lang]!.split(' ')) WORD_LANGS.set(w, (WORD_LANGS.get(w) ?? 0) | (1 << i));
});
const WORD = /[\p{L}']+/gu;

function byFunctionWords(text: string): string | null {
  const scores = new Array<number>(LANGS.length).fill(0);
  WORD.lastIndex = 0;
  let skip = false;
  for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
    const before = m.index > 0 ? text.charCodeAt(m.index - 1) : 0x20;
    skip = before === 0x40 || before === 0x23 || before === 0x2f || before === 0x2e;
    if (skip) continue;
    const bits = WORD_LANGS.get(m[0].toLowerCase().replace('\u2019', "'"));
    if (bits === undefined) continue;
    for (let i = 0; i < LANGS.length; i++) if (bits & (1 << i)) scores[i]!++;
  }
  let best = 0;
  let second = -1;
  for (let i = 1; i < LANGS.length; i++) {
    if (scores[i]! > scores[best]!) {
      second = best;
      best = i;
    } else if (second === -1 || scores[i]! > scores[second]!) second = i;
  }
  const lead = scores[best]! - (second === -1 ? 0 : scores[second]!);
  if (scores[best]! >= MIN_HITS && lead >= MIN_LEAD) return LANGS[best]!;
  // Hinglish is code-mixed: English words cost Hindi its lead, and eld, which has no romanised Hindi, would call
  // the post English or something stranger. Two Hindi words, more than any other language's, are enough.
  const hindi = scores[HI]!;
  if (hindi >= MIN_HITS && scores.every((n, i) => i === HI || n < hindi)) return 'hi';
  return null;
}
