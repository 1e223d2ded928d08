/**
 * Wires Earshot together from a config: store, bus, analysis, pipeline, desk and server.
 * The CLI and the tests both start Earshot through here, so they run the same thing.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from './config.js';
import { openStore, type Store } from './store/open.js';
import { countUsers, createUser } from './store/users.js';
import { createStream, listStreams } from './store/streams.js';
import { loadCursor, saveCursor } from './store/cursors.js';
import { DEFAULT_TICKET_RULES } from './domain/stream.js';
import { InProcessBus, type Bus } from './pipeline/bus.js';
import { IngestPipeline } from './pipeline/ingest.js';
import { createAnalyzer, type Analyzer } from './analysis/analyzer.js';
import { Desk } from './desk/desk.js';
import { startCrisisWatch } from './alerts/crisis-watch.js';
import { build, type App } from './server/app.js';
import type { Source } from './sources/source.js';

export interface Runtime {
  readonly config: Config;
  readonly store: Store;
  readonly bus: Bus;
  readonly analyzer: Analyzer;
  readonly pipeline: IngestPipeline;
  readonly desk: Desk;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  readonly analyzer?: Analyzer;
  readonly clock?: () => Date;
  /** Called with the generated admin password on a first start without EARSHOT_ADMIN_PASSWORD. */
  readonly onAdminCreated?: (username: string, password: string | null) => void;
}

export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const bus = new InProcessBus();
  const analyzer = options.analyzer ?? createAnalyzer();
  const pipeline = new IngestPipeline({ store, analyzer, bus, clock: options.clock });
  const desk = new Desk({ store, bus, clock: options.clock });
  await bootstrap(store, config, options);
  const crisis = startCrisisWatch({ store, bus, clock: options.clock });
  return {
    config,
    store,
    bus,
    analyzer,
    pipeline,
    desk,
    async close() {
      crisis.stop();
      pipeline.close();
      await bus.close();
      await store.close();
    },
  };
}

/** First start: an admin to log in with, and a stream so the desk is not empty. */
async function bootstrap(store: Store, config: Config, options: RuntimeOptions): Promise<void> {
  if ((await countUsers(store.db)) === 0) {
    const password = config.adminPassword ?? randomBytes(12).toString('base64url');
    await createUser(store.db, { username: 'admin', displayName: 'Administrator', role: 'admin', password });
    options.onAdminCreated?.('admin', config.adminPassword ? null : password);
  }
}

/** The demo organisation's streams, created once when the demo source first runs. */
export async function ensureDemoStreams(store: Store): Promise<void> {
  const existing = new Set((await listStreams(store.db)).map((stream) => stream.name));
  const wanted = [
    { name: 'Mentions', query: '@northwind_it OR #NorthwindIT' },
    { name: 'Outages', query: 'portal AND (down OR outage OR "not working" OR "500" OR "won’t load" OR "can’t log in")' },
    { name: 'Praise', query: 'sentiment:positive AND (@northwind_it OR #NorthwindIT)' },
  ];
  for (const stream of wanted) {
    if (!existing.has(stream.name)) await createStream(store.db, { ...stream, ticketRules: stream.name === 'Praise' ? [] : DEFAULT_TICKET_RULES });
  }
}

/** Starts a source with its saved cursor, feeding the pipeline. */
export async function startSource(runtime: Runtime, name: string, source: Source, log: Pick<Console, 'info' | 'warn' | 'error'>): Promise<void> {
  const cursor = await loadCursor(runtime.store.db, name);
  await source.start(
    {
      emit: async (drafts) => {
        await runtime.pipeline.ingestDrafts(drafts);
      },
      saveCursor: (value) => saveCursor(runtime.store.db, name, value),
      log: { info: (m) => log.info(m), warn: (m) => log.warn(m), error: (m) => log.error(m) },
      clock: () => new Date(),
    },
    cursor,
  );
}

export async function buildApp(runtime: Runtime, extras: Parameters<typeof build>[1]['extras'] = []): Promise<App> {
  return build(runtime.config, { store: runtime.store, bus: runtime.bus, pipeline: runtime.pipeline, desk: runtime.desk, extras });
}
