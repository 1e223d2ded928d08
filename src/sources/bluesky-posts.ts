/**
 * Bluesky payloads → `PostDraft`s, and the Bluesky source's cursor. Payloads arrive in two
 * shapes: an AppView "post view" (search results, notifications: author profile, counts,
 * indexedAt) and a bare repo record (`listRecords` on a PDS: uri, cid and the record itself).
 * Both become the same draft; what a reply needs (uri, cid, the thread's root) goes in `extra`.
 * Anything that is not a usable post comes back as a reason string, to be counted as skipped.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { PostDraft } from '../domain/post.js';
import { jsonCursor } from './source.js';

export interface StrongRef {
  readonly uri: string;
  readonly cid: string;
}

export interface BlueskyAuthor {
  readonly did: string;
  readonly handle: string;
  readonly displayName?: string | null;
}

/** Where a post was found: decides nothing, kept for the desk's "via" label. */
export type BlueskyVia = 'search' | 'notification' | 'repo' | 'subscription';

/** An AppView post view or notification (the two share uri/cid/author/record/indexedAt). */
export function draftFromView(sourceName: string, view: unknown, via: BlueskyVia): PostDraft | string {
  if (!isObject(view)) return 'a post view that is not an object';
  const author = view.author;
  if (!isObject(author) || typeof author.did !== 'string' || typeof author.handle !== 'string')
    return `post ${String(view.uri)} has no author`;
  const metrics = {
    likes: count(view.likeCount),
    reposts: count(view.repostCount),
    replies: count(view.replyCount),
  };
  return draftFromRecord(
    sourceName,
    { uri: view.uri, cid: view.cid, record: view.record, indexedAt: view.indexedAt },
    {
      author: {
        did: author.did,
        handle: author.handle,
        displayName: typeof author.displayName === 'string' ? author.displayName : null,
      },
      metrics,
      via,
    },
  );
}

/** A repo record (`listRecords`/`getRecord`: uri, cid, value) of a known author. */
export function draftFromRepoRecord(sourceName: string, entry: unknown, author: BlueskyAuthor): PostDraft | string {
  if (!isObject(entry)) return 'a repo record that is not an object';
  return draftFromRecord(
    sourceName,
    { uri: entry.uri, cid: entry.cid, record: entry.value, indexedAt: undefined },
    {
      author,
      metrics: { likes: 0, reposts: 0, replies: 0 },
      via: 'repo',
    },
  );
}

/** A post record from the repo event stream (firehose or Jetstream), its author looked up apart. */
export function draftFromStreamed(
  sourceName: string,
  post: { readonly uri: string; readonly cid: string; readonly record: unknown },
  author: BlueskyAuthor,
): PostDraft | string {
  return draftFromRecord(
    sourceName,
    { uri: post.uri, cid: post.cid, record: post.record, indexedAt: undefined },
    { author, metrics: { likes: 0, reposts: 0, replies: 0 }, via: 'subscription' },
  );
}

function draftFromRecord(
  sourceName: string,
  raw: { uri: unknown; cid: unknown; record: unknown; indexedAt: unknown },
  meta: { author: BlueskyAuthor; metrics: PostDraft['metrics']; via: BlueskyVia },
): PostDraft | string {
  const uri = parseAtUri(raw.uri);
  if (!uri || typeof raw.cid !== 'string')
    return `a post without a valid at:// uri and cid (${String(raw.uri).slice(0, 80)})`;
  if (uri.collection !== 'app.bsky.feed.post') return `${uri.collection} is not a post`;
  const record = raw.record;
  if (!isObject(record) || typeof record.text !== 'string') return `post ${uri.href} has no text`;
  const created = typeof record.createdAt === 'string' ? Date.parse(record.createdAt) : NaN;
  const indexed = typeof raw.indexedAt === 'string' ? Date.parse(raw.indexedAt) : NaN;
  const at = Number.isNaN(created) ? indexed : created;
  if (Number.isNaN(at)) return `post ${uri.href} has no valid createdAt`;
  const reply = replyRefs(record.reply);
  const { author } = meta;
  return {
    source: sourceName,
    externalId: uri.href,
    author: { handle: `@${author.handle}`, name: author.displayName || null, followers: null, following: null },
    text: record.text,
    url: postUrl(author.handle === 'handle.invalid' ? author.did : author.handle, uri.rkey),
    createdAt: new Date(at).toISOString(),
    inReplyTo: reply?.parent.uri ?? null,
    metrics: meta.metrics,
    extra: {
      uri: uri.href,
      cid: raw.cid,
      did: author.did,
      reply,
      langs: Array.isArray(record.langs) ? record.langs.filter((lang) => typeof lang === 'string') : [],
      indexedAt: typeof raw.indexedAt === 'string' ? raw.indexedAt : null,
      via: meta.via,
    },
  };
}

export function postUrl(actor: string, rkey: string): string {
  return `https://bsky.app/profile/${actor}/post/${rkey}`;
}

export function parseAtUri(value: unknown): { href: string; repo: string; collection: string; rkey: string } | null {
  if (typeof value !== 'string') return null;
  const match = /^at:\/\/([^/]+)\/([a-zA-Z0-9.-]+)\/([A-Za-z0-9._:~-]{1,512})$/.exec(value);
  if (!match) return null;
  return { href: value, repo: match[1]!, collection: match[2]!, rkey: match[3]! };
}

/** `{ root, parent }` of a reply record, or null when the post starts a thread (or the refs are broken). */
export function replyRefs(value: unknown): { root: StrongRef; parent: StrongRef } | null {
  if (!isObject(value)) return null;
  const root = strongRef(value.root);
  const parent = strongRef(value.parent);
  return root && parent ? { root, parent } : null;
}

export function strongRef(value: unknown): StrongRef | null {
  if (!isObject(value) || typeof value.cid !== 'string' || !parseAtUri(value.uri)) return null;
  return { uri: value.uri as string, cid: value.cid };
}

// --- cursor -------------------------------------------------------------------------------

/**
 * Per-feed positions plus the URIs handed over lately. Positions make a restart resume where it
 * stopped (nothing lost); the seen set makes overlap between feeds, or a page re-read at a
 * position boundary, harmless (nothing doubled). Bounded so the cursor stays small.
 */
export const BlueskyCursor = Type.Object({
  v: Type.Literal(1),
  /** Search query → newest indexedAt handed over. */
  searches: Type.Record(Type.String(), Type.String()),
  /** Newest notification indexedAt handed over. */
  notifications: Type.Union([Type.String(), Type.Null()]),
  /** Watched repo DID → newest record key handed over. */
  repos: Type.Record(Type.String(), Type.String()),
  seen: Type.Array(Type.String()),
  /**
   * The repo event stream subscribed to and its position there (the firehose `seq`, Jetstream's
   * `time_us`): a restart asks that stream to replay from it. Cursors saved before had none.
   */
  stream: Type.Optional(Type.Object({ url: Type.String(), position: Type.Number() })),
});
export type BlueskyCursor = Static<typeof BlueskyCursor>;
export const BLUESKY_CURSOR = jsonCursor(BlueskyCursor);

export const SEEN_LIMIT = 2000;

export function emptyCursor(): BlueskyCursor {
  return { v: 1, searches: {}, notifications: null, repos: {}, seen: [] };
}

export function remember(cursor: BlueskyCursor, uris: readonly string[]): void {
  cursor.seen.push(...uris);
  if (cursor.seen.length > SEEN_LIMIT) cursor.seen.splice(0, cursor.seen.length - SEEN_LIMIT);
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
