/**
 * The ingest pipeline: normalize → dedupe → analyze → route → store, over a batch.
 * A batch is stored in chunks of `STORE_CHUNK` posts, yielding to the event loop between them so
 * the API keeps answering during a 50,000-post import. Each chunk's posts and the tickets they
 * raise are written in one transaction, so a crash leaves a chunk either whole or absent, and a
 * re-run stores exactly what is missing.
 *
 * What was stored is published with `bus.enqueue`: the watches and the live view handle it after
 * the pipeline has moved on, in order, batched, never awaited per publish. `settled()` waits
 * for them (the CLI before it exits, tests before they look at alerts).
 */
import { postKey, type Post, type PostDraft } from '../domain/post.js';
import type { Stream } from '../domain/stream.js';
import type { Ticket } from '../domain/ticket.js';
import { isEarshotError } from '../domain/errors.js';
import type { Analyzer } from '../analysis/analyzer.js';
import type { Store } from '../store/open.js';
import { existingPostKeys, insertPostsIn } from '../store/posts.js';
import { listStreams } from '../store/streams.js';
import { listCalendars } from '../store/calendars.js';
import { sourceKinds } from '../store/sources.js';
import type { Bus } from './bus.js';
import { normalizePost } from './normalize.js';
import { dedupe } from './dedupe.js';
import { analyze } from './analyze.js';
import { TimeSlice } from './time-slice.js';
import { setImmediate } from 'node:timers/promises';
import { compileStreams, route, type CompiledStream } from './route.js';
import { ticketsForPostsIn } from './conversation.js';

export interface RawItem {
  readonly value: unknown;
  /** Where it came from, for error reports: an NDJSON line number. */
  readonly line?: number;
}

export interface Rejection {
  readonly line: number | null;
  readonly index: number;
  readonly code: string;
  readonly message: string;
}

export interface IngestResult {
  readonly read: number;
  readonly new: number;
  readonly duplicate: number;
  readonly rejected: Rejection[];
  readonly posts: Post[];
  readonly tickets: Ticket[];
  /**
   * Resolves once the bus subscribers (watches, live view, webhooks) have handled these posts and
   * tickets. The pipeline never waits for it; an API request that promises visible effects does.
   */
  readonly delivered: Promise<void>;
}

export interface PipelineOptions {
  readonly store: Store;
  readonly analyzer: Analyzer;
  readonly bus: Bus;
  readonly clock?: () => Date;
  readonly onStreamError?: (stream: Stream, error: unknown) => void;
}

/**
 * Posts stored per transaction, with a yield to the event loop between two. A SQLite write is
 * synchronous: 1,000 posts with their full-text rows and rollups held the event loop for about
 * 60 ms (a CPU profile of a 50,000-post import), 250 for about 15.
 */
export const STORE_CHUNK = 250;
/** Undelivered `posts.stored`/`tickets.created` messages before the pipeline waits for the subscribers. */
const MAX_QUEUED = 8;

export class IngestPipeline {
  readonly #options: PipelineOptions;
  #streams: Promise<CompiledStream[]> | null = null;
  readonly #unsubscribe: () => void;

