/**
 * Tickets, their timeline events and outbound replies. Lifecycle rules live in `src/desk`;
 * this file only reads and writes rows.
 */
import type { Kysely, Selectable } from 'kysely';
import type {
  OutboundMessage,
  OutboundStatus,
  ReplyVisibility,
  Ticket,
  TicketEvent,
  TicketEventType,
  TicketPriority,
  TicketStatus,
  TicketType,
} from '../domain/ticket.js';
import type { Database, OutboundMessagesTable, TicketEventsTable, TicketsTable } from './schema.js';
import { fromJson, toCount, toJson } from './json.js';

export interface NewTicket {
  readonly type: TicketType;
  readonly priority: TicketPriority;
  readonly subject: string;
  readonly postId: number | null;
  readonly streamId: number | null;
  readonly source: string | null;
  readonly slaDueAt: string | null;
  /** The business calendar the due time was counted in; absent: calendar time. */
  readonly slaCalendarId?: number | null;
}

export interface TicketFilter {
  readonly status?: readonly TicketStatus[];
  readonly type?: TicketType;
  readonly assigneeId?: number | null;
  readonly streamId?: number;
  /** Only tickets whose first-response SLA is past due and unmet (at `now`). */
  readonly breachedAt?: string;
  readonly before?: number;
  readonly limit?: number;
}

type Executor = Kysely<Database>;

/** Creates tickets for posts that have none yet; a post already ticketed is skipped. */
export async function createTickets(
  db: Executor,
  tickets: readonly NewTicket[],
  now = new Date().toISOString(),
): Promise<Ticket[]> {
  if (tickets.length === 0) return [];
  return db.transaction().execute((trx) => createTicketsIn(trx, tickets, now));
}

/** `createTickets` inside a transaction the caller holds. */
export async function createTicketsIn(trx: Executor, tickets: readonly NewTicket[], now: string): Promise<Ticket[]> {
  const created: Ticket[] = [];
  for (let start = 0; start < tickets.length; start += 500) {
    const rows = await trx
      .insertInto('tickets')
      .values(
        tickets.slice(start, start + 500).map((ticket) => ({
          type: ticket.type,
          status: 'new',
          priority: ticket.priority,
          subject: ticket.subject,
          post_id: ticket.postId,
          stream_id: ticket.streamId,
          source: ticket.source,
          assignee_id: null,
          created_at: now,
          updated_at: now,
          sla_due_at: ticket.slaDueAt,
          sla_calendar_id: ticket.slaCalendarId ?? null,
          first_responded_at: null,
          resolved_at: null,
        })),
      )
      .onConflict((oc) => oc.column('post_id').doNothing())
      .returningAll()
      .execute();
    created.push(...rows.map(toTicket));
  }
  if (created.length > 0) {
    await trx
      .insertInto('ticket_events')
      .values(
        created.map((ticket) => ({
          ticket_id: ticket.id,
          type: 'created',
          actor_id: null,
          body: null,
          data: toJson({ postId: ticket.postId, streamId: ticket.streamId }),
          created_at: now,
        })),
      )
      .execute();
  }
  return created;
}

export async function getTicket(db: Executor, id: number): Promise<Ticket | undefined> {
  const row = await db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toTicket(row) : undefined;
}

export async function listTickets(
  db: Executor,
  filter: TicketFilter,
): Promise<{ tickets: Ticket[]; nextBefore: number | null }> {
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
  let query = db.selectFrom('tickets').selectAll();
  if (filter.status && filter.status.length > 0) query = query.where('status', 'in', [...filter.status]);
  if (filter.type) query = query.where('type', '=', filter.type);
  if (filter.assigneeId === null) query = query.where('assignee_id', 'is', null);
  else if (filter.assigneeId !== undefined) query = query.where('assignee_id', '=', filter.assigneeId);
  if (filter.streamId !== undefined) query = query.where('stream_id', '=', filter.streamId);
  if (filter.breachedAt)
    query = query
      .where('first_responded_at', 'is', null)
      .where('sla_due_at', '<', filter.breachedAt)
      .where('status', 'not in', ['resolved', 'closed']);
  if (filter.before !== undefined) query = query.where('id', '<', filter.before);
  const rows = await query
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit).map(toTicket);
  return { tickets: page, nextBefore: rows.length > limit ? page[page.length - 1]!.id : null };
}

export async function countTicketsByStatus(db: Executor): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('tickets')
    .select(['status', (eb) => eb.fn.countAll().as('n')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((row) => [row.status, toCount(row.n)]));
}

