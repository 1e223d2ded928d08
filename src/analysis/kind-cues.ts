/**
 * Intent cues in the six languages Earshot classifies kinds in (English, Spanish, German, French,
 * Portuguese, Italian): outage, request, question, complaint and praise words. The trained kind
 * model (`kind-model.ts`) sees each cue as one language-independent feature, shared with the
 * English rules of `kind.ts`, so what it learns from English support tweets ("not working" →
 * outage) carries over to "no funciona", "funktioniert nicht" or "ne marche pas".
 *
 * Compiled once, case-insensitive, no nested quantifiers (linear time on any input). `\b` is
 * ASCII-only in JavaScript, so accented words are bounded with look-arounds on `\p{L}` instead.
 *
 * @module
 */

/** Bit flags returned by `cueSignals`. */
export const CUE = Object.freeze({
  outage: 1,
  request: 2,
  question: 4,
  complaint: 8,
  praise: 16,
  /** "is it down / is X working" phrasing: an outage asked as a question. */
  outageQuestion: 32,
  /** Something not working for the author (English, weaker than an outage word): "can't", "stuck", "glitch". */
  trouble: 64,
});

const W = String.raw`(?<![\p{L}\p{N}_])`;
const E = String.raw`(?![\p{L}\p{N}_])`;
const words = (alternatives: readonly string[]): RegExp => new RegExp(`${W}(?:${alternatives.join('|')})${E}`, 'iu');

const OUTAGE_WORDS = words([
  // es
  'no funciona',
  'no me funciona',
  'no funcionan',
  'est[aá] ca[ií]d[oa]',
  'se cay[oó]',
  'ca[ií]da del servicio',
  'sin servicio',
  'sin internet',
  'sin se[nñ]al',
  'sin luz',
  'sin conexi[oó]n',
  'no carga',
  'no puedo (?:entrar|acceder|conectar(?:me)?|iniciar sesi[oó]n)',
  // pt
  'n[aã]o funciona',
  'n[aã]o est[aá] funcionando',
  'fora do ar',
  'caiu',
  'sem internet',
  'sem sinal',
  'sem luz',
  'sem conex[aã]o',
  'n[aã]o consigo (?:entrar|acessar|conectar|logar)',
  'n[aã]o carrega',
  // fr
  'en panne',
  'ne marche (?:pas|plus)',
  'marche pas',
  'ne fonctionne (?:pas|plus)',
  'fonctionne pas',
  'hors service',
  'hors ligne',
  'pas de r[ée]seau',
  "pas d'internet",
  'plus de r[ée]seau',
  "plus d'internet",
  'coupure',
  'impossible de (?:me |se )?(?:connecter|charger)',
  // de
  'funktioniert (?:nicht|schon wieder nicht|seit)',
  'geht (?:nicht|gerade nicht|schon wieder nicht)',
  'ausgefallen',
  'ausfall',
  'st[öo]rung',
  'kein netz',
  'kein internet',
  'kein empfang',
  'keine verbindung',
  'kann mich nicht (?:anmelden|einloggen)',
  'l[äa]dt nicht',
  // it
  'non funziona',
  'non va',
  '[èe] gi[ùu]',
  'fuori servizio',
  'disservizio',
  'senza linea',
  'senza rete',
  'senza internet',
  'non riesco (?:ad? )?(?:accedere|entrare|collegarmi|connettermi)',
  'non carica',
  // shared
  'down',
  'offline',
  'outage',
  'error(?:e|es)?',
  'fehler',
  'erreur',
  'erro',
]);

const REQUEST_WORDS = words([
  'por favor',
  'porfa',
  'necesito',
  'quiero',
  'pueden',
  'podr[ií]an',
  'ay[uú]denme',
  'preciso',
  'quero',
  'podem',
  'poderiam',
  "s'il vous pla[iî]t",
  'svp',
  'stp',
  'pouvez-vous',
  'pourriez-vous',
  'je voudrais',
  "j'ai besoin",
  'merci de',
  'bitte',
  'k[öo]nnen sie',
  'k[öo]nnt ihr',
  'ich m[öo]chte',
  'ich brauche',
  'per favore',
  'per piacere',
  'potete',
  'potreste',
  'vorrei',
  'ho bisogno',
  'rembourse(?:ment|z)',
  'reembolso',
  'erstattung',
  'rimborso',
  'cancelar',
  'annuler',
  'k[üu]ndigen',
  'annullare',
]);

