/**
 * `GET /api/cluster`: this node's part in the distributed mode — its role, the leases it holds,
 * the work queue's lag, and the draft batches that failed on every delivery (dead letters, with
 * their error), which the desk's Sources view lists. In one process it says so and nothing more.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';
import { errorResponses } from '../schemas.js';

const DeadLetterSchema = Type.Object({
  seq: Type.Integer(),
  error: Type.String(),
  deliveries: Type.Integer(),
  failedAt: Type.String(),
  posts: Type.Integer({ description: 'Drafts in the dead letter' }),
  sources: Type.Array(Type.String()),
  externalIds: Type.Array(Type.String(), { description: 'The first ten external ids' }),
});

const ClusterSchema = Type.Object({
  distributed: Type.Boolean(),
  role: Type.String(),
  leases: Type.Array(Type.String()),
  queue: Type.Union([
    Type.Object({ pending: Type.Integer(), ackPending: Type.Integer(), redelivered: Type.Integer() }),
    Type.Null(),
  ]),
  deadLetters: Type.Array(DeadLetterSchema),
});

export const clusterRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  app.get(
    '/cluster',
    endpoint('admin', ['health'], {
      querystring: Type.Object({ deadLetters: Type.Optional(Type.Integer({ minimum: 0, maximum: 200, default: 20 })) }),
      response: { 200: ClusterSchema, ...errorResponses },
    }),
    async (request) => {
      const node = context.node;
      if (!node) return { distributed: false, role: 'all', leases: [], queue: null, deadLetters: [] };
      const [queue, letters] = await Promise.all([
        node.queue(),
        node.deadLetters(request.query.deadLetters ?? 20).catch(() => []),
      ]);
      return {
        distributed: true,
        role: node.role,
        leases: [...node.leases()],
        queue,
        deadLetters: letters.map((letter) => ({
          seq: letter.seq,
          error: letter.error,
          deliveries: letter.deliveries,
          failedAt: letter.failedAt,
          posts: letter.drafts.length,
          sources: [...new Set(letter.drafts.map((draft) => draft.source))],
          externalIds: letter.drafts.slice(0, 10).map((draft) => draft.externalId),
        })),
      };
    },
  );
};
