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
import type { Store } from '../store/open.js';
import type { Bus } from '../pipeline/bus.js';
import type { IngestPipeline } from '../pipeline/ingest.js';
import type { Desk } from '../desk/desk.js';
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
import type { SourceSupervisor } from '../sources/supervisor.js';

export interface AppDeps {
  readonly store: Store;
  readonly bus: Bus;
  readonly pipeline: IngestPipeline;
  readonly desk: Desk;
  readonly clock?: () => Date;
  /** Runs the configured sources; the sources API needs it. */
  readonly sources?: SourceSupervisor;
  /** Extra plugins that serve more (the web desk), registered last. */
  readonly extras?: readonly ((app: FastifyInstance) => Promise<void>)[];
}

export type App = FastifyInstance;

export async function build(config: Config, deps: AppDeps, options: { logger?: boolean | object } = {}): Promise<App> {
  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', 'req.body.options', '*.options', '*.secrets'] },
    bodyLimit: config.bodyLimit,
    // Bodies are validated against schemas; unknown fields in JSON bodies are refused, not dropped.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  installErrorHandler(app);
  await app.register(cookie);
  await app.register(rateLimit, { global: true, max: 1200, timeWindow: '1 minute', allowList: ['127.0.0.1', '::1'] });
  await app.register(compress, { threshold: 1024 });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Earshot API', version: '0.1.0', description: 'Posts in, understood, tickets out.' },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'earshot_session' }, token: { type: 'http', scheme: 'bearer' } } },
      security: [{ session: [] }, { token: [] }],
    },
  });
  app.addHook('onRoute', (route) => {
    // The docs are public, like the login page.
    if (route.url.startsWith('/api/docs')) route.config = { ...(route.config ?? {}), role: 'public' };
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list' } });
  await app.register(authPlugin, { store: deps.store });

  const context = { ...deps, config, clock: deps.clock ?? (() => new Date()) };
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

export type RouteContext = AppDeps & { readonly config: Config; readonly clock: () => Date };
