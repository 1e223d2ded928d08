/**
 * Crisis detection, replayed: a generated week of background traffic on two streams, with three
 * outage bursts of different sizes injected. The background is over-dispersed the way real
 * mention streams are: a daily and weekly rhythm, day- and hour-level noise, and posts that come
 * in cascades (a fifth of posts start a re-post cascade of about ten, spread over minutes), so
 * the variance of 5-minute counts around the local hourly mean is 5–30× the mean at peak hours
 * (the bench prints what it generated). Two weeks of history come first so the seasonal baseline
 * has something to learn from; only the third week is scored.
 *
 * Reports, per burst, the detection delay from onset (simulated time), the false alerts over the
 * week, and the post→alert latency (wall time from publishing `posts.stored` to the alert on
 * `alerts.raised`, through the real crisis watch, bus and an in-memory SQLite store).
 *
 * The detector was tuned on TUNING_SEEDS (`npx tsx bench/crisis.ts --tune`); the reported run
 * uses REPORTED_SEED, which tuning never saw. Run alone: `npx tsx bench/crisis.ts`.
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Post } from '../src/domain/post.js';
import { InProcessBus } from '../src/pipeline/bus.js';
import { openStore } from '../src/store/open.js';
import { BurstDetector, type BurstOptions } from '../src/alerts/burst.js';
import { startCrisisWatch } from '../src/alerts/crisis-watch.js';

export const TUNING_SEEDS = [101, 102, 103] as const;
export const REPORTED_SEED = 20_261_123;

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Monday 2026-11-02 00:00 UTC: the scored week. History starts two weeks earlier. */
const WEEK_START = Date.UTC(2026, 10, 2);
const HISTORY_WEEKS = 2;

interface StreamSpec {
  readonly key: string;
  /** Negative posts per minute at the busiest weekday hour. */
  readonly peakNegativePerMinute: number;
  /** Other posts per negative one: they only move the clock, as in production. */
  readonly othersPerNegative: number;
}

interface BurstSpec {
  readonly name: string;
  readonly key: string;
  /** Day of the scored week (0 = Monday) and an hour range the onset is drawn from. */
  readonly day: number;
  readonly hours: readonly [number, number];
  /** Extra negative posts per minute at the burst's peak. */
  readonly peakPerMinute: number;
  readonly rampMinutes: number;
  readonly durationMinutes: number;
}

/** Share of root posts that start a re-post cascade, its mean size, and how it spreads in time. */
const CASCADE_SHARE = 0.2;
const CASCADE_MEAN = 10;
const CASCADE_SPREAD_MS = 3 * MINUTE;

const STREAMS: readonly StreamSpec[] = [
  { key: 'stream:1', peakNegativePerMinute: 5, othersPerNegative: 3 },
  { key: 'stream:2', peakNegativePerMinute: 1.2, othersPerNegative: 4 },
];

const BURSTS: readonly BurstSpec[] = [
  {
    name: 'large (weekday morning, main stream)',
    key: 'stream:1',
    day: 1,
    hours: [9, 11],
    peakPerMinute: 150,
    rampMinutes: 3,
    durationMinutes: 60,
  },
  {
    name: 'medium (Saturday evening, main stream)',
    key: 'stream:1',
    day: 5,
    hours: [19, 22],
    peakPerMinute: 25,
    rampMinutes: 3,
    durationMinutes: 30,
  },
  {
    name: 'small (weeknight 3 am, small stream)',
    key: 'stream:2',
    day: 3,
    hours: [2, 4],
    peakPerMinute: 6,
    rampMinutes: 2,
    durationMinutes: 20,
  },
];

interface GeneratedEvent {
  readonly at: number;
  readonly key: string;
  readonly negative: boolean;
  /** Index into the bursts, for posts the burst added. */
  readonly burst: number | null;
}

export interface BurstResult {
  readonly name: string;
  readonly key: string;
  readonly onset: string;
  readonly posts: number;
  readonly detected: boolean;
  /** Seconds from onset to the `opened` alert (simulated time). */
  readonly delaySeconds: number | null;
  readonly severity: string | null;
}

export interface CrisisBenchResult {
  readonly seed: number;
  readonly weekPosts: number;
  readonly weekNegative: number;
  /** Variance / mean of 5-minute counts around the hour's mean at weekday peak hours, per stream. */
  readonly peakDispersion: Record<string, number>;
  readonly bursts: BurstResult[];
  readonly falseAlerts: { key: string; at: string; count: number; expected: number; windowMinutes: number }[];
  readonly alertLatencyMs: { samples: number; p50: number; p99: number; max: number };
  readonly perPostMs: { p50: number; p99: number };
  readonly replaySeconds: number;
}

