/**
 * Rooms: the list with unread counts and mentions, a room's messages, sending, read marks and
 * presence. New messages and presence reach connected people over `/api/live`.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';
import { errorResponses, IdParams, RoomMessageSchema } from '../schemas.js';
import { RoomSchema } from '../wall-schemas.js';
import { wallOf } from './wall.js';

export const wallRoomRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  app.get(
    '/wall/rooms',
    endpoint('employee', ['rooms'], {
      response: { 200: Type.Object({ rooms: Type.Array(RoomSchema) }), ...errorResponses },
    }),
    async (request) => ({ rooms: await wallOf(context).rooms.list(request.user!) }),
  );

  app.post(
    '/wall/rooms',
    endpoint('admin', ['rooms'], {
      body: Type.Object(
        { name: Type.String({ minLength: 1, maxLength: 100 }), topic: Type.String({ maxLength: 500 }) },
        { additionalProperties: false },
      ),
      response: {
        201: Type.Object({ id: Type.Integer(), name: Type.String(), topic: Type.String(), createdAt: Type.String() }),
        ...errorResponses,
      },
    }),
    async (request, reply) => reply.code(201).send(await wallOf(context).rooms.create(request.body)),
  );

  app.get(
    '/wall/rooms/:id/messages',
    endpoint('employee', ['rooms'], {
      params: IdParams,
      querystring: Type.Object({ after: Type.Optional(Type.Integer({ minimum: 0 })) }),
      response: { 200: Type.Object({ messages: Type.Array(RoomMessageSchema) }), ...errorResponses },
    }),
    async (request) => ({ messages: await wallOf(context).rooms.messages(request.params.id, request.query.after) }),
  );

  app.post(
    '/wall/rooms/:id/messages',
    endpoint('employee', ['rooms'], {
      params: IdParams,
      body: Type.Object({ body: Type.String({ minLength: 1, maxLength: 4000 }) }, { additionalProperties: false }),
      response: { 201: RoomMessageSchema, ...errorResponses },
    }),
    async (request, reply) =>
      reply.code(201).send(await wallOf(context).rooms.send(request.user!, request.params.id, request.body.body)),
  );

  app.post(
    '/wall/rooms/:id/read',
    endpoint('employee', ['rooms'], {
      params: IdParams,
      body: Type.Object({ lastReadId: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
      response: { 204: Type.Null(), ...errorResponses },
    }),
    async (request, reply) => {
      await wallOf(context).rooms.read(request.user!, request.params.id, request.body.lastReadId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/wall/rooms/:id/presence',
    endpoint('employee', ['rooms'], {
      params: IdParams,
      body: Type.Object({ here: Type.Boolean() }, { additionalProperties: false }),
      response: { 204: Type.Null(), ...errorResponses },
    }),
    async (request, reply) => {
      await wallOf(context).rooms.presence.enter(request.user!, request.params.id, request.body.here);
      return reply.code(204).send(null);
    },
  );
};
