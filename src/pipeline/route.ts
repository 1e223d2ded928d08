/**
 * Route stage: which streams each post belongs to, and which posts become tickets under those
 * streams' rules (e.g. a negative outage report → incident, due by the stream's SLA policy).
 */
import type { Stream, TicketRule } from '../domain/stream.js';
import { type BusinessCalendar, type CompiledCalendar, compileCalendar } from '../domain/calendar.js';
import { TICKET_PRIORITIES, type TicketPriority, type TicketType } from '../domain/ticket.js';
import { routingKinds } from '../analysis/kind-model.js';
import { compileQuery, matchablePost } from './query.js';
import type { AnalysedDraft } from './analyze.js';

export interface CompiledStream {
  readonly stream: Stream;
  readonly matches: ReturnType<typeof compileQuery>;
  /** The business calendar its SLA counts in, compiled; null: calendar time. */
  readonly calendar: CompiledCalendar | null;
}

export interface TicketDraft {
  readonly type: TicketType;
  readonly priority: TicketPriority;
  readonly streamId: number;
  readonly slaDueAt: string;
  /** The calendar `slaDueAt` was counted in; null: calendar time. */
  readonly slaCalendarId: number | null;
}

export interface RoutedPost extends AnalysedDraft {
  readonly streamIds: number[];
  readonly ticket: TicketDraft | null;
}

/**
 * Compiles each stream's query (and the business calendar its SLA names) once; a stream whose
 * query no longer parses matches nothing. A calendar that is gone or unusable leaves the stream
 * on calendar time, reported through `onError`: a ticket due too early beats no ticket.
 */
export function compileStreams(
  streams: readonly Stream[],
  onError: (stream: Stream, error: unknown) => void = () => {},
  calendars: ReadonlyMap<number, BusinessCalendar> = new Map(),
): CompiledStream[] {
  const compiled: CompiledStream[] = [];
  const cache = new Map<number, CompiledCalendar>();
  for (const stream of streams) {
    try {
      const matches = compileQuery(stream.query);
      let calendar: CompiledCalendar | null = null;
      const id = stream.sla.calendarId ?? null;
      if (id !== null) {
        try {
          const known = calendars.get(id);
          if (!known) throw new RangeError(`business calendar ${id} does not exist`);
          calendar = cache.get(id) ?? compileCalendar(known);
          cache.set(id, calendar);
        } catch (error) {
          onError(stream, error);
        }
      }
      compiled.push({ stream, matches, calendar });
    } catch (error) {
      onError(stream, error);
    }
  }
  return compiled;
}

/**
 * `channelOf` names a source's kind (what `channel:` in a query matches); without it every source
 * is its own channel.
 */
export function route(
  posts: readonly AnalysedDraft[],
  streams: readonly CompiledStream[],
  now: Date,
  channelOf: (source: string) => string = (source) => source,
): RoutedPost[] {
  return posts.map((post) => {
    const matchable = matchablePost(post, channelOf);
    const streamIds: number[] = [];
    let ticket: TicketDraft | null = null;
    for (const { stream, matches, calendar } of streams) {
      if (!matches(matchable)) continue;
      streamIds.push(stream.id);
      const rule = stream.ticketRules.find((candidate) => ruleApplies(candidate, post));
      if (rule && (ticket === null || rank(rule.priority) < rank(ticket.priority))) {
        const ms = stream.sla.firstResponseMinutes[rule.priority] * 60_000;
        ticket = {
          type: rule.ticketType,
          priority: rule.priority,
          streamId: stream.id,
          // In business hours the clock pauses outside them: the due time moves past every closed spell.
          slaDueAt: new Date(calendar ? calendar.addBusinessMs(now.getTime(), ms) : now.getTime() + ms).toISOString(),
          slaCalendarId: calendar ? (stream.sla.calendarId ?? null) : null,
        };
      }
    }
    return { ...post, streamIds, ticket };
  });
}

// A confident second kind counts too: "is the vpn down?" is a question that must reach the outage rules.
function ruleApplies(rule: TicketRule, post: AnalysedDraft): boolean {
  return (
    (rule.kinds.length === 0 || routingKinds(post).some((kind) => rule.kinds.includes(kind))) &&
    (rule.sentiments.length === 0 || rule.sentiments.includes(post.sentiment))
  );
}

function rank(priority: TicketPriority): number {
  return TICKET_PRIORITIES.indexOf(priority);
}
