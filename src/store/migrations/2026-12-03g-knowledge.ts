/**
 * The knowledge base, policies and the belt ladder: articles with every version kept, their
 * links, views and "did this help?" votes; policies with versions and who acknowledged them;
 * belt levels with their criteria, each person's belt, training modules with a quiz, the queue
 * of public replies waiting for a higher belt; one audit of acknowledgements, promotions,
 * approvals and returns. Guideline versions gain the policy version they come from.
 * Full-text search: an FTS5 table on SQLite, an expression GIN index over a tsvector on
 * PostgreSQL. Frozen: later changes are new migrations. Imports nothing from the app.
 */
import { type Kysely, sql } from 'kysely';
import { isSqlite, withId } from './columns.js';

export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('articles'))
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('visibility', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('author_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('owner_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('review_due', 'text')
    .addColumn('source_ticket_id', 'integer')
    .addColumn('views', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await withId(db, db.schema.createTable('article_versions'))
    .addColumn('article_id', 'integer', (c) => c.notNull().references('articles.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('author_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('note', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('article_versions_unique', ['article_id', 'version'])
    .execute();
  await db.schema
    .createTable('article_links')
    .addColumn('from_id', 'integer', (c) => c.notNull().references('articles.id').onDelete('cascade'))
    .addColumn('to_id', 'integer', (c) => c.notNull().references('articles.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('article_links_pk', ['from_id', 'to_id'])
    .execute();
  await withId(db, db.schema.createTable('article_votes'))
    .addColumn('article_id', 'integer', (c) => c.notNull().references('articles.id').onDelete('cascade'))
    .addColumn('helped', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('article_votes_article').on('article_votes').column('article_id').execute();
  if (isSqlite(db)) {
    await sql`create virtual table article_fts using fts5(title, body, tags, tokenize = 'porter unicode61')`.execute(
      db,
    );
  } else {
    await sql`create index articles_search on articles using gin (to_tsvector('english', title || ' ' || body || ' ' || tags))`.execute(
      db,
    );
  }

  await withId(db, db.schema.createTable('policies'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('review_every_days', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await withId(db, db.schema.createTable('policy_versions'))
    .addColumn('policy_id', 'integer', (c) => c.notNull().references('policies.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('author_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('published_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('policy_versions_unique', ['policy_id', 'version'])
    .execute();
  await db.schema
    .createTable('policy_acks')
    .addColumn('policy_version_id', 'integer', (c) => c.notNull().references('policy_versions.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('acknowledged_at', 'text')
    .addColumn('reminded_at', 'text')
    .addColumn('reminders', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('policy_acks_pk', ['policy_version_id', 'user_id'])
    .execute();
  await db.schema
    .alterTable('guideline_versions')
    .addColumn('policy_version_id', 'integer', (c) => c.references('policy_versions.id').onDelete('set null'))
    .execute();

  await db.schema
    .createTable('belt_levels')
    .addColumn('rank', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('criteria', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('ladder_settings')
    .addColumn('singleton', 'integer', (c) => c.primaryKey())
    .addColumn('review_below', 'integer')
    .addColumn('approve_batch_from', 'integer')
    .addColumn('approve_reviews_from', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('user_belts')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('rank', 'integer', (c) => c.notNull())
    .addColumn('since', 'text', (c) => c.notNull())
    .execute();
  await withId(db, db.schema.createTable('training_modules'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('article_ids', 'text', (c) => c.notNull())
    .addColumn('quiz', 'text', (c) => c.notNull())
    .addColumn('pass_share', 'real', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await withId(db, db.schema.createTable('module_attempts'))
    .addColumn('module_id', 'integer', (c) => c.notNull().references('training_modules.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('score', 'real', (c) => c.notNull())
    .addColumn('passed', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await withId(db, db.schema.createTable('held_replies'))
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('author_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('original_body', 'text', (c) => c.notNull())
    .addColumn('visibility', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reviewer_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('note', 'text')
    .addColumn('outbound_id', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'text')
    .execute();
  await db.schema.createIndex('held_replies_status').on('held_replies').columns(['status', 'id']).execute();
  await withId(db, db.schema.createTable('knowledge_audit'))
    .addColumn('actor_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subject_user_id', 'integer')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('guideline_versions').dropColumn('policy_version_id').execute();
  for (const table of [
    'knowledge_audit',
    'held_replies',
    'module_attempts',
    'training_modules',
    'user_belts',
    'ladder_settings',
    'belt_levels',
    'policy_acks',
    'policy_versions',
    'policies',
    'article_votes',
    'article_links',
    'article_versions',
    'articles',
  ])
    await db.schema.dropTable(table).execute();
  if (isSqlite(db)) await sql`drop table article_fts`.execute(db);
}
