/**
 * Counts per minute and per hour, by stream (0: every post), sentiment and kind, kept up to date
 * at ingest, so `/api/stats` and Pulse read a few hundred rows instead of every post of a month.
 * Backfilled from the posts already stored.
 *
 * On PostgreSQL the `search` tsvector is rebuilt over the text with punctuation turned into spaces:
 * its parser otherwise keeps `vpn.uni.edu`, `a@b.org` or `/path/x` as one token, and a search
 * for `vpn` missed a post that the stream query `vpn` matches.
 * Frozen: later changes are new migrations. Imports nothing from the app.
 */
import { sql, type Kysely } from 'kysely';
import { isSqlite } from './columns.js';

const PUNCTUATION = `.,;:!?/\\@#&=+-_~%*'"’‘“”()[]{}<>|^\`$`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('post_rollups')
    .addColumn('granularity', 'text', (c) => c.notNull())
    .addColumn('stream_id', 'integer', (c) => c.notNull())
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('sentiment', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('post_rollups_pk', ['granularity', 'stream_id', 'bucket', 'sentiment', 'kind'])
    .execute();
  for (const [granularity, width] of [
    ['minute', 16],
    ['hour', 13],
  ] as const) {
    const bucket = sql.raw(`substr(p.created_at, 1, ${width})`);
    await sql`insert into post_rollups (granularity, stream_id, bucket, sentiment, kind, count)
      select ${granularity}, 0, ${bucket}, p.sentiment, p.kind, count(*) from posts p
      group by ${bucket}, p.sentiment, p.kind`.execute(db);
    await sql`insert into post_rollups (granularity, stream_id, bucket, sentiment, kind, count)
      select ${granularity}, ps.stream_id, ${bucket}, p.sentiment, p.kind, count(*)
      from posts p join post_streams ps on ps.post_id = p.id
      group by ps.stream_id, ${bucket}, p.sentiment, p.kind`.execute(db);
  }
  if (!isSqlite(db)) {
    const spaces = ' '.repeat(PUNCTUATION.length);
    await sql`drop index if exists posts_search`.execute(db);
    await sql`alter table posts drop column search`.execute(db);
    await sql`alter table posts add column search tsvector generated always as (to_tsvector('simple', translate(text, ${sql.lit(PUNCTUATION)}, ${sql.lit(spaces)}))) stored`.execute(
      db,
    );
    await sql`create index posts_search on posts using gin (search)`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('post_rollups').execute();
  if (!isSqlite(db)) {
    await sql`drop index if exists posts_search`.execute(db);
    await sql`alter table posts drop column search`.execute(db);
    await sql`alter table posts add column search tsvector generated always as (to_tsvector('simple', text)) stored`.execute(
      db,
    );
    await sql`create index posts_search on posts using gin (search)`.execute(db);
  }
}
