/**
 * The tone check's lexicon: phrases that blame the customer ("it is not our fault", "you should
 * have…") or talk down to them ("calm down", "as we already said"). A small, reviewed list of
 * patterns rather than a model: each finding names the phrase, so an agent sees why, and the
 * false-positive rate on replies the desk itself writes is measured (`bench/tone.ts`,
 * docs/guidelines.md). Pure: `findTone(text)` → the phrases found, with where they are.
 */

export const TONE_KINDS = ['blame', 'condescension'] as const;
export type ToneKind = (typeof TONE_KINDS)[number];

export interface ToneMatch {
  readonly kind: ToneKind;
  /** The phrase as written in the text. */
  readonly phrase: string;
  readonly span: readonly [number, number];
}

/** `’` and `'` both count; "is not" and "isn't" are the same phrase. */
const NOT = String.raw`(?:\s+not|n['’]t)`;

const LEXICON: readonly { readonly kind: ToneKind; readonly pattern: RegExp }[] = [
  // Blame: the customer caused it, or we did not.
  {
    kind: 'blame',
    pattern: new RegExp(
      String.raw`\b(?:(?:is|was|are|were|it|that|this)${NOT}|(?:it|that|this)\s+is${NOT}|(?:it|that|this)['’]s\s+not)\s+(?:our|my)\s+(?:fault|problem|responsibility|issue)\b`,
      'i',
    ),
  },
  { kind: 'blame', pattern: /\bno\s+fault\s+of\s+(?:ours|mine)\b/i },
  // "It is not your fault" is kind; "it is your fault" is not.
  { kind: 'blame', pattern: /(?<!(?:not|n['’]t|never)\s+)\b(?:entirely\s+|all\s+)?your\s+(?:own\s+)?fault\b/i },
  {
    kind: 'blame',
    pattern:
      /\byou\s+(?:should|ought\s+to|could)\s*(?:have|['’]ve)\s+(?:read|checked|known|followed|looked|called|updated|noticed|done|contacted|paid)\b/i,
  },
  { kind: 'blame', pattern: /\byou\s+(?:should\s*n['’]t|should\s+not)\s+have\b/i },
  { kind: 'blame', pattern: /\bif\s+you\s+had\s+(?:read|checked|followed|looked|listened)\b/i },
  { kind: 'blame', pattern: /\byou\s+(?:failed|neglected|forgot)\s+to\b/i },
  { kind: 'blame', pattern: /\b(?:that['’]s|that\s+is|this\s+is)\s+on\s+you\b/i },
  { kind: 'blame', pattern: /\buser\s+error\b/i },
  { kind: 'blame', pattern: /\byou\s+(?:did|do)\s*(?:n['’]t|\s+not)\s+(?:read|follow|check|listen)\b/i },
  // Condescension: telling someone how to feel, or that they should have understood already.
  { kind: 'condescension', pattern: /\b(?:calm|settle|cool)\s+down\b/i },
  { kind: 'condescension', pattern: /\b(?:just\s+)?(?:relax|chill(?:\s+out)?)\s*[,.!]/i },
  {
    kind: 'condescension',
    pattern:
      /\b(?:no\s+need|there['’]s\s+no\s+need|there\s+is\s+no\s+need)\s+to\s+(?:shout|yell|be\s+rude|get\s+(?:upset|angry|worked\s+up)|panic)\b/i,
  },
  {
    kind: 'condescension',
    pattern:
      /\b(?:as|like)\s+(?:we|i)\s+(?:have\s+)?(?:already\s+|previously\s+)?(?:said|explained|told\s+you|mentioned|stated)\b/i,
  },
  {
    kind: 'condescension',
    pattern:
      /\bas\s+(?:already\s+|previously\s+)?(?:stated|explained|mentioned)\s+(?:before|above|previously|earlier)\b/i,
  },
  {
    kind: 'condescension',
    pattern: /\b(?:per|see)\s+my\s+(?:last|previous|earlier)\s+(?:message|reply|email|e-mail|post|tweet)\b/i,
  },
  {
    kind: 'condescension',
    pattern: /\bfor\s+the\s+(?:last|second|third|fourth|fifth|hundredth|umpteenth|final)\s+time\b/i,
  },
  { kind: 'condescension', pattern: /\b(?:read|check)\s+the\s+(?:manual|instructions|faq|terms|fine\s+print)\b/i },
  {
    kind: 'condescension',
    pattern: new RegExp(
      String.raw`\b(?:it${NOT}|it['’]s\s+not|this${NOT}|that${NOT})\s+(?:that\s+|very\s+)?(?:hard|difficult|complicated|rocket\s+science)\b`,
      'i',
    ),
  },
  { kind: 'condescension', pattern: /\bwhat\s+(?:did|do)\s+you\s+expect\b/i },
  { kind: 'condescension', pattern: /\bwith\s+(?:all\s+)?due\s+respect\b/i },
  { kind: 'condescension', pattern: /\byou\s+people\b/i },
  {
    kind: 'condescension',
    pattern: /\bdo\s*(?:n['’]t|\s+not)\s+be\s+(?:so\s+)?(?:rude|dramatic|silly|ridiculous|difficult)\b/i,
  },
  {
    kind: 'condescension',
    pattern: /\bobviously\s+you\b|\byou\s+obviously\b|\bclearly\s+you\b|\byou\s+clearly\s+(?:did|do|have|don|didn)/i,
  },
];

/** Every blaming or condescending phrase in `text`, in order; overlapping matches keep the first. */
export function findTone(text: string): ToneMatch[] {
  const found: ToneMatch[] = [];
  for (const { kind, pattern } of LEXICON) {
    for (const match of text.matchAll(new RegExp(pattern.source, `${pattern.flags}g`))) {
      const phrase = match[0].replace(/[\s,.!]+$/, '');
      const span: [number, number] = [match.index!, match.index! + phrase.length];
      if (found.some((known) => span[0] < known.span[1] && known.span[0] < span[1])) continue;
      found.push({ kind, phrase, span });
    }
  }
  return found.sort((a, b) => a.span[0] - b.span[0]);
}
