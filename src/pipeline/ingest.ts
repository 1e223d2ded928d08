/**
 * The ingest pipeline: normalize → dedupe → analyze → route → store, over a batch.
 * Posts and the tickets they raise are written in one transaction, so a crash leaves the
 * batch either whole or absent, and a re-run stores exactly what is missing.
 */
import { postKey, type Post, type PostDraft } from '../domain/post.js';
import type { Stream } from '../domain/stream.js';
import type { Ticket } from '../domain/ticket.js';
import { isEarshotError } from '../domain/errors.js';
import type { Analyzer } from '../analysis/analyzer.js';
import type { Store } from '../store/open.js';
import { existingPostKeys, insertPostsIn } from '../store/posts.js';
import { listStreams } from '../store/streams.js';
import { sourceKinds } from '../store/sources.js';
import type { Bus } from './bus.js';
import { normalizePost } from './normalize.js';
import { dedupe } from './dedupe.js';
import { ANALYZE_SLICE, analyze } from './analyze.js';
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
}

export interface PipelineOptions {
  readonly store: Store;
  readonly analyzer: Analyzer;
  readonly bus: Bus;
  readonly clock?: () => Date;
  readonly onStreamError?: (stream: Stream, error: unknown) => void;
}

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
    for (const [index, item] of items.entries()) {
      // Yield now and then: a 50,000-post batch must not hold the event loop (and the API) for seconds.
      if (index > 0 && index % ANALYZE_SLICE === 0) await setImmediate();
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

    if (posts.length > 0) await bus.publish('posts.stored', { posts });
    if (tickets.length > 0) await bus.publish('tickets.created', { tickets });
    for (const { ticket, event } of joined) await bus.publish('tickets.updated', { ticket, event });
    return {
      read: drafts.length,
      new: posts.length,
      duplicate: drafts.length - posts.length,
      rejected: [],
      posts,
      tickets,
    };
  }

  close(): void {
    this.#unsubscribe();
  }

  #compiledStreams(): Promise<CompiledStream[]> {
    this.#streams ??= listStreams(this.#options.store.db).then((streams) =>
      compileStreams(streams, this.#options.onStreamError),
    );
    return this.#streams;
  }
}
