/**
 * The inbox as a work queue: tickets filtered by what an agent triages on (status, type, the
 * post's kind, channel, assignee, sentiment, language, a text search) and sorted by what is
 * most urgent. Sorting by SLA puts unanswered tickets with a due time first, soonest due on top,
 * so a high-priority ticket due in an hour sits above low-priority ones due tomorrow.
 *
 * Paging: newest-first pages by id (`before`, stable while tickets arrive); the other orders page
 * by `offset`.
 */
import { sql, type Kysely } from 'kysely';
import type { PostKind, Sentiment } from '../domain/post.js';
import type { Ticket, TicketStatus, TicketType } from '../domain/ticket.js';
import type { Database } from './schema.js';
import { toTicket } from './tickets.js';

export const TICKET_SORTS = ['newest', 'sla', 'priority', 'age'] as const;
export type TicketSort = (typeof TICKET_SORTS)[number];

export interface TicketQueueQuery {
  readonly sort?: TicketSort;
  readonly status?: readonly TicketStatus[];
  readonly type?: TicketType;
  /** The kind of the post behind the ticket. */
  readonly kind?: PostKind;
  /** The ticket's channel: the configured source name. */
  readonly channel?: string;
  readonly assigneeId?: number | null;
  readonly streamId?: number;
  readonly sentiment?: Sentiment;
  readonly language?: string;
  /** Words to find in the subject, the post's text or its author's handle or name (case-insensitive). */
  readonly search?: string;
  /** Only tickets whose first-response SLA is past due and unmet at this time. */
  readonly breachedAt?: string;
  readonly before?: number;
  readonly offset?: number;
  readonly limit?: number;
}

export interface QueuedTicket {
  readonly ticket: Ticket;
  /** Who wrote the post behind the ticket; null for a ticket opened by hand. */
  readonly author: { readonly handle: string; readonly name: string | null } | null;
}

export interface TicketQueuePage {
  readonly tickets: QueuedTicket[];
  /** For newest-first: the id to pass as `before` for the next page. */
  readonly nextBefore: number | null;
  /** For the other orders: the `offset` of the next page. */
  readonly nextOffset: number | null;
}

export async function listTicketQueue(db: Kysely<Database>, query: TicketQueueQuery): Promise<TicketQueuePage> {
  const sort = query.sort ?? 'newest';
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
  const offset = sort === 'newest' ? 0 : Math.max(query.offset ?? 0, 0);
  let select = db
    .selectFrom('tickets')
    .leftJoin('posts', 'posts.id', 'tickets.post_id')
    .leftJoin('authors', 'authors.id', 'posts.author_id')
    .selectAll('tickets')
    .select(['posts.author_handle as author_handle', 'authors.name as author_name']);
  if (query.status && query.status.length > 0) select = select.where('tickets.status', 'in', [...query.status]);
  if (query.type) select = select.where('tickets.type', '=', query.type);
  if (query.kind) select = select.where('posts.kind', '=', query.kind);
  if (query.channel) select = select.where('tickets.source', '=', query.channel);
  if (query.assigneeId === null) select = select.where('tickets.assignee_id', 'is', null);
  else if (query.assigneeId !== undefined) select = select.where('tickets.assignee_id', '=', query.assigneeId);
  if (query.streamId !== undefined) select = select.where('tickets.stream_id', '=', query.streamId);
  if (query.sentiment) select = select.where('posts.sentiment', '=', query.sentiment);
  if (query.language) select = select.where('posts.lang', '=', query.language);
  if (query.breachedAt)
    select = select
      .where('tickets.first_responded_at', 'is', null)
      .where('tickets.sla_due_at', '<', query.breachedAt)
      .where('tickets.status', 'not in', ['resolved', 'closed']);
  for (const word of searchWords(query.search)) {
    const pattern = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    select = select.where((eb) =>
      eb.or(
        (['tickets.subject', 'posts.text', 'posts.author_handle', 'authors.name'] as const).map(
          (column) => sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`,
        ),
      ),
    );
  }
  if (sort === 'newest' && query.before !== undefined) select = select.where('tickets.id', '<', query.before);
  // Unanswered tickets with a due time first: the ones whose SLA clock is running.
  const running = sql<number>`case when tickets.first_responded_at is null and tickets.sla_due_at is not null and tickets.status not in ('resolved', 'closed') then 0 else 1 end`;
  const rank = sql<number>`case tickets.priority when 'urgent' then 0 when 'high' then 1 when 'normal' then 2 else 3 end`;
  // Tickets without a running clock keep their order by id whatever the dialect does with nulls.
  const due = sql<string>`case when tickets.first_responded_at is null and tickets.status not in ('resolved', 'closed') then coalesce(tickets.sla_due_at, '9999') else '9999' end`;
  if (sort === 'sla') select = select.orderBy(running).orderBy(due).orderBy(rank);
  else if (sort === 'priority') select = select.orderBy(rank).orderBy(running).orderBy(due);
  else if (sort === 'age') select = select.orderBy('tickets.created_at').orderBy('tickets.id');
  const rows = await select
    .orderBy('tickets.id', sort === 'age' ? 'asc' : 'desc')
    .limit(limit + 1)
    .offset(offset)
    .execute();
  const page = rows.slice(0, limit).map((row) => ({
    ticket: toTicket(row),
    author: row.author_handle ? { handle: row.author_handle, name: row.author_name ?? null } : null,
  }));
  const more = rows.length > limit;
  return {
    tickets: page,
    nextBefore: more && sort === 'newest' ? page[page.length - 1]!.ticket.id : null,
    nextOffset: more && sort !== 'newest' ? offset + limit : null,
  };
}

/** The search's words, lower-cased; at most eight, so one query string cannot make a huge query. */
function searchWords(search: string | undefined): string[] {
  return (search ?? '')
    .toLowerCase()
    .split(/\s+/)
    .filter((word) => word !== '')
    .slice(0, 8);
}
