/**
 * Configured sources and their health, and what the outbound worker needs to send each reply
 * once: an attempt count, when to try next, and a claim (lease) so two workers, or one
 * restarted mid-send, never hold the same message at once. Frozen: later changes are new
 * migrations. Imports nothing from the app.
 */
import type { Kysely } from 'kysely';
import { timestamps, withId } from './columns.js';

export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('sources'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    // JSON object of the options that are not secret.
    .addColumn('options', 'text', (c) => c.notNull())
    // AES-256-GCM sealed JSON of the secret options; null when the source has none.
    .addColumn('secrets', 'text')
    // JSON array of the secret options that are set, so listing never needs to open the seal.
    .addColumn('secret_names', 'text', (c) => c.notNull().defaultTo('[]'))
    // 1/0: one type on both databases.
    .addColumn('enabled', 'integer', (c) => c.notNull())
    // Where it was configured: `api` (the desk) or `file` (earshot.config.yaml).
    .addColumn('origin', 'text', (c) => c.notNull())
    .$call(timestamps)
    .execute();

  // Keyed by name like source_cursors: the health of the source named so, whatever its row.
  await db.schema
    .createTable('source_health')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('last_post_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', 'text')
    .addColumn('posts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('skipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('errors', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .alterTable('outbound_messages')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('outbound_messages').addColumn('next_attempt_at', 'text').execute();
  await db.schema.alterTable('outbound_messages').addColumn('claimed_until', 'text').execute();
  await db.schema.alterTable('outbound_messages').addColumn('claim_token', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const column of ['claim_token', 'claimed_until', 'next_attempt_at', 'attempts']) {
    await db.schema.alterTable('outbound_messages').dropColumn(column).execute();
  }
  await db.schema.dropTable('source_health').execute();
  await db.schema.dropTable('sources').execute();
}
