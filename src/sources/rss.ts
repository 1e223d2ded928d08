/**
 * RSS and Atom feeds (blogs, forums, review sites, status pages) as a source. Each feed is
 * polled on its own interval with a conditional GET (ETag / Last-Modified: a 304 costs
 * nothing), through the SSRF guard, with a body size cap; `@rowanmanning/feed-parser` parses
 * it. The source only polls: the supervisor calls it on the shortest feed interval and saves
 * its cursor, which keeps, per feed, the validators and the ids of the most recent items, so a
 * restart neither loses nor doubles a post. A feed that fails to fetch or parse is reported
 * and retried on its next turn; the other feeds carry on.
 */
import { createRequire } from 'node:module';
import { Type, type Static } from '@sinclair/typebox';
import type { PostDraft } from '../domain/post.js';
import {
  jsonCursor,
  type PollContext,
  type PollResult,
  type Source,
  type SourceContext,
  type SourceDefinition,
  type SourceEnvironment,
} from './source.js';
import { sourceCapabilities } from '../domain/source.js';
import { checkResponse, DEFAULT_RETRY, withRetry, type RetryPolicy } from './retry.js';
import { guardedFetch, type Resolver, redactUrl } from './ssrf.js';
import { htmlToText } from './html-text.js';
import { fnv1a } from '../domain/hash.js';
import { EarshotError } from '../domain/errors.js';

export interface FeedOptions {
  readonly url: string;
  /** Seconds between polls of this feed; defaults to the source's `intervalSeconds`. */
  readonly intervalSeconds?: number;
}

export interface RssOptions {
  readonly feeds: readonly FeedOptions[];
  readonly intervalSeconds?: number;
  /** Bodies larger than this are refused (a feed is not a download). */
  readonly maxBodyBytes?: number;
}

/** What tests and embedders may tune; the admin's options stay the TypeBox ones. */
export interface RssTuning {
  readonly retry?: RetryPolicy;
  readonly resolve?: Resolver;
  /** How many recent item ids each feed remembers. */
  readonly seenPerFeed?: number;
  /** Feeds fetched at once. */
  readonly concurrency?: number;
  readonly timeoutMs?: number;
}

export type FeedPollOutcome =
  | { readonly url: string; readonly status: 'new'; readonly items: number; readonly emitted: number }
  | { readonly url: string; readonly status: 'not-modified' }
  | { readonly url: string; readonly status: 'failed'; readonly reason: string };

export interface RssPollResult extends PollResult<RssCursor> {
  /** Each feed's outcome, in the order of the options. */
  readonly outcomes: readonly FeedPollOutcome[];
}

export interface RssSource extends Source<RssCursor> {
  poll(cursor: RssCursor | null, context: PollContext): Promise<RssPollResult>;
}

/** Per feed: the validators of the last answer and the ids of the most recent items. */
const FeedCursor = Type.Object({
  etag: Type.Union([Type.String(), Type.Null()]),
  lastModified: Type.Union([Type.String(), Type.Null()]),
  seen: Type.Array(Type.String()),
});
type FeedCursor = Static<typeof FeedCursor>;
const RssCursor = Type.Object({ v: Type.Literal(1), feeds: Type.Record(Type.String(), FeedCursor) });
export type RssCursor = Static<typeof RssCursor>;
const RSS_CURSOR = jsonCursor(RssCursor);

/** The narrow part of @rowanmanning/feed-parser that Earshot uses (the package ships no root typings). */
interface ParsedAuthor {
  readonly name: string | null;
  readonly email: string | null;
  readonly url: string | null;
}
interface ParsedItem {
  readonly id: string | null;
  readonly title: string | null;
  readonly description: string | null;
  readonly content: string | null;
  readonly url: string | null;
  readonly published: Date | null;
  readonly updated: Date | null;
  readonly authors: ParsedAuthor[];
  readonly categories: { readonly label: string | null; readonly term: string | null }[];
}
interface ParsedFeed {
  readonly title: string | null;
  readonly url: string | null;
  readonly items: ParsedItem[];
}
const { parseFeed } = createRequire(import.meta.url)('@rowanmanning/feed-parser') as {
  parseFeed(xml: string): ParsedFeed;
};

