/**
 * What the service reports read from the store for one period: the period's tickets (their
 * times, as rows), replies per agent, posts counted by sentiment, kind and day, incidents with
 * their first approved update, alerts, and the backlog at the period's end. Raw rows and counts
 * only: percentiles, business hours and comparisons are worked out in `src/reports`.
 * A scope of `sources: null` means every source.
 *
 * A report covers several services at once (each one's sources, and all of them together), so a
 * period is read once for the union of their sources, each row keeping its source
 * (`periodRows`), and each service's facts are that read narrowed to its sources (`factsOf`):
 * the same predicates as reading each service alone, applied in memory.
 */
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { PostKind, Sentiment } from '../domain/post.js';
import type { Database } from './schema.js';
import { toCount } from './json.js';
import { countSourcesByDayPerSource, type SourceDayCount } from './source-rollups.js';

export interface FactScope {
  /** Source names in scope; null: all. An empty list matches nothing. */
  readonly sources: readonly string[] | null;
  /** Only tickets assigned to, and replies by, this user. */
  readonly agentId?: number | null;
}

export interface TicketFact {
  readonly createdAt: string;
  readonly firstRespondedAt: string | null;
  readonly resolvedAt: string | null;
  readonly slaDueAt: string | null;
}

export interface PeriodFacts {
  /** Tickets created in the period. */
  readonly tickets: TicketFact[];
  /** Tickets first answered in the period, with their author (for reach). */
  readonly answered: { authorId: number | null; followers: number | null }[];
  readonly replies: { agentId: number | null; name: string | null; replies: number }[];
  readonly postsBySentiment: Partial<Record<Sentiment, number>>;
  readonly postsByKind: { kind: PostKind; count: number }[];
  readonly postsByDay: { day: string; sentiment: Sentiment; count: number }[];
  readonly incidents: { id: number; createdAt: string; firstUpdateAt: string | null }[];
  readonly alerts: { createdAt: string; acknowledgedAt: string | null; source: string | null }[];
  readonly backlog: number;
}

/** One period read for a scope, each row with its source, to be narrowed per service by `factsOf`. */
export interface PeriodRows {
  readonly tickets: readonly (TicketFact & { readonly source: string | null })[];
  readonly answered: readonly { source: string | null; authorId: number | null; followers: number | null }[];
  readonly replies: readonly { source: string | null; agentId: number | null; name: string | null; replies: number }[];
  readonly postCounts: readonly SourceDayCount[];
  /** With the sources of the posts each incident gathered. */
  readonly incidents: readonly { id: number; createdAt: string; firstUpdateAt: string | null; sources: string[] }[];
  readonly alerts: readonly { createdAt: string; acknowledgedAt: string | null; source: string | null }[];
  /** Tickets open at the period's end, counted by source. */
  readonly backlog: readonly { source: string | null; n: number }[];
}

type TicketScope = ExpressionBuilder<Database, 'tickets'>;

/** Facts for `[from, to)`. */
export async function periodFacts(
  db: Kysely<Database>,
  scope: FactScope,
  from: string,
  to: string,
): Promise<PeriodFacts> {
  return factsOf(await periodRows(db, scope, from, to), scope.sources);
}

/**
 * The rows of `[from, to)` in `scope`, each with its source. The queries are independent and are
 * sent together (on PostgreSQL they run at once on the pool's connections).
 */
