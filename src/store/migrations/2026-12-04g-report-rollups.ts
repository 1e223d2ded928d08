/**
 * Posts counted per hour, by source, sentiment and kind, kept up to date at ingest: the service
 * reports count a month of a service's posts by sentiment, kind and day, and at 1M posts a year
 * that read ~80,000 posts per period where the hour rows are ~15,000 at most. Backfilled from the
 * posts already stored. Tickets gain an index on their first response, which the reports' reach
 * (tickets first answered in the period) filters by, and one for the backlog count.
 *
 * The stream rollups gain a day granularity (a month of `/api/stats` is 30 day rows per sentiment and
 * kind plus the edge hours, not 720 hour rows), backfilled the same way, and a covering index, so
 * summing them reads the index alone.
 * Frozen: later changes are new migrations. Imports nothing from the app.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('post_source_rollups')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('hour', 'text', (c) => c.notNull())
    .addColumn('sentiment', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('post_source_rollups_pk', ['source', 'hour', 'sentiment', 'kind'])
    .execute();
  // Every source at once reads by hour first.
  await db.schema
    .createIndex('post_source_rollups_hour')
    .on('post_source_rollups')
    .columns(['hour', 'source', 'sentiment', 'kind', 'count'])
    .execute();
  await sql`insert into post_source_rollups (source, hour, sentiment, kind, count)
    select source, substr(created_at, 1, 13), sentiment, kind, count(*) from posts
    group by source, substr(created_at, 1, 13), sentiment, kind`.execute(db);
  await sql`insert into post_rollups (granularity, stream_id, bucket, sentiment, kind, count)
    select 'day', 0, substr(created_at, 1, 10), sentiment, kind, count(*) from posts
    group by substr(created_at, 1, 10), sentiment, kind`.execute(db);
  await sql`insert into post_rollups (granularity, stream_id, bucket, sentiment, kind, count)
    select 'day', ps.stream_id, substr(p.created_at, 1, 10), p.sentiment, p.kind, count(*)
    from posts p join post_streams ps on ps.post_id = p.id
    group by ps.stream_id, substr(p.created_at, 1, 10), p.sentiment, p.kind`.execute(db);
  await db.schema
    .createIndex('post_rollups_covering')
    .on('post_rollups')
    .columns(['granularity', 'stream_id', 'bucket', 'sentiment', 'kind', 'count'])
    .execute();
  // The backlog at a period's end (open then: unresolved, or resolved after it) reads this index
  // alone, by resolution first: it was a walk over every older ticket, 1.2 s of a 1M-post report.
  await db.schema
    .createIndex('tickets_backlog')
    .on('tickets')
    .columns(['resolved_at', 'created_at', 'status', 'updated_at', 'source', 'assignee_id'])
    .execute();
  await db.schema.createIndex('tickets_first_responded').on('tickets').columns(['first_responded_at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('tickets_first_responded').execute();
  await db.schema.dropIndex('tickets_backlog').execute();
  await db.schema.dropIndex('post_rollups_covering').execute();
  await db.deleteFrom('post_rollups').where('granularity', '=', 'day').execute();
  await db.schema.dropTable('post_source_rollups').execute();
}