export const DEFAULT_INTERVAL_SECONDS = 300;
export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;
const DEFAULT_SEEN_PER_FEED = 1000;

export function createRssSource(options: RssOptions, env: SourceEnvironment, tuning: RssTuning = {}): RssSource {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const seenPerFeed = tuning.seenPerFeed ?? DEFAULT_SEEN_PER_FEED;
  const concurrency = tuning.concurrency ?? 4;
  const everyMs = (feed: FeedOptions) =>
    (feed.intervalSeconds ?? options.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS) * 1000;
  // The supervisor calls on the shortest interval; each feed is read when its own is due.
  const tickMs = Math.min(...options.feeds.map(everyMs));
  const polledAt = new Map<string, number>();

  async function pollFeed(
    feed: FeedOptions,
    previous: FeedCursor,
    ctx: SourceContext,
  ): Promise<{ outcome: FeedPollOutcome; drafts: PostDraft[]; next: FeedCursor }> {
    try {
      const fetched = await fetchFeed(feed.url, previous, ctx);
      if (fetched === 'not-modified')
        return { outcome: { url: feed.url, status: 'not-modified' }, drafts: [], next: previous };
      let parsed: ParsedFeed;
      try {
        parsed = parseFeed(fetched.text);
      } catch (error) {
        throw new Error(`not a valid RSS or Atom feed (${(error as Error).message})`);
      }
      const seen = new Set(previous.seen);
      const drafts: PostDraft[] = [];
      const current: string[] = [];
      const textById = new Map<string, string>();
      for (const item of parsed.items) {
        const draft = itemToDraft(item, parsed, feed.url, env.name, ctx.clock);
        if (!draft) {
          ctx.reportSkipped?.(`${redactUrl(feed.url)}: an item with no id, link, title or content`);
          continue;
        }
        // Two different items under one id (a shared link used as id) are both kept, told apart
        // by a hash of their text that is the same on every poll; true repeats are dropped.
        let post = draft;
        if (textById.has(post.externalId)) {
          if (textById.get(post.externalId) === post.text) continue;
          post = { ...post, externalId: `${post.externalId}#${fnv1a(post.text).toString(16)}` };
          if (textById.has(post.externalId)) continue;
        }
        textById.set(post.externalId, post.text);
        current.push(post.externalId);
        if (!seen.has(post.externalId)) drafts.push(post);
      }
      // Feeds list newest first; the pipeline gets them in the order they were written.
      drafts.reverse();
      const next: FeedCursor = {
        etag: fetched.etag,
        lastModified: fetched.lastModified,
        seen: [...new Set([...current, ...previous.seen])].slice(0, Math.max(seenPerFeed, current.length)),
      };
      return { outcome: { url: feed.url, status: 'new', items: current.length, emitted: drafts.length }, drafts, next };
    } catch (error) {
      // A feed that could not be read is an error of this source (counted by the host), not a skipped item.
      // fetch says only "fetch failed"; its cause (ECONNREFUSED, a reset) is what an admin needs to read.
      const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
      const reason =
        (error instanceof Error ? error.message : String(error)) +
        (cause ? ` (${cause.code ?? cause.message ?? 'unknown cause'})` : '');
      ctx.log.warn(`feeds ${env.name}: ${redactUrl(feed.url)}: ${reason}`);
      return { outcome: { url: feed.url, status: 'failed', reason }, drafts: [], next: previous };
    }
  }

  async function fetchFeed(
    url: string,
    previous: FeedCursor,
    ctx: SourceContext,
  ): Promise<'not-modified' | { text: string; etag: string | null; lastModified: string | null }> {
    const headers: Record<string, string> = {
      accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1',
      'user-agent': 'Earshot feed reader',
    };
    if (previous.etag) headers['if-none-match'] = previous.etag;
    if (previous.lastModified) headers['if-modified-since'] = previous.lastModified;
    const policy: RetryPolicy = {
      ...(tuning.retry ?? DEFAULT_RETRY),
      onRetry: (info) => {
        ctx.reportStatus?.('backing-off', `${redactUrl(url)}: ${info.reason}`);
        tuning.retry?.onRetry?.(info);
      },
    };
    return withRetry(async () => {
      const { response } = await guardedFetch(
        url,
        { headers, signal: AbortSignal.timeout(tuning.timeoutMs ?? 30_000) },
        {
          fetch: env.fetch,
          allowPrivateNetwork: env.allowPrivateNetwork,
          allowedPrivateHosts: env.allowedPrivateHosts,
          ...(tuning.resolve ? { resolve: tuning.resolve } : {}),
        },
      );
      if (response.status === 304) {
        await response.body?.cancel();
        return 'not-modified' as const;
      }
      await checkResponse(response, `GET ${redactUrl(url)}`, env.clock().getTime());
      const bytes = await readCapped(response, maxBodyBytes);
      return {
        text: decode(bytes, response.headers.get('content-type')),
        etag: response.headers.get('etag'),
        lastModified: response.headers.get('last-modified'),
      };
    }, policy);
  }

  return {
    kind: 'rss',
    capabilities: RSS_CAPABILITIES,
    cursor: RSS_CURSOR,
    pollIntervalMs: tickMs,
    /** Reads the feeds that are due (all of them unless the schedule asks), a few at a time. */
    async poll(cursor, ctx) {
      const previous = cursor?.feeds ?? {};
      const now = Date.now();
      // Half a tick of slack, so a feed on the shortest interval is not pushed to the next tick by timer jitter.
      const due = options.feeds.filter(
        (feed) => !ctx.scheduled || now - (polledAt.get(feed.url) ?? -Infinity) + tickMs / 2 >= everyMs(feed),
      );
      const results: Awaited<ReturnType<typeof pollFeed>>[] = new Array(due.length);
      let next = 0;
      const worker = async () => {
        while (next < due.length) {
          const index = next++;
          const feed = due[index]!;
          polledAt.set(feed.url, Date.now());
          results[index] = await pollFeed(
            feed,
            previous[feed.url] ?? { etag: null, lastModified: null, seen: [] },
            ctx,
          );
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, due.length) }, worker));
      const outcomes = results.map((result) => result.outcome);
      const failures = outcomes.flatMap((outcome) =>
        outcome.status === 'failed' ? [`${redactUrl(outcome.url)}: ${outcome.reason}`] : [],
      );
      // Every feed due failed: the poll failed, and the host waits longer before the next one.
      if (failures.length > 0 && failures.length === outcomes.length) throw new Error(failures.join('; '));
      ctx.reportStatus?.(
        'polling',
        failures.length ? `${failures.length} of ${outcomes.length} feeds failed` : undefined,
      );
      const feeds = { ...previous };
      for (const [index, result] of results.entries()) feeds[due[index]!.url] = result.next;
      return { drafts: results.flatMap((result) => result.drafts), next: { v: 1, feeds }, outcomes, failures };
    },
  };
}

