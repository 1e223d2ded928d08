/**
 * Agents' decisions about authors (mute, block) and the desk's audit trail of actions taken from
 * anywhere (a post card, the composer). Rows only; what the decisions mean is `src/desk`'s.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { AuthorAction, AuthorDecision } from '../domain/author-action.js';
import { fromJson, toJson } from './json.js';

type Db = Kysely<Database>;

export async function listAuthorDecisions(db: Db): Promise<AuthorDecision[]> {
  const rows = await db.selectFrom('author_actions').selectAll().orderBy('created_at', 'desc').execute();
  return rows.map((row) => ({
    source: row.source,
    handle: row.handle,
    action: row.action as AuthorAction,
    actorId: row.actor_id,
    createdAt: row.created_at,
  }));
}

/** Sets (or replaces) the decision about one author. */
export async function setAuthorDecision(
  db: Db,
  decision: { source: string; handle: string; action: AuthorAction; actorId: number | null },
  now: string,
): Promise<void> {
  await db
    .insertInto('author_actions')
    .values({
      source: decision.source,
      handle: decision.handle,
      action: decision.action,
      actor_id: decision.actorId,
      created_at: now,
    })
    .onConflict((oc) =>
      oc
        .columns(['source', 'handle'])
        .doUpdateSet({ action: decision.action, actor_id: decision.actorId, created_at: now }),
    )
    .execute();
}

export async function clearAuthorDecision(db: Db, source: string, handle: string): Promise<boolean> {
  const result = await db
    .deleteFrom('author_actions')
    .where('source', '=', source)
    .where('handle', '=', handle)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Of these `source\0handle` keys, the ones blocked (their posts open no tickets). */
export async function blockedAuthorKeys(db: Db, sources: readonly string[]): Promise<Set<string>> {
  if (sources.length === 0) return new Set();
  const rows = await db
    .selectFrom('author_actions')
    .select(['source', 'handle'])
    .where('action', '=', 'block')
    .where('source', 'in', [...new Set(sources)])
    .execute();
  return new Set(rows.map((row) => `${row.source}\u0000${row.handle}`));
}

export interface DeskAuditEntry {
  readonly id: number;
  readonly actorId: number | null;
  readonly action: string;
  readonly data: Record<string, unknown>;
  readonly createdAt: string;
}

export async function addDeskAudit(
  db: Db,
  entry: { actorId: number | null; action: string; data: Record<string, unknown> },
  now: string,
): Promise<void> {
  await db
    .insertInto('desk_audit')
    .values({ actor_id: entry.actorId, action: entry.action, data: toJson(entry.data), created_at: now })
    .execute();
}

/** The newest entries first. */
export async function listDeskAudit(db: Db, limit = 100): Promise<DeskAuditEntry[]> {
  const rows = await db.selectFrom('desk_audit').selectAll().orderBy('id', 'desc').limit(limit).execute();
  return rows.map((row) => ({
    id: row.id,
    actorId: row.actor_id,
    action: row.action,
    data: fromJson(row.data, {}),
    createdAt: row.created_at,
  }));
}
