/** Login and logout for people; `GET /api/me` says who the caller is. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { EarshotError } from '../../domain/errors.js';
import { authenticate, createSession, deleteSession } from '../../store/users.js';
import { SESSION_COOKIE, SESSION_TTL_MS } from '../auth.js';
import { errorResponses, UserSchema } from '../schemas.js';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';

export const authRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  app.post(
    '/auth/login',
    {
      config: { role: 'public', rateLimit: { max: 20, timeWindow: '1 minute', allowList: [] } },
      schema: {
        tags: ['auth'],
        body: Type.Object(
          {
            username: Type.String({ minLength: 1, maxLength: 100 }),
            password: Type.String({ minLength: 1, maxLength: 1000 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ user: UserSchema }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const user = await authenticate(context.store.db, request.body.username, request.body.password);
      if (!user) throw new EarshotError('ERR_AUTH_INVALID');
      const session = await createSession(context.store.db, user.id, SESSION_TTL_MS, context.clock());
      void reply.setCookie(SESSION_COOKIE, session.token, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: request.protocol === 'https',
        expires: new Date(session.expiresAt),
      });
      return { user };
    },
  );

  app.post('/auth/logout', endpoint('public', ['auth'], { response: { 204: Type.Null() } }), async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await deleteSession(context.store.db, token);
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send(null);
  });

  app.get(
    '/me',
    endpoint('employee', ['auth'], { response: { 200: Type.Object({ user: UserSchema }), ...errorResponses } }),
    async (request) => {
      return { user: request.user! };
    },
  );
};
