/**
 * Burst detection on real traffic shapes: posts counted at their own time (late, polled, old),
 * over-dispersed background, a stream that is new.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { poisson, rng } from '../helpers/random.js';
import { BurstDetector, negBinomialUpperTailLog10, type BurstAlert } from '../../src/alerts/burst.js';
import { listAlerts } from '../../src/store/alerts.js';
import { startTestDesk } from '../helpers/app.js';

const MINUTE = 60_000;
const START = Date.UTC(2026, 10, 2);

/** Post times: `rate(minute)` posts a minute for `minutes` from `from`, sorted. */
function timeline(from: number, minutes: number, rate: (minute: number) => number, seed = 1): number[] {
  const random = rng(seed);
  const times: number[] = [];
  for (let m = 0; m < minutes; m += 1)
    for (let i = poisson(random, rate(m)); i > 0; i -= 1) times.push(from + m * MINUTE + Math.floor(random() * MINUTE));
  return times.sort((a, b) => a - b);
}

/** Delivers posts the way a poller every `seconds` does, ticking every 30 s; returns every alert. */
function deliver(detector: BurstDetector, times: readonly number[], seconds: number, key = 'stream:1'): BurstAlert[] {
  const alerts: BurstAlert[] = [];
  const step = seconds * 1000;
  let tick = times[0]!;
  let i = 0;
  while (i < times.length) {
    const at = Math.ceil((times[i]! + 1) / step) * step;
    for (; tick + 30_000 <= at; tick += 30_000) alerts.push(...detector.tick(tick + 30_000));
    for (; i < times.length && times[i]! < at; i += 1)
      alerts.push(...detector.observe({ at: times[i]!, key, negative: false, source: `poll${seconds}` }, at));
  }
  alerts.push(...detector.tick(tick + 3 * 60 * MINUTE));
  return alerts;
}

const opened = (alerts: readonly BurstAlert[]) => alerts.filter((alert) => alert.phase === 'opened');

