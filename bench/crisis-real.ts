/**
 * Crisis detection on real timelines: the eleven CrisisLexT26 events in
 * `../shared/data/crisis-timelines` (real arrival times; see its README), each replayed through
 * the crisis watch (bus, detector, in-memory store) on one stream, with a clock that follows
 * `createdAt` and posts delivered in batches every 5 s, 60 s or 300 s (a streaming source, the
 * Bluesky and the RSS polling defaults). Every post counts: the signal is matching volume, not
 * sentiment, so nothing here depends on language.
 *
 * Reports, per event and delivery interval: the first alert against the reference take-off and
 * sharpest rise (`.info.txt`), alerts opened over the whole timeline, and alerts in the quiet
 * lead-in (opened more than 5 minutes before the take-off, or before the sharpest rise when
 * there is none). Targets (issue 11): every take-off alerts within 5 minutes after it; at most 3
 * alerts per event; none in the lead-in; slow-building events (no take-off) at most 2.
 *
 * Nothing is tuned per event. Run alone: `npx tsx bench/crisis-real.ts [--fast]` (`--fast`: the
 * bare detector, no store, for quick checks).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Post } from '../src/domain/post.js';
import { InProcessBus } from '../src/pipeline/bus.js';
import { openStore } from '../src/store/open.js';
import { BurstDetector, type BurstOptions } from '../src/alerts/burst.js';
import { startCrisisWatch } from '../src/alerts/crisis-watch.js';

const MINUTE = 60_000;
export const DELIVERY_SECONDS = [5, 60, 300] as const;
const HERE = dirname(fileURLToPath(import.meta.url));
export const TIMELINES = join(HERE, '..', '..', 'shared', 'data', 'crisis-timelines');

interface Timeline {
  readonly name: string;
  readonly development: string;
  readonly takeOff: number | null;
  readonly sharpestRise: number;
  readonly posts: { readonly id: string; readonly at: number; readonly text: string }[];
}

export interface EventResult {
  readonly event: string;
  readonly deliverySeconds: number;
  readonly takeOff: string | null;
  readonly sharpestRise: string;
  /** Minutes from take-off (or the sharpest rise) to the first alert; null when none. */
  readonly firstVsTakeOff: number | null;
  readonly firstVsRise: number | null;
  readonly alerts: number;
  readonly leadIn: number;
  readonly historical: number;
}

function minuteOf(text: string | undefined): number | null {
  const match = text?.match(/(\d{4}-\d\d-\d\dT\d\d:\d\dZ)/);
  return match ? Date.parse(match[1]!.replace('Z', ':00Z')) : null;
}

export function loadTimelines(dir = TIMELINES): Timeline[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.ndjson'))
    .sort()
    .map((file) => {
      const name = file.replace(/\.ndjson$/, '');
      const info = readFileSync(join(dir, `${name}.info.txt`), 'utf8');
      const line = (prefix: string) => info.split('\n').find((l) => l.startsWith(prefix));
      const posts = readFileSync(join(dir, file), 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => {
          const raw = JSON.parse(l) as { id: string; createdAt: string; text: string };
          return { id: raw.id, at: Date.parse(raw.createdAt), text: raw.text };
        })
        .sort((a, b) => a.at - b.at);
      return {
        name,
        development: /development (\w+)/.exec(info)?.[1] ?? '',
        takeOff: minuteOf(line('take-off:')),
        sharpestRise: minuteOf(line('sharpest rise:')) ?? 0,
        posts,
      };
    });
}

/** Posts grouped by the moment a poller every `seconds` would deliver them. */
function deliveries(timeline: Timeline, seconds: number): { at: number; posts: Timeline['posts'] }[] {
  const step = seconds * 1000;
  const batches: { at: number; posts: Timeline['posts'] }[] = [];
  for (const post of timeline.posts) {
    const at = Math.ceil((post.at + 1) / step) * step;
    const last = batches.at(-1);
    if (last && last.at === at) last.posts.push(post);
    else batches.push({ at, posts: [post] });
  }
  return batches;
}

interface Opened {
  readonly at: number;
  readonly historical: boolean;
}

async function replayWatch(timeline: Timeline, seconds: number, options: BurstOptions): Promise<Opened[]> {
  const store = await openStore({ databaseUrl: null, dataDir: ':memory:' });
  const bus = new InProcessBus();
  let now = timeline.posts[0]!.at;
  const watch = startCrisisWatch({
    store,
    bus,
    clock: () => new Date(now),
    incidents: false,
    tickEveryMs: 0,
    detector: options,
  });
  const opened: Opened[] = [];
  const seen = new Set<number>();
  bus.subscribe('alerts.raised', ({ alert }) => {
    if (seen.has(alert.id)) return;
    seen.add(alert.id);
    opened.push({ at: now, historical: alert.evidence.historical === true });
  });
  let id = 0;
  let lastTick = now;
  for (const batch of deliveries(timeline, seconds)) {
    // The watch's timer ticks every 30 s of clock time, through any silence.
    for (let t = lastTick + 30_000; t <= batch.at; t += 30_000) {
      now = t;
      await watch.tick();
      lastTick = t;
    }
    now = batch.at;
    const posts = batch.posts.map((post, index) => postOf(id + index + 1, post, now));
    id += posts.length;
    await bus.publish('posts.stored', { posts });
  }
  now += 6 * 60 * MINUTE;
  await watch.tick();
  watch.stop();
  await store.close();
  return opened;
}

