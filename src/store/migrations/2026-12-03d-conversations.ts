/**
 * Conversations: the later posts of a customer's thread that joined a ticket raised by an earlier
 * one (`ticket_messages`, one row per joined post), and an index so a reply to one of our own
 * replies finds its ticket by the reply's remote id. Same on both databases. Frozen: later
 * changes are new migrations. Imports nothing from the app.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ticket_messages')
    // A post joins at most one ticket.
    .addColumn('post_id', 'integer', (c) => c.primaryKey().references('posts.id').onDelete('cascade'))
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ticket_messages_ticket').on('ticket_messages').columns(['ticket_id']).execute();
  await db.schema.createIndex('outbound_remote').on('outbound_messages').columns(['source', 'remote_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('outbound_remote').execute();
  await db.schema.dropTable('ticket_messages').execute();
}
