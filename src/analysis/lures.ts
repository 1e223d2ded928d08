/**
 * Scam lures in post text: asks for passwords, card numbers or one-time codes, and links to
 * domains that imitate the organisation's own. Domains are parsed with `tldts` (so
 * `acme.com.verify-login.io` is a domain of `verify-login.io`, whatever its first labels say),
 * punycode (`xn--`) is decoded with `node:url` before comparing, and the comparison uses the
 * same skeletons as the impersonation check.
 */
import { domainToUnicode } from 'node:url';
import { parse } from 'tldts';
import { distance } from 'fastest-levenshtein';
import { AFFIXES, skeleton, type Organisation } from './impersonation.js';

export const LURE_KINDS = ['credential-ask', 'lookalike-domain', 'brand-in-subdomain'] as const;
export type LureKind = (typeof LURE_KINDS)[number];

export interface LureFinding {
  readonly kind: LureKind;
  /** The registrable domain linked to (domain findings), decoded to Unicode. */
  readonly domain?: string;
  /** The official domain it imitates (domain findings). */
  readonly imitates?: string;
  readonly detail: string;
}

export type LureCheck = (text: string) => LureFinding[];

/** At most this many links per post are looked at: the lure is never the 51st link. */
const MAX_LINKS = 20;
const MAX_CHARS = 5000;

export function createLureCheck(organisation: Pick<Organisation, 'domains'>): LureCheck {
  const officials = organisation.domains
    .map((domain) => parse(domain.trim().toLowerCase()))
    .filter((parsed) => parsed.domain !== null && parsed.domainWithoutSuffix)
    .map((parsed) => ({
      domain: parsed.domain!,
      suffix: parsed.publicSuffix,
      brand: parsed.domainWithoutSuffix!,
      skeleton: skeleton(parsed.domainWithoutSuffix!),
    }));
  const brands = officials.filter((official) => official.skeleton.length >= 3);

  return function findLures(text) {
    if (typeof text !== 'string' || text.length === 0) return [];
    const t = text.length > MAX_CHARS ? text.slice(0, MAX_CHARS) : text;
    const findings: LureFinding[] = [];
    const ask = credentialAsk(t);
    if (ask !== null) findings.push({ kind: 'credential-ask', detail: `asks for ${ask}` });
    if (brands.length === 0) return findings;
    const seen = new Set<string>();
    for (const host of hostsIn(t)) {
      if (seen.has(host)) continue;
      seen.add(host);
      const finding = judgeHost(host, officials, brands);
      if (finding) findings.push(finding);
    }
    return findings;
  };
}

interface OfficialDomain {
  readonly domain: string;
  readonly suffix: string | null;
  readonly brand: string;
  readonly skeleton: string;
}

/**
 * An ask, not a mention: a verb that requests, then "your" (or "the") and a secret, close
 * together. "I forgot my password" or "reset my password" is a customer talking, not a lure.
 */
const ASK = new RegExp(
  String.raw`\b(?:send|sending|dm|pm|message|give|share|confirm|verify|validate|enter|provide|submit|tell|reply with|reply|re-?enter)\b(?:\s+(?:us|me|our team|the agent|it))?(?:\s+(?:with|to|in|via|by))?(?:\s+\S+){0,3}?\s+(?:your|ur|yr|the)\s+(?:\S+\s+)?(` +
    [
      'password',
      'passwords',
      'passcode',
      'pass code',
      'pin',
      'pin code',
      'login details',
      'credentials',
      'log-?in details',
      'card number',
      'card details',
      'card',
      'credit card',
      'debit card',
      'cvv',
      'cvc',
      'security code',
      'expiry date',
      'bank details',
      'account number',
      'iban',
      'one-time code',
      'one time code',
      'otp',
      '2fa code',
      'verification code',
      'sms code',
      'seed phrase',
      'recovery phrase',
      'private key',
    ].join('|') +
    String.raw`)\b`,
  'i',
);
// Phrasing that needs no "your": "DM us the 6-digit code", "what is the code we sent".
const ASK_CODE =
  /\b(?:\d-digit|six-digit|6 digit) code\b|\b(?:send|dm|give|tell|share)\s+(?:us|me)\s+(?:the|your)\s+codes?\b|\bcode (?:we|that we|i) (?:just )?sent\b|\bverify your (?:account|identity|wallet) (?:here|now|at|by|via)\b/i;

function credentialAsk(t: string): string | null {
  const match = ASK.exec(t);
  if (match) return match[1]!.toLowerCase();
  const code = ASK_CODE.exec(t);
  return code ? code[0].toLowerCase() : null;
}

