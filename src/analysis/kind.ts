/**
 * Rule-based post kind: which of outage, request, question, complaint, praise, spam or other a
 * post is, from keyword patterns plus its sentiment. Cheap and explainable; a trained model can
 * replace it behind the same signature and record its own name in `models`.
 */
import type { PostKind, Sentiment } from '../domain/post.js';
import { countMatches } from './count-matches.js';

export const KIND_MODEL = Object.freeze({ name: 'kind-rules', version: '2' });

/**
 * Classifies `text` by the first rule that fires, in the order
 * spam > outage > request > question > complaint > praise > other.
 * Never throws; anything that is not a string is `other`.
 */
export function classifyKind(text: string, sentiment: Sentiment): PostKind {
  if (typeof text !== 'string' || text.length === 0) return 'other';
  // Rules look at the head of very long posts only: the kind is stated up front, and this keeps
  // the cost per post bounded whatever the input.
  const head = text.length > MAX_CHARS ? text.slice(0, MAX_CHARS) : text;
  const t = head.includes('\u2019') ? head.replace(/\u2019/g, "'") : head;

  if (isSpam(t)) return 'spam';
  if (OUTAGE.test(t)) return 'outage';
  if (REQUEST.test(t)) return 'request';
  if (isQuestion(t)) return 'question';
  if (SARCASM.test(t) || COMPLAINT.test(t)) return 'complaint';
  // Explicit thanks or praise words outrank a negative sentiment ("stopped a fraudulent payment… impressed!").
  if (sentiment !== 'negative' ? PRAISE.test(t) : STRONG_PRAISE.test(t)) return 'praise';
  if (sentiment === 'negative') return 'complaint';
  return 'other';
}

const MAX_CHARS = 5000;

// Every pattern is compiled once, case-insensitive, anchored on word boundaries, and has no
// ambiguous nested quantifiers, so no input can make it backtrack badly.

