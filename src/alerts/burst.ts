/**
 * Burst detection: a pure, incremental detector of surges in negative posts, per key (a
 * stream, a cluster, everything). Feed it `(at, key, negative)` events and the time; it
 * returns alerts. No I/O and no timers, so a week replays in seconds and tests own the clock.
 *
 * The model, per key:
 * - counts per minute in a ring buffer (the last `ringMinutes`), the only per-event state;
 * - a seasonal baseline: the expected negatives per minute for each hour of the week (168
 *   slots, an EWMA fed one value per closed minute), with an hour-of-day profile (24 slots,
 *   learns 7× faster) and an overall level as fall-backs while a slot has too little history;
 * - a scan test: for windows of 1, 2, 3 and 5 minutes ending now, the Poisson upper tail of
 *   the observed count against the (inflated) baseline. A burst opens when the smallest tail
 *   falls below `alphaLog10` with at least `minCount` posts, and ends after `quietMinutes`
 *   minutes in a row that look normal again.
 * Minutes inside a burst do not teach the baseline, and every minute is clipped before it
 * does, so an outage never becomes "normal".
 */

export const BURST_PHASES = ['opened', 'updated', 'ended'] as const;
export type BurstPhase = (typeof BURST_PHASES)[number];

export type BurstSeverity = 'info' | 'warning' | 'critical';

export interface BurstEvent {
  /** When the post was written (epoch ms); clamped to the clock by the caller. */
  readonly at: number;
  readonly key: string;
  readonly negative: boolean;
  readonly postId?: number;
  readonly text?: string;
}

export interface BurstEvidence {
  readonly key: string;
  /** The window (minutes) with the strongest signal. */
  readonly windowMinutes: number;
  readonly count: number;
  /** The baseline's expected count over that window (before inflation). */
  readonly expected: number;
  readonly ratio: number;
  /** log10 of the Poisson upper tail P(X ≥ count); −7 means one in ten million. */
  readonly log10p: number;
  readonly baselinePerMinute: number;
  /** Start of the window that first crossed the threshold: the estimated onset. */
  readonly onsetAt: string;
  /** Negative posts counted since the onset. */
  readonly totalInBurst: number;
  readonly samplePostIds: number[];
  readonly sampleTexts: string[];
  readonly endedAt?: string;
}

export interface BurstAlert {
  readonly key: string;
  readonly phase: BurstPhase;
  readonly severity: BurstSeverity;
  /** When the detector decided (the clock), epoch ms. */
  readonly at: number;
  readonly evidence: BurstEvidence;
}

export interface BurstOptions {
  /** Open a burst when log10 P(X ≥ count) falls below this. */
  readonly alphaLog10?: number;
  /** …and the window holds at least this many negative posts. */
  readonly minCount?: number;
  readonly windows?: readonly number[];
  /** The baseline is inflated by this fraction: the seasonal estimate is not exact within an hour. */
  readonly margin?: number;
  /** Expected negatives per minute never fall below this (quiet hours, new keys). */
  readonly floorPerMinute?: number;
  /** EWMA weight of one minute in its hour-of-week slot (≈ 1/60: one week's hour). */
  readonly learningRate?: number;
  /** Minutes a slot needs before it is trusted over the coarser profile. */
  readonly minSlotMinutes?: number;
  /** A key learns this many minutes before it may alert (0: alert at once, e.g. clusters). */
  readonly warmupMinutes?: number | ((key: string) => number);
  /** Normal-looking minutes in a row that end a burst. */
  readonly quietMinutes?: number;
  /** At most one `updated` alert per key this often (ms), unless the severity rises. */
  readonly updateEveryMs?: number;
  readonly ringMinutes?: number;
  /** Keys idle this long with no burst are forgotten (bounded state for per-cluster keys). */
  readonly forgetIdleMinutes?: number | ((key: string) => number);
  readonly samples?: number;
  /** The least share of the current minute its expectation counts (1: always a full minute). */
  readonly partialMinuteFloor?: number;
}

