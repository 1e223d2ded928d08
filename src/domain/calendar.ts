/**
 * Business-hours calendars: weekly opening hours in a time zone, less holidays. Pure maths over
 * instants, so the reports (and later the SLA clock) can count only the time a desk was open:
 * a post at 17:55 on a Friday answered at 09:05 on Monday waited ten business minutes, not
 * two and a half days. Wall times are converted with the platform's IANA zone data (`Intl`),
 * so daylight-saving changes are handled by the zone, not by a hand-kept table.
 */

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** One opening spell on a weekday, in local wall time `HH:MM` (`to` may be `24:00`). */
export interface OpeningHours {
  readonly day: Weekday;
  readonly from: string;
  readonly to: string;
}

export interface BusinessCalendar {
  /** IANA zone the hours are in, e.g. `Europe/Amsterdam`. */
  readonly timeZone: string;
  readonly weekly: readonly OpeningHours[];
  /** Local dates (`YYYY-MM-DD`) the desk is closed all day. */
  readonly holidays: readonly string[];
}

/** A calendar as the settings keep it: named, so an SLA policy can pick it. */
export interface NamedCalendar extends BusinessCalendar {
  readonly id: number;
  readonly name: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** Why a calendar cannot be used, or null when it can. */
export function calendarProblem(calendar: BusinessCalendar): string | null {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: calendar.timeZone });
  } catch {
    return `unknown time zone "${calendar.timeZone}"`;
  }
  for (const hours of calendar.weekly) {
    if (!(WEEKDAYS as readonly string[]).includes(hours.day)) return `unknown weekday "${hours.day}"`;
    if (!TIME.test(hours.from) || !TIME.test(hours.to)) return `hours must be HH:MM (got ${hours.from}–${hours.to})`;
    if (minutesOf(hours.from) >= minutesOf(hours.to)) return `${hours.day} opens at ${hours.from}, after it closes`;
  }
  for (const day of calendar.holidays) if (!DATE.test(day)) return `holiday "${day}" is not a YYYY-MM-DD date`;
  return null;
}

export interface CompiledCalendar {
  /** Milliseconds of opening time between two instants (0 when `to` is not after `from`). */
  businessMs(from: number, to: number): number;
  /** The instant `ms` of opening time after `from` (for due times). */
  addBusinessMs(from: number, ms: number): number;
}

/**
 * Prepares a calendar for many questions: each local day's opening spells (as UTC instants) are
 * worked out once and kept, so a month of tickets costs one zone lookup per day, not per ticket.
 */
export function compileCalendar(calendar: BusinessCalendar): CompiledCalendar {
  const problem = calendarProblem(calendar);
  if (problem) throw new RangeError(`business calendar: ${problem}`);
  const holidays = new Set(calendar.holidays);
  const byDay = new Map<number, [number, number][]>();
  for (const hours of calendar.weekly) {
    const index = WEEKDAYS.indexOf(hours.day);
    const list = byDay.get(index) ?? [];
    list.push([minutesOf(hours.from), minutesOf(hours.to)]);
    byDay.set(index, list);
  }
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: calendar.timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  // Zones change offset on the hour or half hour at most: one lookup per quarter hour is exact.
  const offsets = new Map<number, number>();
  /** The zone's offset from UTC at an instant, in ms (local = utc + offset). */
  const offsetAt = (instant: number): number => {
    const slot = Math.floor(instant / 900_000);
    const known = offsets.get(slot);
    if (known !== undefined && instant % 900_000 !== 0) return known;
    const offset = lookupOffset(instant);
    if (offsets.size > 100_000) offsets.clear();
    offsets.set(slot, offset);
    return offset;
  };
  const lookupOffset = (instant: number): number => {
    const p = Object.fromEntries(parts.formatToParts(new Date(instant)).map((x) => [x.type, x.value]));
    const local = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!);
    return local - Math.floor(instant / 1000) * 1000;
  };
  /** The instant a local wall time (given as ms since the epoch as if UTC) happened. */
  const instantOf = (wall: number): number => {
    let guess = wall - offsetAt(wall);
    guess = wall - offsetAt(guess);
    return guess;
  };
  /** Local day number (days since 1970-01-01 in the zone) of an instant. */
  const localDay = (instant: number): number => Math.floor((instant + offsetAt(instant)) / DAY_MS);
  const spells = new Map<number, [number, number][]>();
  const spellsOf = (day: number): [number, number][] => {
    const cached = spells.get(day);
    if (cached) return cached;
    const date = new Date(day * DAY_MS);
    const open = holidays.has(date.toISOString().slice(0, 10)) ? [] : (byDay.get(date.getUTCDay()) ?? []);
    const result = open
      .map(([from, to]): [number, number] => [
        instantOf(day * DAY_MS + from * 60_000),
        instantOf(day * DAY_MS + to * 60_000),
      ])
      .sort((a, b) => a[0] - b[0]);
    spells.set(day, result);
    return result;
  };
  const hasHours = byDay.size > 0;

  return {
    businessMs(from, to) {
      if (!(to > from) || !hasHours) return 0;
      let total = 0;
      // A day either side: a spell on the previous local day cannot end after midnight, but zones shift.
      for (let day = localDay(from) - 1, last = localDay(to) + 1; day <= last; day++) {
        for (const [start, end] of spellsOf(day)) {
          const overlap = Math.min(end, to) - Math.max(start, from);
          if (overlap > 0) total += overlap;
        }
      }
      return total;
    },
    addBusinessMs(from, ms) {
      if (!hasHours) throw new RangeError('business calendar: no opening hours, nothing is ever due');
      let left = ms;
      for (let day = localDay(from) - 1; ; day++) {
        for (const [start, end] of spellsOf(day)) {
          const begin = Math.max(start, from);
          if (end <= begin) continue;
          if (end - begin >= left) return begin + left;
          left -= end - begin;
        }
        // Holidays all year round would never end: bounded at ten years.
        if (day - localDay(from) > 3660) throw new RangeError('business calendar: no opening time within ten years');
      }
    },
  };
}

function minutesOf(time: string): number {
  const [hours, minutes] = time.split(':').map(Number) as [number, number];
  return hours * 60 + minutes;
}
