/**
 * Acting from anywhere and the composer: saved replies (with placeholders), what agents decided
 * about an author (mute, block) and the desk's audit of those actions. Frozen: later changes are
 * new migrations. Imports nothing from the app.
 */
import type { Kysely } from 'kysely';
import { timestamps, withId } from './columns.js';

export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('saved_replies'))
    .addColumn('title', 'text', (c) => c.notNull().unique())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('author_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .$call(timestamps)
    .execute();

  // One decision per author (by source and handle, as posts name them): mute or block.
  await withId(db, db.schema.createTable('author_actions'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('handle', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('author_actions_author', ['source', 'handle'])
    .execute();

  await withId(db, db.schema.createTable('desk_audit'))
    .addColumn('actor_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('action', 'text', (c) => c.notNull())
    // JSON object: what was acted on (post, ticket, author, saved reply).
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('desk_audit_created').on('desk_audit').columns(['created_at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('desk_audit_created').execute();
  for (const table of ['desk_audit', 'author_actions', 'saved_replies']) await db.schema.dropTable(table).execute();
}
