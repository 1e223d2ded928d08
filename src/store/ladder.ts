/**
 * The belt ladder's rows: the levels and their criteria (the built-in defaults until an admin
 * saves), the ladder's settings, each person's belt, training modules and quiz attempts, the
 * queue of held public replies, and the knowledge audit (acknowledgements, promotions,
 * approvals, returns).
 */
import type { Kysely, Selectable } from 'kysely';
import {
  DEFAULT_BELTS,
  DEFAULT_LADDER_SETTINGS,
  type BeltLevel,
  type HeldReply,
  type HeldReplyStatus,
  type LadderSettings,
  type QuizQuestion,
  type TrainingModule,
} from '../domain/ladder.js';
import type { ReplyVisibility } from '../domain/ticket.js';
import type { Database, HeldRepliesTable, TrainingModulesTable } from './schema.js';
import { fromJson, toCount, toJson } from './json.js';

type Db = Kysely<Database>;

export async function beltLevels(db: Db): Promise<BeltLevel[]> {
  const rows = await db.selectFrom('belt_levels').selectAll().orderBy('rank').execute();
  if (rows.length === 0) return DEFAULT_BELTS.map((level) => ({ ...level }));
  return rows.map((row) => ({
    rank: row.rank,
    name: row.name,
    criteria: { ...DEFAULT_BELTS[0]!.criteria, ...fromJson(row.criteria, DEFAULT_BELTS[0]!.criteria) },
  }));
}

/** Replaces the ladder (names and criteria), ranked in the order given. */
export async function saveBeltLevels(db: Db, levels: readonly Omit<BeltLevel, 'rank'>[]): Promise<BeltLevel[]> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('belt_levels').execute();
    await trx
      .insertInto('belt_levels')
      .values(levels.map((level, rank) => ({ rank, name: level.name, criteria: toJson(level.criteria) })))
      .execute();
  });
  return beltLevels(db);
}

export async function ladderSettings(db: Db): Promise<LadderSettings> {
  const row = await db.selectFrom('ladder_settings').selectAll().executeTakeFirst();
  return row
    ? {
        reviewBelow: row.review_below,
        approveBatchFrom: row.approve_batch_from,
        approveReviewsFrom: row.approve_reviews_from,
      }
    : DEFAULT_LADDER_SETTINGS;
}

export async function saveLadderSettings(db: Db, settings: LadderSettings): Promise<LadderSettings> {
  const values = {
    review_below: settings.reviewBelow,
    approve_batch_from: settings.approveBatchFrom,
    approve_reviews_from: settings.approveReviewsFrom,
  };
  await db
    .insertInto('ladder_settings')
    .values({ singleton: 1, ...values })
    .onConflict((oc) => oc.column('singleton').doUpdateSet(values))
    .execute();
  return ladderSettings(db);
}

/** A person's belt rank; 0 (the first level) until they are promoted. */
export async function beltOf(db: Db, userId: number): Promise<{ rank: number; since: string | null }> {
  const row = await db.selectFrom('user_belts').selectAll().where('user_id', '=', userId).executeTakeFirst();
  return row ? { rank: row.rank, since: row.since } : { rank: 0, since: null };
}

export async function setBelt(db: Db, userId: number, rank: number, now: string): Promise<void> {
  await db
    .insertInto('user_belts')
    .values({ user_id: userId, rank, since: now })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ rank, since: now }))
    .execute();
}

