/**
 * Post drafts through NATS JetStream, from the nodes that run sources to the workers that run
 * the pipeline. An ingest node's supervisor hands its drafts to `DraftPublisher` as it would to
 * the pipeline, and saves the source's cursor only once JetStream has acked them, so a batch is
 * never lost between a source and the store. Workers share one durable pull consumer: each batch
 * goes to one worker, which acks it after the pipeline stored it; a killed worker's batches are
 * redelivered to the others after the ack wait, and the store's (source, external id) keys make
 * the second delivery store nothing twice.
 *
 * A batch that fails on every delivery is tried post by post, so one bad draft never holds back
 * the rest, and what still fails goes to the dead-letter subject with its error.
 */
import { createHash } from 'node:crypto';
import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import type { PostDraft } from '../domain/post.js';
import { MAX_DELIVERIES, type NatsLink } from './nats.js';

/** Drafts per JetStream message: well under the 1 MiB payload limit for posts of a few KB. */
const DRAFTS_PER_MESSAGE = 200;
const MAX_MESSAGE_BYTES = 800 * 1024;

export interface DraftBatch {
  readonly drafts: readonly PostDraft[];
}

/** What lands on the dead-letter subject: the drafts, why they failed, and when. */
export interface DeadLetter {
  readonly drafts: readonly PostDraft[];
  readonly error: string;
  readonly deliveries: number;
  readonly failedAt: string;
}

export interface QueuedResult {
  readonly queued: number;
}

export class DraftPublisher {
  readonly #link: NatsLink;

  constructor(link: NatsLink) {
    this.#link = link;
  }

  /** Resolves once JetStream has stored every draft (the supervisor saves the cursor after this). */
  async ingestDrafts(drafts: readonly PostDraft[]): Promise<QueuedResult> {
    for (const part of chunks(drafts)) {
      const body = JSON.stringify({ drafts: part } satisfies DraftBatch);
      // The same drafts published twice (a retry after a lost ack) are one message to JetStream.
      const msgID = createHash('sha256')
        .update(part.map((draft) => `${draft.source}\u0000${draft.externalId}`).join('\u0001'))
        .digest('base64url');
      await this.#link.jetstream.publish(this.#link.names.draftsSubject, body, { msgID });
    }
    return { queued: drafts.length };
  }
}

function* chunks(drafts: readonly PostDraft[]): Generator<readonly PostDraft[]> {
  let part: PostDraft[] = [];
  let bytes = 0;
  for (const draft of drafts) {
    const size = Buffer.byteLength(JSON.stringify(draft));
    if (part.length > 0 && (part.length >= DRAFTS_PER_MESSAGE || bytes + size > MAX_MESSAGE_BYTES)) {
      yield part;
      part = [];
      bytes = 0;
    }
    part.push(draft);
    bytes += size;
  }
  if (part.length > 0) yield part;
}

export interface DraftConsumerOptions {
  readonly link: NatsLink;
  readonly pipeline: { ingestDrafts(drafts: readonly PostDraft[]): Promise<unknown> };
  /** Batches a worker holds at once. */
  readonly inFlight?: number;
  readonly onError?: (error: unknown) => void;
  readonly onDeadLetter?: (letter: DeadLetter) => void;
}

export class DraftConsumer {
  readonly #options: DraftConsumerOptions;
  #messages: ConsumerMessages | null = null;
  #running: Promise<void> | null = null;
  #stored = 0;

  constructor(options: DraftConsumerOptions) {
    this.#options = options;
  }

  /** Drafts this worker has handed to the pipeline and acked. */
  get stored(): number {
    return this.#stored;
  }

  async start(): Promise<void> {
    const { link } = this.#options;
    const consumer = await link.jetstream.consumers.get(link.names.draftsStream, link.names.workersConsumer);
    this.#messages = await consumer.consume({ max_messages: this.#options.inFlight ?? 4 });
    this.#running = this.#loop(this.#messages);
  }

  /** Stops taking batches; the one in hand is finished and acked first. */
  async stop(): Promise<void> {
    await this.#messages?.close();
    await this.#running;
    this.#messages = null;
    this.#running = null;
  }

  async #loop(messages: ConsumerMessages): Promise<void> {
    for await (const message of messages) {
      try {
        await this.#handle(message);
      } catch (error) {
        (this.#options.onError ?? console.error)(error);
      }
    }
  }

  async #handle(message: JsMsg): Promise<void> {
    const { pipeline } = this.#options;
    let batch: DraftBatch;
    try {
      batch = message.json<DraftBatch>();
      if (!Array.isArray(batch.drafts)) throw new Error('a draft batch without drafts');
    } catch (error) {
      await this.#deadLetter([], error, message.info.deliveryCount);
      message.term();
      return;
    }
    // Keep the batch ours while a slow store works on it.
    const heartbeat = setInterval(() => message.working(), 10_000);
    try {
      await pipeline.ingestDrafts(batch.drafts);
      message.ack();
      this.#stored += batch.drafts.length;
    } catch (error) {
      if (message.info.deliveryCount < MAX_DELIVERIES) {
        (this.#options.onError ?? console.error)(error);
        message.nak(Math.min(30_000, 500 * 2 ** message.info.deliveryCount));
        return;
      }
      await this.#oneByOne(batch.drafts, message.info.deliveryCount);
      message.ack();
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** The last delivery: every draft alone, the failures dead-lettered with their own error. */
  async #oneByOne(drafts: readonly PostDraft[], deliveries: number): Promise<void> {
    for (const draft of drafts) {
      try {
        await this.#options.pipeline.ingestDrafts([draft]);
        this.#stored += 1;
      } catch (error) {
        await this.#deadLetter([draft], error, deliveries);
      }
    }
  }

  async #deadLetter(drafts: readonly PostDraft[], error: unknown, deliveries: number): Promise<void> {
    const letter: DeadLetter = {
      drafts,
      error: error instanceof Error ? error.message : String(error),
      deliveries,
      failedAt: new Date().toISOString(),
    };
    await this.#options.link.jetstream.publish(this.#options.link.names.deadSubject, JSON.stringify(letter));
    this.#options.onDeadLetter?.(letter);
  }
}

/** The most recent dead letters, newest first, for the desk's Sources view. */
export async function recentDeadLetters(link: NatsLink, limit = 50): Promise<(DeadLetter & { seq: number })[]> {
  const info = await link.manager.streams.info(link.names.deadStream);
  const last = info.state.last_seq;
  const first = Math.max(info.state.first_seq, last - limit + 1);
  const letters: (DeadLetter & { seq: number })[] = [];
  for (let seq = last; seq >= first && seq > 0; seq--) {
    const stored = await link.manager.streams.getMessage(link.names.deadStream, { seq }).catch(() => null);
    if (stored) letters.push({ ...stored.json<DeadLetter>(), seq });
  }
  return letters;
}
