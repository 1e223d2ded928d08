/**
 * Earshot's service measures for Prometheus: each channel run as a service (posts, skipped
 * payloads, errors, whether it is connected), the desk's queues (tickets by status, SLA
 * breaches, replies queued/sent/failed) and open alerts. Values are read from the store when
 * scraped, so they survive restarts and agree across processes sharing one database. One
 * registry per app, so tests that build many apps never collide.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Store } from '../store/open.js';
import { listSourceHealth } from '../store/sources.js';

const SOURCE_STATES = ['connecting', 'connected', 'polling', 'backing-off', 'disconnected', 'failed'] as const;

export function createMetrics(store: Store, clock: () => Date): Registry {
  const registry = new Registry();
  const db = store.db;

  // Counts grouped by columns, as labels: one query per scrape each.
  const grouped = (
    name: string,
    help: string,
    labels: readonly string[],
    rows: () => Promise<readonly Record<string, unknown>[]>,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: labels,
      registers: [registry],
      async collect() {
        this.reset();
        for (const row of await rows())
          this.set(Object.fromEntries(labels.map((label) => [label, String(row[label])])), Number(row.n));
      },
    });
  grouped('earshot_posts', 'Posts stored, by source', ['source'], () =>
    db
      .selectFrom('posts')
      .select(['source', db.fn.countAll<number>().as('n')])
      .groupBy('source')
      .execute(),
  );
  grouped('earshot_tickets', 'Tickets by status', ['status'], () =>
    db
      .selectFrom('tickets')
      .select(['status', db.fn.countAll<number>().as('n')])
      .groupBy('status')
      .execute(),
  );
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

  grouped(
    'earshot_outbound_messages',
    'Replies by delivery status (queued, sent, failed, superseded)',
    ['source', 'status'],
    () =>
      db
        .selectFrom('outbound_messages')
        .select(['source', 'status', db.fn.countAll<number>().as('n')])
        .groupBy(['source', 'status'])
        .execute(),
  );
  grouped('earshot_alerts_open', 'Open alerts by type and severity', ['type', 'severity'], () =>
    db
      .selectFrom('alerts')
      .select(['type', 'severity', db.fn.countAll<number>().as('n')])
      .where('status', '=', 'open')
      .groupBy(['type', 'severity'])
      .execute(),
  );

  const health = async () => listSourceHealth(db);
  new Gauge({
    name: 'earshot_source_up',
    help: 'Source state: 1 for the state it is in, per state',
    labelNames: ['source', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const source of await health())
        for (const state of SOURCE_STATES) this.set({ source: source.name, state }, source.status === state ? 1 : 0);
    },
  });
  for (const [name, help, pick] of [
    [
      'earshot_source_posts',
      'Posts a source handed to the pipeline since it was configured',
      (h: { posts: number }) => h.posts,
    ],
    [
      'earshot_source_skipped',
      'Payloads a source could not use (malformed, unparseable) since it was configured',
      (h: { skipped: number }) => h.skipped,
    ],
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
  // Response and resolution times as histograms, rebuilt from the tickets at each scrape (so they
  // agree with the reports and survive restarts), and replies as a counter per source.
  const TIME_BUCKETS = [60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400, 172_800, 604_800];
  const ticketTimes = async () =>
    db
      .selectFrom('tickets')
      .select(['source', 'created_at', 'first_responded_at', 'resolved_at'])
      .where((eb) => eb.or([eb('first_responded_at', 'is not', null), eb('resolved_at', 'is not', null)]))
      .execute();
  const seconds = (from: string, to: string) => Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
  new Histogram({
    name: 'earshot_ticket_first_response_seconds',
    help: 'Time from a ticket to its first reply (wall clock), by source',
    labelNames: ['source'],
    buckets: TIME_BUCKETS,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await ticketTimes())
        if (row.first_responded_at)
          this.observe({ source: row.source ?? '' }, seconds(row.created_at, row.first_responded_at));
    },
  });
  new Histogram({
    name: 'earshot_ticket_resolution_seconds',
    help: 'Time from a ticket to its resolution (wall clock), by source',
    labelNames: ['source'],
    buckets: TIME_BUCKETS,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await ticketTimes())
        if (row.resolved_at) this.observe({ source: row.source ?? '' }, seconds(row.created_at, row.resolved_at));
    },
  });
  new Counter({
    name: 'earshot_replies_total',
    help: 'Replies agents sent on tickets, by source',
    labelNames: ['source'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db
        .selectFrom('ticket_events')
        .innerJoin('tickets', 'tickets.id', 'ticket_events.ticket_id')
        .select(['tickets.source', db.fn.countAll<number>().as('n')])
        .where('ticket_events.type', '=', 'reply')
        .groupBy('tickets.source')
        .execute();
      for (const row of rows) this.inc({ source: row.source ?? '' }, Number(row.n));
    },
  });
  return registry;
}
