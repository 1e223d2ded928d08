/** Users (admins manage them; agents list them to assign tickets) and API tokens for machines. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { EarshotError } from '../../domain/errors.js';
import { ROLES } from '../../domain/user.js';
import { createApiToken, createUser, getUser, listUsers } from '../../store/users.js';
import { errorResponses, literals, UserSchema } from '../schemas.js';
import type { RouteContext } from '../context.js';
import { MIN_PASSWORD_CHARS } from '../../config.js';
import { endpoint } from '../route.js';

export const userRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  const { store } = context;

  app.get(
    '/users',
    endpoint('agent', ['users'], {
      response: { 200: Type.Object({ users: Type.Array(UserSchema) }), ...errorResponses },
    }),
    async () => ({
      users: await listUsers(store.db),
    }),
  );

  app.post(
    '/users',
    endpoint('admin', ['users'], {
      body: Type.Object(
        {
          username: Type.String({ minLength: 2, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' }),
          displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          role: literals(ROLES),
          password: Type.String({ minLength: MIN_PASSWORD_CHARS, maxLength: 1000 }),
        },
        { additionalProperties: false },
      ),
      response: { 201: UserSchema, 409: errorResponses[400], ...errorResponses },
    }),
    async (request, reply) => {
      const existing = (await listUsers(store.db)).find((user) => user.username === request.body.username);
      if (existing) throw new EarshotError('ERR_CONFLICT', { detail: `User ${request.body.username} exists already` });
      return reply.status(201).send(await createUser(store.db, request.body, context.clock().toISOString()));
    },
  );

  app.post(
    '/tokens',
    endpoint('admin', ['users'], {
      description: 'Creates an API token acting as the given user (default: the caller). The token is shown once.',
      body: Type.Object(
        { name: Type.String({ minLength: 1, maxLength: 100 }), userId: Type.Optional(Type.Integer({ minimum: 1 })) },
        { additionalProperties: false },
      ),
      response: {
        201: Type.Object({ id: Type.Integer(), token: Type.String(), user: UserSchema }),
        ...errorResponses,
      },
    }),
    async (request, reply) => {
      const user = request.body.userId ? await getUser(store.db, request.body.userId) : request.user!;
      if (!user) throw new EarshotError('ERR_NOT_FOUND', { what: 'User', id: request.body.userId ?? 0 });
      const token = await createApiToken(store.db, user.id, request.body.name, context.clock().toISOString());
      return reply.status(201).send({ ...token, user });
    },
  );
};
