/**
 * The belt ladder: ranked levels (white → yellow → green → brown → black by default, names an
 * admin may change) with the criteria to reach each, and what a person has done towards them.
 * `progressTowards` is pure: the store counts, this decides.
 */

export interface BeltCriteria {
  /** Passed quizzes of these training modules. */
  readonly moduleIds: readonly number[];
  /** At least this many modules passed, whichever. */
  readonly modulesPassed: number;
  /** Every current policy version addressed to them acknowledged. */
  readonly policiesAcknowledged: boolean;
  /** Public replies of theirs a reviewer approved. */
  readonly approvedReplies: number;
  /** Months since their account was made. */
  readonly monthsActive: number;
}

export interface BeltLevel {
  readonly rank: number;
  readonly name: string;
  /** What reaching this level needs (rank 0 needs nothing). */
  readonly criteria: BeltCriteria;
}

const NONE: BeltCriteria = {
  moduleIds: [],
  modulesPassed: 0,
  policiesAcknowledged: false,
  approvedReplies: 0,
  monthsActive: 0,
};

/** The ladder a fresh install starts with; docs/knowledge.md explains the choices. */
export const DEFAULT_BELTS: readonly BeltLevel[] = Object.freeze([
  { rank: 0, name: 'white', criteria: NONE },
  { rank: 1, name: 'yellow', criteria: { ...NONE, modulesPassed: 1, policiesAcknowledged: true } },
  {
    rank: 2,
    name: 'green',
    criteria: { ...NONE, modulesPassed: 2, policiesAcknowledged: true, approvedReplies: 5, monthsActive: 1 },
  },
  {
    rank: 3,
    name: 'brown',
    criteria: { ...NONE, modulesPassed: 3, policiesAcknowledged: true, approvedReplies: 25, monthsActive: 6 },
  },
  {
    rank: 4,
    name: 'black',
    criteria: { ...NONE, modulesPassed: 4, policiesAcknowledged: true, approvedReplies: 100, monthsActive: 12 },
  },
]);

export interface LadderSettings {
  /** Public replies of anyone below this rank wait for review; null: no review (the default). */
  readonly reviewBelow: number | null;
  /** Batch replies and crisis statements need at least this rank; null: no belt needed (the default). */
  readonly approveBatchFrom: number | null;
  /** Held replies may be decided by this rank and up (and always above the author's). */
  readonly approveReviewsFrom: number;
}

export const DEFAULT_LADDER_SETTINGS: LadderSettings = Object.freeze({
  reviewBelow: null,
  approveBatchFrom: null,
  approveReviewsFrom: 2,
});

/** What a person has done, as the store counts it. */
export interface Achievements {
  readonly passedModuleIds: readonly number[];
  readonly pendingPolicies: number;
  readonly approvedReplies: number;
  readonly monthsActive: number;
}

export interface CriterionProgress {
  readonly criterion: 'modules' | 'modulesPassed' | 'policies' | 'approvedReplies' | 'monthsActive';
  readonly label: string;
  readonly have: number;
  readonly need: number;
  readonly met: boolean;
}

/** Each criterion of `level` against what was done; the level is reached when every one is met. */
export function progressTowards(level: BeltLevel, done: Achievements): CriterionProgress[] {
  const c = level.criteria;
  const passed = new Set(done.passedModuleIds);
  const out: CriterionProgress[] = [];
  if (c.moduleIds.length > 0) {
    const have = c.moduleIds.filter((id) => passed.has(id)).length;
    out.push({
      criterion: 'modules',
      label: 'Named training modules passed',
      have,
      need: c.moduleIds.length,
      met: have >= c.moduleIds.length,
    });
  }
  if (c.modulesPassed > 0)
    out.push({
      criterion: 'modulesPassed',
      label: 'Training modules passed',
      have: passed.size,
      need: c.modulesPassed,
      met: passed.size >= c.modulesPassed,
    });
  if (c.policiesAcknowledged)
    out.push({
      criterion: 'policies',
      label: 'Policies waiting for your acknowledgement',
      have: done.pendingPolicies,
      need: 0,
      met: done.pendingPolicies === 0,
    });
  if (c.approvedReplies > 0)
    out.push({
      criterion: 'approvedReplies',
      label: 'Public replies approved by a reviewer',
      have: done.approvedReplies,
      need: c.approvedReplies,
      met: done.approvedReplies >= c.approvedReplies,
    });
  if (c.monthsActive > 0)
    out.push({
      criterion: 'monthsActive',
      label: 'Months active',
      have: done.monthsActive,
      need: c.monthsActive,
      met: done.monthsActive >= c.monthsActive,
    });
  return out;
}

export const HELD_REPLY_STATUSES = ['held', 'approved', 'returned'] as const;
export type HeldReplyStatus = (typeof HELD_REPLY_STATUSES)[number];

export interface HeldReply {
  readonly id: number;
  readonly ticketId: number;
  readonly authorId: number;
  readonly body: string;
  /** What the author wrote, when a reviewer edited it before approving. */
  readonly originalBody: string;
  readonly visibility: 'public' | 'private';
  readonly status: HeldReplyStatus;
  readonly reviewerId: number | null;
  /** The reviewer's note to the author (why it was edited or returned). */
  readonly note: string | null;
  readonly outboundId: number | null;
  readonly createdAt: string;
  readonly decidedAt: string | null;
}

export interface QuizQuestion {
  readonly question: string;
  readonly choices: readonly string[];
  /** Index into `choices`. Never sent to the person taking the quiz. */
  readonly answer: number;
}

export interface TrainingModule {
  readonly id: number;
  readonly title: string;
  readonly articleIds: readonly number[];
  readonly quiz: readonly QuizQuestion[];
  /** Share of right answers needed to pass (0–1). */
  readonly passShare: number;
  readonly createdAt: string;
}

/** What counts as a month of activity: 30 days. */
export function monthsBetween(from: string, to: Date): number {
  return Math.max(0, Math.floor((to.getTime() - Date.parse(from)) / (30 * 24 * 3600 * 1000)));
}
