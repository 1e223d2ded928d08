/**
 * The guideline check: what a reply may say, where, and how. An admin edits the rules (each
 * save is a new version, see `src/store/guidelines.ts`; the rules and findings are
 * `src/domain/guideline.ts`); every reply shows the findings before it is sent.
 * Pure: `checkReply(reply, rules)` → findings.
 *
 * `block` findings stop a reply; `warn` ones need a person to look; `advice` is a hint.
 */
import type { ReplyVisibility } from '../domain/ticket.js';
import {
  DEFAULT_GUIDELINE_RULES,
  PERSONAL_DATA_KINDS,
  type Finding,
  type GuidelineRules,
  type PersonalDataKind,
} from '../domain/guideline.js';
import { findTone } from './tone.js';

export interface ReplyDraft {
  readonly body: string;
  /** The channel (source kind), e.g. `mastodon`. */
  readonly channel: string;
  /** The channel's own limit (its kind's `maxReplyLength`); the rules' limit applies too, the stricter wins. */
  readonly maxLength?: number | null;
  readonly visibility: ReplyVisibility;
  /** Whether the recipient ever wrote to us privately or addressed us: DMs only then. */
  readonly recipientWroteToUs?: boolean;
}

export interface CheckResult {
  /** No `block` finding. */
  readonly ok: boolean;
  readonly findings: Finding[];
  readonly version: number;
}

export interface PersonalDataMatch {
  readonly kind: PersonalDataKind;
  readonly span: readonly [number, number];
}

