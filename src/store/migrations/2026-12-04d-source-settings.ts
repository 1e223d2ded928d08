/**
 * The desk's source settings: one row holding the intranet hosts and networks an admin lets
 * sources reach (a JSON list), and an append-only audit of every change (who, when, before and
 * after). Same on both databases. Frozen: later changes are new migrations. Imports only kysely
 * and the shared column helpers.
 */
import type { Kysely } from 'kysely';
import { withId } from './columns.js';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('source_settings')
    // Always 1: the table holds one row, made on the first change.
    .addColumn('singleton', 'integer', (c) => c.primaryKey())
    .addColumn('allowed_private_hosts', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'integer')
    .execute();
  await withId(db, db.schema.createTable('source_settings_audit'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer')
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('setting', 'text', (c) => c.notNull())
    .addColumn('before', 'text', (c) => c.notNull())
    .addColumn('after', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('source_settings_audit').execute();
  await db.schema.dropTable('source_settings').execute();
}
