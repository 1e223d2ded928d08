/**
 * The recent past as the crisis watch heard it: the posts written since a time, in the order they
 * were stored, with only what the burst detector reads (when, where from, the streams matched,
 * sentiment, kind, the author's audience, a sample of the text). A node that takes over the watch
 * replays them to rebuild its windows (src/alerts/watch-windows.ts).
 */
import type { Kysely } from 'kysely';
import type { PostKind, Sentiment } from '../domain/post.js';
import type { Database } from './schema.js';

export interface RecentPost {
  readonly id: number;
  readonly source: string;
  readonly createdAt: string;
  readonly ingestedAt: string;
  readonly sentiment: Sentiment;
  readonly kind: PostKind;
  readonly followers: number | null;
  /** The text's first `SAMPLE_CHARS` characters (an alert's samples show no more). */
  readonly text: string;
  readonly streamIds: number[];
}

const SAMPLE_CHARS = 200;
/** Ids per `in (…)` list: well under SQLite's bound-parameter limit. */
const CHUNK = 500;

/**
 * Posts written at or after `createdSince` (by their own time), oldest stored first (by the time
 * they were stored, then id). When more than `limit` match, the newest `limit` are returned.
 */
export async function postsCreatedSince(
  db: Kysely<Database>,
  options: { createdSince: string; limit: number },
): Promise<RecentPost[]> {
  const rows = await db
    .selectFrom('posts')
    .leftJoin('authors', 'authors.id', 'posts.author_id')
    .select([
      'posts.id',
      'posts.source',
      'posts.created_at',
      'posts.ingested_at',
      'posts.sentiment',
      'posts.kind',
      'authors.followers',
      'posts.text',
    ])
    .where('posts.created_at', '>=', options.createdSince)
    .orderBy('posts.ingested_at', 'desc')
    .orderBy('posts.id', 'desc')
    .limit(options.limit)
    .execute();
  rows.reverse();
  const streams = new Map<number, number[]>();
  for (let start = 0; start < rows.length; start += CHUNK) {
    const ids = rows.slice(start, start + CHUNK).map((row) => row.id);
    const links = await db
      .selectFrom('post_streams')
      .select(['post_id', 'stream_id'])
      .where('post_id', 'in', ids)
      .execute();
    for (const link of links) {
      const list = streams.get(link.post_id);
      if (list) list.push(link.stream_id);
      else streams.set(link.post_id, [link.stream_id]);
    }
  }
  return rows.map((row) => ({
    id: row.id,
    source: row.source,
    createdAt: row.created_at,
    ingestedAt: row.ingested_at,
    sentiment: row.sentiment,
    kind: row.kind,
    followers: row.followers ?? null,
    text: row.text.slice(0, SAMPLE_CHARS),
    streamIds: (streams.get(row.id) ?? []).sort((a, b) => a - b),
  }));
}
