/**
 * Major incidents: the posts that report them, the status updates written for them, the
 * per-reporter replies proposed from each update, an audit of every approval, the versioned
 * reply guidelines, and escalations. Frozen: later changes are new migrations. Imports nothing
 * from the app.
 */
import type { Kysely } from 'kysely';
import { timestamps, withId } from './columns.js';

export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('incidents'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    // JSON: the cluster's weighted terms, so later reports (even after a restart) find it.
    .addColumn('terms', 'text', (c) => c.notNull())
    // JSON array of user ids: anyone here may approve an outbound update.
    .addColumn('responders', 'text', (c) => c.notNull())
    .$call(timestamps)
    .addColumn('resolved_at', 'text')
    .execute();
  await db.schema.createIndex('incidents_status').on('incidents').columns(['status', 'id']).execute();

  await db.schema
    .createTable('incident_posts')
    .addColumn('incident_id', 'integer', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('post_id', 'integer', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('attached_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('incident_posts_pk', ['incident_id', 'post_id'])
    .execute();
  // A post reports one incident.
  await db.schema.createIndex('incident_posts_post').on('incident_posts').column('post_id').unique().execute();

  await withId(db, db.schema.createTable('incident_updates'))
    .addColumn('incident_id', 'integer', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('author_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('approved_at', 'text')
    .execute();

  await withId(db, db.schema.createTable('reply_proposals'))
    .addColumn('incident_id', 'integer', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('update_id', 'integer', (c) => c.notNull().references('incident_updates.id').onDelete('cascade'))
    .addColumn('post_id', 'integer', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('in_reply_to', 'text')
    .addColumn('visibility', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('findings', 'text', (c) => c.notNull())
    .addColumn('guideline_version', 'integer', (c) => c.notNull())
    .addColumn('send_after', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .$call(timestamps)
    .execute();
  await db.schema.createIndex('reply_proposals_update').on('reply_proposals').columns(['update_id', 'id']).execute();

  await withId(db, db.schema.createTable('incident_audit'))
    .addColumn('incident_id', 'integer', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('actor_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incident_audit_incident').on('incident_audit').columns(['incident_id', 'id']).execute();

  await withId(db, db.schema.createTable('guideline_versions'))
    .addColumn('version', 'integer', (c) => c.notNull().unique())
    .addColumn('rules', 'text', (c) => c.notNull())
    .addColumn('author_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'guideline_versions',
    'incident_audit',
    'reply_proposals',
    'incident_updates',
    'incident_posts',
    'incidents',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
