/**
 * Wires Earshot together from a config: store, bus, analysis, pipeline, desks and server.
 * The CLI and the tests both start Earshot through here, so they run the same thing. Nothing
 * here reads `process.env`: the caller passes the environment (`options.env`).
 */
import { randomBytes } from 'node:crypto';
import { DEMO_ORGANISATION, type Config } from './config.js';
import { openStore, type Store } from './store/open.js';
import { lockDataDir, type DataLock } from './store/data-lock.js';
import { countUsers, createUser } from './store/users.js';
import { createStream, listStreams } from './store/streams.js';
import { DEFAULT_TICKET_RULES } from './domain/stream.js';
import { InProcessBus, type Bus } from './pipeline/bus.js';
import { IngestPipeline } from './pipeline/ingest.js';
import { createAnalyzer, type Analyzer } from './analysis/analyzer.js';
import { Desk } from './desk/desk.js';
import { DeskActions } from './desk/desk-actions.js';
import { IncidentDesk } from './desk/incident-desk.js';
import { channelResolver, type ChannelOf } from './desk/channels.js';
import { startCrisisWatch } from './alerts/crisis-watch.js';
import { startImpersonationWatch } from './alerts/impersonation-watch.js';
import { EscalationRunner } from './alerts/escalation-runner.js';
import { sealClearWebhookSecrets } from './store/escalation.js';
import { webhookNotifier, type WebhookOptions } from './alerts/notify-webhook.js';
import { emailNotifier, smtpTransport } from './alerts/notify-email.js';
import { startCustodyReminders } from './services/custody.js';
import { type MonthlyReports, startMonthlyReports } from './reports/monthly.js';
import { printPdf } from './reports/pdf.js';
import { startWebhookOut, type WebhookOut } from './alerts/webhook-out.js';
import { loadSlaCalendars, type SlaCalendars } from './desk/sla-calendars.js';
import { build, type App } from './server/app.js';
import { getSourceByName, upsertSourceByName } from './store/sources.js';
import { SourceSupervisor, type SupervisorLog } from './sources/supervisor.js';
import { createSecretBox, loadSecretKey } from './sources/secrets.js';
import type { AnySourceDefinition } from './sources/source.js';
import { OutboundWorker } from './desk/outbound-worker.js';
import { createKnowledgeParts, createLadder, type KnowledgeParts } from './ladder/knowledge-parts.js';
import { applyConfigFile, configFilePath, readConfig } from './sources/config-file.js';
import { runsSources, type NodeRole } from './domain/node-role.js';
import { joinCluster, nodeInfo, startDuties, type Cluster } from './runtime/cluster.js';
import { createWallServices, type WallServices } from './wall/services.js';

export interface Runtime {
  readonly config: Config;
  readonly store: Store;
  readonly bus: Bus;
  readonly analyzer: Analyzer;
  readonly pipeline: IngestPipeline;
  readonly desk: Desk;
  /** Acting from a post card, saved replies, customer history, presence on a ticket. */
  readonly deskActions: DeskActions;
  /** What responders do to major incidents. */
  readonly incidents: IncidentDesk;
  /** The knowledge base, policies and belt ladder (which gates public replies and batch approvals). */
  readonly knowledge: KnowledgeParts;
  /** A post source's channel, from its kind's capabilities (reply policy and length limits). */
  readonly channels: ChannelOf;
  /** Runs the configured sources. */
  readonly sources: SourceSupervisor;
  /** Sends queued replies through their sources. */
  readonly outbound: OutboundWorker;
  /** Escalates new major incidents by their policy until someone acknowledges. */
  readonly escalation: EscalationRunner;
  /** Posts alerts and new tickets to subscribed webhooks. */
  readonly webhooksOut: WebhookOut;
  /** How webhook URLs are delivered and checked when saved (the SSRF guard's settings). */
  readonly webhook: WebhookOptions;
  /** The distributed mode's link (NATS, leases, this node's role); null in one process. */
  readonly cluster: Cluster | null;
  /** The wall and rooms: employees' questions, anonymous posting, answer deadlines, live chat. */
  readonly wall: WallServices;
  /** Mails each service owner last month's report (with `serve` and SMTP configured); null otherwise. */
  readonly monthlyReports: MonthlyReports | null;
  /** The business calendars SLA clocks count in, kept compiled for presenting tickets. */
  readonly slaCalendars: SlaCalendars;
  close(): Promise<void>;
}

/** The demo: its source's options (see `src/sources/demo.ts`), or `true` for the defaults. */
export type DemoOption = boolean | Readonly<Record<string, unknown>>;

/** The configured source the demo runs as. */
export const DEMO_SOURCE = 'demo';

