/**
 * Impersonation watch for authors: does a handle or display name imitate one of the
 * organisation's official handles? Compares "skeletons" — what a name looks like rather than
 * what it is — so Cyrillic `а` for Latin `a`, `rn` for `m`, `0` for `o` and a trailing `_`
 * all collapse onto the name they imitate; then allows a small edit distance and the usual
 * added words ("support", "help", "official"…). Official skeletons are computed once per
 * checker, and author results are cached, so the ingest path pays a Map lookup per known author.
 */
import { remove as removeConfusables } from 'confusables';
import { distance } from 'fastest-levenshtein';

export const IMPERSONATION_MODEL = Object.freeze({ name: 'impersonation-watch', version: '1' });

/** The organisation's own accounts and web domains (from config). */
export interface Organisation {
  /** e.g. `@northwind_it`, `@northwind_it@social.example`, `northwind.bsky.social`. */
  readonly handles: readonly string[];
  /** Registrable domains, e.g. `northwind.example`. */
  readonly domains: readonly string[];
}

export const TECHNIQUES = [
  'homoglyph',
  'multi-char',
  'separator',
  'affix',
  'edit-distance',
  'other-server',
  'display-name',
] as const;
export type Technique = (typeof TECHNIQUES)[number];

export interface ImpersonationFinding {
  /** The official handle being imitated, as configured. */
  readonly official: string;
  readonly technique: Technique;
  /** Human-readable: what was compared with what. */
  readonly detail: string;
}

export type ImpersonationCheck = (author: {
  readonly handle: string;
  readonly name?: string | null;
}) => ImpersonationFinding | null;

/** Words impersonators add around a brand name: `@AcmeSupport`, `Acme Help Team`, `real_acme`. */
export const AFFIXES = [
  'support',
  'help',
  'helpdesk',
  'helpline',
  'official',
  'team',
  'care',
  'customercare',
  'customer',
  'service',
  'services',
  'desk',
  'hq',
  'real',
  'the',
  'info',
  'admin',
  'assist',
  'verify',
  'verified',
  'security',
  'contact',
  'us',
  'uk',
  'global',
  'online',
  'live',
  'staff',
  'agent',
] as const;

const AFFIX_SKELETONS = [...new Set(AFFIXES.map((word) => skeleton(word)))].sort((a, b) => b.length - a.length);
const CACHE_LIMIT = 20_000;

/** Builds the checker for one organisation; returns null-finding for everyone when it has no handles. */
export function createImpersonationCheck(organisation: Pick<Organisation, 'handles'>): ImpersonationCheck {
  const officials = organisation.handles
    .map((handle) => ({ handle, ...splitHandle(handle) }))
    .filter((official) => official.local.length > 0)
    .map((official) => ({ ...official, skeleton: skeleton(official.local) }));
  const cache = new Map<string, ImpersonationFinding | null>();
  return function checkImpersonation(author) {
    if (officials.length === 0 || typeof author?.handle !== 'string') return null;
    const name = typeof author.name === 'string' ? author.name : '';
    const key = `${author.handle}\u0000${name}`;
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    const finding = check(officials, author.handle, name);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, finding);
    return finding;
  };
}

/**
 * What a name looks like, lower-case ASCII: NFKC, confusable letters replaced by the Latin
 * letter they imitate (the `confusables` table), digits and multi-letter tricks folded
 * (`rn`→`m`, `vv`→`w`, `cl`→`d`), `i`/`l`/`1`/`|` made one letter, separators dropped.
 */
export function skeleton(text: string): string {
  let s = removeConfusables(text.normalize('NFKC')).toLowerCase();
  s = s.replace(/[0134578$|!]/g, (c) => DIGITS[c] ?? c);
  s = s.replace(/rn/g, 'm').replace(/vv/g, 'w').replace(/cl/g, 'd').replace(/i/g, 'l');
  return s.replace(/[^a-z0-9]/g, '');
}

interface Official {
  readonly handle: string;
  readonly local: string;
  readonly server: string | null;
  readonly skeleton: string;
}

const DIGITS: Record<string, string> = {
  '0': 'o',
  '1': 'l',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '8': 'b',
  $: 's',
  '|': 'l',
  '!': 'l',
};

