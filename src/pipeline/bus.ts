/**
 * The bus between Earshot's parts: sources hand drafts to the pipeline, which publishes what it
 * stored; the desk, the watches and the live views publish their changes and subscribe.
 * In-process by default; a NATS JetStream bus can stand behind the same interface for
 * scale-out workers.
 */
import type { Alert } from '../domain/alert.js';
import type { Post } from '../domain/post.js';
import type { OutboundMessage, Ticket, TicketEvent } from '../domain/ticket.js';
import type { Incident } from '../domain/incident.js';

/** Every topic and the message it carries. */
export interface Topics {
  'posts.stored': { readonly posts: readonly Post[] };
  'tickets.created': { readonly tickets: readonly Ticket[] };
  'tickets.updated': { readonly ticket: Ticket; readonly event: TicketEvent | null };
  'alerts.raised': { readonly alert: Alert };
  'streams.changed': { readonly streamId: number | null };
  /** An incident was opened, changed, or had reports attached (`attachedPostIds`, possibly empty). */
  'incidents.changed': { readonly incident: Incident; readonly attachedPostIds: readonly number[] };
  /** An escalation notified someone (or ran out of people): for the live view and the audit. */
  'escalations.notified': {
    readonly incidentId: number;
    readonly step: number;
    readonly userIds: readonly number[];
    readonly exhausted: boolean;
  };
  /** An outbound reply was sent, is due again after a retryable failure, or failed for good. */
  'outbound.updated': { readonly message: OutboundMessage };
  /** A configured source was added, changed, restarted or removed. */
  'sources.changed': { readonly name: string };
}

export type Topic = keyof Topics;
export type Handler<T extends Topic> = (message: Topics[T]) => void | Promise<void>;

export interface Bus {
  /** Delivers to every subscriber and resolves when they have all handled it. */
  publish<T extends Topic>(topic: T, message: Topics[T]): Promise<void>;
  /**
   * Queues a message and returns at once: the pipeline's way to publish what it stored without
   * waiting for the watches. Queued messages are delivered in the order queued (across topics),
   * consecutive ones of a batchable topic merged into one. The promise resolves once it has been
   * delivered, for a caller that must answer only then (an API request); a failing subscriber
   * is reported, never rejected here.
   */
  enqueue<T extends Topic>(topic: T, message: Topics[T]): Promise<void>;
  /** Messages queued and not yet delivered. */
  queued(): number;
  /** Resolves once every message queued so far has been delivered. */
  drain(): Promise<void>;
  /** Returns the function that unsubscribes. */
  subscribe<T extends Topic>(topic: T, handler: Handler<T>): () => void;
  close(): Promise<void>;
}

/**
 * Topics whose queued messages may be merged: one `posts.stored` of 5,000 posts costs the watches
 * and the live view one pass instead of five (their work per message has a fixed part).
 */
const MERGE = {
  'posts.stored': (a: Topics['posts.stored'], b: Topics['posts.stored']) => ({ posts: [...a.posts, ...b.posts] }),
  'tickets.created': (a: Topics['tickets.created'], b: Topics['tickets.created']) => ({
    tickets: [...a.tickets, ...b.tickets],
  }),
} as const;
const MERGE_LIMIT = 5000;

interface Queued {
  readonly topic: Topic;
  message: Topics[Topic];
  size: number;
  readonly delivered: Promise<void>;
  readonly resolve: () => void;
}

/**
 * `publish` delivers to every subscriber in turn and waits for them, so a publisher knows its
 * message was handled; `enqueue` does the same later, off the publisher's path, one message at a
 * time in queue order. A failing subscriber is reported and does not stop the others.
 */
export class InProcessBus implements Bus {
  readonly #handlers = new Map<Topic, Set<Handler<never>>>();
  readonly #onError: (error: unknown, topic: Topic) => void;
  readonly #queue: Queued[] = [];
  #delivering: Promise<void> | null = null;

  constructor(options: { onError?: (error: unknown, topic: Topic) => void } = {}) {
    this.#onError = options.onError ?? ((error, topic) => console.error(`bus: a ${topic} subscriber failed`, error));
  }

  async publish<T extends Topic>(topic: T, message: Topics[T]): Promise<void> {
    const handlers = this.#handlers.get(topic);
    if (!handlers) return;
    for (const handler of [...handlers] as Handler<T>[]) {
      try {
        await handler(message);
      } catch (error) {
        this.#onError(error, topic);
      }
    }
  }

  enqueue<T extends Topic>(topic: T, message: Topics[T]): Promise<void> {
    const last = this.#queue[this.#queue.length - 1];
    const size = sizeOf(topic, message);
    this.#delivering ??= this.#deliverQueued();
    // The message being delivered has left the queue: only a waiting one is merged into.
    if (last && last.topic === topic && topic in MERGE && last.size + size <= MERGE_LIMIT) {
      const merge = MERGE[topic as keyof typeof MERGE] as unknown as (a: Topics[T], b: Topics[T]) => Topics[T];
      last.message = merge(last.message as Topics[T], message);
      last.size += size;
      return last.delivered;
    }
    let resolve!: () => void;
    const delivered = new Promise<void>((done) => {
      resolve = done;
    });
    this.#queue.push({ topic, message, size, delivered, resolve });
    return delivered;
  }

  queued(): number {
    return this.#queue.length;
  }

  async drain(): Promise<void> {
    while (this.#delivering) await this.#delivering;
  }

  async #deliverQueued(): Promise<void> {
    // Start after the publisher's current step, never inside it.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      for (let next = this.#queue.shift(); next; next = this.#queue.shift()) {
        await this.publish(next.topic, next.message as never);
        next.resolve();
      }
    } finally {
      this.#delivering = null;
    }
  }

  subscribe<T extends Topic>(topic: T, handler: Handler<T>): () => void {
    const handlers = this.#handlers.get(topic) ?? new Set();
    handlers.add(handler as Handler<never>);
    this.#handlers.set(topic, handlers);
    return function unsubscribe() {
      handlers.delete(handler as Handler<never>);
    };
  }

  async close(): Promise<void> {
    await this.drain();
    this.#handlers.clear();
  }
}

function sizeOf(topic: Topic, message: Topics[Topic]): number {
  if (topic === 'posts.stored') return (message as Topics['posts.stored']).posts.length;
  if (topic === 'tickets.created') return (message as Topics['tickets.created']).tickets.length;
  return 1;
}