export async function createModule(
  db: Db,
  input: { title: string; articleIds: readonly number[]; quiz: readonly QuizQuestion[]; passShare: number },
  now: string,
): Promise<TrainingModule> {
  const row = await db
    .insertInto('training_modules')
    .values({
      title: input.title,
      article_ids: toJson(input.articleIds),
      quiz: toJson(input.quiz),
      pass_share: input.passShare,
      created_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toModule(row);
}

export async function listModules(db: Db): Promise<TrainingModule[]> {
  return (await db.selectFrom('training_modules').selectAll().orderBy('id').execute()).map(toModule);
}

export async function getModule(db: Db, id: number): Promise<TrainingModule | undefined> {
  const row = await db.selectFrom('training_modules').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toModule(row) : undefined;
}

export async function addAttempt(
  db: Db,
  input: { moduleId: number; userId: number; score: number; passed: boolean },
  now: string,
): Promise<void> {
  await db
    .insertInto('module_attempts')
    .values({
      module_id: input.moduleId,
      user_id: input.userId,
      score: input.score,
      passed: input.passed ? 1 : 0,
      created_at: now,
    })
    .execute();
}

export async function passedModuleIds(db: Db, userId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('module_attempts')
    .select('module_id')
    .distinct()
    .where('user_id', '=', userId)
    .where('passed', '=', 1)
    .execute();
  return rows.map((row) => row.module_id);
}

export async function holdReply(
  db: Db,
  input: { ticketId: number; authorId: number; body: string; visibility: ReplyVisibility },
  now: string,
): Promise<HeldReply> {
  const row = await db
    .insertInto('held_replies')
    .values({
      ticket_id: input.ticketId,
      author_id: input.authorId,
      body: input.body,
      original_body: input.body,
      visibility: input.visibility,
      status: 'held',
      reviewer_id: null,
      note: null,
      outbound_id: null,
      created_at: now,
      decided_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toHeld(row);
}

export async function getHeldReply(db: Db, id: number): Promise<HeldReply | undefined> {
  const row = await db.selectFrom('held_replies').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toHeld(row) : undefined;
}

export async function listHeldReplies(
  db: Db,
  filter: { status?: HeldReplyStatus; authorId?: number; ticketId?: number } = {},
): Promise<HeldReply[]> {
  let query = db.selectFrom('held_replies').selectAll();
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.authorId !== undefined) query = query.where('author_id', '=', filter.authorId);
  if (filter.ticketId !== undefined) query = query.where('ticket_id', '=', filter.ticketId);
  return (await query.orderBy('id', 'desc').limit(200).execute()).map(toHeld);
}

/** Decides a held reply once: false when it was no longer held (someone else decided first). */
export async function decideHeldReply(
  db: Db,
  id: number,
  change: {
    status: 'approved' | 'returned';
    reviewerId: number;
    body?: string;
    note: string | null;
    outboundId?: number | null;
  },
  now: string,
): Promise<boolean> {
  const result = await db
    .updateTable('held_replies')
    .set({
      status: change.status,
      reviewer_id: change.reviewerId,
      note: change.note,
      decided_at: now,
      ...(change.body !== undefined ? { body: change.body } : {}),
      ...(change.outboundId !== undefined ? { outbound_id: change.outboundId } : {}),
    })
    .where('id', '=', id)
    .where('status', '=', 'held')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function countApprovedReplies(db: Db, authorId: number): Promise<number> {
  const row = await db
    .selectFrom('held_replies')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('author_id', '=', authorId)
    .where('status', '=', 'approved')
    .executeTakeFirstOrThrow();
  return toCount(row.n);
}

export const KNOWLEDGE_AUDIT_ACTIONS = [
  'policy.acknowledged',
  'policy.published',
  'policy.reminded',
  'belt.promoted',
  'belt.set',
  'reply.held',
  'reply.approved',
  'reply.returned',
  'module.attempted',
  'guideline.unbacked',
  // A desk setting made, changed or removed (SLA, calendars, ticket rules, escalation, guidelines, webhooks).
  'settings.changed',
] as const;
export type KnowledgeAuditAction = (typeof KNOWLEDGE_AUDIT_ACTIONS)[number];

export interface KnowledgeAuditEntry {
  readonly id: number;
  readonly actorId: number | null;
  readonly action: string;
  readonly subjectUserId: number | null;
  readonly data: Record<string, unknown>;
  readonly createdAt: string;
}

export async function addKnowledgeAudit(
  db: Db,
  entry: {
    actorId: number | null;
    action: KnowledgeAuditAction;
    subjectUserId?: number | null;
    data: Record<string, unknown>;
  },
  now: string,
): Promise<void> {
  await db
    .insertInto('knowledge_audit')
    .values({
      actor_id: entry.actorId,
      action: entry.action,
      subject_user_id: entry.subjectUserId ?? null,
      data: toJson(entry.data),
      created_at: now,
    })
    .execute();
}

export async function listKnowledgeAudit(
  db: Db,
  filter: { action?: string; subjectUserId?: number; limit?: number } = {},
): Promise<KnowledgeAuditEntry[]> {
  let query = db.selectFrom('knowledge_audit').selectAll();
  if (filter.action) query = query.where('action', '=', filter.action);
  if (filter.subjectUserId !== undefined) query = query.where('subject_user_id', '=', filter.subjectUserId);
  const rows = await query
    .orderBy('id', 'desc')
    .limit(filter.limit ?? 200)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    actorId: row.actor_id,
    action: row.action,
    subjectUserId: row.subject_user_id,
    data: fromJson(row.data, {}),
    createdAt: row.created_at,
  }));
}

function toModule(row: Selectable<TrainingModulesTable>): TrainingModule {
  return {
    id: row.id,
    title: row.title,
    articleIds: fromJson(row.article_ids, []),
    quiz: fromJson(row.quiz, []),
    passShare: Number(row.pass_share),
    createdAt: row.created_at,
  };
}

function toHeld(row: Selectable<HeldRepliesTable>): HeldReply {
  return {
    id: row.id,
    ticketId: row.ticket_id,
    authorId: row.author_id,
    body: row.body,
    originalBody: row.original_body,
    visibility: row.visibility,
    status: row.status,
    reviewerId: row.reviewer_id,
    note: row.note,
    outboundId: row.outbound_id,
    createdAt: row.created_at,
    decidedAt: row.decided_at,
  };
}
