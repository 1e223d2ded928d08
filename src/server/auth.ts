/**
 * Who is calling, and may they. A person logs in and holds a session cookie; a machine sends
 * `Authorization: Bearer <token>`. Every route names the least role it needs in its config
 * (`config: { role: 'agent' }`) or says it is public; a route that says neither is refused,
 * so a forgotten check fails closed.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { EarshotError } from '../domain/errors.js';
import { hasRole, type Role, type TokenScope, type User } from '../domain/user.js';
import type { Store } from '../store/open.js';
import { userForApiToken, userForSession } from '../store/users.js';

export const SESSION_COOKIE = 'earshot_session';
export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

declare module 'fastify' {
  interface FastifyRequest {
    user: User | null;
    /** The scopes of the API token the caller sent; null for a session (which has its role's every right). */
    tokenScopes: readonly TokenScope[] | null;
  }
  interface FastifyContextConfig {
    /** The least role this route needs; `public` for none. */
    role?: Role | 'public';
    /** The token scope this route needs when not the one its method and role imply (see `route.ts`). */
    scope?: TokenScope;
  }
}

export const authPlugin = fp(
  async function auth(app: FastifyInstance, options: { store: Store; publicUrl?: string | null; clock?: () => Date }) {
    app.decorateRequest('user', null);
    app.decorateRequest('tokenScopes', null);
    // Who the caller is and whether they may, before a byte of the body is read, inflated or
    // parsed: a caller without a login cannot make the server do more than look up a cookie.
    app.addHook('onRequest', async (request) => {
      const needed = request.routeOptions.config.role;
      if (needed === 'public' && !request.headers.authorization && !request.cookies[SESSION_COOKIE]) return;
      const caller = await identify(request, options.store, options.clock?.() ?? new Date());
      request.user = caller?.user ?? null;
      request.tokenScopes = caller?.scopes ?? null;
      if (request.user && usesCookie(request)) refuseCrossSite(request, options.publicUrl ?? null);
      if (needed === 'public') return;
      // Only the API is guarded here; static files of the desk are public (they hold no data).
      if (needed === undefined && !request.url.startsWith('/api/')) return;
      if (!request.user) throw new EarshotError('ERR_AUTH_REQUIRED');
      const role = needed ?? 'admin';
      if (!hasRole(request.user, role))
        throw new EarshotError('ERR_AUTH_FORBIDDEN', { role: request.user.role, needed: role });
      if (request.tokenScopes) {
        const scope = scopeNeeded(request.method, role, request.routeOptions.config.scope);
        if (!request.tokenScopes.includes(scope)) throw new EarshotError('ERR_TOKEN_SCOPE', { scope });
      }
    });
  },
  { name: 'earshot-auth', dependencies: ['@fastify/cookie'] },
);

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The token scope a request needs: the route's own, else `admin` for admin routes, `read` to look, `write` to change. */
export function scopeNeeded(method: string, role: Role, routeScope: TokenScope | undefined): TokenScope {
  if (routeScope) return routeScope;
  if (role === 'admin') return 'admin';
  return UNSAFE_METHODS.has(method) ? 'write' : 'read';
}

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

async function identify(
  request: FastifyRequest,
  store: Store,
  now: Date,
): Promise<{ user: User; scopes: readonly TokenScope[] | null } | null> {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return (await userForApiToken(store.db, header.slice(7).trim(), now)) ?? null;
  const cookie = request.cookies[SESSION_COOKIE];
  const user = cookie ? await userForSession(store.db, cookie, now.toISOString()) : undefined;
  return user ? { user, scopes: null } : null;
}
