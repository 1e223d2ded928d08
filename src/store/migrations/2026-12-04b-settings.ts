/**
 * Settings the desk edits: business-hours calendars an SLA policy may name (weekly hours and
 * holidays as JSON), the calendar a ticket's SLA clock was set by (null: calendar time, as every
 * ticket before this), and the log of webhook deliveries (each real send and each test).
 * Frozen: later changes are new migrations. Imports nothing from the app.
 */
import type { Kysely } from 'kysely';
import { timestamps, withId } from './columns.js';

export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('business_calendars'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    // JSON: [{ day, from, to }] and ["YYYY-MM-DD"].
    .addColumn('weekly', 'text', (c) => c.notNull())
    .addColumn('holidays', 'text', (c) => c.notNull())
    .$call(timestamps)
    .execute();

  // No foreign key: a calendar deleted later leaves the due time as it was set.
  await db.schema.alterTable('tickets').addColumn('sla_calendar_id', 'integer').execute();

  await withId(db, db.schema.createTable('webhook_deliveries'))
    .addColumn('webhook_id', 'integer', (c) => c.notNull().references('webhook_subscriptions.id').onDelete('cascade'))
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('test', 'integer', (c) => c.notNull())
    .addColumn('ok', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_webhook')
    .on('webhook_deliveries')
    .columns(['webhook_id', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('webhook_deliveries').execute();
  await db.schema.alterTable('tickets').dropColumn('sla_calendar_id').execute();
  await db.schema.dropTable('business_calendars').execute();
}
