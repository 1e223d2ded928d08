/**
 * The first schema. Frozen: later changes are new migrations. Imports nothing from the app.
 * Full-text search differs per database: FTS5 with triggers on SQLite, a generated tsvector
 * column with a GIN index on PostgreSQL.
 */
import { sql, type Kysely } from 'kysely';
import { isSqlite, timestamps, withId } from './columns.js';

export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('authors'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('handle', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('followers', 'integer')
    .addColumn('following', 'integer')
    .addColumn('account_created_at', 'text')
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('post_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint('authors_source_handle', ['source', 'handle'])
    .execute();

  await withId(db, db.schema.createTable('posts'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('author_id', 'integer', (c) => c.notNull().references('authors.id'))
    .addColumn('author_handle', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('ingested_at', 'text', (c) => c.notNull())
    .addColumn('in_reply_to', 'text')
    .addColumn('likes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reposts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('replies', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('sentiment', 'text', (c) => c.notNull())
    .addColumn('sentiment_score', 'double precision', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('lang', 'text', (c) => c.notNull())
    .addColumn('models', 'text', (c) => c.notNull())
    .addColumn('extra', 'text', (c) => c.notNull())
    .addUniqueConstraint('posts_source_external_id', ['source', 'external_id'])
    .execute();
  await db.schema.createIndex('posts_created_at').on('posts').columns(['created_at', 'id']).execute();
  await db.schema.createIndex('posts_sentiment').on('posts').columns(['sentiment', 'id']).execute();
  await db.schema.createIndex('posts_kind').on('posts').columns(['kind', 'id']).execute();
  await db.schema.createIndex('posts_author').on('posts').columns(['author_id', 'id']).execute();

  if (isSqlite(db)) {
    await sql`create virtual table posts_fts using fts5(text, content='posts', content_rowid='id', tokenize='unicode61 remove_diacritics 2')`.execute(
      db,
    );
    await sql`create trigger posts_fts_insert after insert on posts begin insert into posts_fts(rowid, text) values (new.id, new.text); end`.execute(
      db,
    );
    await sql`create trigger posts_fts_delete after delete on posts begin insert into posts_fts(posts_fts, rowid, text) values ('delete', old.id, old.text); end`.execute(
      db,
    );
    await sql`create trigger posts_fts_update after update of text on posts begin insert into posts_fts(posts_fts, rowid, text) values ('delete', old.id, old.text); insert into posts_fts(rowid, text) values (new.id, new.text); end`.execute(
      db,
    );
  } else {
    await sql`alter table posts add column search tsvector generated always as (to_tsvector('simple', text)) stored`.execute(
      db,
    );
    await sql`create index posts_search on posts using gin (search)`.execute(db);
  }

  await withId(db, db.schema.createTable('streams'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('query', 'text', (c) => c.notNull())
    .addColumn('ticket_rules', 'text', (c) => c.notNull())
    .addColumn('sla', 'text', (c) => c.notNull())
    .$call(timestamps)
    .execute();

  await db.schema
    .createTable('post_streams')
    .addColumn('post_id', 'integer', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('stream_id', 'integer', (c) => c.notNull().references('streams.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('post_streams_pk', ['stream_id', 'post_id'])
    .execute();
  await db.schema.createIndex('post_streams_post').on('post_streams').column('post_id').execute();

  await withId(db, db.schema.createTable('users'))
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('api_tokens'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .execute();

  await withId(db, db.schema.createTable('tickets'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('post_id', 'integer', (c) => c.references('posts.id'))
    .addColumn('stream_id', 'integer', (c) => c.references('streams.id').onDelete('set null'))
    .addColumn('source', 'text')
    .addColumn('assignee_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .$call(timestamps)
    .addColumn('sla_due_at', 'text')
    .addColumn('first_responded_at', 'text')
    .addColumn('resolved_at', 'text')
    .execute();
  // One ticket per post: re-routing the same post never raises a second ticket.
  await db.schema.createIndex('tickets_post').on('tickets').column('post_id').unique().execute();
  await db.schema.createIndex('tickets_status').on('tickets').columns(['status', 'id']).execute();

  await withId(db, db.schema.createTable('ticket_events'))
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('body', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ticket_events_ticket').on('ticket_events').columns(['ticket_id', 'id']).execute();

  await withId(db, db.schema.createTable('outbound_messages'))
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('event_id', 'integer', (c) => c.notNull().references('ticket_events.id').onDelete('cascade'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('in_reply_to', 'text')
    .addColumn('visibility', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('remote_id', 'text')
    .addColumn('remote_url', 'text')
    .addColumn('error', 'text')
    .$call(timestamps)
    .execute();
  await db.schema.createIndex('outbound_status').on('outbound_messages').columns(['status', 'id']).execute();

  await withId(db, db.schema.createTable('alerts'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('evidence', 'text', (c) => c.notNull())
    .$call(timestamps)
    .execute();
  await db.schema
    .createTable('source_cursors')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('cursor', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.createIndex('alerts_key').on('alerts').columns(['key', 'status']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'source_cursors',
    'alerts',
    'outbound_messages',
    'ticket_events',
    'tickets',
    'api_tokens',
    'sessions',
    'users',
    'post_streams',
    'streams',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  if (isSqlite(db)) await sql`drop table posts_fts`.execute(db);
  await db.schema.dropTable('posts').execute();
  await db.schema.dropTable('authors').execute();
}
