/**
 * Route stage: which streams each post belongs to, and which posts become tickets under those
 * streams' rules (e.g. a negative outage report → incident, due by the stream's SLA policy).
 */
import type { Stream, TicketRule } from '../domain/stream.js';
import { TICKET_PRIORITIES, type TicketPriority, type TicketType } from '../domain/ticket.js';
import { routingKinds } from '../analysis/kind-model.js';
import { compileQuery, matchablePost } from './query.js';
import type { AnalysedDraft } from './analyze.js';

export interface CompiledStream {
  readonly stream: Stream;
  readonly matches: ReturnType<typeof compileQuery>;
}

export interface TicketDraft {
  readonly type: TicketType;
  readonly priority: TicketPriority;
  readonly streamId: number;
  readonly slaDueAt: string;
}

export interface RoutedPost extends AnalysedDraft {
  readonly streamIds: number[];
  readonly ticket: TicketDraft | null;
}

/** Compiles each stream's query once; a stream whose query no longer parses matches nothing. */
export function compileStreams(
  streams: readonly Stream[],
  onError: (stream: Stream, error: unknown) => void = () => {},
): CompiledStream[] {
  const compiled: CompiledStream[] = [];
  for (const stream of streams) {
    try {
      compiled.push({ stream, matches: compileQuery(stream.query) });
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
    for (const { stream, matches } of streams) {
      if (!matches(matchable)) continue;
      streamIds.push(stream.id);
      const rule = stream.ticketRules.find((candidate) => ruleApplies(candidate, post));
      if (rule && (ticket === null || rank(rule.priority) < rank(ticket.priority))) {
        const minutes = stream.sla.firstResponseMinutes[rule.priority];
        ticket = {
          type: rule.ticketType,
          priority: rule.priority,
          streamId: stream.id,
          slaDueAt: new Date(now.getTime() + minutes * 60_000).toISOString(),
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
