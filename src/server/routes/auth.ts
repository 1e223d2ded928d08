/** Login and logout for people; `GET /api/me` says who the caller is. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { EarshotError } from '../../domain/errors.js';
import { authenticate, createSession, deleteSession } from '../../store/users.js';
import { SESSION_COOKIE, SESSION_TTL_MS } from '../auth.js';
import { errorResponses, UserSchema } from '../schemas.js';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';

/** Wrong passwords one account may take in `LOGIN_WINDOW_MS`, from any number of addresses. */
export const LOGIN_FAILURES_PER_ACCOUNT = 10;
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
const MAX_TRACKED_ACCOUNTS = 10_000;

export const authRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  // Per account, not per address: guessing one password from many addresses is slowed too.
  const failures = new Map<string, { count: number; since: number }>();
  const lockedFor = (username: string, now: number): number => {
    const entry = failures.get(username);
    if (!entry || now - entry.since >= LOGIN_WINDOW_MS) return 0;
    return entry.count >= LOGIN_FAILURES_PER_ACCOUNT ? LOGIN_WINDOW_MS - (now - entry.since) : 0;
  };
  const recordFailure = (username: string, now: number) => {
    const entry = failures.get(username);
    if (entry && now - entry.since < LOGIN_WINDOW_MS) entry.count += 1;
    else {
      if (failures.size >= MAX_TRACKED_ACCOUNTS) {
        for (const [name, old] of failures) if (now - old.since >= LOGIN_WINDOW_MS) failures.delete(name);
        if (failures.size >= MAX_TRACKED_ACCOUNTS) failures.delete(failures.keys().next().value!);
      }
      failures.set(username, { count: 1, since: now });
    }
  };

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
      const username = request.body.username.trim().toLowerCase();
      const now = context.clock().getTime();
      const locked = lockedFor(username, now);
      if (locked > 0) {
        const seconds = Math.ceil(locked / 1000);
        throw new EarshotError('ERR_RATE_LIMITED', {
          retryAfter: `${Math.ceil(seconds / 60)} minutes`,
          retryAfterSeconds: seconds,
        });
      }
      const user = await authenticate(context.store.db, request.body.username, request.body.password);
      if (!user) {
        recordFailure(username, now);
        throw new EarshotError('ERR_AUTH_INVALID');
      }
      failures.delete(username);
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
