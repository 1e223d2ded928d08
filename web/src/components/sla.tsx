/**
 * The first-response SLA of a ticket, counting down each second; red once breached. A ticket
 * counted in business hours shows its clock paused while the desk is closed, with the business
 * time left as the server counted it (the countdown by wall clock would overstate it).
 */
import type { Ticket } from '../api-types.js';
import { absoluteTime, duration } from '../format.js';
import { useNow } from './clock.js';

const WARN_MS = 15 * 60 * 1000;

export function SlaCountdown({ ticket }: { ticket: Ticket }) {
  const now = useNow();
  const due = ticket.sla?.dueAt ?? ticket.slaDueAt;
  if (ticket.firstRespondedAt) {
    const late = due !== null && new Date(ticket.firstRespondedAt).getTime() > new Date(due).getTime();
    return (
      <span
        className={`sla sla-met${late ? ' sla-late' : ''}`}
        title={`First response ${absoluteTime(ticket.firstRespondedAt)}`}
      >
        {late ? 'Answered late' : 'Answered'}
      </span>
    );
  }
  if (!due || ticket.status === 'resolved' || ticket.status === 'closed')
    return <span className="sla sla-none">—</span>;
  const wall = new Date(due).getTime() - now;
  const business = ticket.sla?.remainingMs;
  if (ticket.sla?.paused && business != null && business > 0 && wall > 0)
    return (
      <span className="sla sla-paused" title={`Outside business hours: the clock is paused; due ${absoluteTime(due)}`}>
        <span aria-hidden="true">‖ </span>Paused · {duration(business)} left
      </span>
    );
  // In business hours, the time left is never more than the business time left when it was read.
  const remaining = ticket.slaCalendarId != null && business != null && wall > 0 ? Math.min(wall, business) : wall;
  if (remaining <= 0) {
    return (
      <span className="sla sla-breached" title={`SLA was due ${absoluteTime(due)}`} data-breached="true">
        <span aria-hidden="true">⚠ </span>Breached {duration(remaining)} ago
      </span>
    );
  }
  return (
    <span className={`sla ${remaining < WARN_MS ? 'sla-warn' : 'sla-ok'}`} title={`SLA due ${absoluteTime(due)}`}>
      {duration(remaining)} left
    </span>
  );
}