const SPAM =
  /\b(?:crypto(?:currency)?|bitcoin|btc|airdrop|nft|memecoin|giveaway|giving away|free money|earn money|make money|dm me|dm for|click (?:here|the link)|follow for follow|follow4follow|followforfollow|f4f|l4l|follow back|followback|double your|onlyfans|casino|forex|promo code|limited offer|act now|link in (?:my )?bio|sugar daddy|no human verification|you(?:'ve| have) been selected|you are eligible|won a prize|claim (?:it|here|now|your|at)|verify now|pay now to avoid|like and (?:retweet|share)|retweet \+ follow|tag \d friends|(?:buy|selling|get) (?:\w+ )?(?:instagram |cheap )?(?:followers|likes|verified accounts)|bad credit|passive income|\d+x (?:gains|potential|returns)|guaranteed returns|send me \$\d+|army officer|(?:free|cheap) (?:followers|robux|iphone|gift ?cards?|broadband for a year|tokens|vouchers)|\d{2}% off)\b|\b(?:earn|make|making|made) \$\d|\bvouchers worth\b|\b(?:confirm|send) your (?:bank|card) details\b|\byour account (?:is|has been) suspended\b/i;
const LINK = /https?:\/\//gi;
const HASHTAG = /#[\p{L}\p{N}_]+/gu;
const MAX_LINKS = 2;
const MAX_HASHTAGS = 6;
const MAX_SAME_HASHTAG = 2;

const OUTAGE = new RegExp(
  [
    // "down", except in idioms where nothing is broken ("slow down", "thumbs down").
    String.raw`(?<!\b(?:slow|slowed|slowing|calm|shut|turn|turned|thumbs|upside|sit|sat|lie|lay|put|write|wrote|jot|let|settle|step|cut|narrow|track|tone|scroll|scrolled|count|hands|knock|knocked|trickle|water|watered|weigh|weighed|look|looked|looking|back|up and)\s)\bdown\b`,
    String.raw`\bdowntime\b`,
    String.raw`\b(?:outage|outages)\b`,
    String.raw`\b(?:not|isn't|aren't|wasn't|stopped|stop|doesn't|don't|isnt|doesnt|dont|never) work(?:ing|s)?\b`,
    String.raw`\b(?:can't|cant|cannot|can not|unable to|couldn't|won't let me) (?:log ?in|login|sign ?in|signin|log on|connect|access|reach|load|open)\b`,
    String.raw`\b5\d\d (?:error|errors|internal|bad gateway|service unavailable|gateway timeout)\b`,
    String.raw`\b(?:error|http|status) 5\d\d\b`,
    String.raw`\b(?:internal server error|bad gateway|service unavailable|gateway timeout)\b`,
    String.raw`\bis it (?:just me|only me|down)\b`,
    String.raw`\b(?:won't|wont|will not|doesn't|isn't|not) (?:load|loading|open|opening|start|starting|respond|responding|connect|connecting)\b`,
    String.raw`\b(?:broken|crash|crashes|crashed|crashing|offline|unreachable|unresponsive|timing out|timed out|times out)\b`,
    // Added on the dev portion of test/data/kinds.jsonl (see test/data/README.md).
    String.raw`\b(?:dead|no signal|no service|no dial tone|no connection|blank (?:white )?screen|stuck on|logs me out|keeps? (?:dropping|disconnecting|erroring|crashing|logging me out)|dropping every|(?:throwing|throws) (?:an? )?(?:errors?|internal)|connection refused|50[234]s)\b`,
    String.raw`\b(?:en panne|ne marche (?:pas|plus)|no funciona|funktioniert nicht|geht (?:schon wieder |gerade )?nicht)\b`,
  ].join('|'),
  'i',
);

const REQUEST = new RegExp(
  [
    String.raw`\b(?:please|pls|plz|kindly) (?:\w+ )?(?:reset|enable|disable|add|remove|delete|change|update|unlock|restore|refund|cancel|close|reopen|send|fix|check|look|review|merge|give|let|allow|activate|deactivate|upgrade|downgrade|extend|transfer|move|rename|verify|confirm|escalate|contact|call|help|raise|increase|exchange|renew|create|install|book|switch|stop|unblock|turn|correct|arrange|issue|set)\b`,
    String.raw`\b(?:need|want|get) (?:a|an|my) (?:full )?(?:replacement|new|refund|copy|letter)\b|\bcan i (?:get|have) (?:a|my) (?:refund|replacement|copy)\b`,
    String.raw`\b(?:por favor|bitte)\b`,
    String.raw`\b(?:can|could|would) (?:you|u|someone|somebody|anyone|y'all)\b`,
    String.raw`\bi (?:need|want|would like|am requesting|request)\b`,
    String.raw`\bi'(?:d like|m requesting)\b`,
    String.raw`\bwe (?:need|would like|'d like)\b`,
    String.raw`\bfeature request\b`,
    String.raw`\b(?:requesting|request for)\b`,
  ].join('|'),
  'i',
);

// An interrogative opening, after any leading @mentions (replies start with them). "Do not…"
// is an order, "What a…" an exclamation; a text ending in "!" is not asked (see isQuestion).
const QUESTION_START =
  /^\s*(?:@\S+\s+)*(?:who|whom|whose|what(?! an?\b)|when|where|why|how|which|is|are|does|do(?! not\b)|did|can|could|should|would|has|have|any ?one|anybody)\b/i;
// What may follow the final "?" and still leave it the last word: tags, mentions, links, emoji.
// biome-ignore lint/suspicious/noMisleadingCharacterClass: the class matches emoji sequences one code point at a time, joiners included, on purpose
const QUESTION_TRAILER = /^(?:[#@]\S*|https?:\/\/\S*|[\p{Extended_Pictographic}\p{Emoji_Modifier}\u200d\ufe0f!?.]+)$/u;

// Praise words said the other way round: "great, another price rise", "thanks for nothing".
const SARCASM =
  /^(?:oh |wow,? )?(?:great|brilliant|wonderful|fantastic|perfect|lovely|amazing|cheers)\b[,!.]?\s+(?:another|the|now|they|tailspin|\S+ have)|\b(?:thanks for nothing|love (?:how|paying)|nothing says|amazing how|would not recommend|classy|thanks a lot\.?$|outdid themselves)\b|\bcheers\b.*\blate\b/i;

const COMPLAINT =
  /\b(?:terrible|horrible|awful|worst|still waiting|unacceptable|ridiculous|disappointed|disappointing|disgraceful|pathetic|useless|frustrating|frustrated|fed up|sick of|tired of|waste of|never again|rip ?off|ripoff|overcharged|no one (?:answers|replies|responds)|nobody (?:answers|replies|responds|will)|no response|no reply|still no|never (?:happened|turned up|arrived)|rude|a joke|disaster|appalling|shameful|disgusting|overcharged|late again|took away|talked down|lost my)\b/i;

// Words and emoji apart: a case-insensitive Unicode regex is several times slower in V8.
const PRAISE_WORDS =
  /\b(?:thanks|thank you|thank u|thx|ty|tysm|love|loving|loved|great|awesome|amazing|excellent|fantastic|brilliant|superb|wonderful|kudos|shout ?out|appreciate|appreciated|best|perfect|well done|nice work|nice job|great job|good job|helpful|lifesaver|impressed|props|respect|slick|heroes?|top bloke|big up|nailed it|pretty good|merci|gracias|danke|legend)\b/i;
const PRAISE_EMOJI =
  /[\u2764\u{1F525}\u{1F64C}\u{1F64F}\u{1F44F}\u{1F60D}\u{1F970}\u{1F499}\u{1F49C}\u{1F49A}\u{1F389}]/u;
const PRAISE = { test: (t: string): boolean => PRAISE_WORDS.test(t) || PRAISE_EMOJI.test(t) };

const STRONG_PRAISE =
  /\b(?:thank you|thanks|thank u|ty|kudos|impressed|well done|shout ?out|props|respect|big up|appreciated?|lifesaver)\b/i;

function isSpam(t: string): boolean {
  if (SPAM.test(t)) return true;
  if (t.includes('://') && countMatches(LINK, t, MAX_LINKS + 1) > MAX_LINKS) return true;
  if (t.includes('#')) {
    const tags = t.match(HASHTAG);
    if (tags !== null) {
      if (tags.length >= MAX_HASHTAGS) return true;
      const seen = new Map<string, number>();
      for (const tag of tags) {
        const key = tag.toLowerCase();
        const n = (seen.get(key) ?? 0) + 1;
        if (n > MAX_SAME_HASHTAG) return true;
        seen.set(key, n);
      }
    }
  }
  return false;
}

function isQuestion(t: string): boolean {
  const end = t.trimEnd();
  const mark = end.lastIndexOf('?');
  if (mark !== -1) {
    const rest = end.slice(mark + 1).trim();
    if (rest.length === 0 || rest.split(/\s+/).every((token) => QUESTION_TRAILER.test(token))) return true;
  }
  return !end.endsWith('!') && QUESTION_START.test(end);
}
/** Bit flags returned by `ruleSignals`: which of the rules above fire, whatever their order. */
export const RULE = Object.freeze({
  spam: 1,
  outage: 2,
  request: 4,
  question: 8,
  sarcasm: 16,
  complaint: 32,
  praise: 64,
  strongPraise: 128,
});

/**
 * Every rule's verdict on `text` at once, for the trained kind model (`kind-model.ts`), which
 * uses them as features instead of taking the first that fires.
 */
export function ruleSignals(text: string): number {
  if (typeof text !== 'string' || text.length === 0) return 0;
  const head = text.length > MAX_CHARS ? text.slice(0, MAX_CHARS) : text;
  const t = head.includes('\u2019') ? head.replace(/\u2019/g, "'") : head;
  let bits = 0;
  if (isSpam(t)) bits |= RULE.spam;
  if (OUTAGE.test(t)) bits |= RULE.outage;
  if (REQUEST.test(t)) bits |= RULE.request;
  if (isQuestion(t)) bits |= RULE.question;
  if (SARCASM.test(t)) bits |= RULE.sarcasm;
  if (COMPLAINT.test(t)) bits |= RULE.complaint;
  if (PRAISE.test(t)) bits |= RULE.praise;
  if (STRONG_PRAISE.test(t)) bits |= RULE.strongPraise;
  return bits;
}

/** `classifyKind`'s decision from `ruleSignals` bits (same order), without running the rules again. */
export function kindFromSignals(bits: number, sentiment: Sentiment): PostKind {
  if (bits & RULE.spam) return 'spam';
  if (bits & RULE.outage) return 'outage';
  if (bits & RULE.request) return 'request';
  if (bits & RULE.question) return 'question';
  if (bits & (RULE.sarcasm | RULE.complaint)) return 'complaint';
  if (bits & (sentiment !== 'negative' ? RULE.praise : RULE.strongPraise)) return 'praise';
  return sentiment === 'negative' ? 'complaint' : 'other';
}
