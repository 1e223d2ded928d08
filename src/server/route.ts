/**
 * The options every route passes to Fastify: the least role it needs (checked in `auth.ts`) and
 * its schema, filed under OpenAPI `tags`. The schema is still written at the route, where the
 * TypeBox provider types the handler from it; this only spares the same wrapping in 60 places.
 */
import type { FastifySchema } from 'fastify';
import type { Role } from '../domain/user.js';

export function endpoint<const S extends FastifySchema>(role: Role | 'public', tags: readonly string[], schema: S) {
  return { config: { role }, schema: { tags, ...schema } };
}