const DEFAULTS = {
  // Tuned on the bench's tuning seeds (docs/benchmarks.md): no false alert in three weeks.
  alphaLog10: -5.5,
  minCount: 6,
  windows: [1, 2, 3, 5] as readonly number[],
  margin: 0.15,
  floorPerMinute: 0.05,
  learningRate: 1 / 60,
  minSlotMinutes: 30,
  warmupMinutes: 24 * 60,
  quietMinutes: 10,
  updateEveryMs: 60_000,
  ringMinutes: 60,
  forgetIdleMinutes: Number.POSITIVE_INFINITY,
  samples: 5,
  partialMinuteFloor: 0.25,
};

type Settings = Omit<typeof DEFAULTS, 'warmupMinutes' | 'forgetIdleMinutes'> &
  Pick<BurstOptions, 'warmupMinutes' | 'forgetIdleMinutes'>;

const MINUTE = 60_000;
const HOURS_PER_WEEK = 168;

interface Slot {
  mean: number;
  minutes: number;
}

interface Burst {
  readonly onsetMinute: number;
  severity: BurstSeverity;
  lastEmit: number;
  total: number;
  quiet: number;
  best: Omit<BurstEvidence, 'totalInBurst' | 'samplePostIds' | 'sampleTexts' | 'onsetAt'>;
  readonly samplePostIds: number[];
  readonly sampleTexts: string[];
}

interface KeyState {
  readonly ring: Int32Array;
  /** The minute (epoch minutes) held in the ring's newest bucket; -1 before the first event. */
  head: number;
  readonly week: Slot[];
  readonly day: Slot[];
  readonly level: Slot;
  learnedMinutes: number;
  lastEventMinute: number;
  burst: Burst | null;
}

export class BurstDetector {
  readonly #o: Settings;
  readonly #keys = new Map<string, KeyState>();

  constructor(options: BurstOptions = {}) {
    this.#o = { ...DEFAULTS, ...stripUndefined(options) } as Settings;
  }

