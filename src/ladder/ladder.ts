/**
 * The belt ladder: each person holds a level (white → yellow → green → brown → black by
 * default, names an admin may change), earned by meeting the next level's criteria (training
 * modules passed, policies acknowledged, replies a reviewer approved, months active). The
 * level gates what they may do in public: below the review level an admin sets, their public
 * replies wait for a higher belt; only from the batch level may they approve a crisis
 * statement or a batch reply. Admins configure the ladder and are not gated by it. Every
 * promotion and every level set by hand lands in the knowledge audit.
 */
import { EarshotError, invalid, notFound } from '../domain/errors.js';
import {
  type Achievements,
  type BeltLevel,
  type CriterionProgress,
  type HeldReply,
  type LadderSettings,
  monthsBetween,
  progressTowards,
} from '../domain/ladder.js';
import type { ReplyVisibility } from '../domain/ticket.js';
import { hasRole, type User } from '../domain/user.js';
import type { Store } from '../store/open.js';
import {
  addKnowledgeAudit,
  beltLevels,
  beltOf,
  countApprovedReplies,
  holdReply,
  ladderSettings,
  passedModuleIds,
  saveBeltLevels,
  saveLadderSettings,
  setBelt,
} from '../store/ladder.js';
import { pendingAcknowledgements } from '../store/policies.js';
import { getUser } from '../store/users.js';
import type { ApprovalGate, ApprovalKind, ReplyGate } from '../desk/reply-gate.js';

export interface LadderOptions {
  readonly store: Store;
  readonly clock?: () => Date;
}

export interface BeltProgress {
  readonly userId: number;
  readonly rank: number;
  readonly name: string;
  readonly since: string | null;
  readonly levels: BeltLevel[];
  /** The next level and how far each of its criteria is, null at the top. */
  readonly next: { rank: number; name: string; criteria: CriterionProgress[] } | null;
  readonly mustReview: boolean;
  readonly mayApproveBatch: boolean;
  readonly mayReview: boolean;
}

export class Ladder implements ReplyGate, ApprovalGate {
  readonly #store: Store;
  readonly #clock: () => Date;

  constructor(options: LadderOptions) {
    this.#store = options.store;
    this.#clock = options.clock ?? (() => new Date());
  }

