/**
 * Runs the configured sources: starts each enabled one from its durable cursor, schedules its
 * polls or keeps its stream open (`runner.ts`), feeds its posts to the pipeline under the
 * source's configured name, saves its typed cursor once they are stored, records its health
 * (status, last post, errors, counters), restarts it with backoff when it crashes, and applies
 * changes made from the desk without a restart of Earshot. The demo is a configured source
 * like any other (the runtime's `demo` option configures it).
 */
import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Store } from '../store/open.js';
import type { Bus } from '../pipeline/bus.js';
import type { PostDraft } from '../domain/post.js';
import { EarshotError } from '../domain/errors.js';
import { loadCursor, saveCursor } from '../store/cursors.js';
import type { ConfiguredSource, SourceStatus } from '../domain/source.js';
import { getSourceByName, listSources, recordSourceHealth, type HealthReport } from '../store/sources.js';
import { readAllowedPrivateHosts } from '../store/source-settings.js';
import { mergeIntranetEntries } from '../domain/intranet-hosts.js';
import { SOURCE_DEFINITIONS } from './index.js';
import { runSource, type SourceRun } from './runner.js';
import type { SecretBox } from './secrets.js';
import type { Source, SourceDefinition, SourceEnvironment, SourceHost, AnySourceDefinition } from './source.js';

export interface SupervisorLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface SupervisorOptions {
  readonly store: Store;
  readonly pipeline: { ingestDrafts(drafts: readonly PostDraft[]): Promise<unknown> };
  readonly bus: Bus;
  readonly secrets: SecretBox;
  readonly definitions?: readonly AnySourceDefinition[];
  readonly fetch?: typeof globalThis.fetch;
  readonly allowPrivateNetwork?: boolean;
  /** Intranet hosts from the environment (EARSHOT_ALLOWED_PRIVATE_HOSTS); the file's and the desk's are added to them. */
  readonly allowedPrivateHosts?: readonly string[];
  readonly clock?: () => Date;
  readonly log?: SupervisorLog;
  /**
   * Whether this node runs sources now (the distributed mode: only the holder of the `sources`
   * lease does; elsewhere a change from the desk is announced on the bus for that node to apply).
   */
  readonly active?: () => boolean;
  /** Backoff between restarts of a crashed source. */
  readonly restartBaseMs?: number;
  readonly restartMaxMs?: number;
}

/** Where the intranet hosts sources may reach come from, and their union (what the guard applies). */
export interface PrivateHostAllowance {
  readonly environment: readonly string[];
  readonly configFile: readonly string[];
  readonly desk: readonly string[];
  readonly effective: readonly string[];
}

/** Whether the outbound worker can send through a source now, and why not. */
export type SenderState =
  | { readonly ok: true; readonly source: Source & Required<Pick<Source, 'send'>> }
  | { readonly ok: false; readonly retryable: boolean; readonly reason: string };

type RunState = 'starting' | 'running' | 'backing-off' | 'stopped';

interface Entry {
  readonly name: string;
  readonly create: () => Source;
  source: Source | null;
  run: SourceRun | null;
  state: RunState;
  /** Bumped on every (re)start; callbacks of an older generation are ignored. */
  generation: number;
  failures: number;
  reported: boolean;
  timer: NodeJS.Timeout | null;
  health: Promise<void>;
}

// TypeBox's checker knows no string formats until told; definitions use these (as Fastify's ajv would).
const FORMATS: Record<string, (value: string) => boolean> = {
  uri: (value) => URL.canParse(value) && /^[a-z][a-z0-9+.-]*:/i.test(value),
  url: (value) => URL.canParse(value),
  email: (value) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value),
  hostname: (value) =>
    /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(value),
  'date-time': (value) => !Number.isNaN(Date.parse(value)) && /\dT\d/.test(value),
  // A hashtag in any script, `#` optional. Not a `pattern`: TypeBox compiles patterns without the
  // `u` flag, so `\p{L}` would match the letters "p{L}" and refuse every real tag.
  hashtag: (value) => /^#?[\p{L}\p{N}_]+$/u.test(value),
};
for (const [format, check] of Object.entries(FORMATS))
  if (!FormatRegistry.Has(format)) FormatRegistry.Set(format, check);

