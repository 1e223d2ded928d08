/** `GET /api/metrics`: the service measures in Prometheus' text format, for an admin's token. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';
import { createMetrics } from '../metrics.js';
import { addNodeMetrics } from '../node-metrics.js';
import { errorResponses } from '../schemas.js';

export const metricsRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  const registry = createMetrics(context.store, context.clock);
  if (context.node) addNodeMetrics(registry, context.node);
  app.get(
    '/metrics',
    endpoint('admin', ['health'], { response: { 200: Type.String(), ...errorResponses } }),
    async (_request, reply) => {
      const body = await registry.metrics();
      return reply.type(registry.contentType).send(body);
    },
  );
};
