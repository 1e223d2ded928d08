/**
 * Burst detection: a pure, incremental detector of surges in matching volume, per key (a
 * stream, a cluster, everything). Feed it posts `(at, key, negative, problem…)` and the time; it
 * returns alerts. No I/O and no timers, so a month replays in seconds and tests own the clock.
 *
 * The model, per key (docs/benchmarks.md, "Crisis detection", lists the parameters and why):
 * - **Event time.** Each post counts in the minute of its `createdAt` (a ring of the last
 *   `ringMinutes`). A minute is *closed* (taught to the baseline, checked for quiet) only once it
 *   is older than the key's watermark: the lateness its sources show (a source polled every 300 s
 *   delivers posts up to 300 s late) plus `watermarkMarginMinutes`. A late post updates the minute
 *   it belongs to and the windows that hold it are tested again. Posts older than
 *   `historicalAfterMinutes` before the clock (an `earshot ingest` of a timeline, a source catching
 *   up after downtime) go to a separate replay of the key that runs on their own time and raises
 *   alerts marked `historical`.
 * - **Baseline**: level × daily profile × weekly profile. The level is an EWMA (`levelMinutes`) of
 *   deseasonalised counts; the profiles are per-hour and per-weekday means relative to the
 *   overall mean, interpolated between slot centres (no jump at the top of an hour) and shrunk
 *   toward the organisation-wide profile while a key has little history (cold start). Minutes in a
 *   burst never teach the profiles and teach the level only a clipped value, so an outage never
 *   becomes normal, yet a lasting new plateau is learned within hours and the burst ends.
 * - **Over-dispersion.** Counts over a window are negative binomial around the baseline Λ with
 *   variance φΛ + κΛ²: φ (cascades: re-posts arrive together) and κ (busier and quieter hours than
 *   the profile says) are measured per key (φ from 5-minute blocks around each hour's own mean, κ
 *   from hourly totals against the baseline: `learnHour`), shrunk toward the organisation's, plus
 *   the uncertainty of the level itself (1 / posts the level has seen: a gamma-Poisson predictive).
 * - **Scan test**: for windows of 1–30 minutes ending at the changed minute, the negative-binomial
 *   upper tail of the count. A burst opens when it falls below `alphaLog10` with at least
 *   `minCount` posts and `minRatio` × the baseline; it is updated while it lasts and ends after
 *   `quietMinutes` closed minutes in a row whose last five minutes look ordinary.
 * - **Aftermath**: an ended burst's peak excess rate, fading over `aftermathMinutes`, is a bar the
 *   key's next burst must clear with its sustained rate (windows of `SUSTAINED_MINUTES` or more):
 *   later, smaller waves of one story, and short spikes in its tail, do not page again.
 * Severity comes from the size of the burst and what it holds: the share of negative posts, of
 * complaint/outage posts, and the largest audience among its authors.
 */

export const BURST_PHASES = ['opened', 'updated', 'ended'] as const;
export type BurstPhase = (typeof BURST_PHASES)[number];

export type BurstSeverity = 'info' | 'warning' | 'critical';

export interface BurstEvent {
  /** When the post was written (epoch ms); clamped to the clock by the caller. */
  readonly at: number;
  readonly key: string;
  readonly negative: boolean;
  /** A complaint or an outage report (the post's kind). */
  readonly problem?: boolean;
  /** The author's audience (followers), for severity. */
  readonly influence?: number;
  /** Where the post came from (its source), for the watermark. */
  readonly source?: string;
  readonly postId?: number;
  readonly text?: string;
}

export interface BurstEvidence {
  readonly key: string;
  /** The window (minutes) with the strongest signal. */
  readonly windowMinutes: number;
  readonly count: number;
  /** The baseline's expected count over that window. */
  readonly expected: number;
  readonly ratio: number;
  /** log10 of the negative-binomial upper tail P(X ≥ count); −7 means one in ten million. */
  readonly log10p: number;
  readonly baselinePerMinute: number;
  /** The key's over-dispersion at the time: variance φΛ + κΛ² over a window expecting Λ. */
  readonly phi: number;
  readonly kappa: number;
  /** Shares of the window's posts that are negative, and complaints or outage reports. */
  readonly negativeShare: number;
  readonly problemShare: number;
  /** Start of the window that first crossed the threshold: the estimated onset. */
  readonly onsetAt: string;
  /** Posts counted since the onset. */
  readonly totalInBurst: number;
  readonly negativeInBurst: number;
  readonly maxInfluence: number;
  readonly samplePostIds: number[];
  readonly sampleTexts: string[];
  /** Found in posts older than the clock (ingest, catch-up): shown, never paging. */
  readonly historical: boolean;
  readonly endedAt?: string;
}

export interface BurstAlert {
  readonly key: string;
  readonly phase: BurstPhase;
  readonly severity: BurstSeverity;
  /** When the detector decided (the clock, or the post time for a historical replay), epoch ms. */
  readonly at: number;
  readonly historical: boolean;
  readonly evidence: BurstEvidence;
}

