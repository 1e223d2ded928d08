/**
 * Serves the web desk (the Vite build in `web/dist`) at `/`, with the SPA's index for its
 * client-side routes. The build writes .br/.gz beside each asset and @fastify/static sends
 * those (`preCompressed`); hashed assets are cached for good, index.html never. When the build
 * is missing and `web/` exists, it is built first (`npm start` on a fresh clone).
 *
 * Every desk response carries a Content-Security-Policy that allows only the bundle's own
 * scripts: post text is rendered as text, and even if markup slipped through, no inline script
 * or event handler attribute could run.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { startWebBuild, webBuildNeeded } from './build-web.js';
import { EarshotError } from '../domain/errors.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const WEB_DIST = join(ROOT, 'web', 'dist');

export const DESK_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // uPlot and React set element styles; no stylesheet or script comes from elsewhere.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Paths the desk routes in the browser (web/src/app.tsx). */
export const CLIENT_ROUTES = [
  '/login',
  '/pulse',
  '/streams',
  '/inbox',
  '/inbox/:id',
  '/users',
  '/incidents',
  '/incidents/:id',
  '/alerts',
  '/sources',
  '/knowledge',
  '/knowledge/:id',
  '/contributors/:id',
  '/belt',
  '/settings',
  '/settings/:page',
  '/services',
  '/reports',
  // The wall and rooms (web/src/wall/section.tsx), and the invitation page.
  '/wall',
  '/wall/spaces/:id',
  '/wall/threads/:id',
  '/wall/invite',
  '/rooms',
  '/rooms/:id',
  '/invite',
] as const;

/**
 * `build`: true builds a missing desk now; a promise is a build already under way (see
 * `startWebBuild`), waited for here.
 */
export function webDesk(options: { build?: boolean | Promise<boolean>; dist?: string } = {}) {
  return async function registerWebDesk(app: FastifyInstance): Promise<void> {
    const dist = options.dist ?? WEB_DIST;
    const building = options.build === true ? (webBuildNeeded(dist) ? startWebBuild() : null) : options.build || null;
    if (building && !(await building)) app.log.error('The web desk build failed; the API still runs');
    if (!existsSync(join(dist, 'index.html'))) {
      app.get('/', { config: { role: 'public' } }, async (_request, reply) =>
        reply
          .type('text/html')
          .send(
            '<!doctype html><title>Earshot</title><h1>Earshot</h1><p>The web desk is not built. The API runs: see <a href="/api/docs">/api/docs</a>.</p>',
          ),
      );
      return;
    }
    app.addHook('onSend', async function deskHeaders(request, reply, payload) {
      if (request.url.startsWith('/api/')) return payload;
      reply.header('content-security-policy', DESK_CSP);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'same-origin');
      return payload;
    });
    await app.register(fastifyStatic, {
      root: dist,
      prefix: '/',
      preCompressed: true,
      wildcard: false,
      index: ['index.html'],
      cacheControl: false,
      setHeaders(reply, path) {
        // Vite names assets by content hash, so a cached asset never goes stale.
        void reply.header(
          'cache-control',
          path.includes(join('dist', 'assets')) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
    // The desk's own paths answer with its index, so a bookmarked or reloaded view opens.
    for (const path of CLIENT_ROUTES) {
      app.get(path, { config: { role: 'public' }, schema: { hide: true } }, function deskIndex(_request, reply) {
        return reply.header('cache-control', 'no-cache').sendFile('index.html');
      });
    }
    // Any other page path too (`/sources/`, a view added later, a mistyped link): the desk opens
    // and says "not found" itself. API paths and missing files keep the API's JSON 404.
    app.get('/*', { config: { role: 'public' }, schema: { hide: true } }, function deskFallback(request, reply) {
      const path = request.url.split('?')[0]!;
      if (path === '/api' || path.startsWith('/api/') || /\.[a-z0-9]+$/i.test(path))
        throw new EarshotError('ERR_NOT_FOUND', { what: 'Route', id: `${request.method} ${path}` });
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    });
  };
}