  levels(): Promise<BeltLevel[]> {
    return beltLevels(this.#store.db);
  }

  async saveLevels(levels: readonly Omit<BeltLevel, 'rank'>[]): Promise<BeltLevel[]> {
    if (levels.length < 2) throw invalid('A ladder needs at least two levels');
    if (new Set(levels.map((level) => level.name.toLowerCase())).size !== levels.length)
      throw invalid('Level names must differ');
    return saveBeltLevels(this.#store.db, levels);
  }

  settings(): Promise<LadderSettings> {
    return ladderSettings(this.#store.db);
  }

  async saveSettings(settings: LadderSettings): Promise<LadderSettings> {
    const top = (await this.levels()).length - 1;
    for (const [key, value] of Object.entries(settings))
      if (value !== null && (value < 0 || value > top)) throw invalid(`${key} must be a rank from 0 to ${top}`);
    return saveLadderSettings(this.#store.db, settings);
  }

  async rankOf(userId: number): Promise<number> {
    return (await beltOf(this.#store.db, userId)).rank;
  }

  async nameOf(rank: number): Promise<string> {
    return (await this.levels())[rank]?.name ?? `level ${rank}`;
  }

  async mustReview(actor: User, visibility: ReplyVisibility): Promise<boolean> {
    if (visibility !== 'public' || hasRole(actor, 'admin')) return false;
    const { reviewBelow } = await this.settings();
    return reviewBelow !== null && (await this.rankOf(actor.id)) < reviewBelow;
  }

  async hold(input: { ticketId: number; body: string; visibility: ReplyVisibility }, actor: User): Promise<HeldReply> {
    const now = this.#now();
    const held = await holdReply(this.#store.db, { ...input, authorId: actor.id }, now);
    await addKnowledgeAudit(
      this.#store.db,
      {
        actorId: actor.id,
        action: 'reply.held',
        subjectUserId: actor.id,
        data: { heldId: held.id, ticketId: input.ticketId },
      },
      now,
    );
    return held;
  }

  async assertMayApprove(actor: User, kind: ApprovalKind): Promise<void> {
    if (await this.mayApprove(actor, kind)) return;
    const { approveBatchFrom } = await this.settings();
    throw new EarshotError('ERR_AUTH_FORBIDDEN', {
      role: `${await this.nameOf(await this.rankOf(actor.id))} belt`,
      needed: `the ${await this.nameOf(approveBatchFrom!)} belt or above to approve a ${kind}`,
    });
  }

  async mayApprove(actor: User, _kind: ApprovalKind): Promise<boolean> {
    if (hasRole(actor, 'admin')) return true;
    const { approveBatchFrom } = await this.settings();
    return approveBatchFrom === null || (await this.rankOf(actor.id)) >= approveBatchFrom;
  }

  /** Whether `reviewer` may decide a held reply of `authorId`: a higher belt from the review level up, or an admin. */
  async mayReview(reviewer: User, authorId: number | null): Promise<boolean> {
    if (authorId === reviewer.id) return false;
    if (hasRole(reviewer, 'admin')) return true;
    if (!hasRole(reviewer, 'agent')) return false;
    const { approveReviewsFrom } = await this.settings();
    const rank = await this.rankOf(reviewer.id);
    return rank >= approveReviewsFrom && (authorId === null || rank > (await this.rankOf(authorId)));
  }

  async achievements(user: User): Promise<Achievements> {
    const [passed, pending, approved] = await Promise.all([
      passedModuleIds(this.#store.db, user.id),
      pendingAcknowledgements(this.#store.db, user.id),
      countApprovedReplies(this.#store.db, user.id),
    ]);
    return {
      passedModuleIds: passed,
      pendingPolicies: pending.length,
      approvedReplies: approved,
      monthsActive: monthsBetween(user.createdAt, this.#clock()),
    };
  }

  async progress(user: User): Promise<BeltProgress> {
    const [levels, belt, done, settings] = await Promise.all([
      this.levels(),
      beltOf(this.#store.db, user.id),
      this.achievements(user),
      this.settings(),
    ]);
    const rank = Math.min(belt.rank, levels.length - 1);
    const next = levels[rank + 1];
    return {
      userId: user.id,
      rank,
      name: levels[rank]!.name,
      since: belt.since,
      levels,
      next: next ? { rank: next.rank, name: next.name, criteria: progressTowards(next, done) } : null,
      mustReview: await this.mustReview(user, 'public'),
      mayApproveBatch:
        hasRole(user, 'admin') || settings.approveBatchFrom === null || rank >= settings.approveBatchFrom,
      mayReview: hasRole(user, 'admin') || (hasRole(user, 'agent') && rank >= settings.approveReviewsFrom),
    };
  }

  /** Promotes a person one level at a time while they meet the next level's criteria; returns the ranks reached. */
  async evaluate(userId: number): Promise<number[]> {
    const user = await getUser(this.#store.db, userId);
    if (!user) throw notFound('User', userId);
    const levels = await this.levels();
    const done = await this.achievements(user);
    let rank = (await beltOf(this.#store.db, userId)).rank;
    const reached: number[] = [];
    while (levels[rank + 1]) {
      const next = levels[rank + 1]!;
      if (!progressTowards(next, done).every((criterion) => criterion.met)) break;
      const now = this.#now();
      await setBelt(this.#store.db, userId, next.rank, now);
      await addKnowledgeAudit(
        this.#store.db,
        {
          actorId: null,
          action: 'belt.promoted',
          subjectUserId: userId,
          data: { from: rank, to: next.rank, name: next.name },
        },
        now,
      );
      rank = next.rank;
      reached.push(rank);
    }
    return reached;
  }

  /** An admin sets a person's level by hand (an existing senior agent, a correction); audited. */
  async setLevel(userId: number, rank: number, actor: User): Promise<void> {
    const levels = await this.levels();
    if (!levels[rank]) throw invalid(`No level with rank ${rank}`);
    if (!(await getUser(this.#store.db, userId))) throw notFound('User', userId);
    const now = this.#now();
    const from = await this.rankOf(userId);
    await setBelt(this.#store.db, userId, rank, now);
    await addKnowledgeAudit(
      this.#store.db,
      {
        actorId: actor.id,
        action: 'belt.set',
        subjectUserId: userId,
        data: { from, to: rank, name: levels[rank]!.name },
      },
      now,
    );
  }

  #now(): string {
    return this.#clock().toISOString();
  }
}
