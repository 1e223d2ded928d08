/**
 * Streams CRUD, and a preview that runs a query over recent posts before it is saved.
 * A query that does not parse is refused with the position of the mistake. Any agent makes and
 * edits a stream's name and query; its SLA targets and ticket rules are the team's rules, changed
 * by a lead or an admin only (an agent may send them back unchanged, as the stream editor does).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { EarshotError, invalid, notFound } from '../../domain/errors.js';
import { DEFAULT_SLA, DEFAULT_TICKET_RULES } from '../../domain/stream.js';
import { hasRole, type User } from '../../domain/user.js';
import { compileQuery, matchablePost } from '../../pipeline/query.js';
import { searchPosts } from '../../store/post-search.js';
import { sourceKinds } from '../../store/sources.js';
import {
  backfillStream,
  createStream,
  deleteStream,
  getStream,
  getStreamByName,
  listStreams,
  updateStream,
} from '../../store/streams.js';
import { errorResponses, IdParams, PostSchema, StreamInputSchema, StreamSchema } from '../schemas.js';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';
import { presentPost } from '../present.js';
import { getCalendar } from '../../store/calendars.js';
import { auditSetting } from '../settings-audit.js';
import type { Stream } from '../../domain/stream.js';

const PREVIEW_WINDOW = 500;

export const streamRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  const { store, bus } = context;
  const changed = (streamId: number | null) => bus.publish('streams.changed', { streamId });
  // An SLA may only name a calendar that exists: a typo would silently run the clock round the clock.
  async function checkCalendar(sla: Stream['sla'] | undefined) {
    const id = sla?.calendarId ?? null;
    if (id !== null && !(await getCalendar(store.db, id))) throw invalid(`No business calendar ${id}`);
  }

  /** One audit entry per part that changed: the SLA, the ticket rules, the name or query. */
  async function auditStreamChange(request: Parameters<typeof auditSetting>[1], before: Stream, after: Stream) {
    const differs = (a: unknown, b: unknown) => JSON.stringify(a) !== JSON.stringify(b);
    if (differs(before.sla, after.sla))
      await auditSetting(context, request, {
        area: 'sla',
        change: 'updated',
        subject: after.name,
        detail: { from: before.sla, to: after.sla },
      });
    if (differs(before.ticketRules, after.ticketRules))
      await auditSetting(context, request, {
        area: 'ticket-rules',
        change: 'updated',
        subject: after.name,
        detail: { from: before.ticketRules, to: after.ticketRules },
      });
    if (before.name !== after.name || before.query !== after.query)
      await auditSetting(context, request, {
        area: 'stream',
        change: 'updated',
        subject: after.name,
        detail: { name: { from: before.name, to: after.name }, query: { from: before.query, to: after.query } },
      });
  }

  app.get(
    '/streams',
    endpoint('agent', ['streams'], {
      response: { 200: Type.Object({ streams: Type.Array(StreamSchema) }), ...errorResponses },
    }),
    async () => ({
      streams: await listStreams(store.db),
    }),
  );

  app.get(
    '/streams/:id',
    endpoint('agent', ['streams'], { params: IdParams, response: { 200: StreamSchema, ...errorResponses } }),
    async (request) => {
      const stream = await getStream(store.db, request.params.id);
      if (!stream) throw notFound('Stream', request.params.id);
      return stream;
    },
  );

  app.post(
    '/streams',
    endpoint('agent', ['streams'], {
      body: StreamInputSchema,
      response: { 201: StreamSchema, 409: errorResponses[400], ...errorResponses },
    }),
    async (request, reply) => {
      const matches = compileQuery(request.body.query);
      mayChangeRules(request.user!, { sla: DEFAULT_SLA, ticketRules: DEFAULT_TICKET_RULES }, request.body);
      await checkCalendar(request.body.sla);
      if (await getStreamByName(store.db, request.body.name))
        throw new EarshotError('ERR_CONFLICT', { detail: `A stream named "${request.body.name}" exists already` });
      const stream = await createStream(
        store.db,
        { ...request.body, ticketRules: request.body.ticketRules ?? DEFAULT_TICKET_RULES },
        context.clock().toISOString(),
      );
      await backfillStream(store.db, stream.id, matches);
      await auditSetting(context, request, { area: 'stream', change: 'created', subject: stream.name });
      await changed(stream.id);
      return reply.status(201).send(stream);
    },
  );

  app.patch(
    '/streams/:id',
    endpoint('agent', ['streams'], {
      params: IdParams,
      body: Type.Partial(StreamInputSchema),
      response: { 200: StreamSchema, 409: errorResponses[400], ...errorResponses },
    }),
    async (request) => {
      const matches = request.body.query !== undefined ? compileQuery(request.body.query) : null;
      await checkCalendar(request.body.sla);
      const before = await getStream(store.db, request.params.id);
      if (!before) throw notFound('Stream', request.params.id);
      mayChangeRules(request.user!, before, request.body);
      if (request.body.name !== undefined) {
        const same = await getStreamByName(store.db, request.body.name);
        if (same && same.id !== request.params.id)
          throw new EarshotError('ERR_CONFLICT', { detail: `A stream named "${request.body.name}" exists already` });
      }
      const stream = await updateStream(store.db, request.params.id, request.body, context.clock().toISOString());
      if (!stream) throw notFound('Stream', request.params.id);
      if (matches) await backfillStream(store.db, stream.id, matches);
      await auditStreamChange(request, before, stream);
      await changed(stream.id);
      return stream;
    },
  );

  app.delete(
    '/streams/:id',
    endpoint('admin', ['streams'], { params: IdParams, response: { 204: Type.Null(), ...errorResponses } }),
    async (request, reply) => {
      const stream = await getStream(store.db, request.params.id);
      if (!stream || !(await deleteStream(store.db, request.params.id))) throw notFound('Stream', request.params.id);
      await auditSetting(context, request, { area: 'stream', change: 'deleted', subject: stream.name });
      await changed(request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/streams/preview',
    endpoint('agent', ['streams'], {
      body: Type.Object(
        {
          query: Type.String({ minLength: 1, maxLength: 2000 }),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
        },
        { additionalProperties: false },
      ),
      response: {
        200: Type.Object({ posts: Type.Array(PostSchema), scanned: Type.Integer(), matched: Type.Integer() }),
        ...errorResponses,
      },
    }),
    async (request) => {
      const matches = compileQuery(request.body.query);
      const { posts } = await searchPosts(store.db, store.dialect, { limit: PREVIEW_WINDOW });
      const channelOf = await sourceKinds(store.db);
      const hits = posts.filter((post) => matches(matchablePost(post, channelOf)));
      const now = context.clock();
      return {
        posts: hits.slice(0, request.body.limit ?? 20).map((post) => presentPost(post, now)),
        scanned: posts.length,
        matched: hits.length,
      };
    },
  );
};

type Rules = { readonly sla: Stream['sla']; readonly ticketRules: readonly Stream['ticketRules'][number][] };

/** Refuses an agent's change to the SLA targets or ticket rules; leads and admins may change them. */
function mayChangeRules(caller: User, current: Rules, change: Partial<Rules>): void {
  if (hasRole(caller, 'lead')) return;
  const changed = [
    change.sla !== undefined && !sameValue(withCalendar(change.sla), withCalendar(current.sla)) ? 'SLA targets' : null,
    change.ticketRules !== undefined && !sameValue(change.ticketRules, current.ticketRules) ? 'ticket rules' : null,
  ].filter((part): part is string => part !== null);
  if (changed.length > 0)
    throw new EarshotError('ERR_AUTH_FORBIDDEN', {
      role: caller.role,
      needed: `lead or admin (to change a stream's ${changed.join(' and ')})`,
    });
}

/** No calendar and a null one mean the same: round the clock. */
const withCalendar = (sla: Stream['sla']) => ({ ...sla, calendarId: sla.calendarId ?? null });

/** Equal as JSON values, whatever order the object keys came in. */
function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, item]) => [key, sorted(item)]),
  );
}
