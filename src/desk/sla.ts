/**
 * First-response SLA: due when the ticket says, met by the first reply, breached when the due
 * time passes unmet (or was met late). Resolved and closed tickets stop the clock.
 *
 * A ticket counted in a business calendar (`slaCalendarId`) had its due time set past every
 * closed spell when it was raised (`src/pipeline/route.ts`), so "breached" is still `now > due`;
 * what the calendar changes here is the time left: business time only, and `paused` while the
 * desk is closed, so a clock read on Saturday shows Friday evening's minutes, not a countdown.
 */
import type { CompiledCalendar } from '../domain/calendar.js';
import type { Ticket } from '../domain/ticket.js';

export interface SlaState {
  readonly dueAt: string | null;
  readonly breached: boolean;
  /** Milliseconds left until due (negative when overdue), in business time where a calendar counts; null when met, stopped or none. */
  readonly remainingMs: number | null;
  /** The clock is running but the ticket's business calendar is closed now (nights, weekends, holidays). */
  readonly paused: boolean;
}

/** Finds the compiled calendar a ticket's SLA counts in (`SlaCalendars.get`). */
export type CalendarLookup = (id: number) => CompiledCalendar | undefined;

export function slaState(
  ticket: Pick<Ticket, 'slaDueAt' | 'firstRespondedAt' | 'status' | 'slaCalendarId'>,
  now: Date,
  calendars?: CalendarLookup,
): SlaState {
  if (ticket.slaDueAt === null) return { dueAt: null, breached: false, remainingMs: null, paused: false };
  const due = Date.parse(ticket.slaDueAt);
  if (ticket.firstRespondedAt !== null)
    return {
      dueAt: ticket.slaDueAt,
      breached: Date.parse(ticket.firstRespondedAt) > due,
      remainingMs: null,
      paused: false,
    };
  if (ticket.status === 'resolved' || ticket.status === 'closed')
    return { dueAt: ticket.slaDueAt, breached: false, remainingMs: null, paused: false };
  const at = now.getTime();
  const calendar = ticket.slaCalendarId != null ? calendars?.(ticket.slaCalendarId) : undefined;
  if (!calendar) return { dueAt: ticket.slaDueAt, breached: due < at, remainingMs: due - at, paused: false };
  const remainingMs = due >= at ? calendar.businessMs(at, due) : -calendar.businessMs(due, at);
  // Open now when the next second holds opening time.
  const paused = calendar.businessMs(at, at + 1000) === 0;
  return { dueAt: ticket.slaDueAt, breached: due < at, remainingMs, paused };
}
