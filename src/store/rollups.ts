/**
 * Post counts per minute and per hour, by stream (0: every post), sentiment and kind: written in
 * the ingest transaction, read by `/api/stats` and Pulse. A month at 10M posts is ~720 hour rows
 * per (sentiment, kind) instead of every post of the window.
 */
import { sql, type Kysely } from 'kysely';
import type { PostKind, Sentiment } from '../domain/post.js';
import type { Database } from './schema.js';
import { toCount } from './json.js';

/** The stream id that stands for every post. */
export const ALL_POSTS = 0;

const WIDTH = { minute: 16, hour: 13 } as const;
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
    for (const granularity of ['minute', 'hour'] as const) {
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
            granularity: granularity as 'minute' | 'hour',
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
  /** The minute (`YYYY-MM-DDTHH:MM`) or hour (`YYYY-MM-DDTHH`) of the posts. */
  readonly bucket: string;
  readonly sentiment: Sentiment;
  readonly kind: PostKind;
  readonly n: number;
}

/**
 * Posts in [since, until) counted by bucket, sentiment and kind, exactly: the raw posts of the
 * partial minutes at both ends, minute rows for the partial hours, hour rows between (minute
 * rows throughout when `finest` is minute, for a per-minute series).
 */
export async function countWindow(
  db: Kysely<Database>,
  options: { since: string; until: string; streamId?: number; finest: 'minute' | 'hour' },
): Promise<BucketCount[]> {
  const streamId = options.streamId ?? ALL_POSTS;
  const sinceMinute = ceilTo(options.since, 'minute');
  const untilMinute = floorTo(options.until, 'minute');
  if (sinceMinute >= untilMinute) return rawCounts(db, options.since, options.until, options.streamId);
  const parts: Promise<BucketCount[]>[] = [
    rawCounts(db, options.since, sinceMinute, options.streamId),
    rawCounts(db, untilMinute, options.until, options.streamId),
  ];
  const sinceHour = ceilTo(sinceMinute, 'hour');
  const untilHour = floorTo(untilMinute, 'hour');
  if (options.finest === 'minute' || sinceHour >= untilHour) {
    parts.push(rollupCounts(db, 'minute', streamId, sinceMinute, untilMinute));
  } else {
    parts.push(
      rollupCounts(db, 'minute', streamId, sinceMinute, sinceHour),
      rollupCounts(db, 'hour', streamId, sinceHour, untilHour),
      rollupCounts(db, 'minute', streamId, untilHour, untilMinute),
    );
  }
  return (await Promise.all(parts)).flat();
}

async function rollupCounts(
  db: Kysely<Database>,
  granularity: 'minute' | 'hour',
  streamId: number,
  from: string,
  to: string,
): Promise<BucketCount[]> {
  if (from >= to) return [];
  const rows = await rollupRowsQuery(db, granularity, streamId, from, to).execute();
  return rows.map((row) => ({ bucket: row.bucket, sentiment: row.sentiment, kind: row.kind, n: toCount(row.count) }));
}

/** The rollup rows of one granularity and stream in [from, to): exported for its query plan test. */
export function rollupRowsQuery(
  db: Kysely<Database>,
  granularity: 'minute' | 'hour',
  streamId: number,
  from: string,
  to: string,
) {
  const width = WIDTH[granularity];
  return db
    .selectFrom('post_rollups')
    .select(['bucket', 'sentiment', 'kind', 'count'])
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

async function rawCounts(
  db: Kysely<Database>,
  from: string,
  to: string,
  streamId: number | undefined,
): Promise<BucketCount[]> {
  if (from >= to) return [];
  const rows = await rawCountsQuery(db, from, to, streamId).execute();
  return rows.map((row) => ({ bucket: row.bucket, sentiment: row.sentiment, kind: row.kind, n: toCount(row.n) }));
}

/** An ISO instant rounded up or down to the start of its minute or hour, as ISO text. */
function floorTo(iso: string, unit: 'minute' | 'hour'): string {
  const date = new Date(iso);
  if (unit === 'minute') date.setUTCSeconds(0, 0);
  else date.setUTCMinutes(0, 0, 0);
  return date.toISOString();
}

function ceilTo(iso: string, unit: 'minute' | 'hour'): string {
  const floor = floorTo(iso, unit);
  if (floor === new Date(iso).toISOString()) return floor;
  return new Date(Date.parse(floor) + (unit === 'minute' ? 60e3 : 3600e3)).toISOString();
}
