/**
 * Author signals and post flags: running sums per author (engagement, posts with links, the
 * same link posted again, spam posts) so influence and "likely spammer" are computed from the
 * row without scanning posts; a count per (author, link) to know when a link repeats; and the
 * analysis flags (`impersonation`, `lure`…) on each post. Frozen: later changes are new
 * migrations. Imports nothing from the app.
 */
import type { Kysely } from 'kysely';

const AUTHOR_SUMS = [
  'likes_total',
  'reposts_total',
  'replies_total',
  'link_posts',
  'repeated_link_posts',
  'spam_posts',
] as const;

export async function up(db: Kysely<any>): Promise<void> {
  for (const column of AUTHOR_SUMS) {
    // Existing authors start at zero: their earlier posts are not re-counted (see docs/analysis.md).
    await db.schema
      .alterTable('authors')
      .addColumn(column, 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  }
  // JSON array of flag names; '[]' for posts stored before flags existed.
  await db.schema
    .alterTable('posts')
    .addColumn('flags', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();

  await db.schema
    .createTable('author_links')
    .addColumn('author_id', 'integer', (c) => c.notNull().references('authors.id').onDelete('cascade'))
    // The link without scheme, query or fragment, lower-case host: what "the same link" means.
    .addColumn('link', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('author_links_pk', ['author_id', 'link'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('author_links').execute();
  await db.schema.alterTable('posts').dropColumn('flags').execute();
  for (const column of AUTHOR_SUMS) await db.schema.alterTable('authors').dropColumn(column).execute();
}
