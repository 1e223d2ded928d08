/**
 * The crisis watch's windows: what a stored post counts for in the burst detector, and how a
 * watch that starts late (a node taking the `watches` lease after the holder died, a restart)
 * rebuilds them from the store. It replays the posts written in the detector's span (its ring of
 * minutes, four hours by default) in the order they were stored, each at the time it was stored,
 * so the new detector holds the counts, the level and any burst under way that the old one held.
 * What it does not rebuild: the daily and weekly profiles and the dispersion learned over days
 * (the replayed span teaches them afresh, leaning on the organisation-wide prior), incident
 * clusters, and historical replays (old posts imported at the time: shown, never paged).
 */
import { setImmediate } from 'node:timers/promises';
import type { PostKind, Sentiment } from '../domain/post.js';
import type { Store } from '../store/open.js';
import { postsCreatedSince } from '../store/recent-posts.js';
import type { BurstAlert, BurstDetector, BurstEvent } from './burst.js';

/** What the detector reads of a stored post. */
export interface HeardPost {
  readonly id: number;
  readonly source: string;
  readonly createdAt: string;
  readonly sentiment: Sentiment;
  readonly kind: PostKind;
  readonly followers: number | null;
  readonly text: string;
  readonly streamIds: readonly number[];
}

export interface RebuildOptions {
  /** How far back (minutes of post time) to replay; the detector's ring by default. */
  readonly minutes?: number;
  /** At most this many posts (the newest); bounds the time and memory a takeover costs. */
  readonly maxPosts?: number;
}

export interface Replay {
  /** What the detector said while replaying (bursts opened, updated, ended), oldest first. */
  readonly alerts: BurstAlert[];
  readonly posts: number;
  /** Replayed posts stored in the last minutes: their `posts.stored` may still be on its way. */
  readonly recentIds: ReadonlySet<number>;
}

export const REBUILD_DEFAULTS = { minutes: 240, maxPosts: 200_000 } as const;

const MINUTE = 60_000;
/** A post stored this long before the replay may still reach the watch on the bus. */
const RECENT_MS = 5 * MINUTE;
/** The longest the replay works before it lets the event loop run. */
const SLICE_MS = 20;

/**
 * The detector events a post makes, heard at `now`: one per stream it matched (or `all` when it
 * matched none), plus its incident cluster's. None when its time is unreadable.
 */
export function burstEventsOf(post: HeardPost, clusterKey: string | undefined, now: number): BurstEvent[] {
  const at = Math.min(Date.parse(post.createdAt), now);
  if (!Number.isFinite(at)) return [];
  const event = {
    at,
    negative: post.sentiment === 'negative',
    problem: post.kind === 'outage' || post.kind === 'complaint',
    influence: post.followers ?? 0,
    source: post.source,
    postId: post.id,
    text: post.text,
  };
  const keys = post.streamIds.length > 0 ? post.streamIds.map((id) => `stream:${id}`) : ['all'];
  if (clusterKey !== undefined) keys.push(clusterKey);
  return keys.map((key) => ({ ...event, key }));
}

/**
 * Replays the stored posts of the detector's span into `detector` (a fresh one), each at the time
 * it was stored, then advances it to `now`. Returns what the detector said; nothing is raised here.
 */
export async function replayStoredPosts(
  detector: BurstDetector,
  store: Store,
  options: RebuildOptions & { readonly now: number },
): Promise<Replay> {
  const minutes = options.minutes ?? REBUILD_DEFAULTS.minutes;
  const posts = await postsCreatedSince(store.db, {
    createdSince: new Date(options.now - minutes * MINUTE).toISOString(),
    limit: options.maxPosts ?? REBUILD_DEFAULTS.maxPosts,
  });
  const alerts: BurstAlert[] = [];
  const recentIds = new Set<number>();
  let heardAt = Number.NEGATIVE_INFINITY;
  let sliceStart = performance.now();
  for (const post of posts) {
    if (performance.now() - sliceStart > SLICE_MS) {
      await setImmediate();
      sliceStart = performance.now();
    }
    const stored = Date.parse(post.ingestedAt);
    if (!Number.isFinite(stored)) continue;
    if (stored >= options.now - RECENT_MS) recentIds.add(post.id);
    // The watch heard each post when it was stored; the store's order keeps that clock monotonic.
    heardAt = Math.max(heardAt, Math.min(stored, options.now));
    for (const event of burstEventsOf(post, undefined, heardAt)) {
      // History was shown when it was imported; replaying it would store its alerts again.
      if (detector.isHistorical(event.at, heardAt)) continue;
      alerts.push(...detector.observe(event, heardAt));
    }
  }
  alerts.push(...detector.tick(options.now));
  return { alerts, posts: posts.length, recentIds };
}
