/**
 * Per-node measures of the distributed mode, on the same `/api/metrics` as the store-wide ones:
 * which role this node plays and which leases it holds (so a dashboard shows where the sources
 * and the watches run), the JetStream work queue's lag, and the drafts this node's worker stored.
 */
import { Gauge, type Registry } from 'prom-client';
import type { NodeInfo } from './context.js';

const LEASES = ['sources', 'watches', 'escalation'] as const;

export function addNodeMetrics(registry: Registry, node: NodeInfo): void {
  new Gauge({
    name: 'earshot_node_role',
    help: 'This node and its role (1)',
    labelNames: ['role'],
    registers: [registry],
    collect() {
      this.reset();
      this.set({ role: node.role }, 1);
    },
  });
  new Gauge({
    name: 'earshot_node_lease_held',
    help: 'Whether this node holds the lease (1) or not (0)',
    labelNames: ['lease'],
    registers: [registry],
    collect() {
      const held = new Set(node.leases());
      for (const lease of LEASES) this.set({ lease }, held.has(lease) ? 1 : 0);
    },
  });
  const queue = (
    name: string,
    help: string,
    pick: (state: { pending: number; ackPending: number; redelivered: number }) => number,
  ) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const state = await node.queue();
        if (state) this.set(pick(state));
      },
    });
  queue('earshot_queue_pending_batches', 'Draft batches waiting for a worker (consumer lag)', (s) => s.pending);
  queue('earshot_queue_unacked_batches', 'Draft batches held by workers, not yet acked', (s) => s.ackPending);
  queue(
    'earshot_queue_redelivered_batches',
    'Draft batches delivered more than once and still unacked',
    (s) => s.redelivered,
  );
  new Gauge({
    name: 'earshot_node_drafts_stored',
    help: "Drafts this node's worker stored since it started",
    registers: [registry],
    collect() {
      this.set(node.stored());
    },
  });
}
