/**
 * Who is calling, and may they. A person logs in and holds a session cookie; a machine sends
 * `Authorization: Bearer <token>`. Every route names the least role it needs in its config
 * (`config: { role: 'agent' }`) or says it is public; a route that says neither is refused,
 * so a forgotten check fails closed.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { EarshotError } from '../domain/errors.js';
import { hasRole, type Role, type User } from '../domain/user.js';
import type { Store } from '../store/open.js';
import { userForApiToken, userForSession } from '../store/users.js';

export const SESSION_COOKIE = 'earshot_session';
export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

declare module 'fastify' {
  interface FastifyRequest {
    user: User | null;
  }
  interface FastifyContextConfig {
    /** The least role this route needs; `public` for none. */
    role?: Role | 'public';
  }
}

export const authPlugin = fp(
  async function auth(app: FastifyInstance, options: { store: Store }) {
    app.decorateRequest('user', null);
    // Who the caller is and whether they may, before a byte of the body is read, inflated or
    // parsed: a caller without a login cannot make the server do more than look up a cookie.
    app.addHook('onRequest', async (request) => {
      const needed = request.routeOptions.config.role;
      if (needed === 'public' && !request.headers.authorization && !request.cookies[SESSION_COOKIE]) return;
      request.user = await identify(request, options.store);
      if (needed === 'public') return;
      // Only the API is guarded here; static files of the desk are public (they hold no data).
      if (needed === undefined && !request.url.startsWith('/api/')) return;
      if (!request.user) throw new EarshotError('ERR_AUTH_REQUIRED');
      const role = needed ?? 'admin';
      if (!hasRole(request.user, role))
        throw new EarshotError('ERR_AUTH_FORBIDDEN', { role: request.user.role, needed: role });
    });
  },
  { name: 'earshot-auth', dependencies: ['@fastify/cookie'] },
);

async function identify(request: FastifyRequest, store: Store): Promise<User | null> {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return (await userForApiToken(store.db, header.slice(7).trim())) ?? null;
  const cookie = request.cookies[SESSION_COOKIE];
  if (cookie) return (await userForSession(store.db, cookie)) ?? null;
  return null;
}
