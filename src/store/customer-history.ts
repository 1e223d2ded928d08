/** A customer's history with us, for the composer: how often they wrote since a time, and their other tickets. */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { TicketStatus } from '../domain/ticket.js';
import { toCount } from './json.js';

export interface CustomerHistory {
  /** Their posts stored since `since`. */
  readonly postsSince: number;
  /** Their posts stored in all. */
  readonly postsTotal: number;
  /** Their other tickets, newest first (at most `limit`). */
  readonly tickets: readonly { id: number; subject: string; status: TicketStatus; createdAt: string }[];
}

/** The history of the author of post `postId`, leaving out ticket `exceptTicketId`. */
export async function customerHistory(
  db: Kysely<Database>,
  postId: number,
  options: { since: string; exceptTicketId: number; limit?: number },
): Promise<CustomerHistory | undefined> {
  const post = await db.selectFrom('posts').select('author_id').where('id', '=', postId).executeTakeFirst();
  if (!post) return undefined;
  const [counts, tickets] = await Promise.all([
    db
      .selectFrom('posts')
      .select((eb) => [
        eb.fn.countAll().as('total'),
        eb.fn.sum<number>(eb.case().when('created_at', '>=', options.since).then(1).else(0).end()).as('since'),
      ])
      .where('author_id', '=', post.author_id)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('tickets')
      .innerJoin('posts', 'posts.id', 'tickets.post_id')
      .select(['tickets.id', 'tickets.subject', 'tickets.status', 'tickets.created_at'])
      .where('posts.author_id', '=', post.author_id)
      .where('tickets.id', '!=', options.exceptTicketId)
      .orderBy('tickets.id', 'desc')
      .limit(options.limit ?? 10)
      .execute(),
  ]);
  return {
    postsSince: toCount(counts.since),
    postsTotal: toCount(counts.total),
    tickets: tickets.map((row) => ({
      id: row.id,
      subject: row.subject,
      status: row.status as TicketStatus,
      createdAt: row.created_at,
    })),
  };
}

/** The newest incident a post is attached to, with its status; undefined when none. */
export async function incidentOfPost(
  db: Kysely<Database>,
  postId: number,
): Promise<{ id: number; status: 'open' | 'resolved' } | undefined> {
  const row = await db
    .selectFrom('incident_posts')
    .innerJoin('incidents', 'incidents.id', 'incident_posts.incident_id')
    .select(['incidents.id', 'incidents.status'])
    .where('incident_posts.post_id', '=', postId)
    .orderBy('incidents.id', 'desc')
    .executeTakeFirst();
  return row ? { id: row.id, status: row.status } : undefined;
}

/** The ticket a later post joined (a follow-up in its conversation); undefined when none. */
export async function ticketJoinedBy(db: Kysely<Database>, postId: number): Promise<number | undefined> {
  const row = await db
    .selectFrom('ticket_messages')
    .select('ticket_id')
    .where('post_id', '=', postId)
    .executeTakeFirst();
  return row?.ticket_id;
}
