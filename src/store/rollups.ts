/**
 * Post counts per minute and per hour, by stream (0: every post), sentiment and kind: written in
 * the ingest transaction, read by `/api/stats` and Pulse. A month at 10M posts is ~720 hour rows
 * per (sentiment, kind) instead of every post of the window.
 */
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { PostKind, Sentiment } from '../domain/post.js';
import type { Database } from './schema.js';
import { toCount } from './json.js';

/** The stream id that stands for every post. */
export const ALL_POSTS = 0;

const WIDTH = { minute: 16, hour: 13, day: 10 } as const;
type Granularity = keyof typeof WIDTH;
/** Finest first: a window is covered by the coarsest rows that fit, finer ones at its edges. */
const GRANULARITIES = ['minute', 'hour', 'day'] as const;
const CHUNK = 400;

export interface CountedPost {
  readonly createdAt: string;
  readonly sentiment: Sentiment;
  readonly kind: PostKind;
  readonly streamIds: readonly number[];
}

/** Adds these newly stored posts to the counts; rows in one fixed order, so concurrent writers never deadlock. */
export async function addToRollups(trx: Kysely<Database>, posts: readonly CountedPost[]): Promise<void> {
  const counts = new Map<string, number>();
  for (const post of posts) {
    for (const granularity of GRANULARITIES) {
      const bucket = post.createdAt.slice(0, WIDTH[granularity]);
      for (const streamId of [ALL_POSTS, ...post.streamIds]) {
        const key = [granularity, streamId, bucket, post.sentiment, post.kind].join('\u0000');
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
  }
  const rows = [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (let start = 0; start < rows.length; start += CHUNK) {
    await trx
      .insertInto('post_rollups')
      .values(
        rows.slice(start, start + CHUNK).map(([key, count]) => {
          const [granularity, streamId, bucket, sentiment, kind] = key.split('\u0000');
          return {
            granularity: granularity as Granularity,
            stream_id: Number(streamId),
            bucket: bucket!,
            sentiment: sentiment as Sentiment,
            kind: kind as PostKind,
            count,
          };
        }),
      )
      .onConflict((oc) =>
        oc
          .columns(['granularity', 'stream_id', 'bucket', 'sentiment', 'kind'])
          .doUpdateSet((eb) => ({ count: eb('post_rollups.count', '+', eb.ref('excluded.count')) })),
      )
      .execute();
  }
}

/** Recounts one stream from its posts, after its query changed and its posts were matched again. */
export async function rebuildStreamRollups(trx: Kysely<Database>, streamId: number): Promise<void> {
  await trx.deleteFrom('post_rollups').where('stream_id', '=', streamId).execute();
  for (const [granularity, width] of Object.entries(WIDTH)) {
    const bucket = sql.raw(`substr(p.created_at, 1, ${width})`);
    await sql`insert into post_rollups (granularity, stream_id, bucket, sentiment, kind, count)
      select ${granularity}, ps.stream_id, ${bucket}, p.sentiment, p.kind, count(*)
      from posts p join post_streams ps on ps.post_id = p.id where ps.stream_id = ${streamId}
      group by ps.stream_id, ${bucket}, p.sentiment, p.kind`.execute(trx);
  }
}

export async function dropStreamRollups(db: Kysely<Database>, streamId: number): Promise<void> {
  await db.deleteFrom('post_rollups').where('stream_id', '=', streamId).execute();
}

export interface BucketCount {
  /** The minute (`YYYY-MM-DDTHH:MM`), hour (`YYYY-MM-DDTHH`) or day (`YYYY-MM-DD`) of the posts. */
  readonly bucket: string;
  readonly sentiment: Sentiment;
  readonly kind: PostKind;
  readonly n: number;
}

export interface WindowOptions {
  readonly since: string;
  readonly until: string;
  readonly streamId?: number;
  /** The width of the returned buckets. */
  readonly bucket: 'minute' | 'hour' | 'day';
}

const BUCKET_WIDTH = { minute: 16, hour: 13, day: 10 } as const;

/**
 * Posts in [since, until) counted by bucket, sentiment and kind, exactly, summed in one SQL query:
 * the raw posts of the partial minutes at both ends, minute rows for the partial hours, hour rows
 * between (minute rows throughout for a per-minute series). A month of every post comes back as
 * at most 30 days × 3 sentiments × the kinds, not the ~15,000 hour rows it is made of.
 */
export async function countWindow(db: Kysely<Database>, options: WindowOptions): Promise<BucketCount[]> {
  const query = countWindowQuery(db, options);
  if (!query) return [];
  const rows = await query.execute();
  return rows.map((row) => ({ bucket: row.bucket, sentiment: row.sentiment, kind: row.kind, n: toCount(row.n) }));
}

/** The one query behind `countWindow` (undefined for an empty window): exported for its plan test. */
export function countWindowQuery(db: Kysely<Database>, options: WindowOptions) {
  const parts = windowParts(db, options);
  if (parts.length === 0) return undefined;
  const union = parts.slice(1).reduce((all, part) => all.unionAll(part), parts[0]!);
  const bucket = sql<string>`substr(parts.bucket, 1, ${sql.lit(BUCKET_WIDTH[options.bucket])})`;
  return db
    .selectFrom(union.as('parts'))
    .select([
      bucket.as('bucket'),
      'parts.sentiment',
      'parts.kind',
      (eb) => eb.fn.sum<number | string>('parts.n').as('n'),
    ])
    .groupBy([bucket, 'parts.sentiment', 'parts.kind']);
}

/** One part of a window: counts by minute or hour, sentiment and kind. */
type Part = SelectQueryBuilder<
  Database,
  keyof Database,
  { bucket: string; sentiment: Sentiment; kind: PostKind; n: number | string | bigint }
>;

function windowParts(db: Kysely<Database>, options: WindowOptions): Part[] {
  const streamId = options.streamId ?? ALL_POSTS;
  const raw = (from: string, to: string): Part[] =>
    from < to ? [rawCountsQuery(db, from, to, options.streamId) as unknown as Part] : [];
  const rollup = (granularity: Granularity, from: string, to: string): Part[] =>
    from < to ? [rollupRowsQuery(db, granularity, streamId, from, to) as unknown as Part] : [];
  // [from, to) aligned to minutes: the coarsest whole units in the middle, finer rows at the edges.
  const cover = (from: string, to: string, units: readonly Granularity[]): Part[] => {
    if (from >= to) return [];
    const top = units[units.length - 1]!;
    if (units.length === 1) return rollup(top, from, to);
    const a = ceilTo(from, top);
    const b = floorTo(to, top);
    const finer = units.slice(0, -1);
    if (a >= b) return cover(from, to, finer);
    return [...cover(from, a, finer), ...rollup(top, a, b), ...cover(b, to, finer)];
  };
  const sinceMinute = ceilTo(options.since, 'minute');
  const untilMinute = floorTo(options.until, 'minute');
  if (sinceMinute >= untilMinute) return raw(options.since, options.until);
  const edges = [...raw(options.since, sinceMinute), ...raw(untilMinute, options.until)];
  const units = GRANULARITIES.slice(0, GRANULARITIES.indexOf(options.bucket) + 1);
  return [...edges, ...cover(sinceMinute, untilMinute, units)];
}

/** The rollup rows of one granularity and stream in [from, to): exported for its query plan test. */
export function rollupRowsQuery(
  db: Kysely<Database>,
  granularity: Granularity,
  streamId: number,
  from: string,
  to: string,
) {
  const width = WIDTH[granularity];
  return db
    .selectFrom('post_rollups')
    .select(['bucket', 'sentiment', 'kind', 'count as n'])
    .where('granularity', '=', granularity)
    .where('stream_id', '=', streamId)
    .where('bucket', '>=', from.slice(0, width))
    .where('bucket', '<', to.slice(0, width));
}

/** Posts in [from, to) by minute, sentiment and kind, straight from the posts: exported for its plan test. */
export function rawCountsQuery(db: Kysely<Database>, from: string, to: string, streamId: number | undefined) {
  let query = db
    .selectFrom('posts as p')
    .where('p.created_at', '>=', from)
    .where('p.created_at', '<', to)
    .select([
      sql<string>`substr(p.created_at, 1, 16)`.as('bucket'),
      'p.sentiment',
      'p.kind',
      (eb) => eb.fn.countAll().as('n'),
    ])
    .groupBy([sql`substr(p.created_at, 1, 16)`, 'p.sentiment', 'p.kind']);
  // A correlated probe, not a join: the time index drives, whatever the stream's size.
  if (streamId !== undefined)
    query = query.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('post_streams as ps')
          .select('ps.post_id')
          .where('ps.stream_id', '=', streamId)
          .whereRef('ps.post_id', '=', 'p.id'),
      ),
    );
  return query;
}

/** An ISO instant rounded up or down to the start of its minute or hour, as ISO text. */
function floorTo(iso: string, unit: Granularity): string {
  const date = new Date(iso);
  if (unit === 'minute') date.setUTCSeconds(0, 0);
  else if (unit === 'hour') date.setUTCMinutes(0, 0, 0);
  else date.setUTCHours(0, 0, 0, 0);
  return date.toISOString();
}

function ceilTo(iso: string, unit: Granularity): string {
  const floor = floorTo(iso, unit);
  if (floor === new Date(iso).toISOString()) return floor;
  return new Date(Date.parse(floor) + { minute: 60e3, hour: 3600e3, day: 86_400e3 }[unit]).toISOString();
}
