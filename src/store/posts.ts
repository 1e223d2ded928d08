/**
 * Posts and authors: storing analysed posts once per (source, external id), full-text search
 * with filters and keyset pagination, and the counts behind the desk's Pulse.
 */
import type { Kysely, Selectable } from 'kysely';
import {
  postKey,
  type Analysis,
  type AuthorSignals,
  type Post,
  type PostDraft,
  type Sentiment,
} from '../domain/post.js';
import type { Database, PostsTable } from './schema.js';
import { fromJson, toCount, toJson } from './json.js';
import { addToRollups, countWindow } from './rollups.js';
import { addToSourceRollups } from './source-rollups.js';

export interface NewPost extends PostDraft, Analysis {
  readonly streamIds: number[];
}

export interface InsertedPost {
  readonly id: number;
  readonly source: string;
  readonly externalId: string;
}

/** Rows per INSERT: keeps well under SQLite's bound-parameter limit (20 columns × 500). */
const CHUNK = 500;

/**
 * Stores posts, skipping any (source, external id) already stored, all in one transaction:
 * a crash leaves either the whole batch or none of it.
 */
export async function insertPosts(
  db: Kysely<Database>,
  posts: readonly NewPost[],
  now = new Date().toISOString(),
): Promise<InsertedPost[]> {
  if (posts.length === 0) return [];
  return db.transaction().execute((trx) => insertPostsIn(trx, posts, now));
}

