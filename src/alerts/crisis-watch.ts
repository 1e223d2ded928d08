/**
 * The crisis watch: listens to `posts.stored`, feeds the burst detector per stream (and per
 * incident cluster when incident tracking is on) in event time (each post at its `createdAt`),
 * turns its alerts into de-duplicated store alerts (`burst:stream:3`, open while the burst lasts,
 * closed when it ends) and publishes each on `alerts.raised`. Bursts found in old posts (an
 * `earshot ingest` of a timeline, a source catching up) are stored as historical alerts
 * (`burst:stream:3@<onset>`, `evidence.historical`): shown, never published, so they never page.
 * The runtime starts it once: `startCrisisWatch(runtime)`.
 */
import { setImmediate } from 'node:timers/promises';
import type { Post } from '../domain/post.js';
import type { Alert } from '../domain/alert.js';
import type { Bus } from '../pipeline/bus.js';
import type { Store } from '../store/open.js';
import { raiseAlert, setAlertStatus } from '../store/alerts.js';
import { listStreams } from '../store/streams.js';
import { BurstDetector, type BurstAlert, type BurstOptions } from './burst.js';
import { IncidentTracker, type IncidentTrackerOptions } from '../desk/incidents.js';

/** The longest the watch works on one message before it lets the event loop run. */
const WATCH_SLICE_MS = 20;

export interface CrisisWatchDeps {
  readonly store: Store;
  readonly bus: Bus;
  readonly clock?: () => Date;
  readonly detector?: BurstOptions;
  /** Cluster posts into major incidents (default on); `false` turns it off. */
  readonly incidents?: Omit<IncidentTrackerOptions, 'store' | 'bus' | 'clock'> | false;
  /** How often idle keys are advanced so bursts end without new posts (ms); 0: never. */
  readonly tickEveryMs?: number;
  readonly onError?: (error: unknown) => void;
}

export interface CrisisWatch {
  readonly detector: BurstDetector;
  readonly incidents: IncidentTracker | null;
  /** Advances the detector to the clock (the timer does this; tests call it directly). */
  tick(): Promise<void>;
  stop(): void;
}

