/**
 * First-response SLA: due when the ticket says, met by the first reply, breached when the due
 * time passes unmet (or was met late). Resolved and closed tickets stop the clock.
 */
import type { Ticket } from '../domain/ticket.js';

export interface SlaState {
  readonly dueAt: string | null;
  readonly breached: boolean;
  /** Milliseconds left until due (negative when overdue); null when met, stopped or none. */
  readonly remainingMs: number | null;
}

export function slaState(ticket: Pick<Ticket, 'slaDueAt' | 'firstRespondedAt' | 'status'>, now: Date): SlaState {
  if (ticket.slaDueAt === null) return { dueAt: null, breached: false, remainingMs: null };
  const due = Date.parse(ticket.slaDueAt);
  if (ticket.firstRespondedAt !== null)
    return { dueAt: ticket.slaDueAt, breached: Date.parse(ticket.firstRespondedAt) > due, remainingMs: null };
  if (ticket.status === 'resolved' || ticket.status === 'closed')
    return { dueAt: ticket.slaDueAt, breached: false, remainingMs: null };
  const remainingMs = due - now.getTime();
  return { dueAt: ticket.slaDueAt, breached: remainingMs < 0, remainingMs };
}
