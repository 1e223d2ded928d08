/**
 * Builds the Fastify app, unstarted (tests call `inject`, the CLI calls `listen`).
 * Each area of the API is one plugin under `routes/`.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import compress from '@fastify/compress';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../config.js';
import type { AppDeps, RouteContext } from './context.js';
import { SHARED_SCHEMAS } from './schemas.js';
import { authPlugin } from './auth.js';
import { installErrorHandler } from './errors.js';
import { authRoutes } from './routes/auth.js';
import { healthRoutes } from './routes/health.js';
import { postRoutes } from './routes/posts.js';
import { streamRoutes } from './routes/streams.js';
import { ticketRoutes } from './routes/tickets.js';
import { statsRoutes } from './routes/stats.js';
import { ingestRoutes } from './routes/ingest.js';
import { liveRoutes } from './routes/live.js';
import { userRoutes } from './routes/users.js';
import { alertRoutes } from './routes/alerts.js';
import { metricsRoutes } from './routes/metrics.js';
import { incidentRoutes } from './routes/incidents.js';
import { escalationRoutes } from './routes/escalation.js';
import { guidelineRoutes } from './routes/guidelines.js';
import { webhookRoutes } from './routes/webhooks.js';
import { sourceRoutes } from './routes/sources.js';

export type App = FastifyInstance;

export async function build(config: Config, deps: AppDeps, options: { logger?: boolean | object } = {}): Promise<App> {
  const app = Fastify({
    logger: options.logger ?? {
      level: config.logLevel,
      redact: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        'req.body.options',
        '*.options',
        '*.secrets',
      ],
    },
    bodyLimit: config.bodyLimit,
    // Bodies are validated against schemas; unknown fields in JSON bodies are refused, not dropped.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Shapes used by several routes are registered once by `$id`: routes refer to them, and the
  // OpenAPI document lists them under components/schemas.
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  installErrorHandler(app);
  await app.register(cookie);
  await app.register(rateLimit, { global: true, max: 1200, timeWindow: '1 minute', allowList: ['127.0.0.1', '::1'] });
  await app.register(compress, { threshold: 1024 });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Earshot API', version: '0.1.0', description: 'Posts in, understood, tickets out.' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'earshot_session' },
          token: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { token: [] }],
    },
    // Components are named by their `$id` (Post, Ticket…), not def-0, def-1.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });
  app.addHook('onRoute', (route) => {
    // The docs are public, like the login page.
    if (route.url.startsWith('/api/docs')) route.config = { ...(route.config ?? {}), role: 'public' };
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list' } });
  await app.register(authPlugin, { store: deps.store });

  const context: RouteContext = { ...deps, config, clock: deps.clock ?? (() => new Date()) };
  await app.register(healthRoutes, { prefix: '/api', context });
  await app.register(authRoutes, { prefix: '/api', context });
  await app.register(postRoutes, { prefix: '/api', context });
  await app.register(streamRoutes, { prefix: '/api', context });
  await app.register(ticketRoutes, { prefix: '/api', context });
  await app.register(statsRoutes, { prefix: '/api', context });
  await app.register(ingestRoutes, { prefix: '/api', context });
  await app.register(liveRoutes, { prefix: '/api', context });
  await app.register(userRoutes, { prefix: '/api', context });
  await app.register(alertRoutes, { prefix: '/api', context });
  await app.register(metricsRoutes, { prefix: '/api', context });
  await app.register(incidentRoutes, { prefix: '/api', context });
  await app.register(escalationRoutes, { prefix: '/api', context });
  await app.register(guidelineRoutes, { prefix: '/api', context });
  await app.register(webhookRoutes, { prefix: '/api', context });
  await app.register(sourceRoutes, { prefix: '/api', context });
  for (const extra of deps.extras ?? []) await extra(app);
  return app;
}
