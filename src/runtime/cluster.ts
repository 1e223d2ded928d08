/**
 * The distributed mode's share of the composition root: joining NATS, and running each duty of
 * a node's role where it belongs. Workers all consume drafts; what must run once in the whole
 * install runs under a lease, on one node at a time, and moves when that node dies:
 * - `sources`: the configured sources and the outbound replies (replies go out through the running
 *   source), on an ingest node;
 * - `watches`: the crisis watch, the impersonation watch and the webhook sender, on a worker (they
 *   hear every node's `posts.stored` over the bus);
 * - `escalation`: the escalation runner's clock, on a worker.
 */
import type { Config } from '../config.js';
import { runsSources, runsWorker, type NodeRole } from '../domain/node-role.js';
import { postgresLeases, runUnderLease, type Leases } from '../store/leases.js';
import type { Bus } from '../pipeline/bus.js';
import { connectNats, type NatsLink } from '../pipeline/nats.js';
import { NatsBus } from '../pipeline/nats-bus.js';
import { DraftConsumer, DraftPublisher, recentDeadLetters } from '../pipeline/draft-queue.js';
import type { NodeInfo } from '../server/context.js';
import type { PostDraft } from '../domain/post.js';
import type { SupervisorLog } from '../sources/supervisor.js';

export interface Cluster {
  readonly role: NodeRole;
  readonly link: NatsLink;
  readonly bus: NatsBus;
  readonly leases: Leases;
  /** What an ingest node's sources hand their drafts to: JetStream, not the local pipeline. */
  readonly drafts: DraftPublisher;
  /** Which leases this node holds now (for metrics and `earshot doctor`). */
  readonly held: ReadonlySet<string>;
  /** This node's share of the work queue, when its role consumes drafts. */
  readonly worker: { consumer: DraftConsumer | null };
  close(): Promise<void>;
}

export async function joinCluster(config: Config, role: NodeRole): Promise<Cluster> {
  if (!config.nats || !config.databaseUrl)
    throw new Error('joinCluster needs EARSHOT_NATS_URL and EARSHOT_DATABASE_URL');
  const link = await connectNats(config.nats.url, config.nats.prefix, { name: `earshot-${role}` });
  try {
    const leases = await postgresLeases(config.databaseUrl);
    const bus = new NatsBus(link.connection, link.names);
    return {
      role,
      link,
      bus,
      leases,
      drafts: new DraftPublisher(link),
      held: new Set(),
      worker: { consumer: null },
      async close() {
        await bus.close();
        await leases.close();
        await link.close();
      },
    };
  } catch (error) {
    await link.close();
    throw error;
  }
}

export interface DutyParts {
  readonly cluster: Cluster;
  readonly bus: Bus;
  readonly pipeline: { ingestDrafts(drafts: readonly PostDraft[]): Promise<unknown> };
  /** Starts the configured sources and the outbound worker; returns what stops them. */
  readonly startSources: (() => Promise<() => Promise<void>>) | null;
  /** Starts the watches; returns what stops them. */
  readonly startWatches: () => () => void;
  /** Advances escalations once. */
  readonly tickEscalations: () => Promise<unknown>;
  readonly escalationTickMs: number;
  readonly leaseRetryMs?: number;
  readonly log: SupervisorLog;
}

/** Starts this node's duties; the returned function stops them in reverse. */
export async function startDuties(parts: DutyParts): Promise<() => Promise<void>> {
  const { cluster, log } = parts;
  const held = cluster.held as Set<string>;
  const stops: (() => Promise<void>)[] = [];
  const leased = (name: string, start: () => Promise<() => Promise<void> | void>) => {
    const run = runUnderLease(cluster.leases, name, start, {
      retryMs: parts.leaseRetryMs,
      onError: (error) => log.error(`lease ${name}: ${(error as Error).message}`),
      onChange: (holding) => {
        if (holding) held.add(name);
        else held.delete(name);
        log.info(`${holding ? 'took' : 'lost'} the ${name} lease`);
      },
    });
    stops.push(() => run.stop());
  };
  if (runsWorker(cluster.role)) {
    const consumer = new DraftConsumer({
      link: cluster.link,
      pipeline: parts.pipeline,
      onError: (error) => log.warn(`worker: a draft batch failed: ${(error as Error).message}`),
      onDeadLetter: (letter) =>
        log.error(
          `worker: ${letter.drafts.length} draft(s) dead-lettered after ${letter.deliveries} deliveries: ${letter.error}`,
        ),
    });
    await consumer.start();
    cluster.worker.consumer = consumer;
    stops.push(() => consumer.stop());
    leased('watches', async () => parts.startWatches());
    leased('escalation', async () => {
      const timer = setInterval(
        () => void parts.tickEscalations().catch((error) => log.error(`escalation: ${(error as Error).message}`)),
        parts.escalationTickMs,
      );
      return () => clearInterval(timer);
    });
  }
  const startSources = parts.startSources;
  if (runsSources(cluster.role) && startSources) leased('sources', startSources);
  return async () => {
    for (const stop of stops.reverse()) await stop();
  };
}

/** What the API says of this node (`/api/cluster`, `/api/metrics`). */
export function nodeInfo(cluster: Cluster): NodeInfo {
  const { link } = cluster;
  return {
    role: cluster.role,
    leases: () => [...cluster.held].sort(),
    async queue() {
      try {
        const info = await link.manager.consumers.info(link.names.draftsStream, link.names.workersConsumer);
        return { pending: info.num_pending, ackPending: info.num_ack_pending, redelivered: info.num_redelivered };
      } catch {
        return null;
      }
    },
    stored: () => cluster.worker.consumer?.stored ?? 0,
    deadLetters: (limit) => recentDeadLetters(link, limit),
  };
}