export interface BurstOptions {
  /** Open a burst when log10 P(X ≥ count) falls below this. */
  readonly alphaLog10?: number;
  /** …and the window holds at least this many posts… */
  readonly minCount?: number;
  /** …per this many minutes (a longer window needs proportionally more, to the power `minCountGrowth`)… */
  readonly minCountMinutes?: number;
  readonly minCountGrowth?: number;
  /** …and at least this many times its baseline. */
  readonly minRatio?: number;
  readonly windows?: readonly number[];
  /** Expected posts per minute never fall below this (quiet hours, new keys). */
  readonly floorPerMinute?: number;
  /** Time constant (minutes) of the level. */
  readonly levelMinutes?: number;
  /** Prior over-dispersion (variance φΛ + κΛ²) for a key with little history of its own. */
  readonly priorPhi?: number;
  readonly priorDispersion?: number;
  /** A key needs this many closed minutes of its own before it may alert (0: at once, e.g. clusters). */
  readonly warmupMinutes?: number | ((key: string) => number);
  /** Closed minutes in a row that look ordinary and end a burst. */
  readonly quietMinutes?: number;
  /** How long (time constant, minutes) an ended burst raises the bar for the key's next one. */
  readonly aftermathMinutes?: number;
  /** The share of the last burst's peak a new one must reach while that bar lasts. */
  readonly aftermathShare?: number;
  /** Added to the lateness a key's sources show to make its watermark. */
  readonly watermarkMarginMinutes?: number;
  /** Posts this much older than the clock replay as history. */
  readonly historicalAfterMinutes?: number;
  /** A historical replay untouched this long (clock ms) is finished: its open burst ends. */
  readonly historicalIdleMs?: number;
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
  alphaLog10: -5,
  minCount: 10,
  minCountMinutes: 5,
  minCountGrowth: 0,
  minRatio: 2,
  windows: [1, 2, 3, 5, 10, 15, 30] as readonly number[],
  floorPerMinute: 0.02,
  levelMinutes: 180,
  priorPhi: 1.5,
  priorDispersion: 0.1,
  warmupMinutes: 15,
  quietMinutes: 30,
  aftermathMinutes: 2 * 24 * 60,
  aftermathShare: 1,
  watermarkMarginMinutes: 2,
  historicalAfterMinutes: 120,
  historicalIdleMs: 5 * 60_000,
  updateEveryMs: 60_000,
  ringMinutes: 240,
  forgetIdleMinutes: Number.POSITIVE_INFINITY,
  samples: 5,
  partialMinuteFloor: 0.25,
};

type Settings = Omit<typeof DEFAULTS, 'warmupMinutes' | 'forgetIdleMinutes'> &
  Pick<BurstOptions, 'warmupMinutes' | 'forgetIdleMinutes'>;

const MINUTE = 60_000;
const BLOCK = 5;
/** Minutes of history at which a key's profile stops leaning on the organisation's. */
const PROFILE_PRIOR_MINUTES = { day: 3 * 60, week: 2 * 24 * 60 } as const;
/** How long each slot of a profile remembers: about a week of visits. */
const PROFILE_RATE = { day: 1 / (7 * 60), week: 1 / (3 * 24 * 60), all: 1 / (7 * 24 * 60) } as const;
/** Weight of the prior φ against a key's own evidence, in posts: a key's own φ counts after ~a hundred posts. */
const PHI_PRIOR_POSTS = 100;
/** Weight of the prior κ, in (expected posts per hour)²: a few hours of a stream at 50 posts an hour. */
const KAPPA_PRIOR_WEIGHT = 4 * 50 * 50;
/** How fast the dispersion sums forget, per hour: about three days. */
const DISPERSION_RATE = 1 / 72;
/** One hour teaches at most this many times what the current dispersion expects of it. */
const RESIDUAL_CAP = 10;
/** A burst active this long (minutes) is a story: its aftermath bar counts in full. */
const STORY_MINUTES = 120;
/** The shortest window (minutes) whose excess rate measures a wave's intensity for the aftermath bar. */
const SUSTAINED_MINUTES = 10;
/** Blocks in an hour. */
const HOUR_BLOCKS = 60 / 5;

interface Profile {
  readonly day: Float64Array;
  readonly dayMinutes: Float64Array;
  readonly week: Float64Array;
  readonly weekMinutes: Float64Array;
  all: number;
  minutes: number;
}

interface Burst {
  readonly onsetMinute: number;
  severity: BurstSeverity;
  lastEmit: number;
  total: number;
  negative: number;
  maxInfluence: number;
  quiet: number;
  best: Test;
  /** The highest excess rate (posts a minute over the baseline) any window showed. */
  peakRate: number;
  readonly samplePostIds: number[];
  readonly sampleTexts: string[];
}

interface Test {
  readonly windowMinutes: number;
  readonly count: number;
  readonly expected: number;
  readonly log10p: number;
  readonly negative: number;
  readonly problem: number;
  /** The highest excess rate (posts a minute over the baseline) of any window of 5 minutes or more… */
  readonly peakRate: number;
  /** …and of `SUSTAINED_MINUTES` or more. */
  readonly sustainedRate: number;
}

