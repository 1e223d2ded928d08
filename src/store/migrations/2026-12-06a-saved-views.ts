/**
 * Saved views of the work queue: a name, personal or shared, its owner and its filters (a JSON
 * object of the tickets list's query fields). Owner and scope are indexed for "my views and the
 * shared ones", the only list ever asked for. Same on both databases. Frozen: later changes are
 * new migrations. Imports only kysely and the shared column helpers.
 */
import type { Kysely } from 'kysely';
import { timestamps, withId } from './columns.js';

export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('saved_views'))
    .addColumn('name', 'text', (c) => c.notNull())
    // `personal` or `shared` (SAVED_VIEW_SCOPES).
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('filters', 'text', (c) => c.notNull())
    .$call(timestamps)
    .execute();
  await db.schema.createIndex('saved_views_owner').on('saved_views').columns(['owner_id', 'scope']).execute();
  await db.schema.createIndex('saved_views_scope').on('saved_views').columns(['scope', 'name']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('saved_views_scope').execute();
  await db.schema.dropIndex('saved_views_owner').execute();
  await db.schema.dropTable('saved_views').execute();
}
