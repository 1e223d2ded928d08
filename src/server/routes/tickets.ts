/** Tickets: the inbox list, one ticket with its conversation, changes, notes and replies. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  REPLY_VISIBILITIES,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  TICKET_TYPES,
  type Ticket,
  type TicketStatus,
} from '../../domain/ticket.js';
import { invalid } from '../../domain/errors.js';
import { getPost } from '../../store/posts.js';
import { listTicketQueue } from '../../store/ticket-queue.js';
import { QueueFilterFields } from '../ticket-queue-schemas.js';
import {
  errorResponses,
  IdParams,
  MAX_ROW_ID,
  literals,
  Nullable,
  OutboundSchema,
  TicketDetailSchema,
  TicketEventSchema,
  TicketSchema,
} from '../schemas.js';
import { presentTicket, presentPost } from '../present.js';
import { HeldReplySchema } from '../knowledge-schemas.js';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';

const TicketUpdateSchema = Type.Object(
  {
    status: Type.Optional(literals(TICKET_STATUSES)),
    priority: Type.Optional(literals(TICKET_PRIORITIES)),
    assigneeId: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ticketRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  const { store, desk } = context;
  const withSla = (ticket: Ticket) => presentTicket(ticket, context.clock(), context.slaCalendars?.get);

  app.get(
    '/tickets',
    endpoint('agent', ['tickets'], {
      querystring: Type.Object({
        status: Type.Optional(Type.String({ pattern: '^[a-z,]+$', description: 'Comma-separated statuses' })),
        type: Type.Optional(literals(TICKET_TYPES)),
        stream: Type.Optional(Type.Integer({ minimum: 1 })),
        breached: Type.Optional(Type.Boolean()),
        // The order, filters and search a saved view keeps too.
        ...QueueFilterFields,
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
        before: Type.Optional(Type.Integer({ minimum: 1, description: 'Next page of the newest-first order' })),
        offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, description: 'Next page of other orders' })),
      }),
      response: {
        200: Type.Object({
          tickets: Type.Array(TicketSchema),
          /** Keyed by ticket id: who wrote the post behind it (absent for a ticket opened by hand). */
          authors: Type.Record(Type.String(), Type.Object({ handle: Type.String(), name: Nullable(Type.String()) })),
          nextBefore: Type.Union([Type.Integer(), Type.Null()]),
          nextOffset: Type.Union([Type.Integer(), Type.Null()]),
        }),
        ...errorResponses,
      },
    }),
    async (request) => {
      const { status, type, assignee, stream, breached, limit, before, offset } = request.query;
      const statuses = status ? status.split(',').filter(Boolean) : undefined;
      for (const value of statuses ?? [])
        if (!TICKET_STATUSES.includes(value as TicketStatus))
          throw invalid(`querystring.status has an unknown status "${value}"`);
      const assigneeId =
        assignee === undefined
          ? undefined
          : assignee === 'none'
            ? null
            : assignee === 'me'
              ? request.user!.id
              : Number(assignee);
      const { sort, kind, channel, sentiment, language, q } = request.query;
      const page = await listTicketQueue(store.db, {
        sort,
        status: statuses as TicketStatus[] | undefined,
        type,
        kind,
        channel,
        sentiment,
        language,
        search: q,
        assigneeId,
        streamId: stream,
        breachedAt: breached ? context.clock().toISOString() : undefined,
        limit,
        before,
        offset,
      });
      const authors: Record<string, { handle: string; name: string | null }> = {};
      for (const { ticket, author } of page.tickets) if (author) authors[String(ticket.id)] = author;
      return {
        tickets: page.tickets.map(({ ticket }) => withSla(ticket)),
        authors,
        nextBefore: page.nextBefore,
        nextOffset: page.nextOffset,
      };
    },
  );

  app.get(
    '/tickets/:id',
    endpoint('agent', ['tickets'], {
      params: IdParams,
      response: { 200: TicketDetailSchema, ...errorResponses },
    }),
    async (request) => {
      const detail = await desk.detail(request.params.id);
      const post = detail.ticket.postId !== null ? ((await getPost(store.db, detail.ticket.postId)) ?? null) : null;
      const thread = post ? await desk.thread(post, detail.ticket.id) : [];
      const now = context.clock();
      return {
        ...detail,
        ticket: withSla(detail.ticket),
        post: post && presentPost(post, now),
        thread: thread.map((entry) => presentPost(entry, now)),
      };
    },
  );

  app.patch(
    '/tickets/:id',
    endpoint('agent', ['tickets'], {
      params: IdParams,
      body: TicketUpdateSchema,
      response: { 200: TicketSchema, 409: errorResponses[400], ...errorResponses },
    }),
    async (request) => withSla(await desk.update(request.params.id, request.body, request.user!)),
  );

  app.post(
    '/tickets/bulk',
    endpoint('agent', ['tickets'], {
      body: Type.Object(
        { ids: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 500 }), update: TicketUpdateSchema },
        { additionalProperties: false },
      ),
      response: {
        200: Type.Object({
          updated: Type.Array(TicketSchema),
          failed: Type.Array(Type.Object({ id: Type.Integer(), code: Type.String(), message: Type.String() })),
        }),
        ...errorResponses,
      },
    }),
    async (request) => {
      const updated = [];
      const failed = [];
      for (const id of new Set(request.body.ids)) {
        try {
          updated.push(withSla(await desk.update(id, request.body.update, request.user!)));
        } catch (error) {
          const known = error as { code?: string; message: string };
          if (!known.code?.startsWith('ERR_')) throw error;
          failed.push({ id, code: known.code, message: known.message });
        }
      }
      return { updated, failed };
    },
  );

  app.post(
    '/tickets/:id/notes',
    endpoint('agent', ['tickets'], {
      params: IdParams,
      body: Type.Object({ body: Type.String({ minLength: 1, maxLength: 20_000 }) }, { additionalProperties: false }),
      response: { 201: TicketEventSchema, ...errorResponses },
    }),
    async (request, reply) =>
      reply.status(201).send(await desk.addNote(request.params.id, request.body.body, request.user!)),
  );

  app.post(
    '/tickets/:id/replies',
    endpoint('agent', ['tickets'], {
      params: IdParams,
      body: Type.Object(
        {
          body: Type.String({ minLength: 1, maxLength: 20_000 }),
          visibility: literals(REPLY_VISIBILITIES),
          acknowledgeWarnings: Type.Optional(
            Type.Boolean({ description: 'Send despite guideline warnings (never despite blocks)' }),
          ),
        },
        { additionalProperties: false },
      ),
      response: {
        201: Type.Object({ event: TicketEventSchema, outbound: OutboundSchema, ticket: TicketSchema }),
        202: Type.Object(
          { held: HeldReplySchema },
          { description: 'Held for review: the sender’s belt is below the review level' },
        ),
        409: errorResponses[400],
        422: errorResponses[400],
        ...errorResponses,
      },
    }),
    async (request, reply) => {
      const result = await desk.submitReply(request.params.id, request.body, request.user!);
      if (result.held) return reply.status(202).send({ held: result.held });
      const { held: _none, ...sent } = result;
      return reply.status(201).send({ ...sent, ticket: withSla(sent.ticket) });
    },
  );

  app.post(
    '/tickets/:id/replies/:outboundId/retry',
    endpoint('agent', ['tickets'], {
      params: Type.Object({
        id: Type.Integer({ minimum: 1, maximum: MAX_ROW_ID }),
        outboundId: Type.Integer({ minimum: 1, maximum: MAX_ROW_ID }),
      }),
      response: { 200: OutboundSchema, 409: errorResponses[400], ...errorResponses },
    }),
    async (request) => desk.retryReply(request.params.id, request.params.outboundId),
  );

  app.post(
    '/tickets/:id/replies/:outboundId/resend',
    endpoint('agent', ['tickets'], {
      description:
        'Edit and resend a failed reply: the edited text is queued as a new reply (guideline-checked, same visibility) and the failed one marked superseded',
      params: Type.Object({
        id: Type.Integer({ minimum: 1, maximum: MAX_ROW_ID }),
        outboundId: Type.Integer({ minimum: 1, maximum: MAX_ROW_ID }),
      }),
      body: Type.Object(
        {
          body: Type.String({ minLength: 1, maxLength: 20_000 }),
          acknowledgeWarnings: Type.Optional(
            Type.Boolean({ description: 'Send despite guideline warnings (never despite blocks)' }),
          ),
        },
        { additionalProperties: false },
      ),
      response: {
        201: Type.Object({
          event: TicketEventSchema,
          outbound: OutboundSchema,
          superseded: OutboundSchema,
          ticket: TicketSchema,
        }),
        202: Type.Object(
          { held: HeldReplySchema },
          { description: 'Held for review: the failed reply stays failed until the reviewed one is sent' },
        ),
        409: errorResponses[400],
        422: errorResponses[400],
        ...errorResponses,
      },
    }),
    async (request, reply) => {
      const result = await desk.resendReply(request.params.id, request.params.outboundId, request.body, request.user!);
      if (result.held) return reply.status(202).send({ held: result.held });
      const { held: _none, ...sent } = result;
      return reply.status(201).send({ ...sent, ticket: withSla(sent.ticket) });
    },
  );
};