interface KeyState {
  readonly key: string;
  readonly historical: boolean;
  readonly ring: Int32Array;
  readonly neg: Int32Array;
  readonly problem: Int32Array;
  /** The newest minute (epoch minutes) the ring holds; -1 before the first post. */
  head: number;
  /** Every minute up to this one is closed. */
  closedThrough: number;
  level: number;
  levelMinutes: number;
  /** Posts the level has seen (capped at its memory), for its own uncertainty. */
  levelPosts: number;
  readonly profile: Profile;
  readonly dispersion: DispersionSums;
  blockCount: number;
  blockExpected: number;
  blockMinutes: number;
  /** The closed 5-minute blocks of the current hour, and what the baseline expected of them. */
  readonly hourBlocks: number[];
  hourExpected: number;
  learnedMinutes: number;
  lastEventMinute: number;
  /** Historical replays: the lateness seen inside the replay, and when the clock last touched it. */
  lateness: number;
  touchedAt: number;
  readonly sources: Set<string>;
  burst: Burst | null;
  /** The last burst's peak excess rate (posts a minute over the baseline) and when it ended. */
  aftermath: { rate: number; endedMinute: number } | null;
}

/** One key's windows (`BurstDetector.windows`). */
export interface KeyWindows {
  readonly head: number;
  readonly closedThrough: number;
  readonly learnedMinutes: number;
  readonly level: number;
  readonly counts: number[];
  readonly negatives: number[];
  readonly problems: number[];
  readonly burst: { onsetAt: string; total: number; severity: BurstSeverity } | null;
}

export class BurstDetector {
  readonly #o: Settings;
  readonly #keys = new Map<string, KeyState>();
  readonly #history = new Map<string, KeyState>();
  /** Lateness (ms) each source shows, a decaying maximum. */
  readonly #lateness = new Map<string, { ms: number; at: number }>();
  /** Organisation-wide profile and dispersion, taught by every stream key: what a new key borrows. */
  readonly #org: Profile = newProfile();
  readonly #orgDispersion: DispersionSums = newDispersionSums();

  constructor(options: BurstOptions = {}) {
    this.#o = { ...DEFAULTS, ...stripUndefined(options) } as Settings;
  }

  /** Counts one post and returns any alert it causes. */
  observe(event: BurstEvent, now: number = event.at): BurstAlert[] {
    const alerts: BurstAlert[] = [];
    const nowMinute = Math.floor(now / MINUTE);
    const minute = Math.floor(event.at / MINUTE);
    if (nowMinute - minute > this.#o.historicalAfterMinutes) {
      const state = this.#state(this.#history, event.key, true);
      state.touchedAt = now;
      // A replay runs on its own clock: the newest post time it has seen.
      const head = Math.max(state.head, minute);
      state.lateness = Math.max(state.lateness * 0.99, (head - minute) * MINUTE);
      this.#advance(state, head, alerts, Math.max(event.at, head * MINUTE));
      this.#count(state, event, minute, Math.max(event.at, head * MINUTE), alerts);
      return alerts;
    }
    const state = this.#state(this.#keys, event.key, false);
    const source = event.source ?? '';
    state.sources.add(source);
    this.#noteLateness(source, now - event.at, now);
    this.#advance(state, Math.max(minute, nowMinute), alerts, now);
    this.#count(state, event, minute, now, alerts);
    return alerts;
  }

