/**
 * The desk's source settings and their audit: what an admin changed in the Sources view. The
 * rules for what a valid entry is live in `src/domain/intranet-hosts.ts`; this file only reads
 * and writes rows.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { fromJson, toJson } from './json.js';

export interface SourceSettingsAuditEntry {
  readonly id: number;
  readonly at: string;
  readonly username: string;
  readonly setting: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** The intranet hosts and networks an admin allowed from the desk (empty until set). */
export async function readAllowedPrivateHosts(db: Kysely<Database>): Promise<string[]> {
  const row = await db
    .selectFrom('source_settings')
    .select('allowed_private_hosts')
    .where('singleton', '=', 1)
    .executeTakeFirst();
  if (!row) return [];
  const list: unknown = fromJson<string[]>(row.allowed_private_hosts, []);
  return Array.isArray(list) ? list.filter((entry): entry is string => typeof entry === 'string') : [];
}

/** Replaces the list and records who changed it from what, in one transaction. */
export async function writeAllowedPrivateHosts(
  db: Kysely<Database>,
  hosts: readonly string[],
  by: { readonly id: number | null; readonly username: string },
  now = new Date().toISOString(),
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await readAllowedPrivateHosts(trx);
    await trx
      .insertInto('source_settings')
      .values({ singleton: 1, allowed_private_hosts: toJson([...hosts]), updated_at: now, updated_by: by.id })
      .onConflict((oc) =>
        oc.column('singleton').doUpdateSet({
          allowed_private_hosts: toJson([...hosts]),
          updated_at: now,
          updated_by: by.id,
        }),
      )
      .execute();
    await trx
      .insertInto('source_settings_audit')
      .values({
        at: now,
        user_id: by.id,
        username: by.username,
        setting: 'allowedPrivateHosts',
        before: JSON.stringify(before),
        after: JSON.stringify(hosts),
      })
      .execute();
  });
}

/** The latest changes first. */
export async function listSourceSettingsAudit(db: Kysely<Database>, limit = 50): Promise<SourceSettingsAuditEntry[]> {
  const rows = await db.selectFrom('source_settings_audit').selectAll().orderBy('id', 'desc').limit(limit).execute();
  return rows.map((row) => ({
    id: Number(row.id),
    at: row.at,
    username: row.username,
    setting: row.setting,
    before: JSON.parse(row.before) as unknown,
    after: JSON.parse(row.after) as unknown,
  }));
}
