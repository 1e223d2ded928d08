/**
 * The options every route passes to Fastify: the least role it needs (checked in `auth.ts`) and
 * its schema, filed under OpenAPI `tags`. The schema is still written at the route, where the
 * TypeBox provider types the handler from it; this only spares the same wrapping in 60 places.
 */
import type { FastifySchema } from 'fastify';
import type { Role, TokenScope } from '../domain/user.js';

/**
 * `scope` names the API-token scope the route needs when it is not the one its method and role
 * imply (`read` for GET, `admin` for admin routes, `write` otherwise): `POST /api/ingest` needs `ingest`.
 */
export function endpoint<const S extends FastifySchema>(
  role: Role | 'public',
  tags: readonly string[],
  schema: S,
  options: { scope?: TokenScope } = {},
) {
  return { config: { role, ...(options.scope ? { scope: options.scope } : {}) }, schema: { tags, ...schema } };
}
