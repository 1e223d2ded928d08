/**
 * Posts counted per hour and per day by source, sentiment and kind: written in the ingest
 * transaction beside the stream rollups (`rollups.ts`), read by the service reports. A month of
 * one service is 30 day rows × 3 sentiments × the kinds (plus the hours at its edges), summed in
 * SQL, instead of every post of the month.
 */
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { PostKind, Sentiment } from '../domain/post.js';
import type { Database } from './schema.js';
import { toCount } from './json.js';

const CHUNK = 400;

export interface SourceCountedPost {
  readonly source: string;
  readonly createdAt: string;
  readonly sentiment: Sentiment;
  readonly kind: PostKind;
}

/** Adds these newly stored posts to the counts; rows in key order, so concurrent writers never deadlock. */
export async function addToSourceRollups(trx: Kysely<Database>, posts: readonly SourceCountedPost[]): Promise<void> {
  const counts = new Map<string, number>();
  for (const post of posts) {
    const key = [post.source, post.createdAt.slice(0, 13), post.sentiment, post.kind].join('\u0000');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const rows = [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const days = new Map<string, number>();
  for (const [key, count] of rows) {
    const [source, hour, sentiment, kind] = key.split('\u0000');
    const day = [source, hour!.slice(0, 10), sentiment, kind].join('\u0000');
    days.set(day, (days.get(day) ?? 0) + count);
  }
  for (let start = 0; start < rows.length; start += CHUNK) {
    await trx
      .insertInto('post_source_rollups')
      .values(
        rows.slice(start, start + CHUNK).map(([key, count]) => {
          const [source, hour, sentiment, kind] = key.split('\u0000');
          return { source: source!, hour: hour!, sentiment: sentiment as Sentiment, kind: kind as PostKind, count };
        }),
      )
      .onConflict((oc) =>
        oc
          .columns(['source', 'hour', 'sentiment', 'kind'])
          .doUpdateSet((eb) => ({ count: eb('post_source_rollups.count', '+', eb.ref('excluded.count')) })),
      )
      .execute();
  }
  // Day rows (2026-12-06b): a month of every source is ~2,700 of them against ~65,000 hour rows.
  const dayRows = [...days.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (let start = 0; start < dayRows.length; start += CHUNK) {
    await trx
      .insertInto('post_source_day_rollups')
      .values(
        dayRows.slice(start, start + CHUNK).map(([key, count]) => {
          const [source, day, sentiment, kind] = key.split('\u0000');
          return { source: source!, day: day!, sentiment: sentiment as Sentiment, kind: kind as PostKind, count };
        }),
      )
      .onConflict((oc) =>
        oc
          .columns(['source', 'day', 'sentiment', 'kind'])
          .doUpdateSet((eb) => ({ count: eb('post_source_day_rollups.count', '+', eb.ref('excluded.count')) })),
      )
      .execute();
  }
}

export interface DayCount {
  /** The UTC day, `YYYY-MM-DD`. */
  readonly day: string;
  readonly sentiment: Sentiment;
  readonly kind: PostKind;
  readonly n: number;
}

/**
 * Posts of these sources (null: every source) in [from, to), counted by UTC day, sentiment and
 * kind, exactly: hour rows for the whole hours, the raw posts of the partial hours at both ends.
 */
export async function countSourcesByDay(
  db: Kysely<Database>,
  sources: readonly string[] | null,
  from: string,
  to: string,
): Promise<DayCount[]> {
  const query = countSourcesByDayQuery(db, sources, from, to);
  if (!query) return [];
  const rows = await query.execute();
  return rows
    .map((row) => ({ day: row.day, sentiment: row.sentiment, kind: row.kind, n: toCount(row.n) }))
    .filter((row) => row.n > 0);
}

type Part = SelectQueryBuilder<
  Database,
  keyof Database,
  { hour: string; sentiment: Sentiment; kind: PostKind; n: number | string | bigint }
>;

/** The one query behind `countSourcesByDay` (undefined when nothing can match): exported for its plan test. */
export function countSourcesByDayQuery(
  db: Kysely<Database>,
  sources: readonly string[] | null,
  from: string,
  to: string,
) {
  return dayCountsQuery(db, sources, from, to, false);
}

export interface SourceDayCount extends DayCount {
  readonly source: string;
}

/**
 * As `countSourcesByDay`, kept apart by source: the service report reads a period once for all
 * its services and sums each service's sources itself.
 */
export async function countSourcesByDayPerSource(
  db: Kysely<Database>,
  sources: readonly string[] | null,
  from: string,
  to: string,
): Promise<SourceDayCount[]> {
  const query = dayCountsQuery(db, sources, from, to, true);
  if (!query) return [];
  const rows = (await query.execute()) as {
    source: string;
    day: string;
    sentiment: Sentiment;
    kind: PostKind;
    n: unknown;
  }[];
  return rows
    .map((row) => ({ source: row.source, day: row.day, sentiment: row.sentiment, kind: row.kind, n: toCount(row.n) }))
    .filter((row) => row.n > 0);
}

function dayCountsQuery(
  db: Kysely<Database>,
  sources: readonly string[] | null,
  from: string,
  to: string,
  perSource: boolean,
) {
  if (from >= to || (sources !== null && sources.length === 0)) return undefined;
  const raw = (a: string, b: string): Part[] => {
    if (a >= b) return [];
    let query = db
      .selectFrom('posts')
      .select([
        ...(perSource ? (['source'] as const) : []),
        sql<string>`substr(created_at, 1, 13)`.as('hour'),
        'sentiment',
        'kind',
        (eb) => eb.fn.countAll().as('n'),
      ])
      .where('created_at', '>=', a)
      .where('created_at', '<', b)
      .groupBy([...(perSource ? [sql`source`] : []), sql`substr(created_at, 1, 13)`, 'sentiment', 'kind']);
    if (sources !== null) query = query.where('source', 'in', [...sources]);
    return [query as unknown as Part];
  };
  const hourRows = (a: string, b: string): Part[] => {
    if (a >= b) return [];
    let hours = db
      .selectFrom('post_source_rollups')
      .select([...(perSource ? (['source'] as const) : []), 'hour', 'sentiment', 'kind', 'count as n'])
      .where('hour', '>=', a.slice(0, 13))
      .where('hour', '<', b.slice(0, 13));
    if (sources !== null) hours = hours.where('source', 'in', [...sources]);
    return [hours as unknown as Part];
  };
  const fromHour = ceilHour(from);
  const toHour = floorHour(to);
  const fromDay = ceilDay(from);
  const toDay = floorDay(to);
  const parts: Part[] = [];
  if (fromHour >= toHour) parts.push(...raw(from, to));
  else if (fromDay >= toDay) parts.push(...raw(from, fromHour), ...raw(toHour, to), ...hourRows(fromHour, toHour));
  else {
    // Whole days from the day rows (their `hour` is the day: its first ten characters are all
    // the grouping below reads), whole hours at both ends, and the posts of the partial hours.
    parts.push(...raw(from, fromHour), ...raw(toHour, to), ...hourRows(fromHour, fromDay), ...hourRows(toDay, toHour));
    let days = db
      .selectFrom('post_source_day_rollups')
      .select([...(perSource ? (['source'] as const) : []), 'day as hour', 'sentiment', 'kind', 'count as n'])
      .where('day', '>=', fromDay.slice(0, 10))
      .where('day', '<', toDay.slice(0, 10));
    if (sources !== null) days = days.where('source', 'in', [...sources]);
    parts.push(days as unknown as Part);
  }
  const union = parts.slice(1).reduce((all, part) => all.unionAll(part), parts[0]!);
  const day = sql<string>`substr(parts.hour, 1, 10)`;
  const source = sql<string>`parts.source`;
  return db
    .selectFrom(union.as('parts'))
    .select([
      ...(perSource ? [source.as('source')] : []),
      day.as('day'),
      'parts.sentiment',
      'parts.kind',
      (eb) => eb.fn.sum<number | string>('parts.n').as('n'),
    ])
    .groupBy([...(perSource ? [source] : []), day, 'parts.sentiment', 'parts.kind']);
}

function floorHour(iso: string): string {
  const date = new Date(iso);
  date.setUTCMinutes(0, 0, 0);
  return date.toISOString();
}

function ceilHour(iso: string): string {
  const floor = floorHour(iso);
  return floor === new Date(iso).toISOString() ? floor : new Date(Date.parse(floor) + 3600e3).toISOString();
}

function floorDay(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 10)}T00:00:00.000Z`;
}

function ceilDay(iso: string): string {
  const floor = floorDay(iso);
  return floor === new Date(iso).toISOString() ? floor : new Date(Date.parse(floor) + 86_400e3).toISOString();
}