function replayBare(timeline: Timeline, seconds: number, options: BurstOptions): Opened[] {
  const detector = new BurstDetector(options);
  const opened: Opened[] = [];
  let lastTick = timeline.posts[0]!.at;
  for (const batch of deliveries(timeline, seconds)) {
    for (let t = lastTick + 30_000; t <= batch.at; t += 30_000) {
      for (const alert of detector.tick(t)) if (alert.phase === 'opened') opened.push({ at: t, historical: false });
      lastTick = t;
    }
    for (const post of batch.posts)
      for (const alert of detector.observe(
        { at: post.at, key: 'stream:1', negative: false, source: 'twitter' },
        batch.at,
      ))
        if (alert.phase === 'opened') opened.push({ at: batch.at, historical: alert.historical });
  }
  return opened;
}

function score(timeline: Timeline, seconds: number, opened: readonly Opened[]): EventResult {
  const reference = timeline.takeOff ?? timeline.sharpestRise;
  const first = opened[0]?.at ?? null;
  const minutes = (from: number) => (first === null ? null : Math.round(((first - from) / MINUTE) * 10) / 10);
  return {
    event: timeline.name,
    deliverySeconds: seconds,
    takeOff: timeline.takeOff === null ? null : new Date(timeline.takeOff).toISOString().slice(0, 16),
    sharpestRise: new Date(timeline.sharpestRise).toISOString().slice(0, 16),
    firstVsTakeOff: timeline.takeOff === null ? null : minutes(timeline.takeOff),
    firstVsRise: minutes(timeline.sharpestRise),
    alerts: opened.length,
    leadIn: opened.filter((alert) => alert.at < reference - 5 * MINUTE).length,
    historical: opened.filter((alert) => alert.historical).length,
  };
}

export async function run(
  options: { log?: (line: string) => void; fast?: boolean; detector?: BurstOptions } = {},
): Promise<EventResult[]> {
  const log = options.log ?? console.log;
  const timelines = loadTimelines();
  if (timelines.length === 0) {
    log(`Crisis detection on real timelines: skipped (${TIMELINES} not found)`);
    return [];
  }
  const results: EventResult[] = [];
  for (const timeline of timelines)
    for (const seconds of DELIVERY_SECONDS) {
      const opened = options.fast
        ? replayBare(timeline, seconds, options.detector ?? {})
        : await replayWatch(timeline, seconds, options.detector ?? {});
      results.push(score(timeline, seconds, opened));
    }
  report(timelines, results, log);
  return results;
}

function report(timelines: readonly Timeline[], results: readonly EventResult[], log: (line: string) => void): void {
  log('Crisis detection on real timelines (CrisisLexT26), first alert in minutes after the reference; alerts opened');
  log(
    '| Event | Take-off (UTC) | vs take-off 5 s / 60 s / 300 s | vs sharpest rise 5 s / 60 s / 300 s | Alerts 5 s / 60 s / 300 s | In lead-in |',
  );
  log('|---|---|---|---|---|---|');
  const fmt = (value: number | null) => (value === null ? '—' : `${value > 0 ? '+' : ''}${value}`);
  let met = 0;
  let withTakeOff = 0;
  for (const timeline of timelines) {
    const rows = results.filter((row) => row.event === timeline.name);
    const vsTakeOff = rows.map((row) => fmt(row.firstVsTakeOff)).join(' / ');
    const vsRise = rows.map((row) => fmt(row.firstVsRise)).join(' / ');
    const alerts = rows.map((row) => row.alerts).join(' / ');
    const leadIn = rows.map((row) => row.leadIn).join(' / ');
    if (timeline.takeOff !== null) {
      withTakeOff += 1;
      if (rows.every((row) => row.firstVsTakeOff !== null && row.firstVsTakeOff <= 5)) met += 1;
    }
    log(
      `| ${timeline.name} (${timeline.development.toLowerCase()}) | ${rows[0]?.takeOff?.replace('T', ' ') ?? 'none'} | ${vsTakeOff} | ${vsRise} | ${alerts} | ${leadIn} |`,
    );
  }
  const maxAlerts = Math.max(...results.map((row) => row.alerts));
  const slowMax = Math.max(0, ...results.filter((row) => row.takeOff === null).map((row) => row.alerts));
  const leadIn = results.reduce((sum, row) => sum + row.leadIn, 0);
  log(
    `Take-offs alerted within 5 min at every interval: ${met}/${withTakeOff}; most alerts for one event ${maxAlerts} (slow-building ${slowMax}); lead-in alerts ${leadIn}`,
  );
}

function postOf(id: number, post: Timeline['posts'][number], now: number): Post {
  const createdAt = new Date(post.at).toISOString();
  return {
    id,
    source: 'twitter',
    externalId: post.id,
    author: { handle: `@p${id}`, name: null, followers: null, following: null },
    text: post.text,
    url: null,
    createdAt,
    inReplyTo: null,
    metrics: { likes: 0, reposts: 0, replies: 0 },
    extra: {},
    sentiment: 'neutral',
    sentimentScore: 0,
    kind: 'other',
    lang: 'und',
    models: ['bench@1'],
    ingestedAt: new Date(now).toISOString(),
    streamIds: [1],
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const flag = process.argv.indexOf('--options');
  await run({
    fast: process.argv.includes('--fast'),
    detector: flag > 0 ? (JSON.parse(process.argv[flag + 1] ?? '{}') as BurstOptions) : {},
  });
}
