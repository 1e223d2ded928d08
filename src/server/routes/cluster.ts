/**
 * `GET /api/cluster`: this node's part in the distributed mode — its role, the leases it holds,
 * the work queue's lag, and the draft batches that failed on every delivery (dead letters, with
 * their error), which the desk's Sources view lists. In one process it says so and nothing more.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';
import { ClusterSchema, errorResponses } from '../schemas.js';

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