export async function periodRows(
  db: Kysely<Database>,
  scope: FactScope,
  from: string,
  to: string,
): Promise<PeriodRows> {
  if (scope.sources !== null && scope.sources.length === 0)
    return { tickets: [], answered: [], replies: [], postCounts: [], incidents: [], alerts: [], backlog: [] };
  const sources = scope.sources === null ? null : [...new Set(scope.sources)];
  const inScope = (eb: TicketScope) => {
    const parts = [];
    if (sources !== null) parts.push(eb('tickets.source', 'in', sources));
    if (scope.agentId != null) parts.push(eb('tickets.assignee_id', '=', scope.agentId));
    return eb.and(parts);
  };

  // Read from the index `tickets_report_created` alone (migration 2026-12-06b).
  const ticketRows = db
    .selectFrom('tickets')
    .select([
      'tickets.source',
      'tickets.created_at',
      'tickets.first_responded_at',
      'tickets.resolved_at',
      'tickets.sla_due_at',
    ])
    .where('tickets.created_at', '>=', from)
    .where('tickets.created_at', '<', to)
    .where(inScope)
    .execute();

  const answered = db
    .selectFrom('tickets')
    .leftJoin('posts', 'posts.id', 'tickets.post_id')
    .leftJoin('authors', 'authors.id', 'posts.author_id')
    .select(['tickets.source', 'authors.id as author_id', 'authors.followers'])
    .where('tickets.first_responded_at', '>=', from)
    .where('tickets.first_responded_at', '<', to)
    .where(inScope)
    .execute();

  let replyQuery = db
    .selectFrom('ticket_events')
    .innerJoin('tickets', 'tickets.id', 'ticket_events.ticket_id')
    .leftJoin('users', 'users.id', 'ticket_events.actor_id')
    .select(['tickets.source', 'ticket_events.actor_id', 'users.display_name', db.fn.countAll().as('n')])
    .where('ticket_events.type', '=', 'reply')
    .where('ticket_events.created_at', '>=', from)
    .where('ticket_events.created_at', '<', to)
    .where((eb) => eb.and(sources !== null ? [eb('tickets.source', 'in', sources)] : []))
    .groupBy(['tickets.source', 'ticket_events.actor_id', 'users.display_name']);
  if (scope.agentId != null) replyQuery = replyQuery.where('ticket_events.actor_id', '=', scope.agentId);
  const replies = replyQuery.execute();

  // From the hourly source rollups, summed in SQL: a month is a few thousand rows, not every post.
  const postCounts = countSourcesByDayPerSource(db, sources, from, to);

  let incidentQuery = db
    .selectFrom('incidents')
    .select((eb) => [
      'incidents.id',
      'incidents.created_at',
      eb
        .selectFrom('incident_updates')
        .select((u) => u.fn.min('incident_updates.approved_at').as('first'))
        .whereRef('incident_updates.incident_id', '=', 'incidents.id')
        .where('incident_updates.status', '=', 'approved')
        .as('first_update_at'),
    ])
    .where('incidents.created_at', '>=', from)
    .where('incidents.created_at', '<', to);
  if (sources !== null)
    incidentQuery = incidentQuery.where((eb) =>
      eb.exists(
        eb
          .selectFrom('incident_posts')
          .innerJoin('posts', 'posts.id', 'incident_posts.post_id')
          .select('incident_posts.post_id')
          .whereRef('incident_posts.incident_id', '=', 'incidents.id')
          .where('posts.source', 'in', sources),
      ),
    );
  const incidents = incidentQuery.orderBy('incidents.id').execute();
  const incidentSources = db
    .selectFrom('incident_posts')
    .innerJoin('posts', 'posts.id', 'incident_posts.post_id')
    .innerJoin('incidents', 'incidents.id', 'incident_posts.incident_id')
    .select(['incident_posts.incident_id', 'posts.source'])
    .distinct()
    .where('incidents.created_at', '>=', from)
    .where('incidents.created_at', '<', to)
    .execute();

  const alertRows = db
    .selectFrom('alerts')
    .select(['created_at', 'acknowledged_at', 'evidence'])
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .execute();

  // Open at the period's end: created before it, and neither resolved nor closed by then
  // (a ticket closed without resolving records when it was closed only as its last update).
  const backlogRows = db
    .selectFrom('tickets')
    .select(['source', db.fn.countAll().as('n')])
    .where('created_at', '<', to)
    .where(inScope)
    .where((eb) =>
      eb.or([
        eb.and([eb('resolved_at', 'is', null), eb('status', '!=', 'closed')]),
        eb('resolved_at', '>=', to),
        eb.and([eb('resolved_at', 'is', null), eb('status', '=', 'closed'), eb('updated_at', '>=', to)]),
      ]),
    )
    .groupBy('source')
    .execute();

  const [ticketList, answeredList, replyList, postCountList, incidentList, incidentSourceList, alertList, backlogList] =
    await Promise.all([ticketRows, answered, replies, postCounts, incidents, incidentSources, alertRows, backlogRows]);
  const sourcesOf = new Map<number, string[]>();
  for (const row of incidentSourceList) {
    const list = sourcesOf.get(row.incident_id) ?? [];
    list.push(row.source);
    sourcesOf.set(row.incident_id, list);
  }
  return {
    tickets: ticketList.map((row) => ({
      source: row.source,
      createdAt: row.created_at,
      firstRespondedAt: row.first_responded_at,
      resolvedAt: row.resolved_at,
      slaDueAt: row.sla_due_at,
    })),
    answered: answeredList.map((row) => ({
      source: row.source,
      authorId: row.author_id,
      followers: row.followers === null ? null : Number(row.followers),
    })),
    replies: replyList.map((row) => ({
      source: row.source,
      agentId: row.actor_id,
      name: row.display_name,
      replies: toCount(row.n),
    })),
    postCounts: postCountList,
    incidents: incidentList.map((row) => ({
      id: row.id,
      createdAt: row.created_at,
      firstUpdateAt: (row.first_update_at as string | null) ?? null,
      sources: sourcesOf.get(row.id) ?? [],
    })),
    alerts: alertList.map((row) => {
      let source: string | null = null;
      try {
        const evidence = JSON.parse(row.evidence) as Record<string, unknown>;
        if (typeof evidence.source === 'string') source = evidence.source;
      } catch {
        // Evidence that is not JSON says nothing of its source.
      }
      return { createdAt: row.created_at, acknowledgedAt: row.acknowledged_at, source };
    }),
    backlog: backlogList.map((row) => ({ source: row.source, n: toCount(row.n) })),
  };
}

