/**
 * What the service reports read from the store for one period: the period's tickets (their
 * times, as rows), replies per agent, posts counted by sentiment, kind and day, incidents with
 * their first approved update, alerts, and the backlog at the period's end. Raw rows and counts
 * only: percentiles, business hours and comparisons are worked out in `src/reports`.
 * A scope of `sources: null` means every source.
 */
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { PostKind, Sentiment } from '../domain/post.js';
import type { TicketStatus } from '../domain/ticket.js';
import type { Database } from './schema.js';
import { toCount } from './json.js';
import { countSourcesByDay } from './source-rollups.js';

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
  readonly status: TicketStatus;
  readonly followers: number | null;
  readonly authorId: number | null;
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

type TicketScope = ExpressionBuilder<Database, 'tickets'>;

/** Facts for `[from, to)`. */
export async function periodFacts(
  db: Kysely<Database>,
  scope: FactScope,
  from: string,
  to: string,
): Promise<PeriodFacts> {
  const inScope = (eb: TicketScope) => {
    const parts = [];
    if (scope.sources !== null)
      parts.push(eb('tickets.source', 'in', scope.sources.length ? [...scope.sources] : ['']));
    if (scope.agentId != null) parts.push(eb('tickets.assignee_id', '=', scope.agentId));
    return eb.and(parts);
  };
  const nothing = scope.sources !== null && scope.sources.length === 0;

  const ticketRows = await db
    .selectFrom('tickets')
    .leftJoin('posts', 'posts.id', 'tickets.post_id')
    .leftJoin('authors', 'authors.id', 'posts.author_id')
    .select([
      'tickets.created_at',
      'tickets.first_responded_at',
      'tickets.resolved_at',
      'tickets.sla_due_at',
      'tickets.status',
      'authors.followers',
      'authors.id as author_id',
    ])
    .where('tickets.created_at', '>=', from)
    .where('tickets.created_at', '<', to)
    .where(inScope)
    .execute();

  const answered = await db
    .selectFrom('tickets')
    .leftJoin('posts', 'posts.id', 'tickets.post_id')
    .leftJoin('authors', 'authors.id', 'posts.author_id')
    .select(['authors.id as author_id', 'authors.followers'])
    .where('tickets.first_responded_at', '>=', from)
    .where('tickets.first_responded_at', '<', to)
    .where(inScope)
    .execute();

  let replyQuery = db
    .selectFrom('ticket_events')
    .innerJoin('tickets', 'tickets.id', 'ticket_events.ticket_id')
    .leftJoin('users', 'users.id', 'ticket_events.actor_id')
    .select(['ticket_events.actor_id', 'users.display_name', db.fn.countAll().as('n')])
    .where('ticket_events.type', '=', 'reply')
    .where('ticket_events.created_at', '>=', from)
    .where('ticket_events.created_at', '<', to)
    .where((eb) => {
      const parts = [];
      if (scope.sources !== null)
        parts.push(eb('tickets.source', 'in', scope.sources.length ? [...scope.sources] : ['']));
      return eb.and(parts);
    })
    .groupBy(['ticket_events.actor_id', 'users.display_name']);
  if (scope.agentId != null) replyQuery = replyQuery.where('ticket_events.actor_id', '=', scope.agentId);
  const replies = await replyQuery.execute();

  // From the hourly source rollups, summed in SQL: a month is a few hundred rows, not every post.
  const postCounts = await countSourcesByDay(db, scope.sources, from, to);
  const bySentiment = new Map<Sentiment, number>();
  const byKind = new Map<PostKind, number>();
  const byDay = new Map<string, { day: string; sentiment: Sentiment; count: number }>();
  for (const row of postCounts) {
    bySentiment.set(row.sentiment, (bySentiment.get(row.sentiment) ?? 0) + row.n);
    byKind.set(row.kind, (byKind.get(row.kind) ?? 0) + row.n);
    const key = `${row.day} ${row.sentiment}`;
    const day = byDay.get(key) ?? { day: row.day, sentiment: row.sentiment, count: 0 };
    byDay.set(key, { ...day, count: day.count + row.n });
  }

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
  if (scope.sources !== null)
    incidentQuery = incidentQuery.where((eb) =>
      eb.exists(
        eb
          .selectFrom('incident_posts')
          .innerJoin('posts', 'posts.id', 'incident_posts.post_id')
          .select('incident_posts.post_id')
          .whereRef('incident_posts.incident_id', '=', 'incidents.id')
          .where('posts.source', 'in', nothing ? [''] : [...scope.sources!]),
      ),
    );
  const incidents = await incidentQuery.orderBy('incidents.id').execute();

  const alertRows = await db
    .selectFrom('alerts')
    .select(['created_at', 'acknowledged_at', 'evidence'])
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .execute();
  const alerts = alertRows
    .map((row) => {
      let source: string | null = null;
      try {
        const evidence = JSON.parse(row.evidence) as Record<string, unknown>;
        if (typeof evidence.source === 'string') source = evidence.source;
      } catch {
        // Evidence that is not JSON says nothing of its source.
      }
      return { createdAt: row.created_at, acknowledgedAt: row.acknowledged_at, source };
    })
    .filter((alert) => scope.sources === null || (alert.source !== null && scope.sources.includes(alert.source)));

  // Open at the period's end: created before it, and neither resolved nor closed by then
  // (a ticket closed without resolving records when it was closed only as its last update).
  const backlogRow = await db
    .selectFrom('tickets')
    .select(db.fn.countAll().as('n'))
    .where('created_at', '<', to)
    .where(inScope)
    .where((eb) =>
      eb.or([
        eb.and([eb('resolved_at', 'is', null), eb('status', '!=', 'closed')]),
        eb('resolved_at', '>=', to),
        eb.and([eb('resolved_at', 'is', null), eb('status', '=', 'closed'), eb('updated_at', '>=', to)]),
      ]),
    )
    .executeTakeFirst();

  return {
    tickets: ticketRows.map((row) => ({
      createdAt: row.created_at,
      firstRespondedAt: row.first_responded_at,
      resolvedAt: row.resolved_at,
      slaDueAt: row.sla_due_at,
      status: row.status,
      followers: row.followers === null ? null : Number(row.followers),
      authorId: row.author_id,
    })),
    answered: answered.map((row) => ({
      authorId: row.author_id,
      followers: row.followers === null ? null : Number(row.followers),
    })),
    replies: replies.map((row) => ({ agentId: row.actor_id, name: row.display_name, replies: toCount(row.n) })),
    postsBySentiment: Object.fromEntries(bySentiment),
    postsByKind: [...byKind].map(([kind, count]) => ({ kind, count })),
    postsByDay: [...byDay.values()],
    incidents: incidents.map((row) => ({
      id: row.id,
      createdAt: row.created_at,
      firstUpdateAt: (row.first_update_at as string | null) ?? null,
    })),
    alerts,
    backlog: toCount(backlogRow?.n),
  };
}
