/**
 * Builds the Fastify app, unstarted (tests call `inject`, the CLI calls `listen`).
 * Each area of the API is one plugin under `routes/`.
 */
import { loggerOptions } from './log-options.js';
import { pipeline, Transform } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import compress from '@fastify/compress';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../config.js';
import { EarshotError } from '../domain/errors.js';
import type { AppDeps, RouteContext } from './context.js';
import { SHARED_SCHEMAS } from './schemas.js';
import { authPlugin } from './auth.js';
import { boundInputs } from './input-bounds.js';
import { installErrorHandler } from './errors.js';
import { holdIdleTimeoutWhileHandling } from './idle-timeout.js';
import { authRoutes } from './routes/auth.js';
import { healthRoutes } from './routes/health.js';
import { postRoutes } from './routes/posts.js';
import { streamRoutes } from './routes/streams.js';
import { ticketRoutes } from './routes/tickets.js';
import { statsRoutes } from './routes/stats.js';
import { ingestRoutes } from './routes/ingest.js';
import { liveRoutes } from './routes/live.js';
import { userRoutes } from './routes/users.js';
import { tokenRoutes } from './routes/tokens.js';
import { alertRoutes } from './routes/alerts.js';
import { metricsRoutes } from './routes/metrics.js';
import { clusterRoutes } from './routes/cluster.js';
import { incidentRoutes } from './routes/incidents.js';
import { escalationRoutes } from './routes/escalation.js';
import { guidelineRoutes } from './routes/guidelines.js';
import { webhookRoutes } from './routes/webhooks.js';
import { sourceRoutes } from './routes/sources.js';
import { sourceSettingsRoutes } from './routes/source-settings.js';
import { wallRoutes } from './routes/wall.js';
import { wallRoomRoutes } from './routes/wall-rooms.js';
import { wallInvitationRoutes } from './routes/wall-invitations.js';
import { knowledgePageRoutes, knowledgeRoutes } from './routes/knowledge.js';
import { policyRoutes } from './routes/policies.js';
import { ladderRoutes } from './routes/ladder.js';
import { serviceRoutes } from './routes/services.js';
import { reportRoutes } from './routes/reports.js';
import { deskActionRoutes } from './routes/desk-actions.js';
import { settingsRoutes } from './routes/settings.js';
import { savedViewRoutes } from './routes/saved-views.js';

export type App = FastifyInstance;

/** A compressed body may inflate to at most this many times its size (plus a small allowance). */
export const MAX_INFLATION_RATIO = 20;
const INFLATION_ALLOWANCE = 64 * 1024;

function trustProxyOption(
  value: Config['trustProxy'],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof value === 'number') return (_address, hop) => hop < value;
  return typeof value === 'boolean' ? value : [...value];
}

/** A socket idle this long is closed (never while the server itself works on a request: `idle-timeout.ts`). */
function connectionTimeoutMs(config: Config): number {
  return config.requestTimeoutMs * 2;
}

function isLoopback(ip: string): boolean {
  return ip === '127.0.0.1' || ip === '::1' || ip === '::ffff:127.0.0.1';
}