/** The benchmark as `npm run bench` runs it: the held-back seed, through the real watch. */
export async function run(options: { seed?: number; log?: (line: string) => void } = {}): Promise<CrisisBenchResult> {
  const log = options.log ?? console.log;
  const seed = options.seed ?? REPORTED_SEED;
  const started = performance.now();
  const { history, week, bursts } = generate(seed);

  const store = await openStore({ databaseUrl: null, dataDir: ':memory:' });
  const bus = new InProcessBus();
  let simNow = history[0]?.at ?? WEEK_START;
  const watch = startCrisisWatch({ store, bus, clock: () => new Date(simNow), incidents: false, tickEveryMs: 0 });
  // History teaches the detector directly: it is the past, not something to alert on.
  for (const event of history)
    watch.detector.observe({ at: event.at, key: event.key, negative: event.negative }, event.at);
  watch.detector.tick(WEEK_START);

  const raised: { at: number; key: string; phase: string; evidence: Record<string, unknown> }[] = [];
  const latencies: number[] = [];
  const perPost: number[] = [];
  let publishStart = 0;
  bus.subscribe('alerts.raised', ({ alert }) => {
    latencies.push(performance.now() - publishStart);
    raised.push({
      at: simNow,
      key: alert.key.replace(/^burst:/, ''),
      phase: String(alert.evidence.phase),
      evidence: { ...alert.evidence, severity: alert.severity },
    });
  });
  let id = 0;
  let weekNegative = 0;
  let lastTick = WEEK_START;
  for (const event of week) {
    simNow = event.at;
    if (simNow - lastTick >= 30_000) {
      await watch.tick();
      lastTick = simNow;
    }
    id += 1;
    if (event.negative) weekNegative += 1;
    publishStart = performance.now();
    await bus.publish('posts.stored', { posts: [postOf(id, event)] });
    perPost.push(performance.now() - publishStart);
  }
  watch.stop();
  await store.close();

  const opened = raised.filter((alert) => alert.phase === 'opened');
  const result: CrisisBenchResult = {
    seed,
    weekPosts: week.length,
    weekNegative,
    peakDispersion: Object.fromEntries(
      STREAMS.map((stream) => [stream.key, round(peakDispersion([...history, ...week], stream.key))]),
    ),
    ...score(
      bursts,
      week,
      opened.map((alert) => ({ key: alert.key, at: alert.at, evidence: alert.evidence })),
    ),
    alertLatencyMs: {
      samples: latencies.length,
      p50: round(quantile(latencies, 0.5)),
      p99: round(quantile(latencies, 0.99)),
      max: round(Math.max(0, ...latencies)),
    },
    perPostMs: { p50: round(quantile(perPost, 0.5), 3), p99: round(quantile(perPost, 0.99), 3) },
    replaySeconds: round((performance.now() - started) / 1000),
  };
  report(result, log);
  return result;
}

/** Replays the tuning seeds through the bare detector (fast) and prints what tuning looks at. */
export function tune(log: (line: string) => void = console.log, options: BurstOptions = {}): void {
  for (const seed of TUNING_SEEDS) {
    const { history, week, bursts } = generate(seed);
    const detector = new BurstDetector(options);
    for (const event of history) detector.observe({ at: event.at, key: event.key, negative: event.negative }, event.at);
    const opened: { key: string; at: number; evidence: Record<string, unknown> }[] = [];
    for (const event of week) {
      for (const alert of detector.observe({ at: event.at, key: event.key, negative: event.negative }, event.at)) {
        if (alert.phase === 'opened')
          opened.push({ key: alert.key, at: alert.at, evidence: { ...alert.evidence, severity: alert.severity } });
      }
    }
    const scored = score(bursts, week, opened);
    log(
      `seed ${seed}: ${scored.bursts.map((b) => `${b.name.split(' ')[0]} ${b.detected ? `${b.delaySeconds}s` : 'MISSED'}`).join(', ')}; false alerts ${scored.falseAlerts.length} ${JSON.stringify(scored.falseAlerts)}`,
    );
  }
}

interface PlacedBurst extends BurstSpec {
  readonly onset: number;
}