/** One feed item as a post; null when it has nothing to identify or say. */
export function itemToDraft(
  item: ParsedItem,
  feed: ParsedFeed,
  feedUrl: string,
  source: string,
  clock: () => Date,
): PostDraft | null {
  const title = item.title ? htmlToText(item.title) : '';
  const body = htmlToText(item.content ?? item.description ?? '');
  const rawId = item.id ?? item.url ?? (title || body ? `hash:${fnv1a(`${title}\n${body}`).toString(16)}` : null);
  if (!rawId) return null;
  // A guid like "42" is unique only within its feed; URLs and URNs are unique anywhere.
  const externalId = /^[a-z][a-z0-9+.-]*:/i.test(rawId) && !rawId.startsWith('hash:') ? rawId : `${feedUrl}#${rawId}`;
  const host = safeHost(feed.url ?? feedUrl);
  const author = item.authors[0] ?? null;
  const authorName = author?.name ?? null;
  const text = [title, body && body !== title ? body : ''].filter(Boolean).join('\n\n');
  const at = item.published ?? item.updated;
  return {
    source,
    externalId,
    author: {
      handle: authorName ? `${authorName}@${host}` : host,
      name: authorName ?? feed.title ?? host,
      followers: null,
      following: null,
    },
    text,
    // A permalink guid with no <link> is the item's address (feedparser reads it the same way).
    url: item.url ?? (item.id && /^https?:\/\//i.test(item.id) ? item.id : null),
    createdAt: (at && !Number.isNaN(at.getTime()) ? at : clock()).toISOString(),
    inReplyTo: null,
    metrics: { likes: 0, reposts: 0, replies: 0 },
    extra: {
      feedUrl,
      feedTitle: feed.title,
      itemId: item.id,
      ...(item.updated ? { updatedAt: item.updated.toISOString() } : {}),
      categories: item.categories.map((category) => category.label ?? category.term).filter(Boolean),
    },
  };
}

async function readCapped(response: Response, limit: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > limit) {
    await response.body?.cancel();
    throw new Error(`the feed is larger than ${limit} bytes`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    if (size > limit) throw new Error(`the feed is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Bytes as text: the BOM, then Content-Type's charset, then the XML declaration, then UTF-8. */
export function decode(bytes: Uint8Array, contentType: string | null): string {
  const bom =
    bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf
      ? 'utf-8'
      : bytes[0] === 0xff && bytes[1] === 0xfe
        ? 'utf-16le'
        : bytes[0] === 0xfe && bytes[1] === 0xff
          ? 'utf-16be'
          : null;
  const header = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType ?? '')?.[1] ?? null;
  const declared =
    /^<\?xml[^>]*encoding\s*=\s*["']([\w.:-]+)["']/i.exec(
      Buffer.from(bytes.subarray(0, 200)).toString('latin1'),
    )?.[1] ?? null;
  for (const label of [bom, header, declared, 'utf-8']) {
    if (!label) continue;
    try {
      return new TextDecoder(label).decode(bytes);
    } catch {
      // an unknown label: try the next clue
    }
  }
  return new TextDecoder('utf-8').decode(bytes);
}

function safeHost(url: string): string {
  try {
    return new URL(url).host || 'feed';
  } catch {
    return 'feed';
  }
}

const RSS_OPTIONS = Type.Object(
  {
    feeds: Type.Array(
      Type.Object(
        {
          url: Type.String({ pattern: '^https?://', minLength: 8, maxLength: 2000 }),
          intervalSeconds: Type.Optional(Type.Integer({ minimum: 30, maximum: 86_400 })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 500 },
    ),
    intervalSeconds: Type.Optional(Type.Integer({ minimum: 30, maximum: 86_400 })),
    maxBodyBytes: Type.Optional(Type.Integer({ minimum: 1024, maximum: 50 * 1024 * 1024 })),
  },
  { additionalProperties: false },
);

/** Feeds are read-only: a source of this kind takes no replies. */
export const RSS_CAPABILITIES = sourceCapabilities({});

export const rssSourceDefinition = {
  capabilities: RSS_CAPABILITIES,
  kind: 'rss',
  label: 'RSS / Atom feeds',
  description: 'Blogs, forums, review sites and status pages, polled with conditional GET.',
  options: RSS_OPTIONS,
  secrets: [],
  create: (options: RssOptions, environment: SourceEnvironment) => createRssSource(options, environment),
  async check(options: RssOptions, environment: SourceEnvironment) {
    // Fetch and parse the first feed, without remembering anything.
    const probe = createRssSource({ ...options, feeds: options.feeds.slice(0, 1) }, environment, {
      // One quick second try: a pooled keep-alive connection the server has just closed fails
      // once (UND_ERR_SOCKET) though the feed is fine; a check must not refuse a source for that.
      retry: { ...DEFAULT_RETRY, attempts: 2, baseDelayMs: 100, maxDelayMs: 200 },
    });
    let failure: string | null = null;
    const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
    try {
      await probe.poll(null, {
        scheduled: false,
        reportSkipped: (reason) => (failure ??= reason),
        log: quiet,
        clock: environment.clock,
      });
    } catch (error) {
      // The one feed probed could not be read.
      failure = (error as Error).message;
    }
    if (failure) throw new EarshotError('ERR_SOURCE_CHECK_FAILED', { name: environment.name, detail: failure });
  },
} satisfies SourceDefinition<typeof RSS_OPTIONS>;