  /** Counts one post and returns any alert it causes. Events older than the ring are ignored. */
  observe(event: BurstEvent, now: number = event.at): BurstAlert[] {
    const alerts: BurstAlert[] = [];
    const state = this.#state(event.key);
    const minute = Math.floor(event.at / MINUTE);
    this.#advance(event.key, state, Math.max(minute, Math.floor(now / MINUTE)), alerts, now);
    const age = state.head - minute;
    if (age < 0 || age >= this.#o.ringMinutes) return alerts;
    state.lastEventMinute = Math.max(state.lastEventMinute, minute);
    if (!event.negative) return alerts;
    state.ring[index(minute, this.#o.ringMinutes)]! += 1;
    const burst = state.burst;
    if (burst) {
      burst.total += 1;
      if (event.postId !== undefined) pushSample(burst, event, this.#o.samples);
    }
    this.#evaluate(event, state, now, alerts);
    return alerts;
  }

  /** Advances every key to `now`: closes minutes, ends quiet bursts, forgets idle keys. */
  tick(now: number): BurstAlert[] {
    const alerts: BurstAlert[] = [];
    const minute = Math.floor(now / MINUTE);
    for (const [key, state] of this.#keys) {
      this.#advance(key, state, minute, alerts, now);
      const forget = this.#forOf(this.#o.forgetIdleMinutes, key, DEFAULTS.forgetIdleMinutes);
      if (!state.burst && minute - state.lastEventMinute > forget) this.#keys.delete(key);
    }
    return alerts;
  }

  /** Expected negatives per minute for a key at a time, as the detector believes now. */
  baseline(key: string, at: number): number {
    const state = this.#keys.get(key);
    return state ? this.#expected(state, Math.floor(at / MINUTE)) : this.#o.floorPerMinute;
  }

  /** Keys held, for tests and metrics (the state is bounded by this times a few KB). */
  get size(): number {
    return this.#keys.size;
  }

  inBurst(key: string): boolean {
    return this.#keys.get(key)?.burst != null;
  }

  #state(key: string): KeyState {
    let state = this.#keys.get(key);
    if (!state) {
      state = {
        ring: new Int32Array(this.#o.ringMinutes),
        head: -1,
        week: Array.from({ length: HOURS_PER_WEEK }, () => ({ mean: 0, minutes: 0 })),
        day: Array.from({ length: 24 }, () => ({ mean: 0, minutes: 0 })),
        level: { mean: 0, minutes: 0 },
        learnedMinutes: 0,
        lastEventMinute: -1,
        burst: null,
      };
      this.#keys.set(key, state);
    }
    return state;
  }

  /** Moves the ring's head to `minute`, teaching the baseline every minute it closes. */
  #advance(key: string, state: KeyState, minute: number, alerts: BurstAlert[], now: number): void {
    if (state.head < 0) {
      state.head = minute;
      state.lastEventMinute = minute;
      return;
    }
    if (minute <= state.head) return;
    const ring = this.#o.ringMinutes;
    // A long silence is a week of zeros at most: enough to teach every slot.
    const first = Math.max(state.head, minute - 7 * 24 * 60);
    for (let closing = first; closing < minute; closing += 1) {
      // Events only land at or before the head, so every minute after it is empty.
      const count = closing === state.head ? state.ring[index(closing, ring)]! : 0;
      this.#closeMinute(key, state, closing, count, alerts, now);
    }
    for (let fresh = Math.max(state.head + 1, minute - ring + 1); fresh <= minute; fresh += 1)
      state.ring[index(fresh, ring)] = 0;
    state.head = minute;
  }

  #closeMinute(key: string, state: KeyState, minute: number, count: number, alerts: BurstAlert[], now: number): void {
    const expected = this.#expected(state, minute);
    const burst = state.burst;
    if (burst) {
      const lambda = expected * (1 + this.#o.margin) + this.#o.floorPerMinute;
      burst.quiet = count <= lambda || poissonUpperTailLog10(count, lambda) > -2 ? burst.quiet + 1 : 0;
      if (burst.quiet >= this.#o.quietMinutes) {
        state.burst = null;
        alerts.push({
          key,
          phase: 'ended',
          severity: burst.severity,
          at: now,
          evidence: { ...evidenceOf(burst), endedAt: new Date((minute + 1) * MINUTE).toISOString() },
        });
      }
      return;
    }
    // Clip what one minute can teach: a spike moves the baseline by a bounded step.
    const clipped = Math.min(count, expected + 3 * Math.sqrt(Math.max(expected, 1)));
    const rate = this.#o.learningRate;
    learn(state.week[hourOfWeek(minute)]!, clipped, rate);
    learn(state.day[hourOfDay(minute)]!, clipped, rate * 7);
    learn(state.level, clipped, rate / 24);
    state.learnedMinutes += 1;
  }

  #expected(state: KeyState, minute: number): number {
    const week = state.week[hourOfWeek(minute)]!;
    if (week.minutes >= this.#o.minSlotMinutes) return week.mean;
    const day = state.day[hourOfDay(minute)]!;
    if (day.minutes >= this.#o.minSlotMinutes) return day.mean;
    return state.level.mean;
  }

  #evaluate(event: BurstEvent, state: KeyState, now: number, alerts: BurstAlert[]): void {
    const o = this.#o;
    if (state.learnedMinutes < this.#forOf(o.warmupMinutes, event.key, DEFAULTS.warmupMinutes)) return;
    let best: Burst['best'] | null = null;
    let count = 0;
    let expected = 0;
    // The current minute is partly over: expect only its elapsed share (at least a quarter, so
    // the first seconds of a minute do not test a handful of posts against almost nothing).
    const elapsed = Math.min(1, Math.max(o.partialMinuteFloor, (now - state.head * MINUTE) / MINUTE));
    for (let w = 1; w <= Math.max(...o.windows); w += 1) {
      const minute = state.head - w + 1;
      const share = w === 1 ? elapsed : 1;
      count += state.ring[index(minute, o.ringMinutes)]!;
      expected += this.#expected(state, minute) * share;
      if (!o.windows.includes(w)) continue;
      const lambda = expected * (1 + o.margin) + o.floorPerMinute * (w - 1 + elapsed);
      if (count < o.minCount || count <= lambda) continue;
      const log10p = poissonUpperTailLog10(count, lambda);
      if (best === null || log10p < best.log10p) {
        best = {
          key: event.key,
          windowMinutes: w,
          count,
          expected: round(expected),
          ratio: round(count / Math.max(expected, o.floorPerMinute * w)),
          log10p: round(log10p),
          baselinePerMinute: round(this.#expected(state, state.head)),
        };
      }
    }
    const burst = state.burst;
    if (!burst) {
      if (best === null || best.log10p > o.alphaLog10) return;
      const onsetMinute = state.head - best.windowMinutes + 1;
      let total = 0;
      for (let m = onsetMinute; m <= state.head; m += 1) total += state.ring[index(m, o.ringMinutes)]!;
      const opened: Burst = {
        onsetMinute,
        severity: severityOf(best),
        lastEmit: now,
        total,
        quiet: 0,
        best,
        samplePostIds: [],
        sampleTexts: [],
      };
      pushSample(opened, event, o.samples);
      state.burst = opened;
      alerts.push({
        key: event.key,
        phase: 'opened',
        severity: opened.severity,
        at: now,
        evidence: evidenceOf(opened),
      });
      return;
    }
    if (best !== null && best.log10p < burst.best.log10p) burst.best = best;
    const severity = best ? severityOf(best) : burst.severity;
    const rises = SEVERITY_RANK[severity] > SEVERITY_RANK[burst.severity];
    if (rises) burst.severity = severity;
    if (rises || now - burst.lastEmit >= o.updateEveryMs) {
      burst.lastEmit = now;
      alerts.push({ key: event.key, phase: 'updated', severity: burst.severity, at: now, evidence: evidenceOf(burst) });
    }
  }

  #forOf(value: number | ((key: string) => number) | undefined, key: string, fallback: number): number {
    if (value === undefined) return fallback;
    return typeof value === 'function' ? value(key) : value;
  }
}

/** log10 of P(X ≥ k) for X ~ Poisson(λ); 0 when k ≤ λ (nothing unusual). */
export function poissonUpperTailLog10(k: number, lambda: number): number {
  if (k <= lambda) return 0;
  if (lambda <= 0) return Number.NEGATIVE_INFINITY;
  let term = -lambda + k * Math.log(lambda) - logFactorial(k);
  let sum = term;
  // Terms fall geometrically once i > λ: stop when they no longer move the sum.
  for (let i = k + 1; i < k + 10_000; i += 1) {
    term += Math.log(lambda / i);
    const next = logAddExp(sum, term);
    if (next - sum < 1e-12) break;
    sum = next;
  }
  return Math.min(0, sum / Math.LN10);
}

const SEVERITY_RANK: Readonly<Record<BurstSeverity, number>> = { info: 0, warning: 1, critical: 2 };

function severityOf(best: Burst['best']): BurstSeverity {
  const perMinute = best.count / best.windowMinutes;
  if (best.ratio >= 8 && perMinute >= 20) return 'critical';
  if (best.ratio >= 3 && perMinute >= 5) return 'warning';
  return 'info';
}

function evidenceOf(burst: Burst): BurstEvidence {
  return {
    ...burst.best,
    onsetAt: new Date(burst.onsetMinute * MINUTE).toISOString(),
    totalInBurst: burst.total,
    samplePostIds: [...burst.samplePostIds],
    sampleTexts: [...burst.sampleTexts],
  };
}

function pushSample(burst: Burst, event: BurstEvent, limit: number): void {
  if (event.postId === undefined || burst.samplePostIds.length >= limit) return;
  burst.samplePostIds.push(event.postId);
  if (event.text !== undefined)
    burst.sampleTexts.push(event.text.length > 140 ? `${event.text.slice(0, 139)}…` : event.text);
}

function learn(slot: Slot, value: number, rate: number): void {
  // The first minutes average plainly, then the EWMA takes over: no slow start from zero.
  slot.minutes += 1;
  slot.mean += (value - slot.mean) * Math.max(rate, 1 / slot.minutes);
}

function index(minute: number, size: number): number {
  return ((minute % size) + size) % size;
}

/** Hour of the week in UTC, Monday 00:00 = 0. The epoch began on a Thursday. */
function hourOfWeek(minute: number): number {
  return (Math.floor(minute / 60) + 72) % HOURS_PER_WEEK;
}

function hourOfDay(minute: number): number {
  return Math.floor(minute / 60) % 24;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function logAddExp(a: number, b: number): number {
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

const LOG_FACTORIALS: number[] = [0];
function logFactorial(n: number): number {
  if (n < 2048) {
    for (let i = LOG_FACTORIALS.length; i <= n; i += 1) LOG_FACTORIALS.push(LOG_FACTORIALS[i - 1]! + Math.log(i));
    return LOG_FACTORIALS[n]!;
  }
  // Stirling with the first correction term: exact to ~1e-10 at this size.
  return n * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI * n) + 1 / (12 * n);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
