/** `GET /api/health`: is the server up and its store reachable. Public, for load balancers. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';

export const healthRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  app.get(
    '/health',
    endpoint('public', ['health'], {
      response: {
        200: Type.Object({ status: Type.Literal('ok'), store: Type.String(), time: Type.String() }),
        503: Type.Object({ status: Type.Literal('unavailable'), store: Type.String(), time: Type.String() }),
      },
    }),
    async (_request, reply) => {
      const time = context.clock().toISOString();
      try {
        await sql`select 1`.execute(context.store.db);
        return { status: 'ok' as const, store: context.store.dialect, time };
      } catch {
        return reply.status(503).send({ status: 'unavailable' as const, store: context.store.dialect, time });
      }
    },
  );
};