export function generate(seed: number): { history: GeneratedEvent[]; week: GeneratedEvent[]; bursts: PlacedBurst[] } {
  const rng = mulberry32(seed);
  const bursts: PlacedBurst[] = BURSTS.map((spec) => {
    const hour = spec.hours[0] + rng() * (spec.hours[1] - spec.hours[0]);
    return { ...spec, onset: WEEK_START + spec.day * DAY + Math.floor(hour * 60) * MINUTE };
  });
  const from = WEEK_START - HISTORY_WEEKS * 7 * DAY;
  const events: GeneratedEvent[] = [];
  const meanCascade = 1 - CASCADE_SHARE + CASCADE_SHARE * CASCADE_MEAN;
  for (const stream of STREAMS) {
    let dayFactor = 1;
    let hourFactor = 1;
    const negativeShare = 1 / (1 + stream.othersPerNegative);
    for (let minute = from; minute < WEEK_START + 7 * DAY; minute += MINUTE) {
      // Over-dispersion: real days and hours are busier or quieter than the rhythm says…
      if (minute % DAY === 0) dayFactor = Math.exp(gaussian(rng) * 0.1);
      if (minute % (60 * MINUTE) === 0) hourFactor = Math.exp(gaussian(rng) * 0.15);
      const posts = (stream.peakNegativePerMinute / negativeShare) * rhythm(minute) * dayFactor * hourFactor;
      // …and posts come in cascades: a root post, sometimes followed by re-posts over minutes.
      for (let root = poisson(rng, posts / meanCascade); root > 0; root -= 1) {
        const at = minute + Math.floor(rng() * MINUTE);
        const negative = rng() < negativeShare;
        const size = rng() < CASCADE_SHARE ? 1 + geometric(rng, CASCADE_MEAN - 1) : 1;
        for (let i = 0; i < size; i += 1) {
          const delay = i === 0 ? 0 : Math.floor(-Math.log(1 - rng()) * CASCADE_SPREAD_MS);
          events.push({ at: at + delay, key: stream.key, negative, burst: null });
        }
      }
    }
  }
  bursts.forEach((burst, index) => {
    for (let t = 0; t < burst.durationMinutes + 20; t += 1) {
      // Reports ramp up as people notice, hold, then tail off once it is fixed.
      const shape =
        t < burst.rampMinutes
          ? (t + 1) / (burst.rampMinutes + 1)
          : t < burst.durationMinutes
            ? 1
            : Math.exp(-(t - burst.durationMinutes) / 4);
      const start = burst.onset + t * MINUTE;
      for (let i = poisson(rng, burst.peakPerMinute * shape); i > 0; i -= 1)
        events.push({ at: start + Math.floor(rng() * MINUTE), key: burst.key, negative: true, burst: index });
    }
  });
  events.sort((a, b) => a.at - b.at);
  const split = events.findIndex((event) => event.at >= WEEK_START);
  return { history: events.slice(0, split), week: events.slice(split), bursts };
}

/** Daily rhythm (quiet nights, a morning and an evening hump) times the weekly one. */
function rhythm(at: number): number {
  const date = new Date(at);
  const hour = date.getUTCHours() + date.getUTCMinutes() / 60;
  const daily = 0.08 + 0.6 * bump(hour, 10.5, 2.5) + 0.45 * bump(hour, 15, 3) + 0.5 * bump(hour, 20.5, 2);
  const weekday = (date.getUTCDay() + 6) % 7;
  const weekly = weekday < 5 ? 1 : weekday === 5 ? 0.65 : 0.55;
  return Math.min(1, daily) * weekly;
}

function bump(x: number, centre: number, width: number): number {
  return Math.exp(-((x - centre) ** 2) / (2 * width * width));
}

function score(
  bursts: readonly PlacedBurst[],
  week: readonly GeneratedEvent[],
  opened: readonly { key: string; at: number; evidence: Record<string, unknown> }[],
) {
  const matched = new Set<number>();
  const results: BurstResult[] = bursts.map((burst, index) => {
    const end = burst.onset + (burst.durationMinutes + 30) * MINUTE;
    const hit = opened.find((alert) => alert.key === burst.key && alert.at >= burst.onset - MINUTE && alert.at <= end);
    if (hit) matched.add(opened.indexOf(hit));
    return {
      name: burst.name,
      key: burst.key,
      onset: new Date(burst.onset).toISOString(),
      posts: week.filter((event) => event.burst === index).length,
      detected: hit !== undefined,
      delaySeconds: hit ? Math.round((hit.at - burst.onset) / 1000) : null,
      severity: hit ? String(hit.evidence.severity ?? '') || null : null,
    };
  });
  const falseAlerts = opened
    .filter((_, index) => !matched.has(index))
    .filter(
      (alert) =>
        !bursts.some(
          (burst) =>
            alert.key === burst.key &&
            alert.at >= burst.onset - MINUTE &&
            alert.at <= burst.onset + (burst.durationMinutes + 30) * MINUTE,
        ),
    )
    .map((alert) => ({
      key: alert.key,
      at: new Date(alert.at).toISOString(),
      count: Number(alert.evidence.count),
      expected: Number(alert.evidence.expected),
      windowMinutes: Number(alert.evidence.windowMinutes),
    }));
  return { bursts: results, falseAlerts };
}

