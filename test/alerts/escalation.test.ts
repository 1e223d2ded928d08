/**
 * Escalation with an injected clock: nobody acknowledges, so it walks the policy; an
 * acknowledgement stops it; the on-call rotation covers nights and weekends.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EscalationEngine, onCallAt } from '../../src/alerts/escalation.js';
import type { EscalationPolicy, OnCallSchedule } from '../../src/domain/escalation.js';

const MINUTE = 60_000;
// Saturday 2026-11-21, 02:30 UTC: a weekend night.
const NIGHT = Date.parse('2026-11-21T02:30:00.000Z');
const schedule: OnCallSchedule = {
  id: 'primary',
  userIds: [1, 2, 3],
  startsAt: '2026-11-16T00:00:00.000Z',
  shiftHours: 24,
};
const policy: EscalationPolicy = {
  id: 'major-incident',
  steps: [
    { targets: [{ scheduleId: 'primary' }], waitMinutes: 5 },
    { targets: [{ userId: 9 }], waitMinutes: 10 },
    { targets: [{ userId: 10 }, { userId: 11 }], waitMinutes: 15 },
  ],
};

describe('escalation', () => {
  test('advances step by step when nobody acknowledges, then reports it ran out', () => {
    const engine = new EscalationEngine([schedule]);
    const first = engine.start('incident:1', policy, 'Major incident: portal down', NIGHT);
    assert.deepEqual(
      first.map((n) => n.userIds),
      [[3]],
      'Saturday is the third shift since Monday: user 3 is on call',
    );
    assert.deepEqual(engine.tick(NIGHT + 4 * MINUTE), [], 'still waiting');
    assert.deepEqual(
      engine.tick(NIGHT + 5 * MINUTE).map((n) => [n.step, n.userIds]),
      [[1, [9]]],
    );
    assert.deepEqual(
      engine.tick(NIGHT + 15 * MINUTE).map((n) => [n.step, n.userIds]),
      [[2, [10, 11]]],
    );
    const last = engine.tick(NIGHT + 60 * MINUTE);
    assert.equal(last.length, 1);
    assert.equal(last[0]!.exhausted, true);
    assert.equal(engine.state('incident:1'), null);
  });

  test('a missed tick catches up on every step that fell due', () => {
    const engine = new EscalationEngine([schedule]);
    engine.start('incident:2', policy, 'x', NIGHT);
    assert.deepEqual(
      engine.tick(NIGHT + 16 * MINUTE).map((n) => n.step),
      [1, 2],
    );
  });

  test('an acknowledgement by anyone stops the escalation', () => {
    const engine = new EscalationEngine([schedule]);
    engine.start('incident:3', policy, 'x', NIGHT);
    assert.ok(engine.acknowledge('incident:3', 9));
    assert.deepEqual(engine.tick(NIGHT + 60 * MINUTE), []);
    assert.equal(engine.acknowledge('incident:3', 2), false);
  });

  test('repeats the policy when asked to', () => {
    const engine = new EscalationEngine([schedule]);
    engine.start('incident:4', { ...policy, repeat: 1 }, 'x', NIGHT);
    const sent = engine.tick(NIGHT + 30 * MINUTE);
    assert.deepEqual(
      sent.map((n) => [n.round, n.step]),
      [
        [0, 1],
        [0, 2],
        [1, 0],
      ],
    );
  });

  test('overrides and rotation follow the clock', () => {
    assert.equal(onCallAt(schedule, Date.parse('2026-11-16T23:59:00.000Z')), 1);
    assert.equal(onCallAt(schedule, Date.parse('2026-11-17T00:00:00.000Z')), 2);
    assert.equal(
      onCallAt(
        { ...schedule, overrides: [{ userId: 7, from: '2026-11-21T00:00:00.000Z', to: '2026-11-22T00:00:00.000Z' }] },
        NIGHT,
      ),
      7,
    );
  });
});
