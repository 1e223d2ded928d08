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
  publish<T extends Topic>(topic: T, message: Topics[T]): Promise<void>;
  /** Returns the function that unsubscribes. */
  subscribe<T extends Topic>(topic: T, handler: Handler<T>): () => void;
  close(): Promise<void>;
}

/**
 * Delivers to every subscriber in turn and waits for them, so a publisher knows its message
 * was handled. A failing subscriber is reported and does not stop the others.
 */
export class InProcessBus implements Bus {
  readonly #handlers = new Map<Topic, Set<Handler<never>>>();
  readonly #onError: (error: unknown, topic: Topic) => void;

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

  subscribe<T extends Topic>(topic: T, handler: Handler<T>): () => void {
    const handlers = this.#handlers.get(topic) ?? new Set();
    handlers.add(handler as Handler<never>);
    this.#handlers.set(topic, handlers);
    return function unsubscribe() {
      handlers.delete(handler as Handler<never>);
    };
  }

  async close(): Promise<void> {
    this.#handlers.clear();
  }
}