/** The facts of `sources` (null: all) from rows read for a scope that covers them. */
export function factsOf(rows: PeriodRows, sources: readonly string[] | null): PeriodFacts {
  const wanted = sources === null ? null : new Set(sources);
  const has = (source: string | null) => wanted === null || (source !== null && wanted.has(source));

  const replies = new Map<string, { agentId: number | null; name: string | null; replies: number }>();
  for (const row of rows.replies) {
    if (!has(row.source)) continue;
    const key = JSON.stringify([row.agentId, row.name]);
    const known = replies.get(key);
    if (known) known.replies += row.replies;
    else replies.set(key, { agentId: row.agentId, name: row.name, replies: row.replies });
  }

  const bySentiment = new Map<Sentiment, number>();
  const byKind = new Map<PostKind, number>();
  const byDay = new Map<string, { day: string; sentiment: Sentiment; count: number }>();
  for (const row of rows.postCounts) {
    if (!has(row.source)) continue;
    bySentiment.set(row.sentiment, (bySentiment.get(row.sentiment) ?? 0) + row.n);
    byKind.set(row.kind, (byKind.get(row.kind) ?? 0) + row.n);
    const key = `${row.day} ${row.sentiment}`;
    const day = byDay.get(key);
    if (day) day.count += row.n;
    else byDay.set(key, { day: row.day, sentiment: row.sentiment, count: row.n });
  }

  let backlog = 0;
  for (const row of rows.backlog) if (has(row.source)) backlog += row.n;

  return {
    // Rows keep their source: narrowing copies no row.
    tickets: rows.tickets.filter((row) => has(row.source)),
    answered: rows.answered.filter((row) => has(row.source)),
    replies: [...replies.values()],
    postsBySentiment: Object.fromEntries(bySentiment),
    postsByKind: [...byKind].map(([kind, count]) => ({ kind, count })),
    postsByDay: [...byDay.values()],
    incidents: rows.incidents.filter(
      (incident) => wanted === null || incident.sources.some((source) => wanted.has(source)),
    ),
    alerts: rows.alerts.filter((alert) => wanted === null || (alert.source !== null && wanted.has(alert.source))),
    backlog,
  };
}