export interface TicketChange {
  readonly status?: TicketStatus;
  readonly priority?: TicketPriority;
  readonly assigneeId?: number | null;
  readonly firstRespondedAt?: string;
  readonly resolvedAt?: string | null;
}

export async function updateTicketRow(
  db: Executor,
  id: number,
  change: TicketChange,
  now: string,
): Promise<Ticket | undefined> {
  const row = await db
    .updateTable('tickets')
    .set({
      ...(change.status !== undefined && { status: change.status }),
      ...(change.priority !== undefined && { priority: change.priority }),
      ...(change.assigneeId !== undefined && { assignee_id: change.assigneeId }),
      ...(change.firstRespondedAt !== undefined && { first_responded_at: change.firstRespondedAt }),
      ...(change.resolvedAt !== undefined && { resolved_at: change.resolvedAt }),
      updated_at: now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row ? toTicket(row) : undefined;
}

export async function addTicketEvent(
  db: Executor,
  event: {
    ticketId: number;
    type: TicketEventType;
    actorId: number | null;
    body?: string | null;
    data?: Record<string, unknown>;
  },
  now: string,
): Promise<TicketEvent> {
  const row = await db
    .insertInto('ticket_events')
    .values({
      ticket_id: event.ticketId,
      type: event.type,
      actor_id: event.actorId,
      body: event.body ?? null,
      data: toJson(event.data ?? {}),
      created_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toEvent(row);
}

export async function listTicketEvents(db: Executor, ticketId: number): Promise<TicketEvent[]> {
  const rows = await db
    .selectFrom('ticket_events')
    .selectAll()
    .where('ticket_id', '=', ticketId)
    .orderBy('id')
    .execute();
  return rows.map(toEvent);
}

export async function addOutbound(
  db: Executor,
  message: {
    ticketId: number;
    eventId: number;
    source: string;
    inReplyTo: string | null;
    visibility: ReplyVisibility;
    body: string;
    notBefore?: string | null;
  },
  now: string,
): Promise<OutboundMessage> {
  const row = await db
    .insertInto('outbound_messages')
    .values({
      ticket_id: message.ticketId,
      event_id: message.eventId,
      source: message.source,
      in_reply_to: message.inReplyTo,
      visibility: message.visibility,
      body: message.body,
      status: 'queued',
      remote_id: null,
      remote_url: null,
      error: null,
      created_at: now,
      updated_at: now,
      // A batch is spread out to respect the channel's per-account rate limit: not sent before this.
      ...(message.notBefore ? { next_attempt_at: message.notBefore } : {}),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toOutbound(row);
}

export async function listOutbound(
  db: Executor,
  filter: { ticketId?: number; status?: OutboundStatus },
): Promise<OutboundMessage[]> {
  let query = db.selectFrom('outbound_messages').selectAll();
  if (filter.ticketId !== undefined) query = query.where('ticket_id', '=', filter.ticketId);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  return (await query.orderBy('id').execute()).map(toOutbound);
}

export function toTicket(row: Selectable<TicketsTable>): Ticket {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    priority: row.priority,
    subject: row.subject,
    postId: row.post_id,
    streamId: row.stream_id,
    source: row.source,
    assigneeId: row.assignee_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    slaDueAt: row.sla_due_at,
    slaCalendarId: row.sla_calendar_id,
    firstRespondedAt: row.first_responded_at,
    resolvedAt: row.resolved_at,
  };
}

function toEvent(row: Selectable<TicketEventsTable>): TicketEvent {
  return {
    id: row.id,
    ticketId: row.ticket_id,
    type: row.type,
    actorId: row.actor_id,
    body: row.body,
    data: fromJson(row.data, {}),
    createdAt: row.created_at,
  };
}

function toOutbound(row: Selectable<OutboundMessagesTable>): OutboundMessage {
  return {
    id: row.id,
    ticketId: row.ticket_id,
    eventId: row.event_id,
    source: row.source,
    inReplyTo: row.in_reply_to,
    visibility: row.visibility,
    body: row.body,
    status: row.status,
    remoteId: row.remote_id,
    remoteUrl: row.remote_url,
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The latest time a queued message on this channel is held until (for spacing out batches). */
export async function lastScheduledOutbound(db: Executor, source: string): Promise<string | null> {
  const row = await db
    .selectFrom('outbound_messages')
    .select((eb) => eb.fn.max('next_attempt_at').as('last'))
    .where('source', '=', source)
    .where('status', '=', 'queued')
    .executeTakeFirst();
  return (row?.last as string | null | undefined) ?? null;
}

export async function ticketForPost(db: Executor, postId: number): Promise<Ticket | undefined> {
  const row = await db.selectFrom('tickets').selectAll().where('post_id', '=', postId).executeTakeFirst();
  return row ? toTicket(row) : undefined;
}

/** Where a post's conversation already lives: the ticket a referenced id belongs to. */
export interface ConversationHit {
  /** The referenced id (a post's external id or one of our replies' remote id) on this source. */
  readonly ref: string;
  readonly ticket: Ticket;
}

/**
 * The tickets that the given ids (external ids of posts, remote ids of our replies) of one source
 * belong to: a ticket's own post, a post that joined it, or a reply the desk sent from it.
 */
export async function ticketsByConversationRefs(
  db: Executor,
  source: string,
  refs: readonly string[],
): Promise<ConversationHit[]> {
  const ticketOf = new Map<string, number>();
  for (let start = 0; start < refs.length; start += 500) {
    const chunk = [...refs.slice(start, start + 500)];
    const [posts, replies] = await Promise.all([
      db
        .selectFrom('posts')
        .leftJoin('tickets', 'tickets.post_id', 'posts.id')
        .leftJoin('ticket_messages', 'ticket_messages.post_id', 'posts.id')
        .select(['posts.external_id as ref', 'tickets.id as own', 'ticket_messages.ticket_id as joined'])
        .where('posts.source', '=', source)
        .where('posts.external_id', 'in', chunk)
        .execute(),
      db
        .selectFrom('outbound_messages')
        .select(['remote_id as ref', 'ticket_id'])
        .where('source', '=', source)
        .where('remote_id', 'in', chunk)
        .execute(),
    ]);
    for (const row of posts) {
      const id = row.own ?? row.joined;
      if (id !== null) ticketOf.set(row.ref, id);
    }
    for (const row of replies) if (row.ref !== null) ticketOf.set(row.ref, row.ticket_id);
  }
  const ids = [...new Set(ticketOf.values())];
  const tickets = new Map<number, Ticket>();
  for (let start = 0; start < ids.length; start += 500) {
    const rows = await db
      .selectFrom('tickets')
      .selectAll()
      .where('id', 'in', ids.slice(start, start + 500))
      .execute();
    for (const row of rows) tickets.set(row.id, toTicket(row));
  }
  return [...ticketOf].flatMap(([ref, id]) => {
    const ticket = tickets.get(id);
    return ticket ? [{ ref, ticket }] : [];
  });
}

/** The remote ids among `ids` that are replies the desk sent on this source (our own posts, read back). */
export async function ownRemoteIds(db: Executor, source: string, ids: readonly string[]): Promise<Set<string>> {
  const own = new Set<string>();
  for (let start = 0; start < ids.length; start += 500) {
    const rows = await db
      .selectFrom('outbound_messages')
      .select('remote_id')
      .where('source', '=', source)
      .where('remote_id', 'in', [...ids.slice(start, start + 500)])
      .execute();
    for (const row of rows) if (row.remote_id !== null) own.add(row.remote_id);
  }
  return own;
}

/**
 * Joins a post to a ticket as the customer's next message: a `message` event on the timeline, and a
 * resolved or pending ticket back to `open` (with its `status` event): the customer has spoken again.
 */
export async function addTicketMessageIn(
  trx: Executor,
  ticketId: number,
  postId: number,
  now: string,
): Promise<{ ticket: Ticket; event: TicketEvent }> {
  await trx.insertInto('ticket_messages').values({ post_id: postId, ticket_id: ticketId, created_at: now }).execute();
  const event = await addTicketEvent(trx, { ticketId, type: 'message', actorId: null, data: { postId } }, now);
  const current = (await getTicket(trx, ticketId))!;
  if (current.status !== 'resolved' && current.status !== 'pending') {
    const ticket = (await updateTicketRow(trx, ticketId, {}, now))!;
    return { ticket, event };
  }
  const ticket = (await updateTicketRow(trx, ticketId, { status: 'open', resolvedAt: null }, now))!;
  await addTicketEvent(
    trx,
    { ticketId, type: 'status', actorId: null, data: { from: current.status, to: 'open', reason: 'customer-message' } },
    now,
  );
  return { ticket, event };
}

/** The posts that joined a ticket after the one that raised it, oldest first. */
export async function ticketMessagePostIds(db: Executor, ticketId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('ticket_messages')
    .select('post_id')
    .where('ticket_id', '=', ticketId)
    .orderBy('post_id')
    .execute();
  return rows.map((row) => row.post_id);
}
