/**
 * The wall's spaces, threads, replies and "me too" votes. Rows come back as domain shapes with
 * authors' display names joined in; anonymous rows have no author to join. The rules (who may
 * post, anonymity, deadlines) are `src/wall`.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Sentiment } from '../domain/post.js';
import type { Space, ThreadKind, WallReply, WallThread } from '../domain/wall.js';
import type { Database } from './schema.js';
import type { WallRepliesTable, WallSpacesTable, WallThreadsTable } from './wall-schema.js';
import { fromJson, toCount, toJson } from './json.js';

type Executor = Kysely<Database>;

/** A random row id: ordering by id says nothing about when a row was written. */
export function randomRowId(): string {
  return randomBytes(12).toString('base64url');
}

export interface SpaceInput {
  readonly name: string;
  readonly description: string;
  readonly slaHours: number;
  readonly team: readonly number[];
  readonly leadership: readonly number[];
  readonly audience: readonly number[] | null;
}

export async function createSpace(db: Executor, input: SpaceInput, now: string): Promise<Space> {
  const row = await db
    .insertInto('wall_spaces')
    .values({
      name: input.name,
      description: input.description,
      sla_hours: input.slaHours,
      team: toJson(input.team),
      leadership: toJson(input.leadership),
      audience: input.audience ? toJson(input.audience) : null,
      created_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toSpace(row);
}

export async function updateSpace(db: Executor, id: number, input: SpaceInput): Promise<Space | undefined> {
  const row = await db
    .updateTable('wall_spaces')
    .set({
      name: input.name,
      description: input.description,
      sla_hours: input.slaHours,
      team: toJson(input.team),
      leadership: toJson(input.leadership),
      audience: input.audience ? toJson(input.audience) : null,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row ? toSpace(row) : undefined;
}

export async function listSpaces(db: Executor): Promise<Space[]> {
  return (await db.selectFrom('wall_spaces').selectAll().orderBy('name').execute()).map(toSpace);
}

export async function getSpace(db: Executor, id: number): Promise<Space | undefined> {
  const row = await db.selectFrom('wall_spaces').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toSpace(row) : undefined;
}

export interface ThreadInput {
  readonly spaceId: number;
  readonly kind: ThreadKind;
  readonly title: string;
  readonly body: string;
  readonly authorId: number | null;
  readonly askerKey: string | null;
  readonly batchId: string | null;
  readonly sentiment: Sentiment;
  readonly sentimentScore: number;
  readonly dueAt: string | null;
  readonly createdAt: string;
}

export async function insertThread(db: Executor, input: ThreadInput): Promise<string> {
  const id = randomRowId();
  await db
    .insertInto('wall_threads')
    .values({
      id,
      space_id: input.spaceId,
      kind: input.kind,
      title: input.title,
      body: input.body,
      author_id: input.authorId,
      anonymous: input.authorId === null ? 1 : 0,
      asker_key: input.askerKey,
      batch_id: input.batchId,
      sentiment: input.sentiment,
      sentiment_score: input.sentimentScore,
      hidden: 0,
      votes: 0,
      official_reply_id: null,
      answered_at: null,
      due_at: input.dueAt,
      created_at: input.createdAt,
    })
    .execute();
  return id;
}

export interface ReplyInput {
  readonly threadId: string;
  readonly body: string;
  readonly authorId: number | null;
  readonly byAsker: boolean;
  readonly batchId: string | null;
  readonly sentiment: Sentiment;
  readonly sentimentScore: number;
  readonly createdAt: string;
}

export async function insertReply(db: Executor, input: ReplyInput): Promise<string> {
  const id = randomRowId();
  await db
    .insertInto('wall_replies')
    .values({
      id,
      thread_id: input.threadId,
      body: input.body,
      author_id: input.authorId,
      anonymous: input.authorId === null ? 1 : 0,
      by_asker: input.byAsker ? 1 : 0,
      batch_id: input.batchId,
      official: 0,
      sentiment: input.sentiment,
      sentiment_score: input.sentimentScore,
      hidden: 0,
      created_at: input.createdAt,
    })
    .execute();
  return id;
}

/** Row of a thread with what the rules need that the wire never shows (the asker's key). */
export interface ThreadRow {
  readonly thread: WallThread;
  readonly askerKey: string | null;
  readonly batchId: string | null;
}

export async function getThreadRow(db: Executor, id: string): Promise<ThreadRow | undefined> {
  const row = await threadQuery(db).where('t.id', '=', id).executeTakeFirst();
  return row ? { thread: toThread(row), askerKey: row.asker_key, batchId: row.batch_id } : undefined;
}

export async function listThreads(
  db: Executor,
  spaceId: number,
  options: { includeHidden: boolean; limit: number },
): Promise<WallThread[]> {
  let query = threadQuery(db).where('t.space_id', '=', spaceId);
  if (!options.includeHidden) query = query.where('t.hidden', '=', 0);
  const rows = await query.orderBy('t.votes', 'desc').orderBy('t.created_at', 'desc').limit(options.limit).execute();
  return rows.map(toThread);
}

/** Threads of a space since a time, for the radar and the mood (hidden ones left out). */
export async function threadsSince(db: Executor, spaceId: number, since: string): Promise<WallThread[]> {
  const rows = await threadQuery(db)
    .where('t.space_id', '=', spaceId)
    .where('t.hidden', '=', 0)
    .where('t.created_at', '>=', since)
    .orderBy('t.created_at')
    .execute();
  return rows.map(toThread);
}

/** Sentiment of every visible thread and reply in a space since a time, with its (possibly rounded) time. */
export async function sentimentsSince(
  db: Executor,
  spaceId: number,
  since: string,
): Promise<{ at: string; sentiment: Sentiment; score: number }[]> {
  const threads = await db
    .selectFrom('wall_threads')
    .select(['created_at', 'sentiment', 'sentiment_score'])
    .where('space_id', '=', spaceId)
    .where('hidden', '=', 0)
    .where('created_at', '>=', since)
    .execute();
  const replies = await db
    .selectFrom('wall_replies as r')
    .innerJoin('wall_threads as t', 't.id', 'r.thread_id')
    .select(['r.created_at', 'r.sentiment', 'r.sentiment_score'])
    .where('t.space_id', '=', spaceId)
    .where('r.hidden', '=', 0)
    .where('r.official', '=', 0)
    .where('r.created_at', '>=', since)
    .execute();
  return [...threads, ...replies].map((row) => ({
    at: row.created_at,
    sentiment: row.sentiment,
    score: Number(row.sentiment_score),
  }));
}

export async function listReplies(db: Executor, threadId: string, includeHidden: boolean): Promise<WallReply[]> {
  let query = db
    .selectFrom('wall_replies as r')
    .leftJoin('users as u', 'u.id', 'r.author_id')
    .selectAll('r')
    .select('u.display_name as author_name')
    .where('r.thread_id', '=', threadId);
  if (!includeHidden) query = query.where('r.hidden', '=', 0);
  // Official answer first, then the conversation in order.
  const rows = await query.orderBy('r.official', 'desc').orderBy('r.created_at').execute();
  return rows.map(toReply);
}

export async function getReply(
  db: Executor,
  id: string,
): Promise<(WallReply & { batchId: string | null }) | undefined> {
  const row = await db
    .selectFrom('wall_replies as r')
    .leftJoin('users as u', 'u.id', 'r.author_id')
    .selectAll('r')
    .select('u.display_name as author_name')
    .where('r.id', '=', id)
    .executeTakeFirst();
  return row ? { ...toReply(row), batchId: row.batch_id } : undefined;
}

/** Marks a reply official (only one per thread) and the thread answered at its first official answer. */
export async function markOfficial(db: Executor, threadId: string, replyId: string, now: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await trx.updateTable('wall_replies').set({ official: 0 }).where('thread_id', '=', threadId).execute();
    const marked = await trx
      .updateTable('wall_replies')
      .set({ official: 1 })
      .where('id', '=', replyId)
      .where('thread_id', '=', threadId)
      .executeTakeFirst();
    if (Number(marked.numUpdatedRows) === 0) return false;
    const thread = await trx
      .selectFrom('wall_threads')
      .select('answered_at')
      .where('id', '=', threadId)
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('wall_threads')
      .set({ official_reply_id: replyId, answered_at: thread.answered_at ?? now })
      .where('id', '=', threadId)
      .execute();
    return true;
  });
}

export async function setThreadHidden(db: Executor, id: string, hidden: boolean): Promise<boolean> {
  const result = await db
    .updateTable('wall_threads')
    .set({ hidden: hidden ? 1 : 0 })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function setReplyHidden(db: Executor, id: string, hidden: boolean): Promise<boolean> {
  const result = await db
    .updateTable('wall_replies')
    .set({ hidden: hidden ? 1 : 0 })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Adds a "me too" (once per person); returns the thread's count. */
export async function addVote(db: Executor, threadId: string, userId: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('wall_votes')
      .values({ thread_id: threadId, user_id: userId })
      .onConflict((oc) => oc.columns(['thread_id', 'user_id']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0)
      await trx
        .updateTable('wall_threads')
        .set((eb) => ({ votes: eb('votes', '+', 1) }))
        .where('id', '=', threadId)
        .execute();
    const row = await trx.selectFrom('wall_threads').select('votes').where('id', '=', threadId).executeTakeFirst();
    return row?.votes ?? 0;
  });
}

/** Questions past their deadline with no official answer, oldest first. */
export async function overdueQuestions(db: Executor, now: string): Promise<WallThread[]> {
  const rows = await threadQuery(db)
    .where('t.kind', '=', 'question')
    .where('t.hidden', '=', 0)
    .where('t.official_reply_id', 'is', null)
    .where('t.due_at', '<=', now)
    .orderBy('t.due_at')
    .execute();
  return rows.map(toThread);
}

/** Questions of a space (visible) since a time, with their due and answer times, for the deadline figures. */
export async function questionTimes(
  db: Executor,
  spaceId: number,
  since: string,
): Promise<{ createdAt: string; dueAt: string | null; answeredAt: string | null }[]> {
  const rows = await db
    .selectFrom('wall_threads')
    .select(['created_at', 'due_at', 'answered_at'])
    .where('space_id', '=', spaceId)
    .where('kind', '=', 'question')
    .where('hidden', '=', 0)
    .where('created_at', '>=', since)
    .execute();
  return rows.map((row) => ({ createdAt: row.created_at, dueAt: row.due_at, answeredAt: row.answered_at }));
}

export async function countThreads(db: Executor, spaceId: number): Promise<number> {
  const row = await db
    .selectFrom('wall_threads')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('space_id', '=', spaceId)
    .executeTakeFirstOrThrow();
  return toCount(row.n);
}

function threadQuery(db: Executor) {
  return db
    .selectFrom('wall_threads as t')
    .leftJoin('users as u', 'u.id', 't.author_id')
    .selectAll('t')
    .select('u.display_name as author_name')
    .select((eb) =>
      eb
        .selectFrom('wall_replies as r')
        .select((inner) => inner.fn.countAll().as('n'))
        .whereRef('r.thread_id', '=', 't.id')
        .where('r.hidden', '=', 0)
        .as('reply_count'),
    );
}

function toSpace(row: Selectable<WallSpacesTable>): Space {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    slaHours: row.sla_hours,
    team: fromJson(row.team, []),
    leadership: fromJson(row.leadership, []),
    audience: row.audience === null ? null : fromJson(row.audience, []),
    createdAt: row.created_at,
  };
}

function toThread(
  row: Selectable<WallThreadsTable> & { author_name: string | null; reply_count: unknown },
): WallThread {
  return {
    id: row.id,
    spaceId: row.space_id,
    kind: row.kind,
    title: row.title,
    body: row.body,
    author: row.author_id !== null ? { id: row.author_id, name: row.author_name ?? 'someone' } : null,
    anonymous: row.anonymous === 1,
    hidden: row.hidden === 1,
    votes: row.votes,
    replyCount: toCount(row.reply_count),
    officialReplyId: row.official_reply_id,
    answeredAt: row.answered_at,
    dueAt: row.due_at,
    createdAt: row.created_at,
  };
}

function toReply(row: Selectable<WallRepliesTable> & { author_name: string | null }): WallReply {
  return {
    id: row.id,
    threadId: row.thread_id,
    body: row.body,
    author: row.author_id !== null ? { id: row.author_id, name: row.author_name ?? 'someone' } : null,
    anonymous: row.anonymous === 1,
    byAsker: row.by_asker === 1,
    official: row.official === 1,
    hidden: row.hidden === 1,
    createdAt: row.created_at,
  };
}

/** A draft FAQ entry from the radar, kept for the knowledge base to pick up (status `draft`). */
export async function insertFaqDraft(
  db: Executor,
  input: { spaceId: number; question: string; answer: string; threadIds: readonly string[]; createdBy: number },
  now: string,
): Promise<{ id: number; question: string; answer: string; status: string }> {
  const row = await db
    .insertInto('wall_faq_drafts')
    .values({
      space_id: input.spaceId,
      question: input.question,
      answer: input.answer,
      thread_ids: toJson(input.threadIds),
      status: 'draft',
      created_by: input.createdBy,
      created_at: now,
    })
    .returning(['id', 'question', 'answer', 'status'])
    .executeTakeFirstOrThrow();
  return row;
}
