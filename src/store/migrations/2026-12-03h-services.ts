/**
 * The service catalogue, its improvement register and the monthly reports already mailed, plus
 * what the reports need from older tables: when an alert was first acknowledged, and indexes
 * that let a period's tickets, replies and a service's posts be read without a full scan.
 * Frozen: later changes are new migrations. Imports nothing from the app.
 */
import type { Kysely } from 'kysely';
import { timestamps, withId } from './columns.js';

export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('services'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('owner_email', 'text')
    .addColumn('team', 'text')
    .addColumn('stage', 'text', (c) => c.notNull())
    // JSON arrays of source names and official handles; JSON business calendar (null: always open).
    .addColumn('sources', 'text', (c) => c.notNull())
    .addColumn('handles', 'text', (c) => c.notNull())
    .addColumn('hours', 'text')
    // JSON targets and custody.
    .addColumn('targets', 'text', (c) => c.notNull())
    .addColumn('custody', 'text', (c) => c.notNull())
    .$call(timestamps)
    .execute();

  await withId(db, db.schema.createTable('improvement_actions'))
    .addColumn('service_id', 'integer', (c) => c.notNull().references('services.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('measure', 'text', (c) => c.notNull())
    .addColumn('baseline', 'real')
    .addColumn('goal', 'real')
    .addColumn('status', 'text', (c) => c.notNull())
    .$call(timestamps)
    .execute();
  await db.schema
    .createIndex('improvement_actions_service')
    .on('improvement_actions')
    .columns(['service_id', 'id'])
    .execute();

  // One row per service and month mailed: a restart mid-month never sends the report twice.
  await db.schema
    .createTable('report_deliveries')
    .addColumn('service_id', 'integer', (c) => c.notNull().references('services.id').onDelete('cascade'))
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('report_deliveries_pk', ['service_id', 'period'])
    .execute();

  await db.schema.alterTable('alerts').addColumn('acknowledged_at', 'text').execute();

  await db.schema.createIndex('tickets_created_at').on('tickets').columns(['created_at', 'id']).execute();
  await db.schema
    .createIndex('ticket_events_type_created')
    .on('ticket_events')
    .columns(['type', 'created_at'])
    .execute();
  await db.schema.createIndex('posts_source_created').on('posts').columns(['source', 'created_at']).execute();
  await db.schema.createIndex('alerts_created_at').on('alerts').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const index of ['alerts_created_at', 'posts_source_created', 'ticket_events_type_created', 'tickets_created_at'])
    await db.schema.dropIndex(index).execute();
  await db.schema.alterTable('alerts').dropColumn('acknowledged_at').execute();
  await db.schema.dropTable('report_deliveries').execute();
  await db.schema.dropTable('improvement_actions').execute();
  await db.schema.dropTable('services').execute();
}