function report(result: CrisisBenchResult, log: (line: string) => void): void {
  log(
    `Crisis detection (replay), seed ${result.seed}: ${result.weekPosts} posts in the week, ${result.weekNegative} negative`,
  );
  log(
    `Background variance / mean of 5-minute counts at weekday peak hours: ${Object.entries(result.peakDispersion)
      .map(([key, value]) => `${key} ${value}×`)
      .join(', ')}`,
  );
  log('| Burst | Onset (UTC) | Burst posts | Detected | Delay from onset | Severity at opening |');
  log('|---|---|---|---|---|---|');
  for (const burst of result.bursts)
    log(
      `| ${burst.name} | ${burst.onset.slice(0, 16).replace('T', ' ')} | ${burst.posts} | ${burst.detected ? 'yes' : 'no'} | ${burst.delaySeconds ?? '—'} s | ${burst.severity ?? '—'} |`,
    );
  log(
    `False alerts over the week: ${result.falseAlerts.length}${result.falseAlerts.length > 0 ? ` ${JSON.stringify(result.falseAlerts)}` : ''}`,
  );
  log(
    `Post→alert latency over ${result.alertLatencyMs.samples} alerts: p50 ${result.alertLatencyMs.p50} ms, p99 ${result.alertLatencyMs.p99} ms, max ${result.alertLatencyMs.max} ms`,
  );
  log(
    `Watch cost per post: p50 ${result.perPostMs.p50} ms, p99 ${result.perPostMs.p99} ms; replay took ${result.replaySeconds} s`,
  );
}

function postOf(id: number, event: GeneratedEvent): Post {
  const createdAt = new Date(event.at).toISOString();
  return {
    id,
    source: 'bench',
    externalId: String(id),
    author: { handle: `@user${id % 5000}@example.social`, name: null, followers: null, following: null },
    text: event.negative ? 'The portal is down again, cannot log in' : 'Thanks for the help yesterday',
    url: null,
    createdAt,
    inReplyTo: null,
    metrics: { likes: 0, reposts: 0, replies: 0 },
    extra: {},
    sentiment: event.negative ? 'negative' : 'neutral',
    sentimentScore: event.negative ? -0.6 : 0,
    kind: event.negative ? 'outage' : 'other',
    lang: 'en',
    models: ['bench@1'],
    ingestedAt: createdAt,
    streamIds: [Number(event.key.split(':')[1])],
  };
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Failures before a success, with the given mean. */
function geometric(rng: () => number, mean: number): number {
  const p = 1 / (1 + mean);
  return Math.floor(Math.log(1 - rng()) / Math.log(1 - p));
}

/** Variance over mean of 5-minute counts around their hour's mean, at weekday peak hours (10–12 UTC). */
export function peakDispersion(events: readonly GeneratedEvent[], key: string): number {
  const blocks = new Map<number, number>();
  for (const event of events) {
    if (event.key !== key || event.burst !== null) continue;
    const date = new Date(event.at);
    const weekday = (date.getUTCDay() + 6) % 7;
    if (weekday > 4 || date.getUTCHours() < 10 || date.getUTCHours() >= 12) continue;
    const block = Math.floor(event.at / (5 * MINUTE));
    blocks.set(block, (blocks.get(block) ?? 0) + 1);
  }
  const hours = new Map<number, number[]>();
  const first = Math.min(...blocks.keys());
  const last = Math.max(...blocks.keys());
  for (let block = first; block <= last; block += 1) {
    const date = new Date(block * 5 * MINUTE);
    const weekday = (date.getUTCDay() + 6) % 7;
    if (weekday > 4 || date.getUTCHours() < 10 || date.getUTCHours() >= 12) continue;
    const hour = Math.floor(block / 12);
    const list = hours.get(hour) ?? [];
    list.push(blocks.get(block) ?? 0);
    hours.set(hour, list);
  }
  let variance = 0;
  let mean = 0;
  let n = 0;
  for (const counts of hours.values()) {
    const m = counts.reduce((a, b) => a + b, 0) / counts.length;
    for (const c of counts) {
      variance += (c - m) ** 2;
      mean += m;
      n += 1;
    }
  }
  return n === 0 ? 0 : variance / mean;
}

function gaussian(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** Knuth's method for small λ, Hörmann's PTRS for large: exact Poisson draws either way. */
function poisson(rng: () => number, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda < 30) {
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = rng();
    while (p > limit) {
      k += 1;
      p *= rng();
    }
    return k;
  }
  const slam = Math.sqrt(lambda);
  const loglam = Math.log(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng() - 0.5;
    const v = rng();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - logGammaPlusOne(k))
      return k;
  }
}

function logGammaPlusOne(n: number): number {
  let sum = 0;
  for (let i = 2; i <= n; i += 1) sum += Math.log(i);
  return sum;
}

function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--tune'))
    tune(console.log, JSON.parse(process.argv[process.argv.indexOf('--tune') + 1] ?? '{}') as BurstOptions);
  else
    await run(
      process.argv.includes('--seed') ? { seed: Number(process.argv[process.argv.indexOf('--seed') + 1]) } : {},
    );
}