// Links with a scheme, and bare host names such as `acme-support.com/login` (posts often drop
// the scheme). Labels are Unicode letters too, so an IDN written out (`аcme.com`) is found.
const HOST =
  /(?:https?:\/\/)?((?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,62}[\p{L}\p{N}])?\.)+(?:xn--[a-z0-9-]{2,59}|\p{L}{2,63}))(?=[/:?#\s)\]"'»,;!]|\.(?:\s|$)|$)/giu;

function* hostsIn(t: string): Generator<string> {
  if (!t.includes('.')) return;
  HOST.lastIndex = 0;
  let n = 0;
  for (let match = HOST.exec(t); match !== null && n < MAX_LINKS; match = HOST.exec(t)) {
    // An e-mail address is not a link: `ana@acme.com` is someone's address.
    if (match.index > 0 && t[match.index - 1] === '@') continue;
    n += 1;
    yield match[1]!.toLowerCase();
  }
}

function judgeHost(
  host: string,
  officials: readonly OfficialDomain[],
  brands: readonly OfficialDomain[],
): LureFinding | null {
  // tldts wants ASCII; an IDN written in Unicode is encoded first by URL, then decoded for display.
  const ascii = toAscii(host);
  if (ascii === null) return null;
  const parsed = parse(ascii);
  if (!parsed.domain || !parsed.domainWithoutSuffix || parsed.isIp) return null;
  // Only real suffixes (`file.txt` is not a link), plus the organisation's own (`.example` in the demo).
  if (!parsed.isIcann && !officials.some((official) => official.suffix === parsed.publicSuffix)) return null;
  const domain = parsed.domain;
  if (officials.some((official) => official.domain === domain)) return null;
  const unicodeLabel = decodeLabel(parsed.domainWithoutSuffix);
  const unicodeDomain = domainToUnicode(domain) || domain;
  const puny = domain.includes('xn--') ? ' (punycode)' : '';
  const label = skeleton(unicodeLabel);
  for (const official of brands) {
    if (label === official.skeleton || withAffix(label, official.skeleton) || closeTo(label, official.skeleton)) {
      return {
        kind: 'lookalike-domain',
        domain: unicodeDomain,
        imitates: official.domain,
        detail: `${unicodeDomain}${puny} imitates ${official.domain}`,
      };
    }
  }
  // The brand as a subdomain of someone else's domain: `acme.com.verify-login.io`.
  if (parsed.subdomain) {
    const labels = parsed.subdomain.split('.').map((part) => skeleton(decodeLabel(part)));
    for (const official of brands) {
      if (labels.some((part) => part === official.skeleton || withAffix(part, official.skeleton))) {
        return {
          kind: 'brand-in-subdomain',
          domain: unicodeDomain,
          imitates: official.domain,
          detail: `${domainToUnicode(ascii) || ascii} puts ${official.brand} in front of ${unicodeDomain}`,
        };
      }
    }
  }
  return null;
}

const AFFIX_SKELETONS = [
  ...new Set(
    [
      ...AFFIXES,
      'login',
      'signin',
      'account',
      'accounts',
      'secure',
      'portal',
      'auth',
      'sso',
      'id',
      'pay',
      'billing',
      'refund',
      'refunds',
      'update',
      'mail',
      'webmail',
      'app',
      'my',
    ].map((word) => skeleton(word)),
  ),
];

function withAffix(label: string, brand: string): boolean {
  if (brand.length < 4 || !label.includes(brand) || label === brand) return false;
  const rest = label.replace(brand, '');
  // What is left must be made of known words: `acmesupport`, `myacmelogin`, `acme-refunds`.
  return onlyWords(rest);
}

function onlyWords(rest: string): boolean {
  if (rest.length === 0) return true;
  for (const word of AFFIX_SKELETONS) if (rest.startsWith(word) && onlyWords(rest.slice(word.length))) return true;
  return false;
}

function closeTo(label: string, brand: string): boolean {
  const allowed = brand.length >= 10 ? 2 : brand.length >= 5 ? 1 : 0;
  return allowed > 0 && Math.abs(label.length - brand.length) <= allowed && distance(label, brand) <= allowed;
}

function toAscii(host: string): string | null {
  try {
    return new URL(`http://${host}/`).hostname;
  } catch {
    return null;
  }
}

function decodeLabel(label: string): string {
  if (!label.startsWith('xn--')) return label;
  // domainToUnicode takes a whole domain; give it the label with a placeholder TLD.
  const decoded = domainToUnicode(`${label}.com`);
  return decoded ? decoded.slice(0, -'.com'.length) : label;
}
