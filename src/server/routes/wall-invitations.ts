/**
 * Invitations: an admin invites one employee by e-mail or many from a CSV file (bad lines come
 * back with their numbers, the good ones are created); the invited person checks their link and
 * sets a password. The token travels in request bodies only, never in a URL that gets logged.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';
import { errorResponses, UserSchema } from '../schemas.js';
import { MIN_PASSWORD_CHARS } from '../../config.js';
import { wallOf } from './wall.js';
import type { Invited } from '../../wall/invitations.js';

const InvitedSchema = Type.Object({
  user: UserSchema,
  email: Type.String(),
  mailed: Type.Boolean(),
  /** The link, for the admin to pass on when it could not be mailed; null when it was. */
  link: Type.Union([Type.String(), Type.Null()]),
});
const Token = Type.String({ minLength: 10, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' });

/** The link is shown only when it did not go out: a mailed link is the invited person's alone. */
function present(invited: Invited) {
  return {
    user: invited.user,
    email: invited.email,
    mailed: invited.mailed,
    link: invited.mailed ? null : invited.link,
  };
}

export const wallInvitationRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  app.post(
    '/wall/invitations',
    endpoint('admin', ['wall'], {
      description: 'Creates an employee account and mails them a one-time link to set their password.',
      body: Type.Object(
        {
          email: Type.String({ minLength: 3, maxLength: 254 }),
          name: Type.String({ minLength: 1, maxLength: 100 }),
          username: Type.Optional(Type.String({ minLength: 2, maxLength: 64 })),
        },
        { additionalProperties: false },
      ),
      response: { 201: InvitedSchema, 409: errorResponses[400], ...errorResponses },
    }),
    async (request, reply) =>
      reply.code(201).send(present(await wallOf(context).invitations.invite(request.body, request.user!))),
  );

  app.post(
    '/wall/invitations/csv',
    endpoint('admin', ['wall'], {
      description:
        'Creates employees in bulk from CSV text (`email,name[,username]`, optional header). Bad lines are reported with their numbers; the good ones are created.',
      body: Type.Object({ csv: Type.String({ minLength: 1, maxLength: 900_000 }) }, { additionalProperties: false }),
      response: {
        200: Type.Object({
          invited: Type.Array(InvitedSchema),
          problems: Type.Array(Type.Object({ line: Type.Integer(), message: Type.String() })),
        }),
        ...errorResponses,
      },
    }),
    async (request) => {
      const { invited, problems } = await wallOf(context).invitations.importCsv(request.body.csv, request.user!);
      return { invited: invited.map(present), problems };
    },
  );

  app.post(
    '/wall/invitations/check',
    endpoint('public', ['wall'], {
      description: 'Whether an invitation link is still good, and whose account it opens.',
      body: Type.Object({ token: Token }, { additionalProperties: false }),
      response: { 200: Type.Object({ displayName: Type.String(), username: Type.String() }), ...errorResponses },
    }),
    async (request) => wallOf(context).invitations.check(request.body.token),
  );

  app.post(
    '/wall/invitations/accept',
    endpoint('public', ['wall'], {
      description: 'Sets the invited person’s password; the link is used up.',
      body: Type.Object(
        { token: Token, password: Type.String({ minLength: MIN_PASSWORD_CHARS, maxLength: 1000 }) },
        { additionalProperties: false },
      ),
      response: { 200: Type.Object({ username: Type.String() }), ...errorResponses },
    }),
    async (request) => ({
      username: (await wallOf(context).invitations.accept(request.body.token, request.body.password)).username,
    }),
  );
};
