/**
 * Reply guidelines: the rules an admin edits (each save a new version) and the findings a reply
 * gets against them. The check itself is `src/desk/guideline.ts`; the store keeps the versions
 * and each proposal's findings.
 *
 * `block` findings stop a reply; `warn` ones need a person to look; `advice` is a hint.
 */

export const FINDING_LEVELS = ['block', 'warn', 'advice'] as const;
export type FindingLevel = (typeof FINDING_LEVELS)[number];

export const FINDING_RULES = [
  'personal-data',
  'blocked-word',
  'length',
  'all-caps',
  'profanity',
  'visibility',
  'unsolicited-dm',
  'identical',
  'empty',
  'tone',
] as const;
export type FindingRule = (typeof FINDING_RULES)[number];

export const PERSONAL_DATA_KINDS = ['card', 'phone', 'email', 'secret'] as const;
export type PersonalDataKind = (typeof PERSONAL_DATA_KINDS)[number];

export interface Finding {
  readonly rule: FindingRule;
  readonly level: FindingLevel;
  readonly message: string;
  /** Where in the text, [start, end), when it points at something. */
  readonly span?: readonly [number, number];
}

export interface GuidelineRules {
  readonly version: number;
  readonly blockedWords: readonly string[];
  readonly profanity: readonly string[];
  /** Characters per channel; `default` for the rest. */
  readonly maxLength: Readonly<Record<string, number>>;
  /** Share of letters in capitals above which a reply reads as shouting. */
  readonly maxCapsShare: number;
  /** Which personal data the check looks for. */
  readonly personalData: readonly PersonalDataKind[];
  /**
   * The organisation's own phone numbers, e-mail addresses and `@domain`s: a reply may give them
   * out (the help line, support@…), so the personal-data check passes them. Absent: none.
   */
  readonly allowList?: readonly string[];
  /** Whether blaming or condescending phrases are flagged (a warning); absent: on. */
  readonly toneCheck?: boolean;
  /**
   * The policy version these rules come from (`src/policies`); null or absent when none was
   * named. A rule change that names no newer policy version than the one before is flagged.
   */
  readonly policyVersionId?: number | null;
}

export const DEFAULT_GUIDELINE_RULES: GuidelineRules = Object.freeze<GuidelineRules>({
  version: 0,
  blockedWords: ['guarantee', 'lawsuit', 'refund guaranteed'],
  profanity: ['damn', 'shit', 'fuck', 'crap', 'bloody', 'wtf'],
  maxLength: { default: 1000, mastodon: 500, bluesky: 300, x: 280, twitter: 280, email: 10_000 },
  maxCapsShare: 0.6,
  personalData: ['card', 'phone', 'email', 'secret'],
});