  constructor(options: PipelineOptions) {
    this.#options = options;
    this.#unsubscribe = options.bus.subscribe('streams.changed', () => {
      this.#streams = null;
    });
  }

  /** Validates raw payloads and ingests the valid ones; invalid ones are reported, never stored. */
  async ingest(items: readonly RawItem[]): Promise<IngestResult> {
    const drafts: PostDraft[] = [];
    const rejected: Rejection[] = [];
    // A 50,000-post batch must not hold the event loop (and the API) for seconds.
    const slice = new TimeSlice();
    for (const [index, item] of items.entries()) {
      if (slice.due()) await slice.yield();
      try {
        drafts.push(normalizePost(item.value));
      } catch (error) {
        if (!isEarshotError(error)) throw error;
        rejected.push({ line: item.line ?? null, index, code: error.code, message: error.message });
      }
    }
    const result = await this.ingestDrafts(drafts);
    return { ...result, read: items.length, rejected };
  }

  /** Ingests posts that are already valid drafts (from a source adapter). */
  async ingestDrafts(drafts: readonly PostDraft[]): Promise<IngestResult> {
    if (drafts.length <= STORE_CHUNK) return this.#ingestChunk(drafts);
    const posts: Post[] = [];
    const tickets: Ticket[] = [];
    const delivered: Promise<void>[] = [];
    for (let start = 0; start < drafts.length; start += STORE_CHUNK) {
      if (start > 0) await setImmediate();
      const chunk = await this.#ingestChunk(drafts.slice(start, start + STORE_CHUNK));
      posts.push(...chunk.posts);
      tickets.push(...chunk.tickets);
      delivered.push(chunk.delivered);
    }
    return {
      read: drafts.length,
      new: posts.length,
      duplicate: drafts.length - posts.length,
      rejected: [],
      posts,
      tickets,
      delivered: Promise.all(delivered).then(() => {}),
    };
  }

  /** Resolves when the subscribers have handled everything this pipeline stored so far. */
  settled(): Promise<void> {
    return this.#options.bus.drain();
  }

  async #ingestChunk(drafts: readonly PostDraft[]): Promise<IngestResult> {
    const { store, analyzer, bus } = this.#options;
    const now = (this.#options.clock ?? (() => new Date()))();
    const nowIso = now.toISOString();
    const { fresh } = await dedupe(drafts, { existingKeys: (keys) => existingPostKeys(store.db, keys) });
    const [streams, channelOf] = await Promise.all([this.#compiledStreams(), sourceKinds(store.db)]);
    const routed = route(await analyze(fresh, analyzer), streams, now, channelOf);

    const { posts, tickets, joined } = await store.db.transaction().execute(async (trx) => {
      const inserted = await insertPostsIn(trx, routed, nowIso);
      // Another writer may have stored some of these meanwhile; only what we inserted counts.
      const byKey = new Map(routed.map((post) => [postKey(post.source, post.externalId), post]));
      const posts: Post[] = inserted.map((row) => {
        const post = byKey.get(postKey(row.source, row.externalId))!;
        const { ticket: _ticket, ...rest } = post;
        return { ...rest, id: row.id, ingestedAt: nowIso };
      });
      const stored = inserted.map((row) => ({ id: row.id, post: byKey.get(postKey(row.source, row.externalId))! }));
      const { created: tickets, joined } = await ticketsForPostsIn(trx, stored, nowIso);
      return { posts, tickets, joined };
    });

    const delivered = Promise.all([
      posts.length > 0 ? bus.enqueue('posts.stored', { posts }) : undefined,
      tickets.length > 0 ? bus.enqueue('tickets.created', { tickets }) : undefined,
      // A follow-up joined an existing ticket (re-opening it, perhaps): the desk shows it live.
      ...joined.map(({ ticket, event }) => bus.enqueue('tickets.updated', { ticket, event })),
    ]).then(() => {});
    // Bounded backlog: an import faster than its subscribers waits for them rather than queue without end.
    if (bus.queued() > MAX_QUEUED) await bus.drain();
    return {
      read: drafts.length,
      new: posts.length,
      duplicate: drafts.length - posts.length,
      rejected: [],
      posts,
      tickets,
      delivered,
    };
  }

  close(): void {
    this.#unsubscribe();
  }

  #compiledStreams(): Promise<CompiledStream[]> {
    const db = this.#options.store.db;
    this.#streams ??= Promise.all([listStreams(db), listCalendars(db)]).then(([streams, calendars]) =>
      compileStreams(
        streams,
        this.#options.onStreamError,
        new Map(calendars.map((calendar) => [calendar.id, calendar])),
      ),
    );
    return this.#streams;
  }
}