// Interrogatives that open a question, after any @mentions.
const QUESTION_OPENERS =
  /^\s*(?:@\S+\s+)*[¿]?(?:qu[ée]|c[oó]mo|cu[aá]ndo|cu[aá]nto|d[oó]nde|por qu[ée]|cu[aá]l|hay|alguien|tienen|se puede|o que|onde|quando|qual|quanto|tem|algu[ée]m|voc[êe]s|comment|combien|quand|o[uù]|pourquoi|quel(?:le)?s?|est-ce que|y a-t-il|wie|wann|wo|warum|wieso|welche[rsn]?|gibt es|kann man|habt ihr|come|dove|perch[ée]|quale|quanto|quando|c'[èe]|qualcuno)(?![\p{L}\p{N}_])/iu;

// "Is it down?" in each language: an outage asked as a question.
const OUTAGE_QUESTION = words([
  // "is the vpn down", "is your app down": the guideline's "Is X down?" with an article or possessive.
  'is (?:it|(?:the |your |ur |my |our )?\\S+) down',
  'are (?:you|(?:the |your |ur |my |our )?\\S+) down',
  'anyone else',
  'is it just me',
  'known issue',
  'any outage',
  'is there an outage',
  '(?:est[aá]|est[aá]n) ca[ií]d[oa]s?',
  'alguien m[aá]s',
  'est[aá] fora do ar',
  'mais algu[ée]m',
  'est en panne',
  'y a-t-il une panne',
  'ist .{1,20} down',
  'gibt es eine st[öo]rung',
  '[èe] down',
  "c'[èe] un disservizio",
]);

const TROUBLE_WORDS = words([
  "can'?t",
  'cannot',
  'unable to',
  "won'?t",
  "doesn'?t",
  "isn'?t",
  "aren'?t",
  "didn'?t",
  'not (?:work|load|connect|open|sync|print|scan|turn on|charge|play|stream|show|display|respond|allow)\\w*',
  'no (?:wifi|wi-fi|internet|power|signal|service|connection|sound|lights|water|heat|network|reception|4g|3g)',
  'stuck',
  'glitch\\w*',
  'bug(?:s|gy)?',
  'issues?',
  'problems?',
  'anymore',
  'no longer',
  'slow',
  'lag\\w*',
  'freez\\w*',
  'froze',
  'reboot\\w*',
  'kicked (?:me )?out',
  'logged (?:me )?out',
  'locked out',
  'unavailable',
  'not available',
  'invalid',
  'failed',
  'fail(?:s|ing)?',
  'keeps? (?:\\w+ing|\\w+ me)',
  'error code',
  'code \\d+',
  'no worky',
  'loop',
  // The same "it doesn't work for me" words in the other five languages, so the weight learned from
  // English tweets reaches them: can't, problem, slow, hangs, crashes, still not.
  'no puedo',
  'no me deja',
  'sigue sin',
  'problemas?',
  'lent[oa]',
  'se (?:cuelga|bloquea)',
  'n[aã]o consigo',
  'travad[oa]',
  'travando',
  'continua sem',
  'je n.arrive pas',
  'impossible',
  'probl[èe]mes?',
  'plante',
  'bloqu[ée]e?',
  'kann nicht',
  'klappt nicht',
  'probleme?',
  'h[äa]ngt',
  'st[üu]rzt ab',
  'langsam',
  'non riesco',
  'si blocca',
  'bloccat[oa]',
  'errore',
]);

const COMPLAINT_WORDS = words([
  'p[ée]simo',
  'verg[üu]enza',
  'horrible',
  'fatal',
  'estafa',
  'harto',
  'nadie (?:responde|contesta)',
  'todav[ií]a no',
  'p[ée]ssimo',
  'vergonha',
  'horr[ií]vel',
  'absurdo',
  'descaso',
  'ainda n[aã]o',
  'nul',
  'honteux',
  'inadmissible',
  'scandaleux',
  'arnaque',
  'toujours pas',
  "j'en ai marre",
  'lamentable',
  'unversch[äa]mt',
  'frechheit',
  'katastrophe',
  'entt[äa]uscht',
  'immer noch nicht',
  'schlechteste[rn]?',
  'vergogna',
  'pessimo',
  'schifo',
  'scandaloso',
  'ancora niente',
  'ancora nessuna',
  'delusione',
  'deluso',
  // Delays, no answer, charged twice: the usual complaints, in each language.
  'retraso',
  'nadie (?:me )?(?:responde|contesta)',
  'atras(?:o|ad[oa])',
  'ningu[ée]m (?:responde|atende)',
  'retard',
  'aucune r[ée]ponse',
  'versp[äa]tung',
  'keine antwort',
  'ritardo',
  'in ritardo',
  'nessuno (?:risponde|mi risponde)',
  'vergognoso',
]);

const PRAISE_WORDS = words([
  'gracias',
  'excelente',
  'genial',
  'obrigad[oa]',
  '[óo]timo',
  'merci',
  'g[ée]nial',
  'bravo',
  'danke',
  'toll',
  'super',
  'klasse',
  'grazie',
  'ottimo',
  'perfetto',
  'perfecto',
  'perfeito',
  'parfait',
  'me encanta',
  'adorei',
  'parab[ée]ns',
  'excellent',
  'vielen dank',
  'wunderbar',
  'complimenti',
  'gentilissim[io]',
]);

/** Which cue families occur in `text` (any of the six languages), as `CUE` bits. */
export function cueSignals(text: string): number {
  let bits = 0;
  if (OUTAGE_WORDS.test(text)) bits |= CUE.outage;
  if (REQUEST_WORDS.test(text)) bits |= CUE.request;
  if (QUESTION_OPENERS.test(text) || text.includes('¿')) bits |= CUE.question;
  if (COMPLAINT_WORDS.test(text)) bits |= CUE.complaint;
  if (PRAISE_WORDS.test(text)) bits |= CUE.praise;
  if (OUTAGE_QUESTION.test(text)) bits |= CUE.outageQuestion;
  if (TROUBLE_WORDS.test(text)) bits |= CUE.trouble;
  return bits;
}
