/**
 * Posts counted per hour by source, sentiment and kind: written in the ingest transaction beside
 * the stream rollups (`rollups.ts`), read by the service reports. A month of one service is at
 * most 720 hours × 3 sentiments × the kinds, summed in SQL, instead of every post of the month.
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
  if (from >= to || (sources !== null && sources.length === 0)) return undefined;
  const raw = (a: string, b: string): Part[] => {
    if (a >= b) return [];
    let query = db
      .selectFrom('posts')
      .select([
        sql<string>`substr(created_at, 1, 13)`.as('hour'),
        'sentiment',
        'kind',
        (eb) => eb.fn.countAll().as('n'),
      ])
      .where('created_at', '>=', a)
      .where('created_at', '<', b)
      .groupBy([sql`substr(created_at, 1, 13)`, 'sentiment', 'kind']);
    if (sources !== null) query = query.where('source', 'in', [...sources]);
    return [query as unknown as Part];
  };
  const fromHour = ceilHour(from);
  const toHour = floorHour(to);
  const parts: Part[] = [];
  if (fromHour >= toHour) parts.push(...raw(from, to));
  else {
    parts.push(...raw(from, fromHour), ...raw(toHour, to));
    let hours = db
      .selectFrom('post_source_rollups')
      .select(['hour', 'sentiment', 'kind', 'count as n'])
      .where('hour', '>=', fromHour.slice(0, 13))
      .where('hour', '<', toHour.slice(0, 13));
    if (sources !== null) hours = hours.where('source', 'in', [...sources]);
    parts.push(hours as unknown as Part);
  }
  const union = parts.slice(1).reduce((all, part) => all.unionAll(part), parts[0]!);
  const day = sql<string>`substr(parts.hour, 1, 10)`;
  return db
    .selectFrom(union.as('parts'))
    .select([day.as('day'), 'parts.sentiment', 'parts.kind', (eb) => eb.fn.sum<number | string>('parts.n').as('n')])
    .groupBy([day, 'parts.sentiment', 'parts.kind']);
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
