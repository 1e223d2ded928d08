/** Users: admins manage them; agents list them to assign tickets. API tokens are in `tokens.ts`. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { EarshotError } from '../../domain/errors.js';
import { ROLES } from '../../domain/user.js';
import { createUser, listUsers } from '../../store/users.js';
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
};
