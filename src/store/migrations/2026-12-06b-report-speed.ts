/**
 * Reports, faster at a million posts. Posts are also counted per day by source, sentiment and kind
 * (kept at ingest beside the hourly counts of 2026-12-04g, backfilled from them): a month of every
 * source is ~2,700 day rows, not ~65,000 hour rows.
 *
 * The service report reads a period's tickets twice: those created in it (their times, source and
 * assignee) and those first answered in it (the post they came from, for reach). Both reads now
 * find everything they need in an index, instead of a table row per ticket: at 100,000 tickets a
 * month's 8,000 rows each cost a random page read. The answered index replaces 2026-12-04g's
 * `tickets_first_responded`, which it extends. Replies per agent read the period's reply events
 * from an index too.
 * Frozen: later changes are new migrations. Imports nothing from the app.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('post_source_day_rollups')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('sentiment', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('post_source_day_rollups_pk', ['source', 'day', 'sentiment', 'kind'])
    .execute();
  // Every source at once reads by day first.
  await db.schema
    .createIndex('post_source_day_rollups_day')
    .on('post_source_day_rollups')
    .columns(['day', 'source', 'sentiment', 'kind', 'count'])
    .execute();
  await sql`insert into post_source_day_rollups (source, day, sentiment, kind, count)
    select source, substr(hour, 1, 10), sentiment, kind, sum(count) from post_source_rollups
    group by source, substr(hour, 1, 10), sentiment, kind`.execute(db);
  await db.schema
    .createIndex('tickets_report_created')
    .on('tickets')
    .columns(['created_at', 'source', 'assignee_id', 'first_responded_at', 'resolved_at', 'sla_due_at'])
    .execute();
  await db.schema
    .createIndex('tickets_report_answered')
    .on('tickets')
    .columns(['first_responded_at', 'source', 'assignee_id', 'post_id'])
    .execute();
  await db.schema.dropIndex('tickets_first_responded').execute();
  // Replies per agent: the period's replies with their ticket (for its source) and actor.
  await db.schema
    .createIndex('ticket_events_report_replies')
    .on('ticket_events')
    .columns(['type', 'created_at', 'ticket_id', 'actor_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('ticket_events_report_replies').execute();
  await db.schema.createIndex('tickets_first_responded').on('tickets').columns(['first_responded_at', 'id']).execute();
  await db.schema.dropIndex('tickets_report_answered').execute();
  await db.schema.dropIndex('tickets_report_created').execute();
  await db.schema.dropTable('post_source_day_rollups').execute();
}
