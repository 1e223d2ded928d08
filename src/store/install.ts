/** This install's identity, made once on the first start and kept in the store. */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface Install {
  /** Random, made once; keys sent to channels carry it so two installs never share one. */
  readonly id: string;
  /** Outbound messages up to this id were queued before the install had an id. */
  readonly legacyOutboundMax: number;
}

/**
 * The install's identity. The migration that made the table made it; should the row be missing
 * it is made with `newId()` (two processes at once agree: the second insert is ignored).
 */
export async function ensureInstall(
  db: Kysely<Database>,
  newId: () => string,
  now = new Date().toISOString(),
): Promise<Install> {
  const existing = await readInstall(db);
  if (existing) return existing;
  await db
    .insertInto('install')
    .values({ singleton: 1, install_id: newId(), legacy_outbound_max: 0, created_at: now })
    .onConflict((oc) => oc.column('singleton').doNothing())
    .execute();
  return (await readInstall(db))!;
}

async function readInstall(db: Kysely<Database>): Promise<Install | null> {
  const row = await db
    .selectFrom('install')
    .select(['install_id', 'legacy_outbound_max'])
    .where('singleton', '=', 1)
    .executeTakeFirst();
  return row ? { id: row.install_id, legacyOutboundMax: Number(row.legacy_outbound_max) } : null;
}
