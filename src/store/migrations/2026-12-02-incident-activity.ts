/**
 * Incident activity: when an incident last took in a report, so an idle one stops absorbing new
 * reports and the desk suggests resolving it. Frozen: later changes are new migrations. Imports
 * nothing from the app.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Null for incidents stored before this column: their `updated_at` stands in.
  await db.schema.alterTable('incidents').addColumn('last_report_at', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('incidents').dropColumn('last_report_at').execute();
}
