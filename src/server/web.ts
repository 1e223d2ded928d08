/**
 * Serves the web desk (the Vite build in `web/dist`) at `/`, compressed, with the SPA's
 * index for client-side routes. When the build is missing and `web/` exists, it is built first.
 */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const WEB_DIST = join(ROOT, 'web', 'dist');

export function webDesk(options: { build?: boolean; dist?: string } = {}) {
  return async function registerWebDesk(app: FastifyInstance): Promise<void> {
    const dist = options.dist ?? WEB_DIST;
    if (!existsSync(join(dist, 'index.html')) && options.build && existsSync(join(ROOT, 'web', 'index.html'))) {
      app.log.info('Building the web desk (web/dist is missing)…');
      const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
      if (result.status !== 0) app.log.error('The web desk build failed; the API still runs');
    }
    if (!existsSync(join(dist, 'index.html'))) {
      app.get('/', { config: { role: 'public' } }, async (_request, reply) =>
        reply.type('text/html').send('<!doctype html><title>Earshot</title><h1>Earshot</h1><p>The web desk is not built. The API runs: see <a href="/api/docs">/api/docs</a>.</p>'),
      );
      return;
    }
    await app.register(fastifyStatic, { root: dist, prefix: '/', preCompressed: true, wildcard: false, index: ['index.html'] });
    app.setNotFoundHandler((request, reply) => {
      if (request.url.startsWith('/api/') || request.method !== 'GET') {
        return reply.status(404).send({ error: { code: 'ERR_NOT_FOUND', message: `Route ${request.method} ${request.url.split('?')[0]} not found`, status: 404 } });
      }
      return reply.sendFile('index.html');
    });
  };
}
