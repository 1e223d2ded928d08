/**
 * Earshot's service measures for Prometheus: each channel run as a service (posts, skipped
 * payloads, errors, whether it is connected), the desk's queues (tickets by status, SLA
 * breaches, replies queued/sent/failed) and open alerts. Values are read from the store when
 * scraped, so they survive restarts and agree across processes sharing one database. One
 * registry per app, so tests that build many apps never collide.
 */
import { Gauge, Registry } from 'prom-client';
import type { Store } from '../store/open.js';
import { listSourceHealth } from '../store/sources.js';

const SOURCE_STATES = ['connecting', 'connected', 'polling', 'backing-off', 'disconnected', 'failed'] as const;

export function createMetrics(store: Store, clock: () => Date): Registry {
  const registry = new Registry();
  const db = store.db;

  new Gauge({
    name: 'earshot_posts',
    help: 'Posts stored, by source',
    labelNames: ['source'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db.selectFrom('posts').select(['source', db.fn.countAll<number>().as('n')]).groupBy('source').execute();
      for (const row of rows) this.set({ source: row.source }, Number(row.n));
    },
  });

  new Gauge({
    name: 'earshot_tickets',
    help: 'Tickets by status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db.selectFrom('tickets').select(['status', db.fn.countAll<number>().as('n')]).groupBy('status').execute();
      for (const row of rows) this.set({ status: row.status }, Number(row.n));
    },
  });

  new Gauge({
    name: 'earshot_tickets_sla_breached',
    help: 'Unresolved tickets past their SLA due time',
    registers: [registry],
    async collect() {
      const row = await db
        .selectFrom('tickets')
        .select(db.fn.countAll<number>().as('n'))
        .where('status', 'not in', ['resolved', 'closed'])
        .where('sla_due_at', '<', clock().toISOString())
        .executeTakeFirst();
      this.set(Number(row?.n ?? 0));
    },
  });

  new Gauge({
    name: 'earshot_outbound_messages',
    help: 'Replies by delivery status (queued, sent, failed)',
    labelNames: ['source', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db.selectFrom('outbound_messages').select(['source', 'status', db.fn.countAll<number>().as('n')]).groupBy(['source', 'status']).execute();
      for (const row of rows) this.set({ source: row.source, status: row.status }, Number(row.n));
    },
  });

  new Gauge({
    name: 'earshot_alerts_open',
    help: 'Open alerts by type and severity',
    labelNames: ['type', 'severity'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db.selectFrom('alerts').select(['type', 'severity', db.fn.countAll<number>().as('n')]).where('status', '=', 'open').groupBy(['type', 'severity']).execute();
      for (const row of rows) this.set({ type: row.type, severity: row.severity }, Number(row.n));
    },
  });

  const health = async () => listSourceHealth(db);
  new Gauge({
    name: 'earshot_source_up',
    help: 'Source state: 1 for the state it is in, per state',
    labelNames: ['source', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const source of await health()) for (const state of SOURCE_STATES) this.set({ source: source.name, state }, source.status === state ? 1 : 0);
    },
  });
  for (const [name, help, pick] of [
    ['earshot_source_posts', 'Posts a source handed to the pipeline since it was configured', (h: { posts: number }) => h.posts],
    ['earshot_source_skipped', 'Payloads a source could not use (malformed, unparseable) since it was configured', (h: { skipped: number }) => h.skipped],
    ['earshot_source_errors', 'Errors a source met since it was configured', (h: { errors: number }) => h.errors],
  ] as const) {
    new Gauge({
      name,
      help,
      labelNames: ['source'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const source of await health()) this.set({ source: source.name }, pick(source));
      },
    });
  }
  return registry;
}