export function startCrisisWatch(deps: CrisisWatchDeps): CrisisWatch {
  const clock = deps.clock ?? (() => new Date());
  const onError = deps.onError ?? ((error: unknown) => console.error('crisis watch:', error));
  const detector = new BurstDetector({
    // A stream key alerts after a few minutes of its own (it borrows the organisation's profile
    // and dispersion); a cluster is new by nature and may alert at once.
    warmupMinutes: (key) => (key.startsWith('cluster:') ? 0 : 15),
    forgetIdleMinutes: (key) => (key.startsWith('cluster:') ? 180 : Number.POSITIVE_INFINITY),
    ...deps.detector,
  });
  const incidents =
    deps.incidents === false
      ? null
      : new IncidentTracker({ store: deps.store, bus: deps.bus, clock, ...deps.incidents });
  const openAlerts = new Map<string, number>();
  let streamNames: Promise<Map<number, string>> | null = null;
  // Alerts are written in the order the detector produced them: an `ended` never overtakes its `opened`.
  let chain: Promise<void> = Promise.resolve();

  const names = (): Promise<Map<number, string>> => {
    streamNames ??= listStreams(deps.store.db).then(
      (streams) => new Map(streams.map((stream) => [stream.id, stream.name])),
    );
    return streamNames;
  };

  async function publish(alerts: readonly BurstAlert[]): Promise<void> {
    for (const burst of alerts) {
      const key = burst.historical ? `burst:${burst.key}@${burst.evidence.onsetAt}` : `burst:${burst.key}`;
      const nowIso = clock().toISOString();
      // A cluster's burst names its incident when the cluster has one, so the alert can link to it.
      const [kind, id] = burst.key.split(':');
      const incidentId = kind === 'cluster' ? (incidents?.clusterer.get(Number(id))?.incidentId ?? null) : null;
      const { alert } = await raiseAlert(
        deps.store.db,
        {
          type: 'burst',
          severity: burst.severity,
          title: titleOf(burst, await names(), incidentId),
          key,
          evidence: { ...burst.evidence, phase: burst.phase, ...(incidentId !== null ? { incidentId } : {}) },
        },
        nowIso,
      );
      if (burst.phase === 'ended') {
        openAlerts.delete(key);
        await setAlertStatus(deps.store.db, alert.id, 'closed', nowIso);
        continue;
      }
      openAlerts.set(key, alert.id);
      // History is shown, never paged: nothing downstream (webhooks, e-mail, the live feed) hears it.
      if (burst.historical) continue;
      await deps.bus.publish('alerts.raised', { alert: alert satisfies Alert });
    }
  }

  function enqueue(alerts: readonly BurstAlert[]): Promise<void> {
    if (alerts.length === 0) return chain;
    chain = chain.then(() => publish(alerts)).catch(onError);
    return chain;
  }

  const unsubscribe = deps.bus.subscribe('posts.stored', async function watchPosts({ posts }) {
    const now = clock().getTime();
    const alerts: BurstAlert[] = [];
    const clusterKeys = incidents ? await incidents.observe(posts) : new Map<number, string>();
    // A merged message of thousands of posts (a large import) is seconds of detector work: yield
    // to the event loop every WATCH_SLICE_MS so the API keeps answering. The bus delivers the next
    // message only when this one is done, so the order of posts is kept.
    let sliceStart = performance.now();
    for (const post of posts) {
      if (performance.now() - sliceStart > WATCH_SLICE_MS) {
        await setImmediate();
        sliceStart = performance.now();
      }
      const at = Math.min(Date.parse(post.createdAt), now);
      if (!Number.isFinite(at)) continue;
      const event = {
        at,
        negative: post.sentiment === 'negative',
        problem: post.kind === 'outage' || post.kind === 'complaint',
        influence: post.author.followers ?? 0,
        source: post.source,
        postId: post.id,
        text: post.text,
      };
      for (const key of keysOf(post, clusterKeys.get(post.id)))
        alerts.push(...detector.observe({ ...event, key }, now));
    }
    await enqueue(alerts);
  });
  const unsubscribeStreams = deps.bus.subscribe('streams.changed', () => {
    streamNames = null;
  });

  const tickEvery = deps.tickEveryMs ?? 30_000;
  const timer = tickEvery > 0 ? setInterval(() => void enqueue(detector.tick(clock().getTime())), tickEvery) : null;
  timer?.unref();

  return {
    detector,
    incidents,
    tick: () => enqueue(detector.tick(clock().getTime())),
    stop() {
      if (timer) clearInterval(timer);
      unsubscribe();
      unsubscribeStreams();
      incidents?.close();
    },
  };
}

/** A post counts for each stream it matched, or for `all` when it matched none. */
function keysOf(post: Post, clusterKey: string | undefined): string[] {
  const keys = post.streamIds.length > 0 ? post.streamIds.map((id) => `stream:${id}`) : ['all'];
  if (clusterKey !== undefined) keys.push(clusterKey);
  return keys;
}

function titleOf(burst: BurstAlert, names: ReadonlyMap<number, string>, incidentId: number | null): string {
  const e = burst.evidence;
  const [kind, id] = burst.key.split(':');
  const where =
    kind === 'stream'
      ? `stream “${names.get(Number(id)) ?? id}”`
      : kind === 'cluster'
        ? incidentId !== null
          ? `incident #${incidentId}`
          : `incident cluster ${id}`
        : 'all posts';
  const ended = burst.phase === 'ended' ? ' (ended)' : '';
  const history = burst.historical ? `Historical (${e.onsetAt.slice(0, 16).replace('T', ' ')} UTC): b` : 'B';
  const negative = Math.round(e.negativeShare * 100);
  return `${history}urst of posts in ${where}: ${e.count} in ${e.windowMinutes} min, expected ${e.expected}, ${negative} % negative${ended}`;
}