export interface RuntimeOptions {
  /** The environment `${VAR}` references in earshot.config.yaml are read from; the CLI passes `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Run the demo: a fictional organisation (unless official handles or domains are configured),
   * its streams, and a configured source `demo` that replays a synthetic stream.
   */
  readonly demo?: DemoOption;
  readonly analyzer?: Analyzer;
  readonly clock?: () => Date;
  /** Called with the generated admin password on a first start without EARSHOT_ADMIN_PASSWORD. */
  readonly onAdminCreated?: (username: string, password: string | null) => void;
  /**
   * Start the configured sources (after applying earshot.config.yaml) and the outbound worker.
   * `serve` does; one-shot commands (ingest, user add) and most tests do not.
   */
  readonly runSources?: boolean;
  /** How often the outbound worker looks for due replies (ms); 0: only on `runtime.outbound.runOnce()`. */
  readonly outboundIntervalMs?: number;
  /** Lets sources reach loopback and private addresses (tests with local doubles). */
  readonly allowPrivateNetwork?: boolean;
  readonly fetch?: typeof globalThis.fetch;
  readonly sourceDefinitions?: readonly AnySourceDefinition[];
  /** Where sources and the outbound worker report; warnings and errors go to stderr by default. */
  readonly log?: SupervisorLog;
  /** How often escalations advance (ms; default 30 s); 0: only on `runtime.escalation.tick()`. */
  readonly escalationTickMs?: number;
  /** Webhook delivery (fetch, retry policy) for notifications and subscriptions; tests inject it. */
  readonly webhook?: WebhookOptions;
  /**
   * What this node does in the distributed mode (config.nats set): `all` (default), `api`, `ingest`
   * or `worker`. Without NATS every process is `all`.
   */
  readonly role?: NodeRole;
  /** Distributed mode: how often a node tries for a lease it does not hold (ms; default 2 s). */
  readonly leaseRetryMs?: number;
  /** Distributed mode: the node lost PostgreSQL and with it its leases; `serve` exits so it is restarted. */
  readonly onClusterLost?: () => void;
  /** How often wall deadlines are checked and room digests mailed (ms); 0: only when called (tests). */
  readonly wallTickMs?: number;
}

export async function createRuntime(given: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const demo = options.demo ? (options.demo === true ? {} : options.demo) : null;
  // The demo's fictional organisation is the one to protect unless official handles/domains are configured.
  const demoOrganisation =
    demo !== null && given.organisation.handles.length === 0 && given.organisation.domains.length === 0;
  const config: Config = demoOrganisation ? Object.freeze({ ...given, organisation: DEMO_ORGANISATION }) : given;
  // One process runs the sources of a data folder: a second `serve` is refused before it starts any.
  const lock = options.runSources && config.dataDir !== ':memory:' ? lockDataDir(config.dataDir) : null;
  try {
    return await assemble(config, options, demo, lock);
  } catch (error) {
    lock?.release();
    throw error;
  }
}

