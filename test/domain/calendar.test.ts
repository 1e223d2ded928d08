/** Business-hours maths: opening spells in a zone, holidays, daylight-saving changes, due times. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type BusinessCalendar, calendarProblem, compileCalendar } from '../../src/domain/calendar.js';

const OFFICE: BusinessCalendar = {
  timeZone: 'Europe/Amsterdam',
  weekly: ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day: day as 'mon', from: '09:00', to: '17:00' })),
  holidays: ['2026-12-25'],
};
const ms = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;

test('a Friday evening to Monday morning wait counts only the opening time either side', () => {
  const calendar = compileCalendar(OFFICE);
  // Fri 4 Dec 16:55 → Mon 7 Dec 09:05 local (UTC+1): 5 + 5 minutes.
  assert.equal(calendar.businessMs(ms('2026-12-04T15:55:00Z'), ms('2026-12-07T08:05:00Z')), 10 * 60_000);
});

test('a holiday is closed all day, and a whole week is 40 hours', () => {
  const calendar = compileCalendar(OFFICE);
  assert.equal(calendar.businessMs(ms('2026-12-25T00:00:00Z'), ms('2026-12-26T00:00:00Z')), 0);
  assert.equal(calendar.businessMs(ms('2026-11-30T00:00:00Z'), ms('2026-12-07T00:00:00Z')), 40 * HOUR);
});

test('opening hours follow the zone across the change to summer time', () => {
  const calendar = compileCalendar(OFFICE);
  // Fri 27 March 2026 09:00 CET is 08:00 UTC; Mon 30 March 09:00 CEST is 07:00 UTC.
  assert.equal(calendar.businessMs(ms('2026-03-27T07:00:00Z'), ms('2026-03-27T08:00:00Z')), 0);
  assert.equal(calendar.businessMs(ms('2026-03-30T07:00:00Z'), ms('2026-03-30T15:00:00Z')), 8 * HOUR);
  assert.equal(calendar.businessMs(ms('2026-03-30T06:00:00Z'), ms('2026-03-30T07:00:00Z')), 0);
});

test('a due time lands the given opening time later, skipping nights, weekends and holidays', () => {
  const calendar = compileCalendar(OFFICE);
  // Thu 24 Dec 16:00 local + 2 business hours: 1 h on Thursday, Friday is a holiday, 1 h Monday.
  assert.equal(
    new Date(calendar.addBusinessMs(ms('2026-12-24T15:00:00Z'), 2 * HOUR)).toISOString(),
    '2026-12-28T09:00:00.000Z',
  );
});

test('a calendar that cannot be used says why', () => {
  assert.match(calendarProblem({ ...OFFICE, timeZone: 'Mars/Olympus' }) ?? '', /unknown time zone/);
  assert.match(
    calendarProblem({ ...OFFICE, weekly: [{ day: 'mon', from: '17:00', to: '09:00' }] }) ?? '',
    /after it closes/,
  );
  assert.match(calendarProblem({ ...OFFICE, holidays: ['25/12/2026'] }) ?? '', /YYYY-MM-DD/);
  assert.equal(calendarProblem(OFFICE), null);
});