/** `insertPosts` inside a transaction the caller holds (to store posts and tickets together). */
export async function insertPostsIn(
  trx: Kysely<Database>,
  posts: readonly NewPost[],
  now: string,
): Promise<InsertedPost[]> {
  const authorIds = await upsertAuthors(trx, posts, now);
  const inserted: InsertedPost[] = [];
  const newPostsByAuthor = new Map<number, number>();
  const signals = new Map<number, SignalDelta>();
  const streamLinks: { post_id: number; stream_id: number }[] = [];
  const bySourceKey = new Map(posts.map((post) => [postKey(post.source, post.externalId), post]));
  for (let start = 0; start < posts.length; start += CHUNK) {
    const chunk = posts.slice(start, start + CHUNK);
    const rows = await trx
      .insertInto('posts')
      .values(chunk.map((post) => toRow(post, authorIds.get(authorKey(post.source, post.author.handle))!, now)))
      .onConflict((oc) => oc.columns(['source', 'external_id']).doNothing())
      .returning(['id', 'source', 'external_id'])
      .execute();
    const bySourceId = new Map(chunk.map((post) => [postKey(post.source, post.externalId), post]));
    for (const row of rows) {
      inserted.push({ id: row.id, source: row.source, externalId: row.external_id });
      const post = bySourceId.get(postKey(row.source, row.external_id))!;
      const authorId = authorIds.get(authorKey(post.source, post.author.handle))!;
      newPostsByAuthor.set(authorId, (newPostsByAuthor.get(authorId) ?? 0) + 1);
      addSignals(signals, authorId, post);
      for (const streamId of post.streamIds) streamLinks.push({ post_id: row.id, stream_id: streamId });
    }
  }
  for (let start = 0; start < streamLinks.length; start += CHUNK) {
    await trx
      .insertInto('post_streams')
      .values(streamLinks.slice(start, start + CHUNK))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  const stored = inserted.map((row) => bySourceKey.get(postKey(row.source, row.externalId))!);
  await addToRollups(trx, stored);
  await addToSourceRollups(trx, stored);
  await countRepeatedLinks(trx, signals, now);
  // Authors in id order: two writers updating the same authors lock them in one order, never in a circle.
  for (const [authorId, count] of [...newPostsByAuthor].sort(([a], [b]) => a - b)) {
    // The author signals ride on the post_count update: still one statement per author.
    const d = signals.get(authorId)!;
    await trx
      .updateTable('authors')
      .set((eb) => ({
        post_count: eb('post_count', '+', count),
        likes_total: eb('likes_total', '+', d.likes),
        reposts_total: eb('reposts_total', '+', d.reposts),
        replies_total: eb('replies_total', '+', d.replies),
        link_posts: eb('link_posts', '+', d.linkPosts),
        repeated_link_posts: eb('repeated_link_posts', '+', d.repeatedLinkPosts),
        spam_posts: eb('spam_posts', '+', d.spamPosts),
      }))
      .where('id', '=', authorId)
      .execute();
  }
  return inserted;
}

/** What a batch adds to one author's running sums (see src/analysis/influence.ts). */
interface SignalDelta {
  likes: number;
  reposts: number;
  replies: number;
  linkPosts: number;
  repeatedLinkPosts: number;
  spamPosts: number;
  /** Link → posts in this batch that carry it. */
  readonly links: Map<string, number>;
}

function addSignals(signals: Map<number, SignalDelta>, authorId: number, post: NewPost): void {
  let d = signals.get(authorId);
  if (!d) {
    d = { likes: 0, reposts: 0, replies: 0, linkPosts: 0, repeatedLinkPosts: 0, spamPosts: 0, links: new Map() };
    signals.set(authorId, d);
  }
  d.likes += post.metrics.likes;
  d.reposts += post.metrics.reposts;
  d.replies += post.metrics.replies;
  if (post.kind === 'spam') d.spamPosts += 1;
  const link = linkOf(post.text);
  if (link !== null) {
    d.linkPosts += 1;
    d.links.set(link, (d.links.get(link) ?? 0) + 1);
  }
}

/**
 * Counts each (author, link) in `author_links` and sets `repeatedLinkPosts`: the posts in this
 * batch whose link the author had already posted (before, or earlier in the batch).
 */
async function countRepeatedLinks(
  trx: Kysely<Database>,
  signals: Map<number, SignalDelta>,
  now: string,
): Promise<void> {
  const rows: { author_id: number; link: string; count: number; last_seen_at: string }[] = [];
  for (const [authorId, d] of signals)
    for (const [link, count] of d.links) rows.push({ author_id: authorId, link, count, last_seen_at: now });
  // One fixed order for the upserted rows: concurrent batches then never wait on each other in a circle.
  rows.sort((a, b) => a.author_id - b.author_id || (a.link < b.link ? -1 : a.link > b.link ? 1 : 0));
  for (let start = 0; start < rows.length; start += CHUNK) {
    const chunk = rows.slice(start, start + CHUNK);
    const added = new Map(chunk.map((row) => [`${row.author_id}\u0000${row.link}`, row.count]));
    const totals = await trx
      .insertInto('author_links')
      .values(chunk)
      .onConflict((oc) =>
        oc.columns(['author_id', 'link']).doUpdateSet((eb) => ({
          count: eb('author_links.count', '+', eb.ref('excluded.count')),
          last_seen_at: eb.ref('excluded.last_seen_at'),
        })),
      )
      .returning(['author_id', 'link', 'count'])
      .execute();
    for (const total of totals) {
      const n = added.get(`${total.author_id}\u0000${total.link}`) ?? 0;
      // Of the `count` posts with this link so far, all but the first are repeats; before this batch `count − n − 1` were.
      const repeatsBefore = Math.max(0, total.count - n - 1);
      signals.get(total.author_id)!.repeatedLinkPosts += total.count - 1 - repeatsBefore;
    }
  }
}

/** The first link in a post, as "the same link" is meant: host without www, path, no query. */
export function linkOf(text: string): string | null {
  const at = text.indexOf('http');
  if (at === -1) return null;
  const match = /https?:\/\/([^\s/?#]+)([^\s?#]*)/i.exec(text.slice(at, at + 2048));
  if (!match) return null;
  const host = match[1]!.toLowerCase().replace(/^www\./, '');
  const path = match[2]!.replace(/[).,!]+$/, '').replace(/\/$/, '');
  return `${host}${path}`.slice(0, 500);
}

/** Which of these (source, external id) pairs are already stored, by `postKey`. */
export async function existingPostKeys(
  db: Kysely<Database>,
  keys: readonly { source: string; externalId: string }[],
): Promise<Set<string>> {
  const found = new Set<string>();
  const bySource = new Map<string, string[]>();
  for (const key of keys) {
    const ids = bySource.get(key.source) ?? [];
    ids.push(key.externalId);
    bySource.set(key.source, ids);
  }
  for (const [source, ids] of bySource) {
    for (let start = 0; start < ids.length; start += CHUNK) {
      const rows = await db
        .selectFrom('posts')
        .select('external_id')
        .where('source', '=', source)
        .where('external_id', 'in', ids.slice(start, start + CHUNK))
        .execute();
      for (const row of rows) found.add(postKey(source, row.external_id));
    }
  }
  return found;
}

export async function getPost(db: Kysely<Database>, id: number): Promise<Post | undefined> {
  const row = await db.selectFrom('posts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  return (await withStreamIds(db, [row]))[0];
}

export async function getPostsByIds(db: Kysely<Database>, ids: readonly number[]): Promise<Post[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('posts')
    .selectAll()
    .where('id', 'in', [...ids])
    .orderBy('id', 'desc')
    .execute();
  return withStreamIds(db, rows);
}

export async function countPosts(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('posts')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return toCount(row.n);
}

export interface PostStats {
  readonly since: string;
  readonly until: string;
  readonly total: number;
  readonly bySentiment: Record<Sentiment, number>;
  readonly byKind: Record<string, number>;
  /** Negative posts per positive post; null when there are no positive posts. */
  readonly negativePositiveRatio: number | null;
  /** Volume per time bucket and sentiment, oldest first. */
  readonly series: { bucket: string; negative: number; neutral: number; positive: number }[];
}

/** Counts by sentiment and kind between two instants (by the post's own time), from the rollups. */
export async function postStats(
  db: Kysely<Database>,
  options: { since: string; until: string; streamId?: number; bucket: 'minute' | 'hour' | 'day' },
): Promise<PostStats> {
  const counts = await countWindow(db, options);
  const bySentiment: Record<Sentiment, number> = { negative: 0, neutral: 0, positive: 0 };
  const byKind: Record<string, number> = {};
  const buckets = new Map<string, { bucket: string; negative: number; neutral: number; positive: number }>();
  for (const { bucket, sentiment, kind, n } of counts) {
    if (n === 0 || !(sentiment in bySentiment)) continue;
    bySentiment[sentiment] += n;
    byKind[kind] = (byKind[kind] ?? 0) + n;
    const entry = buckets.get(bucket) ?? { bucket, negative: 0, neutral: 0, positive: 0 };
    entry[sentiment] += n;
    buckets.set(bucket, entry);
  }
  const total = bySentiment.negative + bySentiment.neutral + bySentiment.positive;
  return {
    since: options.since,
    until: options.until,
    total,
    bySentiment,
    byKind,
    negativePositiveRatio: bySentiment.positive === 0 ? null : bySentiment.negative / bySentiment.positive,
    series: [...buckets.values()].sort((a, b) => (a.bucket < b.bucket ? -1 : 1)),
  };
}

async function upsertAuthors(
  trx: Kysely<Database>,
  posts: readonly NewPost[],
  now: string,
): Promise<Map<string, number>> {
  const latest = new Map<string, NewPost>();
  for (const post of posts) latest.set(authorKey(post.source, post.author.handle), post);
  const ids = new Map<string, number>();
  // Upserted in (source, handle) order: PostgreSQL locks the rows in VALUES order, and two batches
  // sharing authors in different orders deadlocked ("deadlock detected" under concurrent ingest).
  const unique = [...latest.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, post]) => post);
  for (let start = 0; start < unique.length; start += CHUNK) {
    const rows = await trx
      .insertInto('authors')
      .values(
        unique.slice(start, start + CHUNK).map((post) => ({
          source: post.source,
          handle: post.author.handle,
          name: post.author.name,
          followers: post.author.followers,
          following: post.author.following,
          account_created_at: post.author.createdAt ?? null,
          first_seen_at: now,
          last_seen_at: now,
          post_count: 0,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['source', 'handle']).doUpdateSet((eb) => ({
          name: eb.fn.coalesce(eb.ref('excluded.name'), eb.ref('authors.name')),
          followers: eb.fn.coalesce(eb.ref('excluded.followers'), eb.ref('authors.followers')),
          following: eb.fn.coalesce(eb.ref('excluded.following'), eb.ref('authors.following')),
          account_created_at: eb.fn.coalesce(
            eb.ref('excluded.account_created_at'),
            eb.ref('authors.account_created_at'),
          ),
          last_seen_at: eb.ref('excluded.last_seen_at'),
        })),
      )
      .returning(['id', 'source', 'handle'])
      .execute();
    for (const row of rows) ids.set(authorKey(row.source, row.handle), row.id);
  }
  return ids;
}

function toRow(post: NewPost, authorId: number, now: string) {
  return {
    source: post.source,
    external_id: post.externalId,
    author_id: authorId,
    author_handle: post.author.handle,
    text: post.text,
    url: post.url,
    created_at: post.createdAt,
    ingested_at: now,
    in_reply_to: post.inReplyTo,
    likes: post.metrics.likes,
    reposts: post.metrics.reposts,
    replies: post.metrics.replies,
    sentiment: post.sentiment,
    sentiment_score: post.sentimentScore,
    kind: post.kind,
    kind_confidence: post.kindConfidence ?? null,
    second_kind: post.secondKind ?? null,
    second_kind_confidence: post.secondKindConfidence ?? null,
    lang: post.lang,
    models: toJson(post.models),
    extra: toJson(post.extra),
    flags: toJson(post.flags ?? []),
  };
}

/** Rows as posts: their streams and author joined in two queries for the whole page. */
export async function withStreamIds(db: Kysely<Database>, rows: Selectable<PostsTable>[]): Promise<Post[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const [links, authors] = await Promise.all([
    db.selectFrom('post_streams').select(['post_id', 'stream_id']).where('post_id', 'in', ids).execute(),
    db
      .selectFrom('authors')
      .selectAll()
      .where('id', 'in', [...new Set(rows.map((row) => row.author_id))])
      .execute(),
  ]);
  const streams = new Map<number, number[]>();
  for (const link of links) streams.set(link.post_id, [...(streams.get(link.post_id) ?? []), link.stream_id]);
  const byAuthor = new Map(authors.map((author) => [author.id, author]));
  return rows.map((row) => {
    const author = byAuthor.get(row.author_id);
    return {
      id: row.id,
      source: row.source,
      externalId: row.external_id,
      author: {
        handle: row.author_handle,
        name: author?.name ?? null,
        followers: author?.followers ?? null,
        following: author?.following ?? null,
        createdAt: author?.account_created_at ?? null,
        ...(author ? { signals: authorSignals(author) } : {}),
      },
      text: row.text,
      url: row.url,
      createdAt: row.created_at,
      ingestedAt: row.ingested_at,
      inReplyTo: row.in_reply_to,
      metrics: { likes: row.likes, reposts: row.reposts, replies: row.replies },
      sentiment: row.sentiment,
      sentimentScore: row.sentiment_score,
      kind: row.kind,
      ...(row.kind_confidence !== null ? { kindConfidence: row.kind_confidence } : {}),
      ...(row.second_kind !== null
        ? { secondKind: row.second_kind, secondKindConfidence: row.second_kind_confidence ?? 0 }
        : {}),
      lang: row.lang,
      models: fromJson(row.models, []),
      extra: fromJson(row.extra, {}),
      flags: fromJson(row.flags, []),
      streamIds: (streams.get(row.id) ?? []).sort((a, b) => a - b),
    };
  });
}

/** An author row's running sums, for `withInfluence` (src/analysis/influence.ts) to score at the reader's clock. */
function authorSignals(author: {
  followers: number | null;
  following: number | null;
  account_created_at: string | null;
  post_count: number;
  likes_total: number;
  reposts_total: number;
  replies_total: number;
  link_posts: number;
  repeated_link_posts: number;
  spam_posts: number;
}): AuthorSignals {
  return {
    followers: author.followers,
    following: author.following,
    accountCreatedAt: author.account_created_at,
    posts: Number(author.post_count),
    likes: Number(author.likes_total),
    reposts: Number(author.reposts_total),
    replies: Number(author.replies_total),
    linkPosts: Number(author.link_posts),
    repeatedLinkPosts: Number(author.repeated_link_posts),
    spamPosts: Number(author.spam_posts),
  };
}

/** An author's identity within the store: handles are unique per source. */
function authorKey(source: string, handle: string): string {
  return `${source}\u0000${handle}`;
}

/** The conversation around a post: the posts it replies to (up the chain) and replies to it. */
export async function threadOf(
  db: Kysely<Database>,
  post: Pick<Post, 'id' | 'source' | 'externalId' | 'inReplyTo'>,
  maxDepth = 10,
): Promise<Post[]> {
  const ids: number[] = [];
  let parent = post.inReplyTo;
  for (let depth = 0; parent !== null && depth < maxDepth; depth += 1) {
    const row = await db
      .selectFrom('posts')
      .select(['id', 'in_reply_to'])
      .where('source', '=', post.source)
      .where('external_id', '=', parent)
      .executeTakeFirst();
    if (!row) break;
    ids.push(row.id);
    parent = row.in_reply_to;
  }
  const replies = await db
    .selectFrom('posts')
    .select('id')
    .where('source', '=', post.source)
    .where('in_reply_to', '=', post.externalId)
    .orderBy('id')
    .limit(50)
    .execute();
  ids.push(...replies.map((row) => row.id));
  const posts = await getPostsByIds(
    db,
    ids.filter((id) => id !== post.id),
  );
  return posts.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id);
}
