/**
 * Each measure over a generated month (see `month.ts`) equals the value worked out by hand, on
 * SQLite and PostgreSQL, with wall-clock times and with a business-hours calendar.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { BusinessCalendar } from '../../src/domain/calendar.js';
import { measure, previousPeriod } from '../../src/reports/measures.js';
import { backends } from '../helpers/backends.js';
import { generateMonth, type Month, NOVEMBER } from './month.js';

/** Mon–Fri 09:00–17:00 in Amsterdam (UTC+1 in November: 08:00–16:00 UTC), closed on the 26th. */
const OFFICE: BusinessCalendar = {
  timeZone: 'Europe/Amsterdam',
  weekly: ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day: day as 'mon', from: '09:00', to: '17:00' })),
  holidays: ['2026-11-26'],
};

for (const backend of await backends()) {
  describe(`${backend.name}: service measures over a generated month`, { skip: backend.skip ?? false }, () => {
    let opened: Awaited<ReturnType<typeof backend.open>>;
    let month: Month;
    before(async () => {
      opened = await backend.open();
      month = await generateMonth(opened.store);
    });
    after(async () => opened?.dispose());

    const service = { sources: ['mast'] };
    const asOf = '2026-12-15T00:00:00.000Z';

    test('volume, response rate, SLA, backlog, replies per agent and reach on wall-clock time', async () => {
      const m = await measure(opened.store.db, NOVEMBER, { scope: service, asOf });
      // 30 complaints + 60 praise + 10 neutral; rss and October excluded.
      assert.equal(m.volumeIn, 100);
      // 24 answered tickets, one answered twice.
      assert.equal(m.volumeOut, 25);
      assert.equal(m.tickets, 30);
      assert.equal(m.responded, 24);
      assert.equal(m.responseRate, 0.8);
      // Answered within 60 min: days 1, 2, 3, 4, 6. Every other ticket breached (answered late,
      // or never, including those resolved after their due time).
      assert.equal(m.slaMet, 5);
      assert.equal(m.slaBreached, 25);
      assert.equal(m.slaAttainment, 5 / 30);
      // 15 odd days never resolved, day 30's resolved only on 1 December at 16:00, and October's.
      assert.equal(m.backlog, 17);
      assert.deepEqual(
        m.repliesPerAgent.map(({ name, replies, agentId }) => ({ name, replies, agentId })),
        [
          { name: 'Ann', replies: 13, agentId: month.ann },
          { name: 'Bob', replies: 12, agentId: month.bob },
        ],
      );
      // 24 answered, day 29's author is day 1's: 23 people, followers 100×(360 − 29).
      assert.deepEqual(m.reach, { people: 23, followers: 33_100 });
      assert.equal(m.businessHours, false);
    });

    test('first response and resolution percentiles on wall-clock time', async () => {
      const m = await measure(opened.store.db, NOVEMBER, { scope: service, asOf });
      // 24 values d×10 (d not a multiple of 5): 12th is d=14, 22nd is d=27.
      assert.deepEqual(m.firstResponse, { count: 24, p50: 140, p90: 270 });
      // 15 values d×60 for even d: 8th is d=16, 14th is d=28.
      assert.deepEqual(m.resolution, { count: 15, p50: 960, p90: 1680 });
    });

    test('first response and resolution in business minutes with a calendar', async () => {
      const m = await measure(opened.store.db, NOVEMBER, { scope: service, asOf, calendar: OFFICE });
      assert.equal(m.businessHours, true);
      // Weekend and holiday tickets (1, 7, 8, 14, 21, 22, 26, 28, 29 answered) waited 0 business
      // minutes; weekday ones are answered the same working day, so business = wall time.
      assert.deepEqual(m.firstResponse, { count: 24, p50: 40, p90: 230 });
      // By hand per even day (created 11:00 local, resolved d hours later):
      // 2→120, 4→240, 6→360, 8→0, 10→360, 12→360, 14→0, 16→360, 18→360, 20→360, 22→0 (Mon 09:00),
      // 24→480, 26→240 (holiday, Fri 09–13), 28→0, 30→780.
      assert.deepEqual(m.resolution, { count: 15, p50: 360, p90: 480 });
      // The calendar changes only the clocks.
      assert.equal(m.slaAttainment, 5 / 30);
      assert.equal(m.backlog, 17);
    });

    test('sentiment, its daily trend and the top kinds', async () => {
      const m = await measure(opened.store.db, NOVEMBER, { scope: service, asOf });
      assert.deepEqual(m.sentiment, { positive: 60, negative: 30, neutral: 10, ratio: 0.5 });
      assert.equal(m.sentimentTrend.length, 30);
      assert.deepEqual(m.sentimentTrend[0], { day: '2026-11-01', positive: 2, negative: 1, neutral: 1, ratio: 0.5 });
      assert.deepEqual(m.sentimentTrend[29], { day: '2026-11-30', positive: 2, negative: 1, neutral: 0, ratio: 0.5 });
      assert.deepEqual(m.topKinds, [
        { kind: 'praise', count: 60 },
        { kind: 'complaint', count: 30 },
        { kind: 'other', count: 10 },
      ]);
    });

    test('incidents with their time to the first approved update, and alerts with time to acknowledge', async () => {
      const m = await measure(opened.store.db, NOVEMBER, { scope: service, asOf });
      assert.deepEqual(m.incidents, { count: 2, firstUpdate: { count: 1, p50: 45, p90: 45 }, withoutUpdate: 1 });
      assert.deepEqual(m.alerts, { raised: 3, acknowledged: 2, timeToAcknowledge: { count: 2, p50: 20, p90: 120 } });
      const all = await measure(opened.store.db, NOVEMBER, { scope: { sources: null }, asOf });
      assert.deepEqual(all.incidents, { count: 3, firstUpdate: { count: 2, p50: 30, p90: 45 }, withoutUpdate: 1 });
      assert.deepEqual(all.alerts, { raised: 4, acknowledged: 3, timeToAcknowledge: { count: 3, p50: 20, p90: 120 } });
      assert.equal(all.volumeIn, 101);
    });

    test('the previous period and an agent filter', async () => {
      const previous = previousPeriod(NOVEMBER);
      assert.deepEqual(previous, { from: '2026-10-02T00:00:00.000Z', to: NOVEMBER.from });
      const october = await measure(opened.store.db, previous, { scope: service, asOf });
      assert.equal(october.volumeIn, 1);
      assert.equal(october.tickets, 1);
      assert.equal(october.responseRate, 0);
      assert.equal(october.backlog, 1);
      assert.equal(october.sentiment.ratio, null);
      assert.equal(october.firstResponse.p50, null);

      const bobs = await measure(opened.store.db, NOVEMBER, { scope: { sources: ['mast'], agentId: month.bob }, asOf });
      // Bob holds the 15 even days; 12 answered (not 10, 20, 30).
      assert.equal(bobs.tickets, 15);
      assert.equal(bobs.responded, 12);
      assert.equal(bobs.volumeOut, 12);
      assert.deepEqual(
        bobs.repliesPerAgent.map((row) => row.name),
        ['Bob'],
      );
    });

    test('an empty scope measures nothing', async () => {
      const m = await measure(opened.store.db, NOVEMBER, { scope: { sources: [] }, asOf });
      assert.equal(m.volumeIn, 0);
      assert.equal(m.tickets, 0);
      assert.equal(m.responseRate, null);
      assert.equal(m.backlog, 0);
    });
  });
}
