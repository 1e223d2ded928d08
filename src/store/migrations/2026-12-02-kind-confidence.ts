/**
 * The kind model's confidence and its second kind on each post, so the desk can show how sure the
 * model was ("outage 0.53, or a question 0.43"). Null for posts stored before, and for posts whose
 * kind came from the rules. Frozen: later changes are new migrations. Imports nothing from the app.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('posts').addColumn('kind_confidence', 'double precision').execute();
  await db.schema.alterTable('posts').addColumn('second_kind', 'text').execute();
  await db.schema.alterTable('posts').addColumn('second_kind_confidence', 'double precision').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const column of ['second_kind_confidence', 'second_kind', 'kind_confidence'])
    await db.schema.alterTable('posts').dropColumn(column).execute();
}
