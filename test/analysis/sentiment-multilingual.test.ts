/**
 * Sentiment by language and the fast language path: routing, the class-mix estimate, and the
 * validation measures recorded in docs/benchmarks.md, which must not fall more than 1.5 points.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detectLanguage as detectWithEld } from '../../src/analysis/language.js';
import { detectLanguage, detectLanguageWithPath } from '../../src/analysis/language-fast.js';
import { adjustForPriors, estimatePriors } from '../../src/analysis/prior-shift.js';
import { sentimentByLanguage, usesEnglishModel } from '../../src/analysis/sentiment-multilingual.js';
import { benchMultilingual } from '../../bench/sentiment-multilingual.js';
import { sharedSkip } from '../helpers/shared.js';

/** Recorded with `npx tsx bench/sentiment-multilingual.ts` (docs/benchmarks.md). */
const RECORDED = { umsabMeanMacroF1: 0.592, tweetEvalMacroRecall: 0.717 };
const MARGIN = 0.015;

describe('fast language detection', () => {
  it('names common languages as eld does, English on the cheap path', () => {
    const cases: [string, string][] = [
      ['the app is down again and I cannot log in', 'en'],
      ['no puedo entrar a la aplicación, está caída desde hoy', 'es'],
      ['die App funktioniert nicht und ich bin sehr genervt', 'de'],
      ['le site ne marche plus et je suis très en colère', 'fr'],
      ['o aplicativo não funciona e eu estou muito chateado', 'pt'],
      ["l'app non funziona e sono molto arrabbiato con voi", 'it'],
    ];
    for (const [text, lang] of cases) {
      const r = detectLanguageWithPath(text);
      assert.equal(r.lang, lang, text);
      if (lang === 'en') assert.equal(r.path, 'words', text);
      assert.equal(detectWithEld(text), lang, `eld: ${text}`);
    }
  });

  it('names romanised Hindi (Hinglish) by its function words, code-mixed or not, and nothing else', () => {
    const hindi = [
      'yaar ye app phir se band hai, kuch bhi nahi chal raha',
      'mera order abhi tak nahi aaya, kya ho raha hai?',
      'bhai network kab theek hoga, subah se signal nahi hai',
      'customer care wale phone nahi utha rahe hain, very bad service',
    ];
    for (const text of hindi) assert.deepEqual(detectLanguageWithPath(text), { lang: 'hi', path: 'words' }, text);
    // One shared word is not enough ("ke" is Indonesian and Malay, "se" Spanish and Czech, "ki" Turkish).
    assert.notEqual(detectLanguage('saya mau pergi ke kantor besok pagi'), 'hi');
    assert.equal(detectLanguage('no se puede entrar a la cuenta desde ayer'), 'es');
    assert.equal(detectLanguage('is the app down for anyone else? it says error 500'), 'en');
  });

  it('names unique scripts without eld, and leaves shared scripts and short text to eld or und', () => {
    assert.deepEqual(detectLanguageWithPath('サービスが使えません'), { lang: 'ja', path: 'script' });
    assert.deepEqual(detectLanguageWithPath('서비스가 안 돼요'), { lang: 'ko', path: 'script' });
    assert.deepEqual(detectLanguageWithPath('Η εφαρμογή δεν λειτουργεί'), { lang: 'el', path: 'script' });
    assert.equal(detectLanguageWithPath('Приложение не работает уже час').path, 'eld');
    assert.equal(detectLanguage('ok'), 'und');
    assert.equal(detectLanguage(''), 'und');
    assert.equal(detectLanguage(42 as unknown as string), 'und');
  });
});

describe('sentiment by language', () => {
  it('sends English and undetermined text to the English model, the rest to the multilingual one', () => {
    assert.ok(usesEnglishModel('en') && usesEnglishModel('und') && !usesEnglishModel('es'));
    assert.equal(sentimentByLanguage.score('Servicio pésimo, estoy harto, nadie responde').sentiment, 'negative');
    assert.equal(sentimentByLanguage.score('Muchas gracias, excelente atención').sentiment, 'positive');
    assert.equal(sentimentByLanguage.score('Danke, super Service!').sentiment, 'positive');
  });

  it('estimates a batch class mix by EM and re-weights to it', () => {
    const uniform = [1 / 3, 1 / 3, 1 / 3];
    // A batch that is 70 % class 0 for a calibrated balanced model.
    const batch = [
      ...Array.from({ length: 70 }, () => [0.6, 0.25, 0.15]),
      ...Array.from({ length: 20 }, () => [0.2, 0.6, 0.2]),
      ...Array.from({ length: 10 }, () => [0.15, 0.25, 0.6]),
    ];
    const mix = estimatePriors(batch, uniform);
    assert.ok(mix[0]! > 0.6 && Math.abs(mix.reduce((a, b) => a + b, 0) - 1) < 1e-9, String(mix));
    const q = adjustForPriors([0.4, 0.35, 0.25], uniform, [0.1, 0.8, 0.1]);
    assert.ok(q[1]! > q[0]!);
  });

  const skip = sharedSkip('data/umsab-sentiment');
  it(`keeps UMSAB validation mean macro-F1 ≥ ${RECORDED.umsabMeanMacroF1} and TweetEval macro-recall ≥ ${RECORDED.tweetEvalMacroRecall} (− ${MARGIN})`, {
    skip,
  }, () => {
    const r = benchMultilingual();
    assert.ok(r, 'CI=true needs ../shared/data/umsab-sentiment and tweeteval-sentiment');
    assert.ok(
      r.meanRoutedMacroF1 >= RECORDED.umsabMeanMacroF1 - MARGIN,
      `UMSAB mean ${r.meanRoutedMacroF1.toFixed(3)}`,
    );
    assert.ok(
      r.tweetEvalMacroRecall >= RECORDED.tweetEvalMacroRecall - MARGIN,
      `TweetEval ${r.tweetEvalMacroRecall.toFixed(3)}`,
    );
  });
});