function check(officials: readonly Official[], handle: string, name: string): ImpersonationFinding | null {
  const author = splitHandle(handle);
  if (author.local.length === 0) return null;
  // The account itself (same name, and same server where the official one names its server).
  for (const official of officials) {
    if (
      author.local.toLowerCase() === official.local.toLowerCase() &&
      (official.server === null || official.server === author.server)
    )
      return null;
  }
  // The exact name on another server first: it is the strongest sign, whichever official it is.
  const exact = officials.find((official) => official.local.toLowerCase() === author.local.toLowerCase());
  if (exact)
    return {
      official: exact.handle,
      technique: 'other-server',
      detail: `@${author.local} on ${author.server ?? 'another server'}, not ${exact.server}`,
    };
  const authorSkeleton = skeleton(author.local);
  for (const official of officials) {
    const finding = compare(official, author.local, authorSkeleton);
    if (finding) return finding;
  }
  if (name.trim().length > 0) {
    const nameSkeleton = skeleton(name);
    for (const official of officials) {
      if (
        official.skeleton.length >= 4 &&
        (nameSkeleton === official.skeleton || stripAffixes(nameSkeleton, official.skeleton))
      ) {
        return {
          official: official.handle,
          technique: 'display-name',
          detail: `display name “${name}” imitates ${official.handle}`,
        };
      }
    }
  }
  return null;
}

function compare(official: Official, local: string, authorSkeleton: string): ImpersonationFinding | null {
  const lower = local.toLowerCase();
  const target = official.local.toLowerCase();
  if (authorSkeleton === official.skeleton) {
    return {
      official: official.handle,
      technique: techniqueOf(lower, target),
      detail: `@${local} looks like ${official.handle}`,
    };
  }
  if (official.skeleton.length >= 4 && stripAffixes(authorSkeleton, official.skeleton)) {
    return {
      official: official.handle,
      technique: 'affix',
      detail: `@${local} is ${official.handle} with words added`,
    };
  }
  // One slip in a short name, two in a long one; very short names would match too much.
  const allowed = official.skeleton.length >= 10 ? 2 : official.skeleton.length >= 5 ? 1 : 0;
  if (
    allowed > 0 &&
    Math.abs(authorSkeleton.length - official.skeleton.length) <= allowed &&
    distance(authorSkeleton, official.skeleton) <= allowed
  ) {
    return {
      official: official.handle,
      technique: 'edit-distance',
      detail: `@${local} is within ${allowed} edit(s) of ${official.handle}`,
    };
  }
  return null;
}

/** Which trick made two different names look the same. */
function techniqueOf(author: string, official: string): Technique {
  const plain = (s: string) => s.replace(/[^a-z0-9]/g, '');
  if (/[^\p{ASCII}]/u.test(author)) return 'homoglyph';
  if (plain(author) === plain(official)) return 'separator';
  return 'multi-char';
}

/** True when `s` is `target` with only known affix words before and/or after it. */
function stripAffixes(s: string, target: string): boolean {
  const at = s.indexOf(target);
  if (at === -1 || s.length === target.length) return false;
  return onlyAffixes(s.slice(0, at)) && onlyAffixes(s.slice(at + target.length));
}

function onlyAffixes(rest: string): boolean {
  if (rest.length === 0) return true;
  for (const affix of AFFIX_SKELETONS) {
    if (rest.startsWith(affix) && onlyAffixes(rest.slice(affix.length))) return true;
  }
  return false;
}

/**
 * A handle's account name and server: `@ana@example.social` → ana / example.social;
 * Bluesky `ana.bsky.social` → ana / bsky.social; `@AcmeSupport` → AcmeSupport / null.
 */
export function splitHandle(handle: string): { local: string; server: string | null } {
  const h = handle.trim().replace(/^@/, '');
  const at = h.indexOf('@');
  if (at !== -1) return { local: h.slice(0, at), server: h.slice(at + 1).toLowerCase() || null };
  const dot = h.indexOf('.');
  if (dot !== -1) return { local: h.slice(0, dot), server: h.slice(dot + 1).toLowerCase() };
  return { local: h, server: null };
}
