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
  async function auth(app: FastifyInstance, options: { store: Store; publicUrl?: string | null }) {
    app.decorateRequest('user', null);
    // Who the caller is and whether they may, before a byte of the body is read, inflated or
    // parsed: a caller without a login cannot make the server do more than look up a cookie.
    app.addHook('onRequest', async (request) => {
      const needed = request.routeOptions.config.role;
      if (needed === 'public' && !request.headers.authorization && !request.cookies[SESSION_COOKIE]) return;
      request.user = await identify(request, options.store);
      if (request.user && usesCookie(request)) refuseCrossSite(request, options.publicUrl ?? null);
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

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function usesCookie(request: FastifyRequest): boolean {
  return !request.headers.authorization?.startsWith('Bearer ') && Boolean(request.cookies[SESSION_COOKIE]);
}

/**
 * A browser names the page a change comes from in `Origin`. Besides the SameSite=Strict cookie,
 * a change made with the session cookie must come from the desk itself (its host, or
 * EARSHOT_PUBLIC_URL), so no other site can drive a logged-in agent's browser.
 */
function refuseCrossSite(request: FastifyRequest, publicUrl: string | null): void {
  if (!UNSAFE_METHODS.has(request.method)) return;
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let host: string | null = null;
  try {
    host = new URL(origin).host;
  } catch {
    host = null;
  }
  const allowed = [request.host, request.headers.host, publicUrl ? new URL(publicUrl).host : null];
  if (host !== null && allowed.includes(host)) return;
  throw new EarshotError('ERR_ORIGIN_REFUSED', { method: request.method, origin: origin.slice(0, 100) });
}

async function identify(request: FastifyRequest, store: Store): Promise<User | null> {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return (await userForApiToken(store.db, header.slice(7).trim())) ?? null;
  const cookie = request.cookies[SESSION_COOKIE];
  if (cookie) return (await userForSession(store.db, cookie)) ?? null;
  return null;
}