export function checkReply(reply: ReplyDraft, rules: GuidelineRules = DEFAULT_GUIDELINE_RULES): CheckResult {
  const findings: Finding[] = [];
  const text = reply.body;
  if (text.trim() === '') findings.push({ rule: 'empty', level: 'block', message: 'The reply is empty' });
  const limit = replyLimit(rules, reply.channel, reply.maxLength);
  if (text.length > limit)
    findings.push({
      rule: 'length',
      level: 'block',
      message: `${text.length} characters; ${reply.channel} allows ${limit}`,
    });

  for (const match of detectPersonalData(text, rules.personalData, rules.allowList)) {
    findings.push(
      reply.visibility === 'public'
        ? { rule: 'personal-data', level: 'block', message: `A ${match.kind} in a public reply`, span: match.span }
        : {
            rule: 'personal-data',
            level: 'warn',
            message: `A ${match.kind} in a private message: is it needed?`,
            span: match.span,
          },
    );
  }
  for (const word of rules.blockedWords) {
    for (const span of findWord(text, word))
      findings.push({ rule: 'blocked-word', level: 'block', message: `“${word}” is on the blocked list`, span });
  }
  for (const word of rules.profanity) {
    for (const span of findWord(text, word))
      findings.push({
        rule: 'profanity',
        level: 'block',
        message: `Profanity: “${text.slice(span[0], span[1])}”`,
        span,
      });
  }
  const letters = text.replace(/[^\p{L}]/gu, '');
  const capitals = text.replace(/[^\p{Lu}]/gu, '');
  if (letters.length >= 12 && capitals.length / letters.length > rules.maxCapsShare)
    findings.push({ rule: 'all-caps', level: 'warn', message: 'Mostly capitals: reads as shouting' });
  if (rules.toneCheck !== false)
    for (const match of findTone(text))
      findings.push({
        rule: 'tone',
        level: 'warn',
        message:
          match.kind === 'blame'
            ? `“${match.phrase}” puts the blame on them or off us: say what we will do instead`
            : `“${match.phrase}” talks down to them: acknowledge how they feel instead`,
        span: match.span,
      });
  if (reply.visibility === 'private' && reply.recipientWroteToUs === false) {
    findings.push({
      rule: 'unsolicited-dm',
      level: 'block',
      message: 'No automated private messages to people who never wrote to us; reply publicly and invite them to write',
    });
  }
  if (
    reply.visibility === 'public' &&
    /\b(account|order|invoice|booking|reference)\s*(number|no\.?|#)\s*[:#]?\s*\w*\d/i.test(text)
  ) {
    findings.push({ rule: 'visibility', level: 'advice', message: 'Account details belong in a private message' });
  }
  return { ok: !findings.some((finding) => finding.level === 'block'), findings, version: rules.version };
}

/** The longest reply allowed on a channel: the rules' limit for its kind (or `default`), capped by the channel's own. */
export function replyLimit(rules: GuidelineRules, channel: string, channelLimit?: number | null): number {
  const ruled = rules.maxLength[channel] ?? rules.maxLength.default ?? Number.POSITIVE_INFINITY;
  return Math.min(ruled, channelLimit ?? Number.POSITIVE_INFINITY);
}

/**
 * Personal data in a text: payment cards (Luhn-valid), phone numbers, e-mail addresses, passwords
 * and codes. Numbers and addresses on `allowList` (the organisation's own) are not personal data.
 */
export function detectPersonalData(
  text: string,
  kinds: readonly PersonalDataKind[] = PERSONAL_DATA_KINDS,
  allowList: readonly string[] = [],
): PersonalDataMatch[] {
  const found: PersonalDataMatch[] = [];
  const want = new Set(kinds);
  const allowed = ownContacts(allowList);
  const cardSpans: [number, number][] = [];
  if (want.has('card')) {
    for (const match of text.matchAll(/\b\d(?:[ -]?\d){12,18}\b/g)) {
      const digits = match[0].replace(/\D/g, '');
      if (digits.length >= 13 && digits.length <= 19 && luhn(digits)) {
        const span: [number, number] = [match.index!, match.index! + match[0].length];
        cardSpans.push(span);
        found.push({ kind: 'card', span });
      }
    }
  }
  if (want.has('email')) {
    for (const match of text.matchAll(/[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/gi)) {
      // `@ana@example.social` is a fediverse handle, not an address.
      if (text[match.index! - 1] === '@') continue;
      if (allowed.emailAllowed(match[0])) continue;
      found.push({ kind: 'email', span: [match.index!, match.index! + match[0].length] });
    }
  }
  if (want.has('phone')) {
    // A full stop may end the sentence right after the number ("ring 020 7946 0958."); a dot then a
    // digit continues it (a version or an address), so only that is refused after the match.
    for (const match of text.matchAll(/(?<![\w.])\+?\(?\d{1,4}\)?(?:[ .-]?\(?\d{2,5}\)?){2,5}(?!\w|\.\d)/g)) {
      const digits = match[0].replace(/\D/g, '');
      const span: [number, number] = [match.index!, match.index! + match[0].length];
      if (digits.length < 8 || digits.length > 15 || cardSpans.some(([s, e]) => span[0] < e && s < span[1])) continue;
      // Dates and times are not phone numbers.
      if (
        /^\d{4}-\d{2}-\d{2}$/.test(match[0]) ||
        /^\d{1,2}[.:]\d{2}$/.test(match[0]) ||
        /^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/.test(match[0])
      )
        continue;
      if (allowed.phoneAllowed(digits)) continue;
      found.push({ kind: 'phone', span });
    }
  }
  if (want.has('secret')) {
    for (const match of text.matchAll(
      /\b(password|passcode|passwd|pwd|pin|otp|code|verification code|token)\b\s*(?:is|:|=)?\s*([^\s,;]{4,})/gi,
    )) {
      const value = match[2]!;
      // "code 500" or "the password reset page" are not secrets; a value with a digit or symbol is.
      if (!/[\d\W_]/.test(value) || /^(5\d\d|4\d\d)$/.test(value)) continue;
      const start = match.index! + match[0].lastIndexOf(value);
      found.push({ kind: 'secret', span: [start, start + value.length] });
    }
  }
  return found.sort((a, b) => a.span[0] - b.span[0]);
}

/**
 * The allow-list, read once: phone numbers compared by their digits (the national "020 7946 0958"
 * and international "+44 20 7946 0958" forms are one number: the shorter, without its leading 0,
 * ends the longer), addresses case-insensitively, and `@example.org` allows every address there.
 */
function ownContacts(allowList: readonly string[]) {
  const phones: string[] = [];
  const emails = new Set<string>();
  const domains: string[] = [];
  for (const entry of allowList) {
    const value = entry.trim().toLowerCase();
    if (value.startsWith('@')) domains.push(value);
    else if (value.includes('@')) emails.add(value);
    else {
      const digits = value.replace(/\D/g, '').replace(/^0+/, '');
      if (digits.length >= 6) phones.push(digits);
    }
  }
  return {
    phoneAllowed(digits: string): boolean {
      const bare = digits.replace(/^0+/, '');
      return phones.some((own) => (own.length >= bare.length ? own.endsWith(bare) : bare.endsWith(own)));
    },
    emailAllowed(address: string): boolean {
      const value = address.toLowerCase();
      return emails.has(value) || domains.some((domain) => value.endsWith(domain));
    },
  };
}

export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

function findWord(text: string, word: string): [number, number][] {
  const pattern = new RegExp(
    `(?<![\\p{L}\\p{N}])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}])`,
    'giu',
  );
  return [...text.matchAll(pattern)].map((match) => [match.index!, match.index! + match[0].length]);
}
