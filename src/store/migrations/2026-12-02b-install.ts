/**
 * This install's identity: one row with a random id made when the store is created (or upgraded), so what Earshot
 * sends carries keys no other install (another database on the same accounts) can share. Replies
 * queued before it existed (ids up to `legacy_outbound_max`) keep their old keys, so a send in
 * flight across the upgrade is still recognised. Same on both databases. Frozen: later changes
 * are new migrations. Imports nothing from the app.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('install')
    // Always 1: the table holds one row.
    .addColumn('singleton', 'integer', (c) => c.primaryKey())
    .addColumn('install_id', 'text', (c) => c.notNull())
    .addColumn('legacy_outbound_max', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  const max = await db
    .selectFrom('outbound_messages')
    .select((eb) => eb.fn.max('id').as('max'))
    .executeTakeFirst();
  await db
    .insertInto('install')
    .values({
      singleton: 1,
      install_id: randomUUID(),
      legacy_outbound_max: Number(max?.max ?? 0),
      created_at: new Date().toISOString(),
    })
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('install').execute();
}
