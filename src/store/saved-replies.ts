/** Saved replies: rows only; placeholders are filled by `src/desk/saved-replies.ts`. */
import type { Kysely, Selectable } from 'kysely';
import type { Database } from './schema.js';
import type { SavedRepliesTable } from './desk-actions-schema.js';
import type { SavedReply } from '../domain/author-action.js';

type Db = Kysely<Database>;

export async function listSavedReplies(db: Db): Promise<SavedReply[]> {
  return (await db.selectFrom('saved_replies').selectAll().orderBy('title').execute()).map(toSavedReply);
}

export async function getSavedReply(db: Db, id: number): Promise<SavedReply | undefined> {
  const row = await db.selectFrom('saved_replies').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toSavedReply(row) : undefined;
}

export async function savedReplyTitled(db: Db, title: string): Promise<SavedReply | undefined> {
  const row = await db.selectFrom('saved_replies').selectAll().where('title', '=', title).executeTakeFirst();
  return row ? toSavedReply(row) : undefined;
}

export async function insertSavedReply(
  db: Db,
  input: { title: string; body: string; authorId: number | null },
  now: string,
): Promise<SavedReply> {
  const row = await db
    .insertInto('saved_replies')
    .values({ title: input.title, body: input.body, author_id: input.authorId, created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toSavedReply(row);
}

export async function updateSavedReply(
  db: Db,
  id: number,
  change: { title?: string; body?: string },
  now: string,
): Promise<SavedReply | undefined> {
  const row = await db
    .updateTable('saved_replies')
    .set({ ...change, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row ? toSavedReply(row) : undefined;
}

export async function deleteSavedReply(db: Db, id: number): Promise<boolean> {
  const result = await db.deleteFrom('saved_replies').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

function toSavedReply(row: Selectable<SavedRepliesTable>): SavedReply {
  return {
    id: row.id,
    title: row.title,
    body: row.body,
    authorId: row.author_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
