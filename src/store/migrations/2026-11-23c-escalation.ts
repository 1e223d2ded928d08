/**
 * Escalation and notifications: how to reach each person (e-mail, webhook), on-call schedules,
 * escalation policies, running escalations (their state survives a restart), one-use
 * acknowledgement links, and webhook subscriptions for alerts and new tickets. Frozen: later
 * changes are new migrations. Imports nothing from the app.
 */
import type { Kysely } from 'kysely';
import { timestamps, withId } from './columns.js';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('user_contacts')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('email', 'text')
    .addColumn('webhook_url', 'text')
    // Signs what we POST to the person's webhook, so their side can tell it is us.
    .addColumn('webhook_secret', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('oncall_schedules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    // JSON array of user ids in rotation order.
    .addColumn('user_ids', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('shift_hours', 'integer', (c) => c.notNull())
    // JSON array of { userId, from, to }.
    .addColumn('overrides', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('escalation_policies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    // JSON array of { targets, waitMinutes }.
    .addColumn('steps', 'text', (c) => c.notNull())
    .addColumn('repeat', 'integer', (c) => c.notNull())
    // 1: started for every new major incident.
    .addColumn('is_default', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('escalations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('policy_id', 'text', (c) => c.notNull())
    // The policy as it was when the escalation started: editing a policy never re-routes one under way.
    .addColumn('policy', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'integer', (c) => c.references('incidents.id').onDelete('cascade'))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('step', 'integer', (c) => c.notNull())
    .addColumn('round', 'integer', (c) => c.notNull())
    .addColumn('deadline', 'text', (c) => c.notNull())
    // JSON array of every user notified so far.
    .addColumn('notified', 'text', (c) => c.notNull())
    .addColumn('acknowledged_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('acknowledged_at', 'text')
    .$call(timestamps)
    .execute();
  await db.schema.createIndex('escalations_due').on('escalations').columns(['status', 'deadline']).execute();

  await db.schema
    .createTable('escalation_ack_tokens')
    // SHA-256 of the token in the link: a leaked table does not leak links.
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('escalation_id', 'text', (c) => c.notNull().references('escalations.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('webhook_subscriptions'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    // JSON array of event names: `alert`, `ticket`.
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'webhook_subscriptions',
    'escalation_ack_tokens',
    'escalations',
    'escalation_policies',
    'oncall_schedules',
    'user_contacts',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
