/** Durable per-source cursors: where each source resumes after a restart. */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export async function loadCursor(db: Kysely<Database>, name: string): Promise<string | null> {
  const row = await db.selectFrom('source_cursors').select('cursor').where('name', '=', name).executeTakeFirst();
  return row?.cursor ?? null;
}

export async function saveCursor(
  db: Kysely<Database>,
  name: string,
  cursor: string,
  now = new Date().toISOString(),
): Promise<void> {
  await db
    .insertInto('source_cursors')
    .values({ name, cursor, updated_at: now })
    .onConflict((oc) => oc.column('name').doUpdateSet({ cursor, updated_at: now }))
    .execute();
}
