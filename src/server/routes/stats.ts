/** `GET /api/stats`: counts by sentiment and kind over a window, and the volume series behind Pulse. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { postStats } from '../../store/posts.js';
import { countTicketsByStatus } from '../../store/tickets.js';
import { errorResponses, StatsSchema } from '../schemas.js';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';

const WINDOWS = {
  '1h': 3600e3,
  '6h': 6 * 3600e3,
  '24h': 24 * 3600e3,
  '7d': 7 * 24 * 3600e3,
  '30d': 30 * 24 * 3600e3,
} as const;
type WindowName = keyof typeof WINDOWS;

export const statsRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  app.get(
    '/stats',
    endpoint('agent', ['stats'], {
      querystring: Type.Object({
        window: Type.Optional(
          Type.Union(
            Object.keys(WINDOWS).map((key) => Type.Literal(key)),
            { default: '24h' },
          ),
        ),
        bucket: Type.Optional(Type.Union([Type.Literal('minute'), Type.Literal('hour'), Type.Literal('day')])),
        stream: Type.Optional(Type.Integer({ minimum: 1 })),
      }),
      response: {
        200: StatsSchema,
        ...errorResponses,
      },
    }),
    async (request) => {
      const window = (request.query.window ?? '24h') as WindowName;
      const span = WINDOWS[window];
      const now = context.clock();
      const bucket = request.query.bucket ?? (span <= 6 * 3600e3 ? 'minute' : span <= 7 * 24 * 3600e3 ? 'hour' : 'day');
      const [stats, tickets] = await Promise.all([
        postStats(context.store.db, {
          since: new Date(now.getTime() - span).toISOString(),
          until: new Date(now.getTime() + 60e3).toISOString(),
          streamId: request.query.stream,
          bucket,
        }),
        countTicketsByStatus(context.store.db),
      ]);
      return { ...stats, tickets };
    },
  );
};
