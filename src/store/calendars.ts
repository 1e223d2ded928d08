/**
 * Business-hours calendars, by id and name, for SLA policies to count their minutes in.
 * Whether a calendar is usable (zone, hours, holidays) is `calendarProblem`'s to say, before saving.
 */
import type { Kysely, Selectable } from 'kysely';
import type { BusinessCalendar, NamedCalendar } from '../domain/calendar.js';
import type { BusinessCalendarsTable, Database } from './schema.js';
import { fromJson, toJson } from './json.js';

export interface CalendarInput extends BusinessCalendar {
  readonly name: string;
}

export async function listCalendars(db: Kysely<Database>): Promise<NamedCalendar[]> {
  const rows = await db.selectFrom('business_calendars').selectAll().orderBy('name').execute();
  return rows.map(toCalendar);
}

export async function getCalendar(db: Kysely<Database>, id: number): Promise<NamedCalendar | undefined> {
  const row = await db.selectFrom('business_calendars').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toCalendar(row) : undefined;
}

export async function getCalendarByName(db: Kysely<Database>, name: string): Promise<NamedCalendar | undefined> {
  const row = await db.selectFrom('business_calendars').selectAll().where('name', '=', name).executeTakeFirst();
  return row ? toCalendar(row) : undefined;
}

export async function createCalendar(db: Kysely<Database>, input: CalendarInput, now: string): Promise<NamedCalendar> {
  const row = await db
    .insertInto('business_calendars')
    .values({
      name: input.name,
      time_zone: input.timeZone,
      weekly: toJson(input.weekly),
      holidays: toJson(sortedDays(input.holidays)),
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toCalendar(row);
}

export async function updateCalendar(
  db: Kysely<Database>,
  id: number,
  input: Partial<CalendarInput>,
  now: string,
): Promise<NamedCalendar | undefined> {
  const row = await db
    .updateTable('business_calendars')
    .set({
      ...(input.name !== undefined && { name: input.name }),
      ...(input.timeZone !== undefined && { time_zone: input.timeZone }),
      ...(input.weekly !== undefined && { weekly: toJson(input.weekly) }),
      ...(input.holidays !== undefined && { holidays: toJson(sortedDays(input.holidays)) }),
      updated_at: now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row ? toCalendar(row) : undefined;
}

export async function deleteCalendar(db: Kysely<Database>, id: number): Promise<boolean> {
  const result = await db.deleteFrom('business_calendars').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Holidays kept in date order without repeats, so the list reads as a year. */
function sortedDays(days: readonly string[]): string[] {
  return [...new Set(days)].sort();
}

function toCalendar(row: Selectable<BusinessCalendarsTable>): NamedCalendar {
  return {
    id: row.id,
    name: row.name,
    timeZone: row.time_zone,
    weekly: fromJson(row.weekly, []),
    holidays: fromJson(row.holidays, []),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
