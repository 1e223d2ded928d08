/**
 * Streams are saved searches: a query over posts and the policy for tickets they raise.
 */
import type { PostKind, Sentiment } from './post.js';
import type { TicketPriority, TicketType } from './ticket.js';

/** What a stream does with a matching post beyond listing it. */
export interface TicketRule {
  /** Post kinds that qualify; empty means any. */
  readonly kinds: PostKind[];
  /** Sentiments that qualify; empty means any. */
  readonly sentiments: Sentiment[];
  readonly ticketType: TicketType;
  readonly priority: TicketPriority;
}

export interface SlaPolicy {
  /** Minutes until the first response is due, per priority. */
  readonly firstResponseMinutes: Readonly<Record<TicketPriority, number>>;
  /**
   * The business-hours calendar the minutes count in (the clock pauses outside its hours and on
   * its holidays); absent or null: calendar time, round the clock.
   */
  readonly calendarId?: number | null;
}

export interface Stream {
  readonly id: number;
  readonly name: string;
  /** Boolean query, e.g. `helpdesk AND (down OR ":(") -spam`, `#status`, `@acme`, `from:@ana@x.social`. */
  readonly query: string;
  readonly ticketRules: TicketRule[];
  readonly sla: SlaPolicy;
  readonly createdAt: string;
}

export const DEFAULT_SLA: SlaPolicy = Object.freeze({
  firstResponseMinutes: Object.freeze({ urgent: 15, high: 60, normal: 240, low: 1440 }),
});

export const DEFAULT_TICKET_RULES: readonly TicketRule[] = Object.freeze([
  { kinds: ['outage'], sentiments: ['negative', 'neutral'], ticketType: 'incident', priority: 'high' },
  { kinds: ['complaint'], sentiments: ['negative'], ticketType: 'incident', priority: 'normal' },
  { kinds: ['request'], sentiments: [], ticketType: 'request', priority: 'normal' },
  { kinds: ['question'], sentiments: [], ticketType: 'question', priority: 'low' },
] satisfies TicketRule[]);
