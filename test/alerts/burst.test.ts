/**
 * The burst detector: pure and incremental, so a week of Poisson background and a burst replay
 * in milliseconds with the clock in the test's hands.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { poisson, rng } from '../helpers/random.js';
import { BurstDetector, poissonUpperTailLog10, type BurstAlert } from '../../src/alerts/burst.js';

const MINUTE = 60_000;
const START = Date.UTC(2026, 10, 2);

/** Feeds `minutes` of background (busier by day than by night) and returns every alert. */
function feed(
  detector: BurstDetector,
  from: number,
  minutes: number,
  random: () => number,
  extra: (minute: number) => number = () => 0,
): BurstAlert[] {
  const alerts: BurstAlert[] = [];
  for (let m = 0; m < minutes; m += 1) {
    const start = from + m * MINUTE;
    // A smooth day, as real traffic is: 0.3/min at 01:00 rising to 3/min at 13:00.
    const hour = (m / 60 + from / (60 * MINUTE)) % 24;
    const lambda = 0.3 + 2.7 * (0.5 - 0.5 * Math.cos((2 * Math.PI * (hour - 1)) / 24));
    const times = Array.from(
      { length: poisson(random, lambda) + extra(m) },
      () => start + Math.floor(random() * MINUTE),
    ).sort((a, b) => a - b);
    for (const at of times) alerts.push(...detector.observe({ at, key: 'stream:1', negative: true, postId: at }, at));
  }
  alerts.push(...detector.tick(from + minutes * MINUTE));
  return alerts;
}

describe('burst detector', () => {
  test('a week of seasonal background raises nothing once learned', () => {
    const detector = new BurstDetector();
    const random = rng(7);
    feed(detector, START, 7 * 24 * 60, random);
    const alerts = feed(detector, START + 7 * 24 * 60 * MINUTE, 7 * 24 * 60, random);
    assert.deepEqual(alerts, []);
    assert.ok(
      Math.abs(detector.baseline('stream:1', START + 12 * 60 * MINUTE) - 3) < 0.6,
      'daytime baseline near 3/min',
    );
    assert.ok(detector.baseline('stream:1', START + 1 * 60 * MINUTE) < 0.6, 'night baseline near 0.3/min');
  });

  test('a burst opens one alert within two minutes, refreshes it, and ends after quiet minutes', () => {
    const detector = new BurstDetector();
    const random = rng(11);
    feed(detector, START, 7 * 24 * 60, random);
    const onset = START + 7 * 24 * 60 * MINUTE + 14 * 60 * MINUTE;
    feed(detector, START + 7 * 24 * 60 * MINUTE, 14 * 60, random);
    const alerts = feed(detector, onset, 60, random, (m) => (m < 20 ? 30 : 0));
    const opened = alerts.filter((alert) => alert.phase === 'opened');
    assert.equal(opened.length, 1, 'de-duplicated while the burst lasts');
    assert.ok(opened[0]!.at - onset <= 2 * MINUTE, `found ${(opened[0]!.at - onset) / 1000}s after onset`);
    assert.ok(alerts.some((alert) => alert.phase === 'updated'));
    const ended = alerts.find((alert) => alert.phase === 'ended');
    assert.ok(ended, 'the burst ends');
    assert.ok(opened[0]!.evidence.count > opened[0]!.evidence.expected * 3);
    assert.equal(opened[0]!.evidence.samplePostIds.length, 1);
    assert.ok(ended.evidence.totalInBurst >= 500);
  });

  test('a key learns before it alerts; cluster keys may alert at once and are forgotten when idle', () => {
    const detector = new BurstDetector({
      warmupMinutes: (key) => (key.startsWith('cluster:') ? 0 : 60),
      forgetIdleMinutes: (key) => (key.startsWith('cluster:') ? 30 : Infinity),
    });
    const alerts: BurstAlert[] = [];
    for (let i = 0; i < 40; i += 1) {
      alerts.push(...detector.observe({ at: START + i * 1000, key: 'stream:9', negative: true }));
      alerts.push(...detector.observe({ at: START + i * 1000, key: 'cluster:1', negative: true }));
    }
    assert.deepEqual(
      alerts.filter((alert) => alert.phase === 'opened').map((alert) => alert.key),
      ['cluster:1'],
    );
    detector.tick(START + 3 * 60 * MINUTE);
    assert.equal(detector.size, 1, 'the idle cluster key is gone, the stream stays');
  });

  test('Poisson tail matches known values', () => {
    // P(X ≥ 10 | λ = 2) = 4.65e-5
    assert.ok(Math.abs(poissonUpperTailLog10(10, 2) - Math.log10(4.6498e-5)) < 0.01);
    assert.equal(poissonUpperTailLog10(1, 2), 0);
    assert.ok(poissonUpperTailLog10(5000, 100) < -1000);
  });
});