async function assemble(
  config: Config,
  options: RuntimeOptions,
  demo: Readonly<Record<string, unknown>> | null,
  lock: DataLock | null,
): Promise<Runtime> {
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const role = config.nats ? (options.role ?? 'all') : 'all';
  const cluster = config.nats ? await joinCluster(config, role).catch(closing(store)) : null;
  const bus: Bus = cluster?.bus ?? new InProcessBus();
  const analyzer = options.analyzer ?? createAnalyzer({ organisation: config.organisation });
  const pipeline = new IngestPipeline({ store, analyzer, bus, clock: options.clock });
  const slaCalendars = await loadSlaCalendars(store, bus);
  await bootstrap(store, config, options);
  if (demo) await setUpDemo(store, demo);
  const log: SupervisorLog = options.log ?? {
    info: () => {},
    warn: (m) => console.warn(m),
    error: (m) => console.error(m),
  };
  const mail = config.smtp ? smtpTransport(config.smtp) : null;
  const key = loadSecretKey(config, (path) =>
    log.info(`Created ${path} to encrypt source credentials; keep it with the data, or set EARSHOT_SECRET_KEY`),
  );
  const secrets = createSecretBox(key);
  // Webhook secrets stored in clear before they were sealed are sealed now, once.
  await sealClearWebhookSecrets(store.db, secrets);
  // Webhooks go through the same SSRF guard as sources, with the same allowance for private networks.
  const webhook: WebhookOptions = {
    ...options.webhook,
    allowPrivateNetwork: options.webhook?.allowPrivateNetwork ?? options.allowPrivateNetwork ?? false,
    allowedPrivateHosts: options.webhook?.allowedPrivateHosts ?? config.allowedPrivateHosts,
  };
  // The watches hear every stored post once: in one process here, in a cluster on the `watches` lease holder.
  let webhooksOutNow: WebhookOut | null = null;
  let monthlyReportsNow: MonthlyReports | null = null;
  const startWatches = () => {
    // In a cluster the watch moves when its holder dies: the node taking it rebuilds the windows first.
    const crisis = startCrisisWatch({
      store,
      bus,
      clock: options.clock,
      rebuild: cluster !== null,
      onRebuilt: (posts) => log.info(`crisis watch: windows rebuilt from ${posts} stored post(s)`),
    });
    const impersonation = startImpersonationWatch({ store, bus, analyzer, clock: options.clock });
    const out = startWebhookOut({ store, secrets, bus, webhook, publicUrl: config.publicUrl, clock: options.clock });
    webhooksOutNow = out;
    // Service upkeep runs with `serve`: custody reminders, and the monthly report where there is mail.
    const custody = options.runSources ? startCustodyReminders({ store, clock: options.clock }) : null;
    const monthly =
      options.runSources && mail
        ? startMonthlyReports({
            store,
            mail,
            clock: options.clock,
            print: (html) => printPdf(html, config.chromiumPath),
          })
        : null;
    monthlyReportsNow = monthly;
    return () => {
      crisis.stop();
      impersonation.stop();
      out.stop();
      custody?.stop();
      monthly?.stop();
      if (webhooksOutNow === out) webhooksOutNow = null;
      if (monthlyReportsNow === monthly) monthlyReportsNow = null;
    };
  };
  const stopWatches = cluster ? null : startWatches();
  const webhooksOut: WebhookOut = {
    flush: async () => webhooksOutNow?.flush(),
    stop: () => webhooksOutNow?.stop(),
  };
  const escalation = new EscalationRunner({
    store,
    secrets,
    bus,
    clock: options.clock,
    publicUrl: config.publicUrl,
    // In a cluster the `escalation` lease holder advances escalations (startDuties below).
    tickEveryMs: cluster ? 0 : options.escalationTickMs,
    notifiers: [webhookNotifier(webhook), ...(mail ? [emailNotifier(mail)] : [])],
  });
  const wall = createWallServices({
    store,
    secrets,
    bus,
    analyzer,
    escalation,
    mail,
    clock: options.clock,
    publicUrl: config.publicUrl,
    // In a cluster the `escalation` lease holder checks wall deadlines with the escalations (below).
    tickEveryMs: cluster ? 0 : options.wallTickMs,
    digestEveryMs: cluster ? 0 : options.wallTickMs,
  });
  const sources = new SourceSupervisor({
    store,
    // In a cluster, drafts go through JetStream to whichever worker is free.
    pipeline: cluster?.drafts ?? pipeline,
    active: cluster ? () => cluster.held.has('sources') : undefined,
    bus,
    secrets,
    definitions: options.sourceDefinitions,
    fetch: options.fetch,
    allowPrivateNetwork: options.allowPrivateNetwork,
    allowedPrivateHosts: config.allowedPrivateHosts,
    clock: options.clock,
    log,
  });
  const channels = channelResolver({ store, kinds: sources.definitions });
  const ladder = createLadder(store, options.clock);
  const desk = new Desk({ store, bus, clock: options.clock, channels, replyGate: ladder });
  const deskActions = new DeskActions({ store, bus, clock: options.clock });
  const incidents = new IncidentDesk({ store, bus, clock: options.clock, channels, approvalGate: ladder });
  const knowledge = createKnowledgeParts({ store, desk, ladder, clock: options.clock });
  const outbound = new OutboundWorker({
    store,
    bus,
    senders: sources,
    clock: options.clock,
    intervalMs: options.outboundIntervalMs,
    log,
  });
  if (options.runSources && runsSources(role)) {
    const file = configFilePath(config);
    if (file) {
      const read = readConfig(file, options.env ?? {}, sources.definitions);
      sources.allowFromConfigFile(read.allowedPrivateHosts);
      const applied = await applyConfigFile(store, sources.secrets, read.sources, sources.definitions);
      log.info(`${file}: ${applied.length} source(s) configured`);
    }
    if (!cluster) {
      await sources.startAll();
      outbound.start();
    }
  } else if (demo) {
    await sources.reconcile(DEMO_SOURCE);
  }
  const stopDuties = cluster
    ? await startDuties({
        cluster,
        bus,
        pipeline,
        startWatches,
        tickEscalations: async () => {
          await escalation.tick();
          await wall.deadlines.tick();
        },
        escalationTickMs: options.escalationTickMs || 30_000,
        leaseRetryMs: options.leaseRetryMs,
        log,
        startSources: options.runSources
          ? async () => {
              await sources.startAll();
              // The node that held the lease before is dead: the replies it had claimed are sent now.
              const freed = await outbound.takeOver();
              if (freed > 0) log.info(`outbound: took over ${freed} reply(ies) claimed by the previous sources node`);
              outbound.start();
              // A source changed on another node's desk: this node runs it, so this node applies it.
              const unsubscribe = bus.subscribe('sources.changed', ({ name }) => sources.reconcile(name));
              return async () => {
                unsubscribe();
                await outbound.stop();
                await sources.close();
              };
            }
          : null,
      })
    : null;
  cluster?.leases.onLost(() => {
    log.error("lost the connection to PostgreSQL, and with it this node's leases");
    options.onClusterLost?.();
  });
  return {
    config,
    store,
    bus,
    analyzer,
    pipeline,
    desk,
    deskActions,
    incidents,
    knowledge,
    channels,
    sources,
    outbound,
    escalation,
    webhooksOut,
    webhook,
    cluster,
    wall,
    get monthlyReports() {
      return monthlyReportsNow;
    },
    slaCalendars,
    async close() {
      // What was stored reaches the watches before they stop.
      await pipeline.settled();
      await stopDuties?.();
      await outbound.stop();
      await sources.close();
      stopWatches?.();
      wall.close();
      escalation.close();
      mail?.close();
      pipeline.close();
      slaCalendars.stop();
      await bus.close();
      await cluster?.close();
      await store.close();
      lock?.release();
    },
  };
}