export async function build(
  config: Config,
  deps: AppDeps,
  /** `prettyLogs`: human-readable lines for a terminal instead of JSON (ignored when `logger` is given). */
  options: { logger?: boolean | object; prettyLogs?: boolean } = {},
): Promise<App> {
  const app = Fastify({
    logger: options.logger ?? loggerOptions(config.logLevel, options.prettyLogs ?? false),
    // Small by default; `POST /api/ingest` raises its own limit (it runs only after the caller is known).
    bodyLimit: config.bodyLimit,
    trustProxy: trustProxyOption(config.trustProxy),
    // A whole request (headers and body) within the timeout, and no socket idle for longer: slow
    // bodies cannot hold connections open. `/api/live` sends a comment every 15 s, well within.
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: connectionTimeoutMs(config),
    keepAliveTimeout: 5_000,
    http: {
      requestTimeout: config.requestTimeoutMs,
      headersTimeout: Math.min(config.requestTimeoutMs, 30_000),
      connectionsCheckingInterval: Math.min(5_000, Math.max(100, Math.floor(config.requestTimeoutMs / 4))),
    },
    // Bodies are validated against schemas; unknown fields in JSON bodies are refused, not dropped.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Shapes used by several routes are registered once by `$id`: routes refer to them, and the
  // OpenAPI document lists them under components/schemas.
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  installErrorHandler(app);
  installSecurityHeaders(app);
  holdIdleTimeoutWhileHandling(app, connectionTimeoutMs(config));
  await app.register(cookie);
  // Keyed on the client's address (behind a proxy: the one `trustProxy` believes). Loopback is
  // exempt only when no proxy speaks for someone else (no X-Forwarded-For), so a same-host
  // proxy cannot make every client exempt.
  await app.register(rateLimit, {
    global: true,
    max: 1200,
    timeWindow: '1 minute',
    allowList: (request) => isLoopback(request.ip) && request.headers['x-forwarded-for'] === undefined,
  });
  await app.register(compress, { threshold: 1024 });
  boundInflation(app);
  boundInputs(app);
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
  await app.register(authPlugin, { store: deps.store, publicUrl: config.publicUrl, clock: deps.clock });
  // Only JSON (and, where a route adds one, NDJSON or the acknowledge form): a text/plain body is
  // what a cross-site form can send without a preflight, so it is not read at all.
  app.removeContentTypeParser('text/plain');

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
  await app.register(tokenRoutes, { prefix: '/api', context });
  await app.register(alertRoutes, { prefix: '/api', context });
  await app.register(metricsRoutes, { prefix: '/api', context });
  await app.register(clusterRoutes, { prefix: '/api', context });
  await app.register(incidentRoutes, { prefix: '/api', context });
  await app.register(escalationRoutes, { prefix: '/api', context });
  await app.register(guidelineRoutes, { prefix: '/api', context });
  await app.register(webhookRoutes, { prefix: '/api', context });
  await app.register(sourceRoutes, { prefix: '/api', context });
  await app.register(sourceSettingsRoutes, { prefix: '/api', context });
  await app.register(wallRoutes, { prefix: '/api', context });
  await app.register(wallRoomRoutes, { prefix: '/api', context });
  await app.register(wallInvitationRoutes, { prefix: '/api', context });
  await app.register(knowledgeRoutes, { prefix: '/api', context });
  await app.register(policyRoutes, { prefix: '/api', context });
  await app.register(ladderRoutes, { prefix: '/api', context });
  await app.register(knowledgePageRoutes, { context });
  await app.register(serviceRoutes, { prefix: '/api', context });
  await app.register(reportRoutes, { prefix: '/api', context });
  if (deps.deskActions) await app.register(deskActionRoutes, { prefix: '/api', context, actions: deps.deskActions });
  await app.register(settingsRoutes, { prefix: '/api', context });
  await app.register(savedViewRoutes, { prefix: '/api', context });
  for (const extra of deps.extras ?? []) await extra(app);
  return app;
}

/**
 * On every response, unless a route set its own: no sniffing, no framing (Swagger UI and the
 * acknowledge page included), no referrer leaking ids, and API answers that never run as a page.
 */
function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('x-frame-options', 'DENY');
    void reply.header('referrer-policy', 'no-referrer');
    void reply.header('cross-origin-opener-policy', 'same-origin');
    void reply.header('cross-origin-resource-policy', 'same-origin');
    if (request.url.startsWith('/api/') && !request.url.startsWith('/api/docs'))
      void reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    else if (!reply.hasHeader('content-security-policy'))
      void reply.header('content-security-policy', "frame-ancestors 'none'");
    if (request.protocol === 'https') void reply.header('strict-transport-security', 'max-age=31536000');
  });
}

/**
 * @fastify/compress inflates gzip/deflate/br request bodies; Fastify caps the inflated size at the
 * route's body limit. This caps the ratio too: a body that inflates more than
 * `MAX_INFLATION_RATIO` times (a zip bomb) is cut off with a 413 as soon as it does.
 */
function boundInflation(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const guard = (
      request: FastifyRequest,
      _reply: unknown,
      payload: NodeJS.ReadableStream & { receivedEncodedLength?: number },
      done: (error: Error | null, stream?: NodeJS.ReadableStream) => void,
    ) => {
      if (payload === request.raw || payload.receivedEncodedLength === undefined) return done(null, payload);
      let inflated = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, next) {
          inflated += chunk.length;
          const encoded = payload.receivedEncodedLength ?? 0;
          if (inflated > encoded * MAX_INFLATION_RATIO + INFLATION_ALLOWANCE)
            return next(new EarshotError('ERR_INPUT_TOO_LARGE', { limit: `${MAX_INFLATION_RATIO}× its compressed` }));
          next(null, chunk);
        },
      });
      Object.defineProperty(counter, 'receivedEncodedLength', { get: () => payload.receivedEncodedLength });
      pipeline(payload, counter, () => {});
      done(null, counter);
    };
    // After the decompressor (compress adds its own at the front when the route is declared).
    const existing = route.preParsing;
    route.preParsing = [...(Array.isArray(existing) ? existing : existing ? [existing] : []), guard as never];
  });
}
