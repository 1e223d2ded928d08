/**
 * A service's measures for a period, worked out from the store's facts (`store/report-facts.ts`):
 * volume in and out, response rate, first response and resolution time (p50/p90, in business
 * minutes where the service keeps hours), SLA attainment, backlog, replies per agent, incidents
 * and their time to the first approved public update, the negative:positive ratio and its daily
 * trend, top kinds, reach of the people answered, and alerts with their time to acknowledge.
 *
 * Percentiles are nearest-rank (the smallest value with at least p of the values at or below
 * it): a reported p90 is always a time some ticket really waited, and a hand count agrees.
 */
import type { Kysely } from 'kysely';
import { type BusinessCalendar, type CompiledCalendar, compileCalendar } from '../domain/calendar.js';
import type { PostKind, Sentiment } from '../domain/post.js';
import type { Database } from '../store/schema.js';
import { type FactScope, type PeriodFacts, periodFacts } from '../store/report-facts.js';

export interface Period {
  /** Inclusive start, ISO-8601 UTC. */
  readonly from: string;
  /** Exclusive end. */
  readonly to: string;
}

export interface Distribution {
  readonly count: number;
  /** Minutes; null when nothing was measured. */
  readonly p50: number | null;
  readonly p90: number | null;
}

export interface Measures {
  readonly period: Period;
  /** Posts received. */
  readonly volumeIn: number;
  /** Replies sent by agents. */
  readonly volumeOut: number;
  /** Tickets raised. */
  readonly tickets: number;
  /** Of those, how many were answered (by now). */
  readonly responded: number;
  /** `responded / tickets`; null with no tickets. */
  readonly responseRate: number | null;
  /** Minutes from ticket to first reply (business minutes when `businessHours`). */
  readonly firstResponse: Distribution;
  /** Minutes from ticket to resolution. */
  readonly resolution: Distribution;
  readonly businessHours: boolean;
  /** Share of decided SLAs met; null with none decided. */
  readonly slaAttainment: number | null;
  readonly slaMet: number;
  readonly slaBreached: number;
  /** Tickets open at the period's end. */
  readonly backlog: number;
  readonly repliesPerAgent: readonly { agentId: number | null; name: string; replies: number }[];
  readonly incidents: { readonly count: number; readonly firstUpdate: Distribution; readonly withoutUpdate: number };
  readonly sentiment: {
    readonly positive: number;
    readonly negative: number;
    readonly neutral: number;
    /** Negative posts per positive one; null with no positive post. */
    readonly ratio: number | null;
  };
  /** Per UTC day: posts by sentiment and that day's negative:positive ratio. */
  readonly sentimentTrend: readonly {
    day: string;
    positive: number;
    negative: number;
    neutral: number;
    ratio: number | null;
  }[];
  readonly topKinds: readonly { kind: PostKind; count: number }[];
  /** People whose ticket was first answered in the period, and their followers summed. */
  readonly reach: { readonly people: number; readonly followers: number };
  readonly alerts: { readonly raised: number; readonly acknowledged: number; readonly timeToAcknowledge: Distribution };
}

export interface MeasureOptions {
  readonly scope: FactScope;
  /** Hours of service: response and resolution times count only opening time. */
  readonly calendar?: BusinessCalendar | null;
  /** The SLA is judged as of this instant for tickets not yet answered (default: the period's end). */
  readonly asOf?: string;
}

export async function measure(db: Kysely<Database>, period: Period, options: MeasureOptions): Promise<Measures> {
  const facts = await periodFacts(db, options.scope, period.from, period.to);
  return measuresFrom(facts, period, options);
}

/** The period of the same length just before. */
export function previousPeriod(period: Period): Period {
  const from = Date.parse(period.from);
  const length = Date.parse(period.to) - from;
  return { from: new Date(from - length).toISOString(), to: period.from };
}

/**
 * Compiled calendars by their hours, kept between reports: a compiled calendar caches the zone's
 * offset per quarter hour, and working those out again (an `Intl` call each) for every ticket of
 * every service, period and report was most of the time measures took. Services with the same
 * hours share one. Bounded: a desk has a handful of calendars.
 */
const compiled = new Map<string, CompiledCalendar>();

function compiledCalendar(calendar: BusinessCalendar): CompiledCalendar {
  const key = JSON.stringify([calendar.timeZone, calendar.weekly, calendar.holidays]);
  let known = compiled.get(key);
  if (!known) {
    if (compiled.size >= 64) compiled.clear();
    known = compileCalendar(calendar);
    compiled.set(key, known);
  }
  return known;
}