/** Closes the store when a later step of assembling fails, then fails the same way. */
function closing(store: Store): (error: unknown) => never {
  return (error) => {
    void store.close();
    throw error;
  };
}

/** First start: an admin to log in with, and a stream so the desk is not empty. */
async function bootstrap(store: Store, config: Config, options: RuntimeOptions): Promise<void> {
  if ((await countUsers(store.db)) === 0) {
    const password = config.adminPassword ?? randomBytes(12).toString('base64url');
    try {
      await createUser(store.db, { username: 'admin', displayName: 'Administrator', role: 'admin', password });
    } catch (error) {
      // Nodes of a cluster start together: the first one creates the admin, the others find it.
      if ((await countUsers(store.db)) > 0) return;
      throw error;
    }
    options.onAdminCreated?.('admin', config.adminPassword ? null : password);
  }
}

/**
 * The demo organisation's streams, and the demo as a configured source like any other (it
 * shows in the desk's Sources view), both created once: later changes by an admin stay.
 */
async function setUpDemo(store: Store, options: Readonly<Record<string, unknown>>): Promise<void> {
  await ensureDemoStreams(store);
  if (!(await getSourceByName(store.db, DEMO_SOURCE))) {
    await upsertSourceByName(store.db, {
      name: DEMO_SOURCE,
      kind: 'demo',
      options: { ...options },
      sealedSecrets: null,
      secretsSet: [],
      enabled: true,
      origin: 'cli',
    });
  }
}

async function ensureDemoStreams(store: Store): Promise<void> {
  const existing = new Set((await listStreams(store.db)).map((stream) => stream.name));
  const wanted = [
    { name: 'Mentions', query: '@northwind_it OR #NorthwindIT' },
    {
      name: 'Outages',
      query: 'portal AND (down OR outage OR "not working" OR "500" OR "won’t load" OR "can’t log in")',
    },
    { name: 'Praise', query: 'sentiment:positive AND (@northwind_it OR #NorthwindIT)' },
  ];
  for (const stream of wanted) {
    if (!existing.has(stream.name))
      await createStream(store.db, { ...stream, ticketRules: stream.name === 'Praise' ? [] : DEFAULT_TICKET_RULES });
  }
}

export async function buildApp(
  runtime: Runtime,
  extras: Parameters<typeof build>[1]['extras'] = [],
  /** `clock`: the routes' clock (tests that read SLA clocks at a chosen instant); default: the real one. */
  options: { prettyLogs?: boolean; clock?: () => Date } = {},
): Promise<App> {
  const { clock, ...buildOptions } = options;
  return build(
    runtime.config,
    {
      store: runtime.store,
      secrets: runtime.sources.secrets,
      bus: runtime.bus,
      pipeline: runtime.pipeline,
      desk: runtime.desk,
      deskActions: runtime.deskActions,
      incidents: runtime.incidents,
      knowledge: runtime.knowledge,
      sources: runtime.sources,
      node: runtime.cluster ? nodeInfo(runtime.cluster) : undefined,
      wall: runtime.wall,
      slaCalendars: runtime.slaCalendars,
      ...(clock ? { clock } : {}),
      webhookGuard: {
        allowPrivateNetwork: runtime.webhook.allowPrivateNetwork ?? false,
        allowedPrivateHosts: runtime.webhook.allowedPrivateHosts,
        resolve: runtime.webhook.resolve,
      },
      extras,
    },
    buildOptions,
  );
}
