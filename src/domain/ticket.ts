/**
 * Tickets (incidents, requests, questions) and the events on their timeline.
 */

/** What a ticket asks of the desk: fix something broken (`incident`), do something (`request`), answer (`question`). */
export const TICKET_TYPES = ['incident', 'request', 'question'] as const;
export type TicketType = (typeof TICKET_TYPES)[number];

/** A ticket's place in its lifecycle; `resolved` and `closed` stop its SLA clock, `closed` takes no reply. */
export const TICKET_STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** How soon an agent should take a ticket, `urgent` first. */
export const TICKET_PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

/** Which status may follow which; anything else is refused. */
export const TICKET_TRANSITIONS: Readonly<Record<TicketStatus, readonly TicketStatus[]>> = Object.freeze({
  new: ['open', 'pending', 'resolved', 'closed'],
  open: ['pending', 'resolved', 'closed'],
  pending: ['open', 'resolved', 'closed'],
  resolved: ['open', 'closed'],
  closed: ['open'],
});

export interface Ticket {
  readonly id: number;
  readonly type: TicketType;
  readonly status: TicketStatus;
  readonly priority: TicketPriority;
  readonly subject: string;
  /** The post that raised it, if any. */
  readonly postId: number | null;
  readonly streamId: number | null;
  readonly source: string | null;
  readonly assigneeId: number | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** First-response SLA: when it is due, and when it was met (first reply) if it was. */
  readonly slaDueAt: string | null;
  /** The business calendar `slaDueAt` was counted in; absent or null: calendar time. */
  readonly slaCalendarId?: number | null;
  readonly firstRespondedAt: string | null;
  readonly resolvedAt: string | null;
}

/**
 * What a ticket's timeline entry records: creation, a note, a reply, a customer's later `message` in the same
 * conversation (`data.postId`), or a change of status, assignee, priority.
 */
export const TICKET_EVENT_TYPES = ['created', 'note', 'reply', 'message', 'status', 'assign', 'priority'] as const;
export type TicketEventType = (typeof TICKET_EVENT_TYPES)[number];

/** A reply in the open thread (`public`) or as a direct message to the author only (`private`). */
export const REPLY_VISIBILITIES = ['public', 'private'] as const;
export type ReplyVisibility = (typeof REPLY_VISIBILITIES)[number];

/**
 * A reply on its way out: `queued` for the outbound worker (and its retries), `sent`, or `failed` for good;
 * `superseded`: a failed reply an agent edited and sent again as a new reply, so it no longer counts as failed.
 */
export const OUTBOUND_STATUSES = ['queued', 'sent', 'failed', 'superseded'] as const;
export type OutboundStatus = (typeof OUTBOUND_STATUSES)[number];

export interface TicketEvent {
  readonly id: number;
  readonly ticketId: number;
  readonly type: TicketEventType;
  readonly actorId: number | null;
  readonly body: string | null;
  /** Event-specific fields: `{from,to}` for status, `{assigneeId}` for assign… */
  readonly data: Record<string, unknown>;
  readonly createdAt: string;
}

/** A reply on its way out through a channel. */
export interface OutboundMessage {
  readonly id: number;
  readonly ticketId: number;
  readonly eventId: number;
  readonly source: string;
  readonly inReplyTo: string | null;
  readonly visibility: ReplyVisibility;
  readonly body: string;
  readonly status: OutboundStatus;
  readonly remoteId: string | null;
  readonly remoteUrl: string | null;
  readonly error: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export function canTransition(from: TicketStatus, to: TicketStatus): boolean {
  return TICKET_TRANSITIONS[from].includes(to);
}
