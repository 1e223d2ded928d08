/**
 * API tokens for machines: listed, made and revoked. Anyone logged in manages their own; admins
 * see and revoke everyone's and may make one acting as another user. A token is shown once, when
 * made; it carries scopes (never more than its user's role allows) and, by default, an expiry.
 * Making or revoking one with a token needs the `admin` scope, so a stolen token cannot mint
 * itself a successor.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { EarshotError } from '../../domain/errors.js';
import { hasRole, TOKEN_SCOPES } from '../../domain/user.js';
import { createApiToken, defaultScopes, getUser, listApiTokens, revokeApiToken } from '../../store/users.js';
import { ApiTokenSchema, errorResponses, literals, UserSchema } from '../schemas.js';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';

/** How long a token lives when its maker does not say (`expiresInDays: null` makes one that never expires). */
export const DEFAULT_TOKEN_DAYS = 90;
const DAY_MS = 24 * 3600 * 1000;

export const tokenRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  const { store } = context;
  // Tokens reach the desk's API: agents and admins have them; employees use the wall through their session only.

  app.get(
    '/tokens',
    endpoint('agent', ['tokens'], {
      description:
        'API tokens, newest first: an admin sees everyone’s, anyone else their own. Secrets are never listed.',
      response: { 200: Type.Object({ tokens: Type.Array(ApiTokenSchema) }), ...errorResponses },
    }),
    async (request) => {
      const user = request.user!;
      return { tokens: await listApiTokens(store.db, hasRole(user, 'admin') ? undefined : user.id) };
    },
  );

  app.post(
    '/tokens',
    endpoint(
      'agent',
      ['tokens'],
      {
        description:
          'Makes an API token acting as the caller (admins: any user). The token is shown once. Scopes default to all the user’s role allows; expiry to 90 days.',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            userId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
            scopes: Type.Optional(Type.Array(literals(TOKEN_SCOPES), { minItems: 1, maxItems: TOKEN_SCOPES.length })),
            expiresInDays: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 3650 }), Type.Null()])),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            id: Type.Integer(),
            token: Type.String(),
            scopes: Type.Array(literals(TOKEN_SCOPES)),
            expiresAt: Type.Union([Type.String(), Type.Null()]),
            user: UserSchema,
          }),
          ...errorResponses,
        },
      },
      { scope: 'admin' },
    ),
    async (request, reply) => {
      const caller = request.user!;
      const { userId, name } = request.body;
      if (userId !== undefined && userId !== caller.id && !hasRole(caller, 'admin'))
        throw new EarshotError('ERR_AUTH_FORBIDDEN', { role: caller.role, needed: 'admin' });
      const user = userId !== undefined ? await getUser(store.db, userId) : caller;
      if (!user) throw new EarshotError('ERR_NOT_FOUND', { what: 'User', id: userId ?? 0 });
      const allowed = defaultScopes(user.role);
      const scopes = request.body.scopes ?? allowed;
      const beyond = scopes.filter((scope) => !allowed.includes(scope));
      if (beyond.length > 0)
        throw new EarshotError('ERR_INPUT_INVALID', {
          detail: `${user.username} (${user.role}) cannot hold the ${beyond.join(', ')} scope`,
        });
      const now = context.clock();
      const days = request.body.expiresInDays === undefined ? DEFAULT_TOKEN_DAYS : request.body.expiresInDays;
      const expiresAt = days === null ? null : new Date(now.getTime() + days * DAY_MS).toISOString();
      const token = await createApiToken(store.db, user.id, name, now.toISOString(), { scopes, expiresAt });
      return reply.status(201).send({ ...token, user });
    },
  );

  app.delete(
    '/tokens/:id',
    endpoint(
      'agent',
      ['tokens'],
      {
        description:
          'Revokes a token at once (an admin: anyone’s; others: their own). It stays listed, marked revoked.',
        params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) }),
        response: { 204: Type.Null(), ...errorResponses },
      },
      { scope: 'admin' },
    ),
    async (request, reply) => {
      const caller = request.user!;
      const owner = hasRole(caller, 'admin') ? undefined : caller.id;
      const revoked = await revokeApiToken(store.db, request.params.id, context.clock().toISOString(), owner);
      if (!revoked) throw new EarshotError('ERR_NOT_FOUND', { what: 'Active token', id: request.params.id });
      return reply.status(204).send(null);
    },
  );
};
