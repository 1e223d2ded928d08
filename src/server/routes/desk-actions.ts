/**
 * Acting from anywhere and the composer's helpers: open or create a post's ticket, mute or block
 * an author (from a post card); saved replies and their filling for a ticket, the customer's
 * history, and presence on a ticket (the collision warning). Changes are audited by the desk.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AUTHOR_ACTIONS } from '../../domain/author-action.js';
import { PRESENCE_STATES } from '../../desk/presence.js';
import { listDeskAudit } from '../../store/author-actions.js';
import { errorResponses, IdParams, literals, MAX_ROW_ID, Nullable, TicketSchema } from '../schemas.js';
import {
  AuthorDecisionSchema,
  AuthorKey,
  CustomerHistorySchema,
  SavedReplyInput,
  SavedReplySchema,
} from '../desk-action-schemas.js';
import { presentTicket } from '../present.js';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';
import type { DeskActions } from '../../desk/desk-actions.js';

export const deskActionRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext; actions: DeskActions }> = async (
  app,
  { context, actions },
) => {
  app.post(
    '/posts/:id/ticket',
    endpoint('agent', ['posts'], {
      description: 'The ticket this post raised or joined; one is created (and audited) when it has none',
      params: IdParams,
      response: { 200: Type.Object({ ticket: TicketSchema, created: Type.Boolean() }), ...errorResponses },
    }),
    async (request) => {
      const { ticket, created } = await actions.openTicketForPost(request.params.id, request.user!);
      return { ticket: presentTicket(ticket, context.clock()), created };
    },
  );

  app.get(
    '/authors/decisions',
    endpoint('agent', ['posts'], { response: { 200: Type.Array(AuthorDecisionSchema), ...errorResponses } }),
    async () => actions.authorDecisions(),
  );

  app.put(
    '/authors/decisions',
    endpoint('agent', ['posts'], {
      description: 'Mute (hide from the streams board) or block (also open no tickets) an author; null lifts it',
      body: Type.Object({ ...AuthorKey, action: Nullable(literals(AUTHOR_ACTIONS)) }, { additionalProperties: false }),
      response: { 204: Type.Null(), ...errorResponses },
    }),
    async (request, reply) => {
      const { action, ...author } = request.body;
      await actions.decideAuthor(author, action, request.user!);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/desk/audit',
    endpoint('admin', ['posts'], {
      querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })) }),
      response: {
        200: Type.Array(
          Type.Object({
            id: Type.Integer(),
            actorId: Nullable(Type.Integer()),
            action: Type.String(),
            data: Type.Record(Type.String(), Type.Unknown()),
            createdAt: Type.String(),
          }),
        ),
        ...errorResponses,
      },
    }),
    async (request) => listDeskAudit(context.store.db, request.query.limit),
  );

  app.get(
    '/saved-replies',
    endpoint('agent', ['tickets'], { response: { 200: Type.Array(SavedReplySchema), ...errorResponses } }),
    async () => actions.savedReplies(),
  );

  app.post(
    '/saved-replies',
    endpoint('agent', ['tickets'], {
      body: SavedReplyInput,
      response: { 201: SavedReplySchema, 409: errorResponses[400], ...errorResponses },
    }),
    async (request, reply) => reply.status(201).send(await actions.createSavedReply(request.body, request.user!)),
  );

  app.patch(
    '/saved-replies/:id',
    endpoint('agent', ['tickets'], {
      params: IdParams,
      body: Type.Partial(SavedReplyInput, { additionalProperties: false, minProperties: 1 }),
      response: { 200: SavedReplySchema, 409: errorResponses[400], ...errorResponses },
    }),
    async (request) => actions.updateSavedReply(request.params.id, request.body, request.user!),
  );

  app.delete(
    '/saved-replies/:id',
    endpoint('agent', ['tickets'], { params: IdParams, response: { 204: Type.Null(), ...errorResponses } }),
    async (request, reply) => {
      await actions.deleteSavedReply(request.params.id, request.user!);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/tickets/:id/saved-replies/:replyId',
    endpoint('agent', ['tickets'], {
      description: 'A saved reply with its placeholders filled for this ticket (nothing is sent)',
      params: Type.Object({
        id: Type.Integer({ minimum: 1, maximum: MAX_ROW_ID }),
        replyId: Type.Integer({ minimum: 1, maximum: MAX_ROW_ID }),
      }),
      response: { 200: Type.Object({ body: Type.String() }), ...errorResponses },
    }),
    async (request) => ({ body: await actions.fillSavedReply(request.params.id, request.params.replyId) }),
  );

  app.get(
    '/tickets/:id/history',
    endpoint('agent', ['tickets'], {
      description: 'The customer behind the ticket: how often they wrote this month, their other tickets',
      params: IdParams,
      response: { 200: Type.Object({ history: Nullable(CustomerHistorySchema) }), ...errorResponses },
    }),
    async (request) => {
      const history = await actions.history(request.params.id);
      return { history: history && { ...history, tickets: [...history.tickets] } };
    },
  );

  app.post(
    '/tickets/:id/presence',
    endpoint('agent', ['tickets'], {
      description: 'Tells the other desks that you are viewing, typing on, or have left this ticket',
      params: IdParams,
      body: Type.Object({ state: literals(PRESENCE_STATES) }, { additionalProperties: false }),
      response: { 204: Type.Null(), ...errorResponses },
    }),
    async (request, reply) => {
      await actions.presence(request.params.id, request.user!, request.body.state);
      return reply.status(204).send(null);
    },
  );
};