describe('burst detection in event time', () => {
  test('a polled source (60 s, 300 s) gives one alert per burst, like a streaming one', () => {
    // Three quiet hours, a 40-minute burst that wavers (a lull in the middle), two quiet hours.
    const times = timeline(START + 8 * 60 * MINUTE, 300, (m) =>
      m < 180 || m >= 220 ? 0.5 : m >= 195 && m < 199 ? 2 : 12,
    );
    for (const seconds of [5, 60, 300]) {
      const alerts = deliver(new BurstDetector(), times, seconds);
      const first = opened(alerts);
      assert.equal(first.length, 1, `${seconds}-s deliveries: ${first.length} alerts`);
      const onset = START + (8 * 60 + 180) * MINUTE;
      assert.ok(first[0]!.at - onset <= (seconds + 4 * 60) * 1000, `${seconds}-s: ${(first[0]!.at - onset) / 1000} s`);
      assert.ok(alerts.some((alert) => alert.phase === 'ended'));
    }
  });

  test('a story alerts once: smaller waves in its aftermath do not page again, a bigger one does', () => {
    // Quiet, a 3-hour story at 10 a minute, then waves of 3 a minute (a day later) and of 20 a
    // minute (two days later), each 20 minutes long, over a background of 0.2 a minute.
    const day = 24 * 60;
    const rate = (m: number) =>
      m >= 240 && m < 420
        ? 10
        : m >= 420 + day && m < 440 + day
          ? 3
          : m >= 420 + 2 * day && m < 440 + 2 * day
            ? 20
            : 0.2;
    const alerts = opened(deliver(new BurstDetector(), timeline(START, 3 * day + 600, rate), 60));
    const minuteOf = (alert: BurstAlert) => Math.round((alert.at - START) / MINUTE);
    assert.deepEqual(
      alerts.map((alert) => (minuteOf(alert) < day ? 'story' : minuteOf(alert) < 2 * day ? 'small wave' : 'big wave')),
      ['story', 'big wave'],
    );
    // Without the aftermath bar the small wave is a burst of its own: the test measures the bar.
    const bare = opened(deliver(new BurstDetector({ aftermathShare: 0 }), timeline(START, 3 * day + 600, rate), 60));
    assert.equal(bare.length, 3);
  });

  test("in a story's aftermath a short spike is not a new story; a wave that holds its rate is", () => {
    // A 3-hour story at 10 a minute; six hours after it a spike (20 a minute for 3 minutes, then
    // quiet); twelve hours after it a wave of 12 a minute for 20 minutes. Background 0.2 a minute.
    const end = 420;
    const rate = (m: number) =>
      m >= 240 && m < end ? 10 : m >= end + 360 && m < end + 363 ? 20 : m >= end + 720 && m < end + 740 ? 12 : 0.2;
    const times = timeline(START, end + 900, rate, 3);
    const minuteOf = (alert: BurstAlert) => Math.round((alert.at - START) / MINUTE);
    const kinds = (alerts: readonly BurstAlert[]) =>
      opened(alerts).map((alert) => (minuteOf(alert) < end ? 'story' : minuteOf(alert) < end + 600 ? 'spike' : 'wave'));
    assert.deepEqual(kinds(deliver(new BurstDetector(), times, 60)), ['story', 'wave']);
    // Without the bar the spike pages on its own: the test measures the sustained-rate rule.
    assert.deepEqual(kinds(deliver(new BurstDetector({ aftermathShare: 0 }), times, 60)), ['story', 'spike', 'wave']);
  });

  test('late posts update their own minute and alert; posts older than the clock alert as history', () => {
    // A timeline from 2013 replayed now (an `earshot ingest`): the clock is far ahead of every post.
    const past = Date.UTC(2013, 10, 29, 20);
    const times = timeline(past, 180, (m) => (m >= 150 && m < 165 ? 15 : 0.2));
    const detector = new BurstDetector();
    const alerts: BurstAlert[] = [];
    for (const at of times) alerts.push(...detector.observe({ at, key: 'all', negative: true, postId: at }, START));
    alerts.push(...detector.tick(START + 10 * MINUTE));
    const first = opened(alerts);
    assert.equal(first.length, 1);
    assert.equal(first[0]!.historical, true);
    assert.equal(first[0]!.evidence.historical, true);
    const onset = past + 150 * MINUTE;
    assert.ok(
      first[0]!.at - onset <= 5 * MINUTE,
      `found ${(first[0]!.at - onset) / 1000} s after the onset, in post time`,
    );
    assert.ok(alerts.some((alert) => alert.phase === 'ended' && alert.historical));
    assert.equal(detector.inBurst('all'), false, 'the live key is untouched');
  });

  test('over-dispersed background (re-post cascades, busy and quiet hours): at most one alert a week', () => {
    const random = rng(5);
    const times: number[] = [];
    for (let m = 0; m < 8 * 24 * 60; m += 1) {
      const at = START + m * MINUTE;
      const hour = (m / 60) % 24;
      const hourNoise = m % 60 === 0 ? Math.exp((random() - 0.5) * 0.6) : 1;
      const rate = (0.3 + 2.7 * Math.max(0, Math.sin((Math.PI * (hour - 6)) / 14))) * hourNoise;
      for (let root = poisson(random, rate / 2.6); root > 0; root -= 1) {
        // A fifth of posts start a cascade of about nine re-posts over a few minutes.
        const size = random() < 0.2 ? 1 + Math.floor(Math.log(1 - random()) / Math.log(0.9)) : 1;
        const start = at + Math.floor(random() * MINUTE);
        for (let i = 0; i < size; i += 1)
          times.push(start + (i === 0 ? 0 : Math.floor(-Math.log(1 - random()) * 2 * MINUTE)));
      }
    }
    times.sort((a, b) => a - b);
    const detector = new BurstDetector();
    const alerts: BurstAlert[] = [];
    for (const at of times) alerts.push(...detector.observe({ at, key: 'stream:1', negative: false }, at));
    // The target: at most one false alert per stream-week, once a day has taught the key.
    const late = opened(alerts).filter((alert) => alert.at >= START + 24 * 60 * MINUTE);
    assert.ok(late.length <= 1, JSON.stringify(late.map((alert) => alert.evidence)));
    const { phi } = detector.dispersion('stream:1');
    assert.ok(phi > 4, `cascades show as over-dispersion (φ ${phi.toFixed(2)}; 5-minute variance/mean is 5–12 here)`);
  });

  test('a new stream can alert in its first hour, borrowing the organisation profile', () => {
    const detector = new BurstDetector();
    // The organisation: a day of an older stream.
    for (const at of timeline(START, 24 * 60, () => 2, 3))
      detector.observe({ at, key: 'stream:1', negative: false }, at);
    // A stream created now: 25 quiet minutes, then a burst.
    const from = START + 24 * 60 * MINUTE;
    const alerts: BurstAlert[] = [];
    for (const at of timeline(from, 45, (m) => (m < 25 ? 0.5 : 15), 4))
      alerts.push(...detector.observe({ at, key: 'stream:2', negative: true }, at));
    const first = opened(alerts).filter((alert) => alert.key === 'stream:2');
    assert.equal(first.length, 1);
    assert.ok(first[0]!.at - (from + 25 * MINUTE) <= 3 * MINUTE);
  });

  test('negative-binomial tail: Poisson at κ = 0, heavier with over-dispersion', () => {
    assert.ok(Math.abs(negBinomialUpperTailLog10(10, 2, 0) - Math.log10(4.6498e-5)) < 0.01);
    assert.ok(negBinomialUpperTailLog10(10, 2, 0.5) > negBinomialUpperTailLog10(10, 2, 0));
    assert.equal(negBinomialUpperTailLog10(1, 2, 0.5), 0);
  });

  test('through the runtime: ingesting an old timeline records a historical alert that never pages', async () => {
    const now = Date.UTC(2026, 10, 2, 12);
    const desk = await startTestDesk({ clock: () => new Date(now) });
    try {
      const raised: string[] = [];
      desk.runtime.bus.subscribe('alerts.raised', ({ alert }) => {
        raised.push(alert.key);
      });
      const past = Date.UTC(2013, 6, 24, 18);
      const times = timeline(past, 120, (m) => (m >= 90 && m < 100 ? 20 : 0.2), 9);
      const items = times.map((at, i) => ({
        value: {
          source: 'twitter',
          id: `t${i}`,
          author: { handle: `@u${i}` },
          text: `Train derailed near the station, many hurt ${i}`,
          createdAt: new Date(at).toISOString(),
        },
        line: i + 1,
      }));
      for (let i = 0; i < items.length; i += 100) await desk.runtime.pipeline.ingest(items.slice(i, i + 100));
      await desk.runtime.pipeline.settled();
      // The stream-level key (`all`: no stream matched); an incident cluster may alert as well.
      const bursts = (await listAlerts(desk.runtime.store.db)).filter((alert) => alert.key.startsWith('burst:all@'));
      assert.equal(bursts.length, 1, JSON.stringify(bursts.map((alert) => alert.title)));
      assert.equal(bursts[0]!.evidence.historical, true);
      assert.match(bursts[0]!.title, /^Historical \(2013-07-24 19:[23]\d UTC\)/);
      assert.deepEqual(raised, [], 'history is not published: no page, no webhook');
    } finally {
      await desk.close();
    }
  });
});