export function measuresFrom(facts: PeriodFacts, period: Period, options: MeasureOptions): Measures {
  const calendar: CompiledCalendar | null = options.calendar ? compiledCalendar(options.calendar) : null;
  const elapsed = (from: string, to: string): number => {
    const start = Date.parse(from);
    const end = Date.parse(to);
    return (calendar ? calendar.businessMs(start, end) : Math.max(0, end - start)) / 60_000;
  };
  const wall = (from: string, to: string): number => Math.max(0, Date.parse(to) - Date.parse(from)) / 60_000;
  const asOf = options.asOf && options.asOf < period.to ? options.asOf : period.to;

  const responded = facts.tickets.filter((ticket) => ticket.firstRespondedAt !== null);
  const resolved = facts.tickets.filter((ticket) => ticket.resolvedAt !== null);
  let slaMet = 0;
  let slaBreached = 0;
  for (const ticket of facts.tickets) {
    if (ticket.slaDueAt === null) continue;
    if (ticket.firstRespondedAt !== null) {
      if (ticket.firstRespondedAt <= ticket.slaDueAt) slaMet += 1;
      else slaBreached += 1;
    } else if (ticket.resolvedAt !== null && ticket.resolvedAt <= ticket.slaDueAt) {
      // Resolved without a reply before it was due: the clock stopped, neither met nor breached.
    } else if (ticket.slaDueAt < asOf) slaBreached += 1;
  }

  const counts = { positive: 0, negative: 0, neutral: 0, ...facts.postsBySentiment } as Record<Sentiment, number>;
  const days = new Map<string, { positive: number; negative: number; neutral: number }>();
  for (const row of facts.postsByDay) {
    const day = days.get(row.day) ?? { positive: 0, negative: 0, neutral: 0 };
    day[row.sentiment] += row.count;
    days.set(row.day, day);
  }
  const reachedAuthors = new Map<number, number>();
  for (const row of facts.answered)
    if (row.authorId !== null)
      reachedAuthors.set(row.authorId, Math.max(reachedAuthors.get(row.authorId) ?? 0, row.followers ?? 0));
  const acknowledged = facts.alerts.filter((alert) => alert.acknowledgedAt !== null);
  const updated = facts.incidents.filter((incident) => incident.firstUpdateAt !== null);
  const volumeIn = counts.positive + counts.negative + counts.neutral;
  const volumeOut = facts.replies.reduce((sum, row) => sum + row.replies, 0);

  return {
    period,
    volumeIn,
    volumeOut,
    tickets: facts.tickets.length,
    responded: responded.length,
    responseRate: facts.tickets.length ? responded.length / facts.tickets.length : null,
    firstResponse: distribution(responded.map((ticket) => elapsed(ticket.createdAt, ticket.firstRespondedAt!))),
    resolution: distribution(resolved.map((ticket) => elapsed(ticket.createdAt, ticket.resolvedAt!))),
    businessHours: calendar !== null,
    slaAttainment: slaMet + slaBreached ? slaMet / (slaMet + slaBreached) : null,
    slaMet,
    slaBreached,
    backlog: facts.backlog,
    repliesPerAgent: facts.replies
      .map((row) => ({ agentId: row.agentId, name: row.name ?? 'system', replies: row.replies }))
      .sort((a, b) => b.replies - a.replies || a.name.localeCompare(b.name)),
    incidents: {
      count: facts.incidents.length,
      firstUpdate: distribution(updated.map((incident) => wall(incident.createdAt, incident.firstUpdateAt!))),
      withoutUpdate: facts.incidents.length - updated.length,
    },
    sentiment: { ...pick(counts), ratio: ratio(counts) },
    sentimentTrend: [...days.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([day, value]) => ({ day, ...value, ratio: ratio(value) })),
    topKinds: [...facts.postsByKind].sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind)).slice(0, 10),
    reach: { people: reachedAuthors.size, followers: [...reachedAuthors.values()].reduce((sum, n) => sum + n, 0) },
    alerts: {
      raised: facts.alerts.length,
      acknowledged: acknowledged.length,
      timeToAcknowledge: distribution(acknowledged.map((alert) => wall(alert.createdAt, alert.acknowledgedAt!))),
    },
  };
}

/** Nearest-rank percentile of values (any order); null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

function distribution(values: readonly number[]): Distribution {
  return { count: values.length, p50: percentile(values, 0.5), p90: percentile(values, 0.9) };
}

function ratio(counts: { positive: number; negative: number }): number | null {
  return counts.positive ? counts.negative / counts.positive : null;
}

function pick(counts: Record<Sentiment, number>) {
  return { positive: counts.positive, negative: counts.negative, neutral: counts.neutral };
}