/** A source's name: it keys its cursor and health and is every post's `source`. */
export const SOURCE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function findDefinition(
  kind: string,
  definitions: readonly AnySourceDefinition[] = SOURCE_DEFINITIONS,
): SourceDefinition {
  const definition = definitions.find((candidate) => candidate.kind === kind);
  if (!definition)
    throw new EarshotError('ERR_SOURCE_UNKNOWN_KIND', {
      kind,
      known: definitions.map((candidate) => candidate.kind).join(', '),
    });
  return definition;
}

/**
 * Validates a source's full options (secrets included) against its definition's schema, with
 * defaults applied; the first problem is reported with the path of the field.
 */
export function validateSourceOptions(
  definition: SourceDefinition,
  name: string,
  options: Record<string, unknown>,
): Record<string, unknown> {
  const withDefaults = Value.Default(definition.options, Value.Clone(options)) as Record<string, unknown>;
  const first = Value.Errors(definition.options, withDefaults).First();
  if (first) {
    const path = first.path ? first.path.slice(1).replace(/\//g, '.') : '(options)';
    // Never echo the value: it may be a credential.
    throw new EarshotError('ERR_SOURCE_OPTIONS_INVALID', { name, path, detail: first.message.toLowerCase() });
  }
  return withDefaults;
}

export class SourceSupervisor {
  readonly #options: SupervisorOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #log: SupervisorLog;
  readonly #clock: () => Date;
  #closed = false;
  #fileHosts: readonly string[] = [];
  #deskHosts: readonly string[] = [];

  constructor(options: SupervisorOptions) {
    this.#options = options;
    this.#log = options.log ?? { info: () => {}, warn: (m) => console.warn(m), error: (m) => console.error(m) };
    this.#clock = options.clock ?? (() => new Date());
  }

  get secrets(): SecretBox {
    return this.#options.secrets;
  }

  get definitions(): readonly AnySourceDefinition[] {
    return this.#options.definitions ?? SOURCE_DEFINITIONS;
  }

  /** The intranet allowance as each place lists it, and the union every source gets. */
  get allowance(): PrivateHostAllowance {
    const environment = this.#options.allowedPrivateHosts ?? [];
    return {
      environment,
      configFile: this.#fileHosts,
      desk: this.#deskHosts,
      effective: mergeIntranetEntries(environment, this.#fileHosts, this.#deskHosts),
    };
  }

  /** The intranet hosts earshot.config.yaml lists (validated by the config file's reader). */
  allowFromConfigFile(hosts: readonly string[]): void {
    this.#fileHosts = Object.freeze([...hosts]);
  }

  /** Reads the desk's intranet hosts from the store (another node may have changed them). */
  async refreshSettings(): Promise<void> {
    this.#deskHosts = Object.freeze(await readAllowedPrivateHosts(this.#options.store.db));
  }

  /**
   * Applies changed settings at once: every running source is restarted, so connections opened
   * under the old allowance (one that no longer allows a host, say) do not outlive it, and a
   * source refused before is tried again now instead of after its backoff.
   */
  async applySettings(): Promise<void> {
    await this.refreshSettings();
    if (this.#options.active && !this.#options.active()) return;
    for (const configured of await listSources(this.#options.store.db))
      if (configured.enabled) await this.reconcile(configured.name);
  }

  /** Starts every enabled configured source. */
  async startAll(): Promise<void> {
    await this.refreshSettings();
    for (const configured of await listSources(this.#options.store.db)) {
      if (configured.enabled) await this.reconcile(configured.name);
    }
  }

  /** Brings the running source named so in line with its stored configuration (after a change, or to restart it). */
  async reconcile(name: string): Promise<void> {
    if (this.#options.active && !this.#options.active()) return;
    await this.refreshSettings();
    await this.stop(name);
    const configured = await getSourceByName(this.#options.store.db, name);
    if (!configured) return;
    if (!configured.enabled) {
      await this.#record(name, { status: 'disconnected', detail: 'disabled' });
      return;
    }
    await this.#run(name, () => this.#build(configured));
  }

  /** The environment a source of that name gets. */
  environment(name: string): SourceEnvironment {
    return {
      name,
      fetch: this.#options.fetch ?? globalThis.fetch,
      clock: this.#clock,
      allowPrivateNetwork: this.#options.allowPrivateNetwork ?? false,
      allowedPrivateHosts: this.allowance.effective,
    };
  }

  async sender(name: string): Promise<SenderState> {
    const entry = this.#entries.get(name);
    if (entry?.source && entry.state === 'running') {
      const { source } = entry;
      if (!source.send)
        return { ok: false, retryable: false, reason: `source "${name}" (${source.kind}) cannot send replies` };
      return { ok: true, source: source as Source & Required<Pick<Source, 'send'>> };
    }
    if (entry) return { ok: false, retryable: true, reason: `source "${name}" is not connected (${entry.state})` };
    const configured = await getSourceByName(this.#options.store.db, name);
    if (!configured) return { ok: false, retryable: false, reason: `no configured source named "${name}"` };
    if (!configured.enabled) return { ok: false, retryable: false, reason: `source "${name}" is disabled` };
    return { ok: false, retryable: true, reason: `source "${name}" is not running` };
  }

  async stop(name: string): Promise<void> {
    const entry = this.#entries.get(name);
    if (!entry) return;
    this.#entries.delete(name);
    entry.generation += 1;
    entry.state = 'stopped';
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    await entry.run
      ?.stop()
      .catch((error: unknown) => this.#log.warn(`source ${name}: stop failed: ${(error as Error).message}`));
    await entry.health;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#entries.keys()].map((name) => this.stop(name)));
  }

  #build(configured: ConfiguredSource): Source {
    const definition = findDefinition(configured.kind, this.definitions);
    const secrets = configured.sealedSecrets
      ? this.#options.secrets.open(configured.name, configured.sealedSecrets)
      : {};
    const options = validateSourceOptions(definition, configured.name, { ...configured.options, ...secrets });
    return definition.create(options, this.environment(configured.name));
  }

  async #run(name: string, create: () => Source): Promise<void> {
    if (this.#closed) return;
    const entry: Entry = {
      name,
      create,
      source: null,
      run: null,
      state: 'starting',
      generation: 0,
      failures: 0,
      reported: false,
      timer: null,
      health: Promise.resolve(),
    };
    this.#entries.set(name, entry);
    await this.#launch(entry);
  }

  async #launch(entry: Entry): Promise<void> {
    const generation = ++entry.generation;
    entry.state = 'starting';
    entry.reported = false;
    entry.timer = null;
    try {
      entry.source = entry.create();
      entry.run = null;
      this.#report(entry, { status: 'connecting', detail: null });
      const cursor = await loadCursor(this.#options.store.db, entry.name);
      const run = await runSource(entry.source, this.#host(entry, generation), cursor);
      if (generation !== entry.generation) {
        // Stopped or crashed while starting: this run belongs to no one.
        await run.stop().catch(() => undefined);
        return;
      }
      entry.run = run;
      entry.state = 'running';
      // A source that says nothing of its state is taken to be connected once started.
      if (!entry.reported) this.#report(entry, { status: 'connected', detail: null });
      this.#log.info(`source ${entry.name}: started${cursor ? ' from its saved cursor' : ''}`);
    } catch (error) {
      await this.#crashed(entry, generation, error);
    }
  }

  /** Stops a failed source and starts it again after a growing delay. */
  async #crashed(entry: Entry, generation: number, error: unknown): Promise<void> {
    if (generation !== entry.generation || this.#entries.get(entry.name) !== entry) return;
    entry.generation += 1;
    entry.failures += 1;
    const message = describe(error);
    const base = this.#options.restartBaseMs ?? 1000;
    const delayMs = Math.min(this.#options.restartMaxMs ?? 5 * 60_000, base * 2 ** (entry.failures - 1));
    entry.state = 'backing-off';
    this.#log.warn(`source ${entry.name}: ${message}; restarting in ${Math.round(delayMs / 1000)} s`);
    const run = entry.run;
    entry.run = null;
    await run?.stop().catch(() => {});
    this.#report(entry, {
      status: 'backing-off',
      detail: `restarting in ${Math.round(delayMs / 1000)} s`,
      error: message,
    });
    entry.timer = setTimeout(() => void this.#launch(entry), delayMs);
    entry.timer.unref();
  }

  #host(entry: Entry, generation: number): SourceHost {
    const live = () => generation === entry.generation && this.#entries.get(entry.name) === entry;
    const { name } = entry;
    return {
      emit: async (drafts) => {
        if (!live()) throw new Error(`source ${name} was stopped`);
        // Posts carry the configured name, so replies find their way back to this instance.
        const named = drafts.map((draft) => (draft.source === name ? draft : { ...draft, source: name }));
        try {
          await this.#options.pipeline.ingestDrafts(named);
        } catch (error) {
          this.#report(entry, { error: `could not store posts: ${describe(error)}` });
          throw error;
        }
        entry.failures = 0;
        if (named.length > 0) this.#report(entry, { posts: named.length, lastPostAt: this.#clock().toISOString() });
      },
      reportSkipped: (reason) => {
        if (!live()) return;
        this.#log.warn(`source ${name}: skipped: ${reason}`);
        this.#report(entry, { skipped: 1, detail: `skipped: ${reason.slice(0, 300)}` });
      },
      reportStatus: (status: SourceStatus, detail?: string) => {
        if (!live()) return;
        entry.reported = true;
        if (status === 'failed') {
          void this.#crashed(entry, generation, new Error(detail ?? 'the source reported a failure'));
          return;
        }
        if (status === 'connected' || status === 'polling') entry.failures = 0;
        // A source backing off has just failed an attempt: that is an error, counted with its reason and time.
        if (status === 'backing-off')
          this.#report(entry, { status, detail: detail ?? null, error: detail ?? 'an attempt failed' });
        else this.#report(entry, { status, detail: detail ?? null });
      },
      reportError: (reason) => {
        if (!live()) return;
        this.#log.warn(`source ${name}: ${reason}`);
        this.#report(entry, { error: reason });
      },
      saveCursor: async (cursor) => {
        // A stopped generation must not move the cursor back under its successor.
        if (!live()) return;
        await saveCursor(this.#options.store.db, name, cursor, this.#clock().toISOString());
      },
      log: {
        info: (m) => this.#log.info(`source ${name}: ${m}`),
        warn: (m) => this.#log.warn(`source ${name}: ${m}`),
        error: (m) => {
          this.#log.error(`source ${name}: ${m}`);
          if (live()) this.#report(entry, { error: m });
        },
      },
      clock: this.#clock,
    };
  }

  /** Health writes are queued per source so they land in order and never block the source. */
  #report(entry: Entry, report: HealthReport): void {
    entry.health = entry.health
      .then(() => recordSourceHealth(this.#options.store.db, entry.name, report, this.#clock().toISOString()))
      .catch((error: unknown) => this.#log.warn(`source ${entry.name}: could not record health: ${describe(error)}`));
  }

  #record(name: string, report: HealthReport): Promise<void> {
    return recordSourceHealth(this.#options.store.db, name, report, this.#clock().toISOString());
  }

  /** Resolves once every queued health write has landed (for tests and shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.#entries.values()].map((entry) => entry.health));
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