  /** Advances every key to `now`: closes minutes, ends quiet bursts, finishes idle replays, forgets idle keys. */
  tick(now: number): BurstAlert[] {
    const alerts: BurstAlert[] = [];
    const minute = Math.floor(now / MINUTE);
    for (const [key, state] of this.#keys) {
      this.#advance(state, minute, alerts, now);
      const forget = forOf(this.#o.forgetIdleMinutes, key, DEFAULTS.forgetIdleMinutes);
      if (!state.burst && minute - state.lastEventMinute > forget) this.#keys.delete(key);
    }
    for (const [key, state] of this.#history) {
      if (now - state.touchedAt < this.#o.historicalIdleMs) continue;
      // The replay is over: run its clock past the watermark and the quiet spell so its burst ends.
      const end = state.head + this.#watermark(state) + this.#o.quietMinutes + 2;
      this.#advance(state, end, alerts, end * MINUTE);
      this.#history.delete(key);
    }
    return alerts;
  }

  /** Expected posts per minute for a key at a time, as the detector believes now. */
  baseline(key: string, at: number): number {
    const state = this.#keys.get(key);
    return state ? this.#expected(state, Math.floor(at / MINUTE)) : this.#o.floorPerMinute;
  }

  /** The key's over-dispersion (variance φΛ + κΛ² over a window expecting Λ), for tests and evidence. */
  dispersion(key: string): { phi: number; kappa: number } {
    const state = this.#keys.get(key);
    return state ? { ...this.#dispersion(state) } : { phi: this.#o.priorPhi, kappa: this.#o.priorDispersion };
  }

  /** Keys held, for tests and metrics (the state is bounded by this times a few KB). */
  get size(): number {
    return this.#keys.size;
  }

  inBurst(key: string): boolean {
    return this.#keys.get(key)?.burst != null;
  }

  /** Whether a post written at `at` and heard at `now` goes to a historical replay, not the live windows. */
  isHistorical(at: number, now: number): boolean {
    return Math.floor(now / MINUTE) - Math.floor(at / MINUTE) > this.#o.historicalAfterMinutes;
  }

  /** The live keys held. */
  keys(): string[] {
    return [...this.#keys.keys()];
  }

  /**
   * A key's windows as held now: the per-minute counts of the ring (oldest first, ending at the
   * head), what is closed, the level and the open burst. A watch rebuilt from the store is
   * compared with one that heard the same posts live through this.
   */
  windows(key: string): KeyWindows | null {
    const state = this.#keys.get(key);
    if (!state) return null;
    const ring = this.#o.ringMinutes;
    const minutes = Array.from({ length: ring }, (_, i) => state.head - ring + 1 + i);
    return {
      head: state.head,
      closedThrough: state.closedThrough,
      learnedMinutes: state.learnedMinutes,
      level: state.level,
      counts: minutes.map((m) => state.ring[index(m, ring)]!),
      negatives: minutes.map((m) => state.neg[index(m, ring)]!),
      problems: minutes.map((m) => state.problem[index(m, ring)]!),
      burst: state.burst
        ? {
            onsetAt: new Date(state.burst.onsetMinute * MINUTE).toISOString(),
            total: state.burst.total,
            severity: state.burst.severity,
          }
        : null,
    };
  }

  #state(map: Map<string, KeyState>, key: string, historical: boolean): KeyState {
    let state = map.get(key);
    if (!state) {
      const ring = this.#o.ringMinutes;
      state = {
        key,
        historical,
        ring: new Int32Array(ring),
        neg: new Int32Array(ring),
        problem: new Int32Array(ring),
        head: -1,
        closedThrough: -1,
        level: 0,
        levelMinutes: 0,
        levelPosts: 0,
        profile: newProfile(),
        dispersion: newDispersionSums(),
        hourBlocks: [],
        hourExpected: 0,
        blockCount: 0,
        blockExpected: 0,
        blockMinutes: 0,
        learnedMinutes: 0,
        lastEventMinute: -1,
        lateness: 0,
        touchedAt: 0,
        sources: new Set(),
        burst: null,
        aftermath: null,
      };
      map.set(key, state);
    }
    return state;
  }

  #noteLateness(source: string, lateMs: number, now: number): void {
    const seen = this.#lateness.get(source);
    // A decaying maximum: a polling interval shows as lateness up to the interval, again and
    // again; a one-off delay fades over about an hour.
    const decayed = seen ? Math.max(0, seen.ms - (now - seen.at) / 30) : 0;
    const cap = (this.#o.ringMinutes / 4) * MINUTE;
    this.#lateness.set(source, { ms: Math.min(cap, Math.max(decayed, lateMs)), at: now });
  }

  /** Minutes after which a minute of this key is closed. */
  #watermark(state: KeyState): number {
    let late = state.historical ? state.lateness : 0;
    if (!state.historical)
      for (const source of state.sources) late = Math.max(late, this.#lateness.get(source)?.ms ?? 0);
    return Math.ceil(late / MINUTE) + this.#o.watermarkMarginMinutes;
  }

  #count(state: KeyState, event: BurstEvent, minute: number, now: number, alerts: BurstAlert[]): void {
    const o = this.#o;
    if (state.head - minute >= o.ringMinutes) return;
    state.lastEventMinute = Math.max(state.lastEventMinute, minute);
    const slot = index(minute, o.ringMinutes);
    state.ring[slot]! += 1;
    if (event.negative) state.neg[slot]! += 1;
    if (event.problem) state.problem[slot]! += 1;
    const burst = state.burst;
    if (burst && minute >= burst.onsetMinute) {
      burst.total += 1;
      if (event.negative) burst.negative += 1;
      burst.maxInfluence = Math.max(burst.maxInfluence, event.influence ?? 0);
      pushSample(burst, event, o.samples);
    }
    if (state.learnedMinutes < forOf(o.warmupMinutes, state.key, DEFAULTS.warmupMinutes)) return;
    // The windows holding this minute, ending at it or (for a late post) at any later minute.
    const maxWindow = Math.max(...o.windows);
    let best: Test | null = null;
    for (let end = minute; end <= Math.min(state.head, minute + maxWindow - 1); end += 1) {
      const test = this.#test(state, end, now, end - minute + 1);
      if (test && (best === null || test.log10p < best.log10p)) best = test;
    }
    this.#decide(state, event, best, now, alerts);
  }

  /** The strongest window ending at `end` that is at least `least` minutes long. */
  #test(state: KeyState, end: number, now: number, least: number): Test | null {
    const o = this.#o;
    const elapsed = Math.min(1, Math.max(o.partialMinuteFloor, (now - end * MINUTE) / MINUTE));
    let count = 0;
    let negative = 0;
    let problem = 0;
    let expected = 0;
    let best: Test | null = null;
    let peakRate = 0;
    let sustainedRate = 0;
    const maxWindow = Math.max(...o.windows);
    for (let w = 1; w <= maxWindow; w += 1) {
      const minute = end - w + 1;
      const slot = index(minute, o.ringMinutes);
      count += state.ring[slot]!;
      negative += state.neg[slot]!;
      problem += state.problem[slot]!;
      expected += this.#expected(state, minute) * (w === 1 ? elapsed : 1);
      if (w < least || !o.windows.includes(w)) continue;
      if (w >= BLOCK) peakRate = Math.max(peakRate, (count - expected) / w);
      if (w >= SUSTAINED_MINUTES) sustainedRate = Math.max(sustainedRate, (count - expected) / w);
      // A burst is a rate: `minCount` posts per `minCountMinutes`, so a long window never alerts
      // on a trickle that a short one would call ordinary.
      const floor = o.minCount * Math.max(1, w / o.minCountMinutes) ** o.minCountGrowth;
      if (count < floor || count < o.minRatio * expected) continue;
      const log10p = this.#tail(state, count, expected);
      if (best === null || log10p < best.log10p)
        best = { windowMinutes: w, count, expected, log10p, negative, problem, peakRate: 0, sustainedRate: 0 };
    }
    return (
      best && {
        ...best,
        peakRate: Math.max(peakRate, (best.count - best.expected) / best.windowMinutes),
        sustainedRate,
      }
    );
  }

  #decide(state: KeyState, event: BurstEvent, best: Test | null, now: number, alerts: BurstAlert[]): void {
    const o = this.#o;
    const burst = state.burst;
    if (!burst) {
      if (best === null || best.log10p > o.alphaLog10) return;
      // The aftermath of a story: a later wave opens a new alert only when it is as intense as the
      // last burst's peak, a bar that fades with `aftermathMinutes`. Smaller waves (follow-up news,
      // aftershocks of attention) are the same story, not a new page.
      // Measured over sustained windows on both sides: a five-minute spike of a later wave is not a
      // new story unless the wave holds its rate.
      if (best.sustainedRate < o.aftermathShare * this.#aftermathBar(state, Math.floor(event.at / MINUTE))) return;
      const decided = Math.floor(now / MINUTE);
      const onsetMinute = Math.min(decided, Math.floor(event.at / MINUTE)) - best.windowMinutes + 1;
      let total = 0;
      let negative = 0;
      for (let m = onsetMinute; m <= state.head; m += 1) {
        total += state.ring[index(m, o.ringMinutes)]!;
        negative += state.neg[index(m, o.ringMinutes)]!;
      }
      const opened: Burst = {
        onsetMinute,
        severity: 'info',
        lastEmit: now,
        total,
        negative,
        maxInfluence: event.influence ?? 0,
        quiet: 0,
        best,
        peakRate: best.peakRate,
        samplePostIds: [],
        sampleTexts: [],
      };
      opened.severity = severityOf(best, opened.maxInfluence);
      pushSample(opened, event, o.samples);
      state.burst = opened;
      alerts.push(this.#alert(state, 'opened', opened, now));
      return;
    }
    if (best !== null && best.log10p < burst.best.log10p) burst.best = best;
    if (best !== null) burst.peakRate = Math.max(burst.peakRate, best.peakRate);
    const severity = best ? severityOf(best, burst.maxInfluence) : burst.severity;
    const rises = SEVERITY_RANK[severity] > SEVERITY_RANK[burst.severity];
    if (rises) burst.severity = severity;
    if (rises || now - burst.lastEmit >= o.updateEveryMs) {
      burst.lastEmit = now;
      alerts.push(this.#alert(state, 'updated', burst, now));
    }
  }

  /** The excess rate the key's last story still asks of a new burst at `minute`. */
  #aftermathBar(state: KeyState, minute: number): number {
    const after = state.aftermath;
    if (!after) return 0;
    return after.rate * Math.exp(-Math.max(0, minute - after.endedMinute) / this.#o.aftermathMinutes);
  }

  #alert(state: KeyState, phase: BurstPhase, burst: Burst, now: number, endedAt?: string): BurstAlert {
    const best = burst.best;
    const o = this.#o;
    return {
      key: state.key,
      phase,
      severity: burst.severity,
      at: now,
      historical: state.historical,
      evidence: {
        key: state.key,
        windowMinutes: best.windowMinutes,
        count: best.count,
        expected: round(best.expected),
        ratio: round(best.count / Math.max(best.expected, o.floorPerMinute * best.windowMinutes)),
        log10p: round(best.log10p),
        baselinePerMinute: round(this.#expected(state, state.head)),
        phi: round(this.#dispersion(state).phi),
        kappa: round(this.#dispersion(state).kappa),
        negativeShare: round(best.negative / Math.max(1, best.count)),
        problemShare: round(best.problem / Math.max(1, best.count)),
        onsetAt: new Date(burst.onsetMinute * MINUTE).toISOString(),
        totalInBurst: burst.total,
        negativeInBurst: burst.negative,
        maxInfluence: burst.maxInfluence,
        samplePostIds: [...burst.samplePostIds],
        sampleTexts: [...burst.sampleTexts],
        historical: state.historical,
        ...(endedAt ? { endedAt } : {}),
      },
    };
  }

  /** Moves the head to `minute` and closes every minute older than the watermark. */
  #advance(state: KeyState, minute: number, alerts: BurstAlert[], now: number): void {
    const ring = this.#o.ringMinutes;
    if (state.head < 0) {
      state.head = minute;
      state.closedThrough = minute - 1;
      state.lastEventMinute = minute;
      return;
    }
    if (minute > state.head) {
      for (let fresh = Math.max(state.head + 1, minute - ring + 1); fresh <= minute; fresh += 1) {
        const slot = index(fresh, ring);
        state.ring[slot] = 0;
        state.neg[slot] = 0;
        state.problem[slot] = 0;
      }
      state.head = minute;
    }
    const closeTo = state.head - this.#watermark(state);
    // A long silence is a week of zeros at most: enough to teach every slot.
    for (let m = Math.max(state.closedThrough + 1, closeTo - 7 * 24 * 60); m <= closeTo; m += 1) {
      const count = state.head - m < ring ? state.ring[index(m, ring)]! : 0;
      this.#close(state, m, count, alerts, now);
    }
    state.closedThrough = Math.max(state.closedThrough, closeTo);
  }

  #close(state: KeyState, minute: number, count: number, alerts: BurstAlert[], now: number): void {
    const o = this.#o;
    const expected = this.#expected(state, minute);
    const { phi, kappa } = this.#dispersion(state);
    const sd = Math.sqrt(phi * expected + kappa * expected * expected);
    const season = this.#season(state, minute);
    const burst = state.burst;
    // Ordinary: the five minutes ending here are not unusual (p > 5 %).
    let recent = 0;
    let recentExpected = 0;
    for (let m = minute - BLOCK + 1; m <= minute; m += 1) {
      recent += state.head - m < o.ringMinutes ? state.ring[index(m, o.ringMinutes)]! : 0;
      recentExpected += this.#expected(state, m);
    }
    const recentLog10p = recent <= recentExpected ? 0 : this.#tail(state, recent, recentExpected);
    const ordinary = recent <= o.minRatio * recentExpected || recentLog10p > -1.3;
    if (burst) {
      // Burst minutes teach no dispersion: the hour being gathered starts again after it.
      state.blockCount = 0;
      state.blockExpected = 0;
      state.blockMinutes = 0;
      state.hourBlocks.length = 0;
      state.hourExpected = 0;
      burst.quiet = ordinary ? burst.quiet + 1 : 0;
      // The level still learns, clipped: a lasting new plateau becomes normal within hours.
      this.#learnLevel(state, Math.min(count, expected + 2 * sd) / season);
      if (burst.quiet >= o.quietMinutes) {
        state.burst = null;
        // A story lasts: a short burst (one cascade) raises the bar for the next one only a little.
        const active = minute - o.quietMinutes - burst.onsetMinute;
        // …and a small wave never lowers the bar the story set.
        const rate = burst.peakRate * Math.min(1, Math.max(0, active) / STORY_MINUTES);
        state.aftermath = { rate: Math.max(rate, this.#aftermathBar(state, minute)), endedMinute: minute };
        alerts.push(this.#alert(state, 'ended', burst, now, new Date((minute + 1) * MINUTE).toISOString()));
      }
      return;
    }
    // Clip what one minute can teach: a spike moves the baseline by a bounded step, and a minute
    // in a candidate burst (unusual, not yet alerting) by one standard deviation at most.
    const clipped = Math.min(count, expected + (ordinary ? 3 * sd + 1 : sd));
    this.#learnLevel(state, clipped / season);
    learnProfile(state.profile, minute, clipped);
    if (!state.historical && !state.key.startsWith('cluster:')) learnProfile(this.#org, minute, clipped);
    state.learnedMinutes += 1;
    // Dispersion from 5-minute blocks grouped in hours (see learnHour).
    state.blockCount += count;
    state.blockExpected += expected;
    state.blockMinutes += 1;
    if (state.blockMinutes === BLOCK) {
      state.hourBlocks.push(state.blockCount);
      state.hourExpected += state.blockExpected;
      state.blockCount = 0;
      state.blockExpected = 0;
      state.blockMinutes = 0;
      if (state.hourBlocks.length === HOUR_BLOCKS) {
        const cap = { phi, kappa };
        learnHour(state.dispersion, state.hourBlocks, state.hourExpected, cap);
        if (!state.historical && !state.key.startsWith('cluster:'))
          learnHour(this.#orgDispersion, state.hourBlocks, state.hourExpected, cap);
        state.hourBlocks.length = 0;
        state.hourExpected = 0;
      }
    }
  }

  #learnLevel(state: KeyState, value: number): void {
    state.levelMinutes += 1;
    const rate = Math.max(1 / this.#o.levelMinutes, 1 / state.levelMinutes);
    state.level += (value - state.level) * rate;
    state.levelPosts = state.level * Math.min(state.levelMinutes, this.#o.levelMinutes);
  }

  /** The key's (φ, κ), shrunk toward the organisation's, which is shrunk toward the prior. */
  #dispersion(state: KeyState): Dispersion {
    const prior = { phi: this.#o.priorPhi, kappa: this.#o.priorDispersion };
    return fitDispersion(state.dispersion, fitDispersion(this.#orgDispersion, prior));
  }

  /** log10 P(X ≥ count) for a window expecting `expected` on this key, its level's own uncertainty included. */
  #tail(state: KeyState, count: number, expected: number): number {
    const { phi, kappa } = this.#dispersion(state);
    // Variance φΛ + κΛ² as a negative binomial: κ_total = (φ − 1)/Λ + κ. At small Λ that is a
    // compound Poisson of cascades (an exponential tail), at large Λ a gamma-mixed rate.
    const total = (phi - 1) / Math.max(expected, 1e-6) + kappa + 1 / (state.levelPosts + 1);
    return negBinomialUpperTailLog10(count, expected, total);
  }

  /** The daily and weekly profile factor for a minute (1 = an average minute). */
  #season(state: KeyState, minute: number): number {
    return profileFactor(state.profile, this.#org, minute);
  }

  #expected(state: KeyState, minute: number): number {
    return Math.max(this.#o.floorPerMinute, state.level * this.#season(state, minute));
  }
}

interface Dispersion {
  readonly phi: number;
  readonly kappa: number;
}

/**
 * Decaying sums for the two parts of the dispersion, both measured so a trend or a daily rhythm
 * does not pass for noise:
 * - φ (cascades) from the 5-minute blocks of each hour around that hour's own mean: for a
 *   compound Poisson E[Σ(cᵢ − c̄)²] = (n − 1)·φ·c̄, so φ ≈ Σ Σ(cᵢ − c̄)² / Σ (n − 1)·c̄.
 * - κ (hours busier or quieter than the baseline says) from each hour's total H against the
 *   baseline's E: E[(H − E)² − φE] = κE².
 */
interface DispersionSums {
  phiNum: number;
  phiDen: number;
  kappaNum: number;
  kappaDen: number;
}

function newDispersionSums(): DispersionSums {
  return { phiNum: 0, phiDen: 0, kappaNum: 0, kappaDen: 0 };
}

function learnHour(sums: DispersionSums, blocks: readonly number[], expected: number, now: Dispersion): void {
  const keep = 1 - DISPERSION_RATE;
  sums.phiNum *= keep;
  sums.phiDen *= keep;
  sums.kappaNum *= keep;
  sums.kappaDen *= keep;
  const total = blocks.reduce((sum, c) => sum + c, 0);
  const mean = total / blocks.length;
  if (mean > 0) {
    let squares = 0;
    for (const c of blocks) squares += (c - mean) ** 2;
    const den = (blocks.length - 1) * mean;
    // A take-off that has not alerted yet teaches a bounded amount.
    sums.phiNum += Math.min(squares, RESIDUAL_CAP * now.phi * den);
    sums.phiDen += den;
  }
  // κ only from hours the baseline expects something of: near zero, (H − E)²/E² is noise.
  if (expected >= 1) {
    const variance = now.phi * expected + now.kappa * expected * expected;
    const excess = Math.min((total - expected) ** 2, RESIDUAL_CAP * variance) - now.phi * expected;
    sums.kappaNum += excess;
    sums.kappaDen += expected * expected;
  }
}

/** The key's own (φ, κ), each shrunk toward `prior` by how much evidence it rests on. */
function fitDispersion(sums: DispersionSums, prior: Dispersion): Dispersion {
  const phi = (sums.phiNum + prior.phi * PHI_PRIOR_POSTS) / (sums.phiDen + PHI_PRIOR_POSTS);
  const kappa = (sums.kappaNum + prior.kappa * KAPPA_PRIOR_WEIGHT) / (sums.kappaDen + KAPPA_PRIOR_WEIGHT);
  return { phi: Math.max(1, phi), kappa: Math.max(0, kappa) };
}

function newProfile(): Profile {
  return {
    day: new Float64Array(24),
    dayMinutes: new Float64Array(24),
    week: new Float64Array(7),
    weekMinutes: new Float64Array(7),
    all: 0,
    minutes: 0,
  };
}

function learnProfile(profile: Profile, minute: number, value: number): void {
  const hour = hourOfDay(minute);
  const day = dayOfWeek(minute);
  profile.minutes += 1;
  profile.all += (value - profile.all) * Math.max(PROFILE_RATE.all, 1 / profile.minutes);
  profile.dayMinutes[hour]! += 1;
  profile.day[hour]! += (value - profile.day[hour]!) * Math.max(PROFILE_RATE.day, 1 / profile.dayMinutes[hour]!);
  profile.weekMinutes[day]! += 1;
  profile.week[day]! += (value - profile.week[day]!) * Math.max(PROFILE_RATE.week, 1 / profile.weekMinutes[day]!);
}

/**
 * A slot's factor (its mean over the overall mean), shrunk toward the organisation's factor (or
 * 1) while it has few minutes, and interpolated linearly between slot centres.
 */
function profileFactor(profile: Profile, org: Profile, minute: number): number {
  const hourPos = (minute / 60 - 0.5) % 24;
  const dayPos = (minute / 1440 + 3 - 0.5) % 7;
  const dayFactor = interpolate(hourPos, 24, (h) => slotFactor(profile, org, 'day', h));
  const weekFactor = interpolate(dayPos, 7, (d) => slotFactor(profile, org, 'week', d));
  return Math.min(10, Math.max(0.05, dayFactor * weekFactor));
}

function slotFactor(profile: Profile, org: Profile, kind: 'day' | 'week', slot: number): number {
  const own = kind === 'day' ? profile.day : profile.week;
  const minutes = (kind === 'day' ? profile.dayMinutes : profile.weekMinutes)[slot]!;
  const orgOwn = kind === 'day' ? org.day : org.week;
  const orgMinutes = (kind === 'day' ? org.dayMinutes : org.weekMinutes)[slot]!;
  const prior = PROFILE_PRIOR_MINUTES[kind];
  const orgFactor = org.all > 0 && orgMinutes >= prior ? orgOwn[slot]! / org.all : 1;
  const ownFactor = profile.all > 0 ? own[slot]! / profile.all : 1;
  const weight = minutes / (minutes + prior);
  // Shrink on the log scale so a slot never turns negative or explodes.
  return Math.exp(weight * Math.log(Math.max(ownFactor, 0.05)) + (1 - weight) * Math.log(Math.max(orgFactor, 0.05)));
}

function interpolate(position: number, slots: number, factor: (slot: number) => number): number {
  const p = ((position % slots) + slots) % slots;
  const lower = Math.floor(p);
  const t = p - lower;
  return factor(lower) * (1 - t) + factor((lower + 1) % slots) * t;
}

/** log10 of P(X ≥ k) for X negative binomial with mean μ and variance μ + κμ² (Poisson at κ = 0); 0 when k ≤ μ. */
export function negBinomialUpperTailLog10(k: number, mean: number, kappa: number): number {
  if (k <= mean) return 0;
  if (mean <= 0) return Number.NEGATIVE_INFINITY;
  const r = 1 / Math.max(kappa, 1e-9);
  const logP = Math.log(r / (r + mean));
  const logQ = Math.log(mean / (r + mean));
  let term =
    kappa <= 1e-9
      ? -mean + k * Math.log(mean) - logGamma(k + 1)
      : logGamma(k + r) - logGamma(r) - logGamma(k + 1) + r * logP + k * logQ;
  let sum = term;
  for (let i = k; i < k + 100_000; i += 1) {
    term += kappa <= 1e-9 ? Math.log(mean / (i + 1)) : Math.log((i + r) / (i + 1)) + logQ;
    const next = logAddExp(sum, term);
    if (next - sum < 1e-10) break;
    sum = next;
  }
  return Math.min(0, sum / Math.LN10);
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

/**
 * Size sets the floor, what the posts say raises it: a large surge (8× and 20 a minute) that is
 * mostly negative or problems is critical; a burst with a fifth negative or problem posts, or from
 * an author with a large audience, is at least a warning.
 */
function severityOf(best: Test, maxInfluence: number): BurstSeverity {
  const perMinute = best.count / best.windowMinutes;
  const ratio = best.count / Math.max(best.expected, 0.01);
  const bad = Math.max(best.negative, best.problem) / Math.max(1, best.count);
  const large = ratio >= 8 && perMinute >= 20;
  if (large && bad >= 0.4) return 'critical';
  if (bad >= 0.2 || large || maxInfluence >= 100_000) return 'warning';
  return 'info';
}

function pushSample(burst: Burst, event: BurstEvent, limit: number): void {
  if (event.postId === undefined || burst.samplePostIds.length >= limit) return;
  burst.samplePostIds.push(event.postId);
  if (event.text !== undefined)
    burst.sampleTexts.push(event.text.length > 140 ? `${event.text.slice(0, 139)}…` : event.text);
}

function forOf(value: number | ((key: string) => number) | undefined, key: string, fallback: number): number {
  if (value === undefined) return fallback;
  return typeof value === 'function' ? value(key) : value;
}

function index(minute: number, size: number): number {
  return ((minute % size) + size) % size;
}

/** Day of the week in UTC, Monday = 0. The epoch began on a Thursday. */
function dayOfWeek(minute: number): number {
  return (Math.floor(minute / 1440) + 3) % 7;
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

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** log Γ(x) for x > 0 (Lanczos, g = 7). */
function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i += 1) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
