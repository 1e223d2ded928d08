/**
 * Settings that have no other home: business-hours calendars (an SLA policy names one to pause
 * its clock outside opening hours and on holidays) and the settings audit trail. Anyone on the
 * desk reads them; leads and admins change them, and every change is audited. A calendar still named by a
 * stream's SLA cannot be deleted; a change publishes `streams.changed`, so the pipeline and the
 * SLA clocks count with it from the next post and the next answer.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { calendarProblem, WEEKDAYS, type BusinessCalendar, type NamedCalendar } from '../../domain/calendar.js';
import { EarshotError, invalid, notFound } from '../../domain/errors.js';
import {
  createCalendar,
  deleteCalendar,
  getCalendar,
  getCalendarByName,
  listCalendars,
  updateCalendar,
} from '../../store/calendars.js';
import { listStreams } from '../../store/streams.js';
import { errorResponses, IdParams, literals } from '../schemas.js';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';
import { auditSetting, listSettingsAudit } from '../settings-audit.js';

const Time = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$', description: 'HH:MM local time' });
const CalendarBody = {
  name: Type.String({ minLength: 1, maxLength: 80 }),
  timeZone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone, e.g. Europe/Amsterdam' }),
  weekly: Type.Array(Type.Object({ day: literals(WEEKDAYS), from: Time, to: Time }, { additionalProperties: false }), {
    maxItems: 70,
  }),
  holidays: Type.Array(Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'YYYY-MM-DD' }), {
    maxItems: 400,
  }),
};
const CalendarInput = Type.Object(CalendarBody, { additionalProperties: false });
const CalendarSchema = Type.Object({
  id: Type.Integer(),
  ...CalendarBody,
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const AuditSchema = Type.Object({
  id: Type.Integer(),
  actorId: Type.Union([Type.Integer(), Type.Null()]),
  area: Type.String(),
  change: Type.String(),
  subject: Type.String(),
  detail: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.String(),
});

export const settingsRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  const { store, bus } = context;
  const tags = ['settings'];
  const changed = () => bus.publish('streams.changed', { streamId: null });

  async function checked(calendar: BusinessCalendar & { name: string }, id: number | null) {
    const problem = calendarProblem(calendar);
    if (problem) throw invalid(`The calendar cannot be used: ${problem}`);
    const same = await getCalendarByName(store.db, calendar.name);
    if (same && same.id !== id)
      throw new EarshotError('ERR_CONFLICT', { detail: `A calendar named "${calendar.name}" exists already` });
  }

  app.get(
    '/calendars',
    endpoint('agent', tags, {
      response: { 200: Type.Object({ calendars: Type.Array(CalendarSchema) }), ...errorResponses },
    }),
    async () => ({ calendars: (await listCalendars(store.db)).map(plain) }),
  );

  app.post(
    '/calendars',
    endpoint('lead', tags, {
      body: CalendarInput,
      response: { 201: CalendarSchema, 409: errorResponses[400], ...errorResponses },
    }),
    async (request, reply) => {
      await checked(request.body, null);
      const calendar = await createCalendar(store.db, request.body, context.clock().toISOString());
      await auditSetting(context, request, { area: 'calendar', change: 'created', subject: calendar.name });
      await changed();
      return reply.status(201).send(plain(calendar));
    },
  );

  app.put(
    '/calendars/:id',
    endpoint('lead', tags, {
      params: IdParams,
      body: CalendarInput,
      response: { 200: CalendarSchema, 409: errorResponses[400], ...errorResponses },
    }),
    async (request) => {
      const before = await getCalendar(store.db, request.params.id);
      if (!before) throw notFound('Calendar', request.params.id);
      await checked(request.body, before.id);
      const calendar = await updateCalendar(store.db, before.id, request.body, context.clock().toISOString());
      if (!calendar) throw notFound('Calendar', request.params.id);
      await auditSetting(context, request, {
        area: 'calendar',
        change: 'updated',
        subject: calendar.name,
        detail: changes(before, calendar),
      });
      await changed();
      return plain(calendar);
    },
  );

  app.delete(
    '/calendars/:id',
    endpoint('lead', tags, {
      params: IdParams,
      response: { 204: Type.Null(), 409: errorResponses[400], ...errorResponses },
    }),
    async (request, reply) => {
      const calendar = await getCalendar(store.db, request.params.id);
      if (!calendar) throw notFound('Calendar', request.params.id);
      const users = (await listStreams(store.db)).filter((stream) => stream.sla.calendarId === calendar.id);
      if (users.length > 0)
        throw new EarshotError('ERR_CONFLICT', {
          detail: `The SLA of ${users.map((stream) => `"${stream.name}"`).join(', ')} counts in "${calendar.name}"; pick another calendar there first`,
        });
      await deleteCalendar(store.db, calendar.id);
      await auditSetting(context, request, { area: 'calendar', change: 'deleted', subject: calendar.name });
      await changed();
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/settings/audit',
    endpoint('lead', tags, {
      description: 'Settings changes, newest first: who changed what and when.',
      querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })) }),
      response: { 200: Type.Object({ entries: Type.Array(AuditSchema) }), ...errorResponses },
    }),
    async (request) => ({ entries: await listSettingsAudit(context, request.query.limit ?? 100) }),
  );
};

/** The stored shapes are readonly; the response schemas want plain arrays. */
function plain(calendar: NamedCalendar) {
  return {
    ...calendar,
    weekly: calendar.weekly.map((hours) => ({ ...hours })),
    holidays: [...calendar.holidays],
  };
}

/** What a change did, for the audit: each field before and after, only those that differ. */
function changes(before: NamedCalendar, after: NamedCalendar): Record<string, unknown> {
  const detail: Record<string, unknown> = {};
  for (const key of ['name', 'timeZone', 'weekly', 'holidays'] as const)
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) detail[key] = { from: before[key], to: after[key] };
  return detail;
}
