/**
 * Incident activity and delivery: when an incident last took in a report, so an idle one stops
 * absorbing new reports and the desk suggests resolving it; and the outbound message an approved
 * reply became, so the desk shows whether it was sent, failed (with the channel's error) or waits. Frozen: later changes are new migrations. Imports
 * nothing from the app.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Null for incidents stored before this column: their `updated_at` stands in.
  await db.schema.alterTable('incidents').addColumn('last_report_at', 'text').execute();
  // Null until approved (and for replies approved before this column).
  await db.schema
    .alterTable('reply_proposals')
    .addColumn('outbound_id', 'integer', (c) => c.references('outbound_messages.id').onDelete('set null'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('reply_proposals').dropColumn('outbound_id').execute();
  await db.schema.alterTable('incidents').dropColumn('last_report_at').execute();
}
