/**
 * The crisis watch: listens to `posts.stored`, feeds the burst detector per stream (and per
 * incident cluster when incident tracking is on) in event time (each post at its `createdAt`),
 * turns its alerts into de-duplicated store alerts (`burst:stream:3`, open while the burst lasts,
 * closed when it ends) and publishes each on `alerts.raised`. Bursts found in old posts (an
 * `earshot ingest` of a timeline, a source catching up) are stored as historical alerts
 * (`burst:stream:3@<onset>`, `evidence.historical`): shown, never published, so they never page.
 * The runtime starts it once: `startCrisisWatch(runtime)`. With `rebuild` (the distributed mode,
 * where the watch moves to another node when its holder dies) it first rebuilds its windows from
 * the posts stored in the detector's span (`watch-windows.ts`), so a burst under way at the
 * takeover is raised once: an alert the store already holds open is kept, not raised again.
 */
import type { Alert } from '../domain/alert.js';
import type { Bus } from '../pipeline/bus.js';
import { TimeSlice } from '../pipeline/time-slice.js';
import type { Store } from '../store/open.js';
import { latestAlertWithKey, raiseAlert, setAlertStatus } from '../store/alerts.js';
import { listStreams } from '../store/streams.js';
import { BurstDetector, type BurstAlert, type BurstOptions } from './burst.js';
import { IncidentTracker, type IncidentTrackerOptions } from '../desk/incidents.js';
import { burstEventsOf, replayStoredPosts, type RebuildOptions } from './watch-windows.js';

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
  /** Rebuild the windows from the stored posts before hearing new ones (a takeover); off by default. */
  readonly rebuild?: RebuildOptions | boolean;
  /** Told once the windows are rebuilt: how many stored posts were replayed. */
  readonly onRebuilt?: (posts: number) => void;
}

export interface CrisisWatch {
  readonly detector: BurstDetector;
  readonly incidents: IncidentTracker | null;
  /** Advances the detector to the clock (the timer does this; tests call it directly). */
  tick(): Promise<void>;
  /** Resolves once the windows are rebuilt and their alerts settled (at once without `rebuild`). */
  readonly ready: Promise<void>;
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
    // An import of a past crisis raises and closes hundreds of alerts at once; SQLite's writes are
    // synchronous, so without a yield they held the event loop for about 0.15 s (a CPU profile).
    const slice = new TimeSlice();
    for (const burst of alerts) {
      if (slice.due()) await slice.yield();
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

  /**
   * After a replay: what the store already holds decides what is raised. A burst under way whose
   * alert is open is adopted silently; one the store has not raised (it built up while no node
   * held the watch, or the old holder died before deciding) is raised now; one a person closed
   * during this burst stays closed; an open alert on a key the replay shows quiet is closed.
   */
  async function settleReplay(replayed: readonly BurstAlert[]): Promise<void> {
    const last = new Map<string, BurstAlert>();
    for (const burst of replayed) if (!burst.historical) last.set(burst.key, burst);
    const raise: BurstAlert[] = [];
    for (const key of detector.keys()) {
      const burst = last.get(key);
      const stored = await latestAlertWithKey(deps.store.db, `burst:${key}`);
      const open = stored !== undefined && stored.status !== 'closed';
      if (detector.inBurst(key) && burst) {
        if (open) openAlerts.set(`burst:${key}`, stored.id);
        else if (!(stored && stored.createdAt >= burst.evidence.onsetAt)) raise.push(burst);
      } else if (open) {
        if (burst?.phase === 'ended') raise.push(burst);
        else await setAlertStatus(deps.store.db, stored.id, 'closed', clock().toISOString());
      }
    }
    await enqueue(raise);
  }

  let replayedIds: ReadonlySet<number> = new Set();
  const rebuild = deps.rebuild === true ? {} : deps.rebuild || null;
  const ready: Promise<void> = rebuild
    ? replayStoredPosts(detector, deps.store, { ...rebuild, now: clock().getTime() })
        .then((replay) => {
          replayedIds = replay.recentIds;
          return settleReplay(replay.alerts).then(() => deps.onRebuilt?.(replay.posts));
        })
        .catch(onError)
    : Promise.resolve();

  const unsubscribe = deps.bus.subscribe('posts.stored', async function watchPosts(message) {
    await ready;
    // A post stored just before the takeover may be both in the replay and on the bus.
    const posts = replayedIds.size > 0 ? message.posts.filter((post) => !replayedIds.has(post.id)) : message.posts;
    const now = clock().getTime();
    const alerts: BurstAlert[] = [];
    const clusterKeys = incidents ? await incidents.observe(posts) : new Map<number, string>();
    // A merged message of thousands of posts (a large import) is seconds of detector work: yield
    // to the event loop every few milliseconds so the API keeps answering. The bus delivers the
    // next message only when this one is done, so the order of posts is kept.
    const slice = new TimeSlice();
    for (const post of posts) {
      if (slice.due()) await slice.yield();
      const heard = { ...post, followers: post.author.followers };
      for (const event of burstEventsOf(heard, clusterKeys.get(post.id), now))
        alerts.push(...detector.observe(event, now));
    }
    await enqueue(alerts);
  });
  const unsubscribeStreams = deps.bus.subscribe('streams.changed', () => {
    streamNames = null;
  });

  const tickEvery = deps.tickEveryMs ?? 30_000;
  const tickNow = () => ready.then(() => enqueue(detector.tick(clock().getTime())));
  const timer = tickEvery > 0 ? setInterval(() => void tickNow(), tickEvery) : null;
  timer?.unref();

  return {
    detector,
    incidents,
    tick: tickNow,
    ready,
    stop() {
      if (timer) clearInterval(timer);
      unsubscribe();
      unsubscribeStreams();
      incidents?.close();
    },
  };
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
