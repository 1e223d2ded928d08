/**
 * The bus across nodes: what one node publishes reaches the subscribers of every node, so a
 * post stored by a worker reaches the SSE clients of every API node and a stream edited on one
 * API node is recompiled by every worker. Local subscribers get the message first, awaited, as
 * with the in-process bus; other nodes get it over core NATS (at most once: these are
 * notifications, and what they announce is already in PostgreSQL).
 *
 * Subscribers that must see each message once in the whole cluster (the crisis watch, the
 * webhook sender) run on one node at a time under a lease (`store/leases.ts`), not on every node.
 */
import { randomUUID } from 'node:crypto';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { InProcessBus, type Bus, type Handler, type Topic, type Topics } from './bus.js';
import type { NatsNames } from './nats.js';

/** Under NATS's default 1 MiB payload limit with room for the envelope. */
const MAX_PAYLOAD_BYTES = 900 * 1024;

interface Envelope {
  readonly origin: string;
  readonly topic: Topic;
  readonly message: unknown;
}

export class NatsBus implements Bus {
  readonly #local: InProcessBus;
  readonly #connection: NatsConnection;
  readonly #names: NatsNames;
  readonly #subscription: Subscription;
  readonly #onError: (error: unknown, topic: Topic) => void;
  /** This node, so it does not deliver its own messages twice. */
  readonly origin = randomUUID();
  readonly #received: Promise<void>;

  constructor(
    connection: NatsConnection,
    names: NatsNames,
    options: { onError?: (error: unknown, topic: Topic) => void } = {},
  ) {
    this.#connection = connection;
    this.#names = names;
    this.#onError = options.onError ?? ((error, topic) => console.error(`bus: a ${topic} message failed`, error));
    this.#local = new InProcessBus({ onError: this.#onError });
    this.#subscription = connection.subscribe(names.busWildcard);
    this.#received = this.#deliverRemote();
  }

  async publish<T extends Topic>(topic: T, message: Topics[T]): Promise<void> {
    this.#sendRemote(topic, message);
    await this.#local.publish(topic, message);
  }

  /** Other nodes hear it now; this node's subscribers in queue order, off the publisher's path. */
  enqueue<T extends Topic>(topic: T, message: Topics[T]): Promise<void> {
    this.#sendRemote(topic, message);
    return this.#local.enqueue(topic, message);
  }

  queued(): number {
    return this.#local.queued();
  }

  drain(): Promise<void> {
    return this.#local.drain();
  }

  #sendRemote<T extends Topic>(topic: T, message: Topics[T]): void {
    try {
      for (const part of splitToFit(topic, message)) {
        const envelope: Envelope = { origin: this.origin, topic, message: part };
        this.#connection.publish(this.#names.busSubject(topic), JSON.stringify(envelope));
      }
    } catch (error) {
      // NATS down or a message it cannot carry: this node's own subscribers still hear it; the others read the store.
      this.#onError(error, topic);
    }
  }

  subscribe<T extends Topic>(topic: T, handler: Handler<T>): () => void {
    return this.#local.subscribe(topic, handler);
  }

  async close(): Promise<void> {
    this.#subscription.unsubscribe();
    await this.#received;
    await this.#local.close();
  }

  async #deliverRemote(): Promise<void> {
    for await (const received of this.#subscription) {
      let envelope: Envelope;
      try {
        envelope = received.json<Envelope>();
      } catch (error) {
        this.#onError(error, 'posts.stored');
        continue;
      }
      if (envelope.origin === this.origin) continue;
      await this.#local.publish(envelope.topic, envelope.message as never);
    }
  }
}

/**
 * A message too large for one NATS payload is split by its list (posts or tickets) into parts
 * that fit; every other message is small.
 */
function splitToFit<T extends Topic>(topic: T, message: Topics[T]): Topics[T][] {
  if (Buffer.byteLength(JSON.stringify(message)) <= MAX_PAYLOAD_BYTES) return [message];
  const record = message as Record<string, unknown>;
  const listKey = Object.keys(record).find((key) => Array.isArray(record[key]));
  const list = listKey ? (record[listKey] as unknown[]) : [];
  if (!listKey || list.length < 2) throw new Error(`bus: a ${topic} message is larger than NATS can carry`);
  const half = Math.ceil(list.length / 2);
  return [
    ...splitToFit(topic, { ...record, [listKey]: list.slice(0, half) } as Topics[T]),
    ...splitToFit(topic, { ...record, [listKey]: list.slice(half) } as Topics[T]),
  ];
}
