/**
 * The wall and rooms: spaces, threads, replies and "me too" votes; the daily blind-signature keys,
 * how many tokens each person took per day, spent tokens and blocked batches; rooms, their
 * messages and each person's read marks; FAQ drafts from the rumour radar; e-mail invitations.
 *
 * Threads and replies have random text ids: a counter would place an anonymous post between two
 * named ones and so narrow its time. Anonymous rows keep no user id and an hour-rounded time; the
 * token tables hold no time finer than a day. Same on both databases. Frozen: later changes are
 * new migrations. Imports nothing from the app.
 */
import type { Kysely } from 'kysely';
import { withId } from './columns.js';

export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('wall_spaces'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('sla_hours', 'integer', (c) => c.notNull())
    .addColumn('team', 'text', (c) => c.notNull())
    .addColumn('leadership', 'text', (c) => c.notNull())
    .addColumn('audience', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('wall_threads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('space_id', 'integer', (c) => c.notNull().references('wall_spaces.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('author_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('anonymous', 'integer', (c) => c.notNull())
    // The asker's public key (JWK text): only their browser holds the private half.
    .addColumn('asker_key', 'text')
    // Random id the browser chose for its daily token batch: lets a moderator block the batch.
    .addColumn('batch_id', 'text')
    .addColumn('sentiment', 'text', (c) => c.notNull())
    .addColumn('sentiment_score', 'real', (c) => c.notNull())
    .addColumn('hidden', 'integer', (c) => c.notNull())
    .addColumn('votes', 'integer', (c) => c.notNull())
    .addColumn('official_reply_id', 'text')
    .addColumn('answered_at', 'text')
    .addColumn('due_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('wall_threads_space').on('wall_threads').columns(['space_id', 'created_at']).execute();

  await db.schema
    .createTable('wall_replies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('thread_id', 'text', (c) => c.notNull().references('wall_threads.id').onDelete('cascade'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('author_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('anonymous', 'integer', (c) => c.notNull())
    .addColumn('by_asker', 'integer', (c) => c.notNull())
    .addColumn('batch_id', 'text')
    .addColumn('official', 'integer', (c) => c.notNull())
    .addColumn('sentiment', 'text', (c) => c.notNull())
    .addColumn('sentiment_score', 'real', (c) => c.notNull())
    .addColumn('hidden', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('wall_replies_thread').on('wall_replies').columns(['thread_id', 'created_at']).execute();

  await db.schema
    .createTable('wall_votes')
    .addColumn('thread_id', 'text', (c) => c.notNull().references('wall_threads.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('wall_votes_pk', ['thread_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('wall_token_keys')
    .addColumn('day', 'text', (c) => c.primaryKey())
    .addColumn('public_spki', 'text', (c) => c.notNull())
    .addColumn('private_pkcs8', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('wall_token_issues')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('wall_token_issues_pk', ['user_id', 'day'])
    .execute();
  await db.schema
    .createTable('wall_spent_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('day', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('wall_blocked_batches')
    .addColumn('batch_id', 'text', (c) => c.primaryKey())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('blocked_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('wall_rooms'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await withId(db, db.schema.createTable('wall_room_messages'))
    .addColumn('room_id', 'integer', (c) => c.notNull().references('wall_rooms.id').onDelete('cascade'))
    .addColumn('author_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('mentions', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('wall_room_messages_room').on('wall_room_messages').columns(['room_id', 'id']).execute();
  await db.schema
    .createTable('wall_room_reads')
    .addColumn('room_id', 'integer', (c) => c.notNull().references('wall_rooms.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('last_read_id', 'integer', (c) => c.notNull())
    .addColumn('last_digest_id', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('wall_room_reads_pk', ['room_id', 'user_id'])
    .execute();

  // Picked up by the knowledge base later: a plain table of drafts, nothing more.
  await withId(db, db.schema.createTable('wall_faq_drafts'))
    .addColumn('space_id', 'integer', (c) => c.notNull().references('wall_spaces.id').onDelete('cascade'))
    .addColumn('question', 'text', (c) => c.notNull())
    .addColumn('answer', 'text', (c) => c.notNull())
    .addColumn('thread_ids', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('wall_invitations')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('accepted_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'wall_invitations',
    'wall_faq_drafts',
    'wall_room_reads',
    'wall_room_messages',
    'wall_rooms',
    'wall_blocked_batches',
    'wall_spent_tokens',
    'wall_token_issues',
    'wall_token_keys',
    'wall_votes',
    'wall_replies',
    'wall_threads',
    'wall_spaces',
  ])
    await db.schema.dropTable(table).execute();
}
