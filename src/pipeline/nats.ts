/**
 * One install's link to NATS: the connection, JetStream, and the names of its subjects and streams.
 * Every name carries the install's prefix, so installs (and test runs) sharing a server never meet.
 *
 * - `<prefix>.drafts`: post drafts from ingest nodes to workers, kept in the JetStream stream
 *   `<PREFIX>_DRAFTS` until a worker acks them (work-queue retention: each batch is taken once).
 * - `<prefix>.dead`: batches that failed on every delivery, with their error, in `<PREFIX>_DEAD`.
 * - `<prefix>.bus.<topic>`: the bus between nodes (core NATS: live events are not worth keeping).
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  AckPolicy,
  DiscardPolicy,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';

export interface NatsNames {
  readonly draftsStream: string;
  readonly draftsSubject: string;
  readonly deadStream: string;
  readonly deadSubject: string;
  /** The durable pull consumer every worker shares: JetStream hands each batch to one of them. */
  readonly workersConsumer: string;
  busSubject(topic: string): string;
  readonly busWildcard: string;
}

export interface NatsLink {
  readonly connection: NatsConnection;
  readonly jetstream: JetStreamClient;
  readonly manager: JetStreamManager;
  readonly names: NatsNames;
  close(): Promise<void>;
}

/** How long a worker may hold a batch before JetStream gives it to another (a killed worker's batches). */
export const ACK_WAIT_MS = 30_000;
/** Deliveries of one batch before it goes to the dead-letter subject. */
export const MAX_DELIVERIES = 5;

const NANOS_PER_MS = 1_000_000;

export function natsNames(prefix: string): NatsNames {
  const upper = prefix.toUpperCase().replace(/-/g, '_');
  return {
    draftsStream: `${upper}_DRAFTS`,
    draftsSubject: `${prefix}.drafts`,
    deadStream: `${upper}_DEAD`,
    deadSubject: `${prefix}.dead`,
    workersConsumer: 'workers',
    busSubject: (topic) => `${prefix}.bus.${topic}`,
    busWildcard: `${prefix}.bus.>`,
  };
}

/** Connects and makes sure the streams and the workers' consumer exist (idempotent: every node does it). */
export async function connectNats(
  url: string,
  prefix: string,
  options: { readonly name?: string } = {},
): Promise<NatsLink> {
  const connection = await connect({ servers: url, name: options.name ?? 'earshot', maxReconnectAttempts: -1 });
  try {
    const manager = await jetstreamManager(connection);
    const names = natsNames(prefix);
    await ensureStreams(manager, names);
    return {
      connection,
      jetstream: jetstream(connection),
      manager,
      names,
      async close() {
        await connection.drain().catch(() => connection.close());
      },
    };
  } catch (error) {
    await connection.close();
    throw error;
  }
}

async function ensureStreams(manager: JetStreamManager, names: NatsNames): Promise<void> {
  await addStreamOnce(manager, {
    name: names.draftsStream,
    subjects: [names.draftsSubject],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    // A re-published batch (an ingest node retrying after a lost ack) is dropped by its id.
    duplicate_window: 2 * 60 * 1000 * NANOS_PER_MS,
  });
  await addStreamOnce(manager, {
    name: names.deadStream,
    subjects: [names.deadSubject],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_msgs: 100_000,
  });
  const existing = await manager.consumers.info(names.draftsStream, names.workersConsumer).catch(() => null);
  if (!existing)
    await manager.consumers.add(names.draftsStream, {
      durable_name: names.workersConsumer,
      ack_policy: AckPolicy.Explicit,
      ack_wait: ACK_WAIT_MS * NANOS_PER_MS,
      // Counted by the worker itself (it dead-letters on the last one), so no message is dropped silently.
      max_deliver: -1,
      max_ack_pending: 1000,
    });
}

async function addStreamOnce(
  manager: JetStreamManager,
  config: Parameters<JetStreamManager['streams']['add']>[0] & { name: string },
): Promise<void> {
  const existing = await manager.streams.info(config.name).catch(() => null);
  if (!existing) await manager.streams.add(config);
}
