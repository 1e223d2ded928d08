/**
 * The wall: spaces, threads, replies, the official answer, "me too" votes, moderation, the
 * answer record, and anonymous posting with blind tokens.
 *
 * The anonymous routes (`/wall/anonymous/*`, and the day's public key) are public and silent:
 * the browser calls them without its cookie, they read no login, and Fastify writes no request
 * log for them (no address, no time, no user agent). The token is the only credential.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { EarshotError } from '../../domain/errors.js';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';
import { errorResponses } from '../schemas.js';
import {
  DeadlineFiguresSchema,
  MoodWeekSchema,
  RadarEntrySchema,
  ReplySchema,
  SpaceInputSchema,
  SpaceSchema,
  SpentTokenSchema,
  ThreadDraftSchema,
  ThreadSchema,
} from '../wall-schemas.js';
import { deadlineFigures } from '../../wall/deadlines.js';
import { rumourRadar } from '../../wall/radar.js';
import { moodByWeek } from '../../wall/mood.js';
import { getReply, insertFaqDraft, sentimentsSince, threadsSince } from '../../store/wall.js';
import type { WallServices } from '../../wall/services.js';

const ThreadParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9_-]+$' }) });
const SpaceParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });
const Base64Url = Type.String({ minLength: 1, maxLength: 1400, pattern: '^[A-Za-z0-9_-]+$' });

/** Public, and never in the request log: nothing about the caller is written anywhere. */
function anonymous<const S extends Parameters<typeof endpoint>[2]>(schema: S) {
  return { ...endpoint('public', ['wall'], schema), logLevel: 'silent' as const };
}

export function wallOf(context: RouteContext): WallServices {
  if (!context.wall) throw new EarshotError('ERR_NOT_FOUND', { what: 'The wall', id: '' });
  return context.wall;
}

export const wallRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  app.get(
    '/wall/spaces',
    endpoint('employee', ['wall'], {
      response: { 200: Type.Object({ spaces: Type.Array(SpaceSchema) }), ...errorResponses },
    }),
    async (request) => ({ spaces: await wallOf(context).wall.spaces(request.user!) }),
  );

  app.post(
    '/wall/spaces',
    endpoint('admin', ['wall'], { body: SpaceInputSchema, response: { 201: SpaceSchema, ...errorResponses } }),
    async (request, reply) => {
      const space = await wallOf(context).wall.createSpace(request.body);
      return reply.code(201).send({ ...space, moderator: true });
    },
  );

  app.put(
    '/wall/spaces/:id',
    endpoint('admin', ['wall'], {
      params: SpaceParams,
      body: SpaceInputSchema,
      response: { 200: SpaceSchema, ...errorResponses },
    }),
    async (request) => ({
      ...(await wallOf(context).wall.updateSpace(request.params.id, request.body)),
      moderator: true,
    }),
  );

  app.get(
    '/wall/spaces/:id',
    endpoint('employee', ['wall'], {
      params: SpaceParams,
      response: {
        200: Type.Object({ space: SpaceSchema, threads: Type.Array(ThreadSchema), figures: DeadlineFiguresSchema }),
        ...errorResponses,
      },
    }),
    async (request) => {
      const { wall } = wallOf(context);
      const space = await wall.space(request.user!, request.params.id);
      return {
        space,
        threads: await wall.threads(request.user!, space.id),
        figures: await deadlineFigures(context.store, space.id, context.clock()),
      };
    },
  );

  app.post(
    '/wall/spaces/:id/threads',
    endpoint('employee', ['wall'], {
      params: SpaceParams,
      body: Type.Object(ThreadDraftSchema, { additionalProperties: false }),
      response: { 201: ThreadSchema, ...errorResponses },
    }),
    async (request, reply) => {
      const thread = await wallOf(context).wall.post(request.user!, { spaceId: request.params.id, ...request.body });
      return reply.code(201).send(thread);
    },
  );

  app.get(
    '/wall/threads/:id',
    endpoint('employee', ['wall'], {
      params: ThreadParams,
      response: { 200: Type.Object({ thread: ThreadSchema, replies: Type.Array(ReplySchema) }), ...errorResponses },
    }),
    async (request) => wallOf(context).wall.thread(request.user!, request.params.id),
  );

  app.post(
    '/wall/threads/:id/replies',
    endpoint('employee', ['wall'], {
      params: ThreadParams,
      body: Type.Object(
        { body: Type.String({ minLength: 1, maxLength: 10_000 }), official: Type.Optional(Type.Boolean()) },
        { additionalProperties: false },
      ),
      response: { 201: ReplySchema, ...errorResponses },
    }),
    async (request, reply) => {
      const created = await wallOf(context).wall.reply(
        request.user!,
        request.params.id,
        request.body.body,
        request.body.official ?? false,
      );
      return reply.code(201).send(created);
    },
  );

  app.post(
    '/wall/threads/:id/official',
    endpoint('employee', ['wall'], {
      params: ThreadParams,
      body: Type.Object({ replyId: ThreadParams.properties.id }, { additionalProperties: false }),
      response: { 200: ThreadSchema, ...errorResponses },
    }),
    async (request) => wallOf(context).wall.markOfficial(request.user!, request.params.id, request.body.replyId),
  );

  app.post(
    '/wall/threads/:id/votes',
    endpoint('employee', ['wall'], {
      params: ThreadParams,
      response: { 200: Type.Object({ votes: Type.Integer() }), ...errorResponses },
    }),
    async (request) => ({ votes: await wallOf(context).wall.vote(request.user!, request.params.id) }),
  );

  app.post(
    '/wall/threads/:id/hide',
    endpoint('employee', ['wall'], {
      params: ThreadParams,
      body: Type.Object(
        { hidden: Type.Boolean(), replyId: Type.Optional(ThreadParams.properties.id) },
        { additionalProperties: false },
      ),
      response: { 204: Type.Null(), ...errorResponses },
    }),
    async (request, reply) => {
      await wallOf(context).wall.hide(
        request.user!,
        { threadId: request.params.id, replyId: request.body.replyId },
        request.body.hidden,
      );
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/wall/threads/:id/block-batch',
    endpoint('employee', ['wall'], {
      description: 'Refuses the rest of the token batch an anonymous post was paid with, without saying whose it is.',
      params: ThreadParams,
      body: Type.Object(
        { reason: Type.String({ minLength: 1, maxLength: 500 }), replyId: Type.Optional(ThreadParams.properties.id) },
        { additionalProperties: false },
      ),
      response: { 204: Type.Null(), ...errorResponses },
    }),
    async (request, reply) => {
      await wallOf(context).wall.blockBatchOf(
        request.user!,
        { threadId: request.params.id, replyId: request.body.replyId },
        request.body.reason,
      );
      return reply.code(204).send(null);
    },
  );

  // Blind tokens: the day's key is public; a batch is signed for a logged-in person.
  app.get(
    '/wall/tokens/key',
    anonymous({
      response: {
        200: Type.Object({
          day: Type.String(),
          publicKey: Type.String(),
          fingerprint: Type.String(),
          daily: Type.Integer(),
        }),
        ...errorResponses,
      },
    }),
    async () => {
      const { tokens } = wallOf(context);
      return { ...(await tokens.currentKey()), daily: tokens.dailyTokens };
    },
  );

  app.post(
    '/wall/tokens',
    endpoint('employee', ['wall'], {
      description: 'Signs blinded token messages (RFC 9474); the server never sees the tokens themselves.',
      body: Type.Object(
        { blinded: Type.Array(Base64Url, { minItems: 1, maxItems: 20 }) },
        { additionalProperties: false },
      ),
      response: { 200: Type.Object({ day: Type.String(), signatures: Type.Array(Type.String()) }), ...errorResponses },
    }),
    async (request) => wallOf(context).tokens.issue(request.user!.id, request.body.blinded),
  );

  app.post(
    '/wall/anonymous/threads',
    anonymous({
      body: Type.Object(
        {
          token: SpentTokenSchema,
          spaceId: SpaceParams.properties.id,
          askerKey: Type.String({ minLength: 1, maxLength: 1000 }),
          ...ThreadDraftSchema,
        },
        { additionalProperties: false },
      ),
      response: { 201: ThreadSchema, ...errorResponses },
    }),
    async (request, reply) => {
      const { token, askerKey, spaceId, kind, title, body } = request.body;
      const thread = await wallOf(context).wall.postAnonymously(token, { spaceId, kind, title, body }, askerKey);
      return reply.code(201).send(thread);
    },
  );

  app.post(
    '/wall/anonymous/threads/:id/replies',
    anonymous({
      params: ThreadParams,
      body: Type.Object(
        {
          token: SpentTokenSchema,
          body: Type.String({ minLength: 1, maxLength: 10_000 }),
          askerSignature: Type.Optional(Base64Url),
        },
        { additionalProperties: false },
      ),
      response: { 201: ReplySchema, ...errorResponses },
    }),
    async (request, reply) => {
      const created = await wallOf(context).wall.replyAnonymously(
        request.body.token,
        request.params.id,
        request.body.body,
        request.body.askerSignature ?? null,
      );
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/wall/spaces/:id/radar',
    endpoint('employee', ['wall'], {
      description: 'Recurring questions and concerns: "asked N times in D days, no official answer". The team only.',
      params: SpaceParams,
      querystring: Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 90 })) }),
      response: { 200: Type.Object({ entries: Type.Array(RadarEntrySchema) }), ...errorResponses },
    }),
    async (request) => {
      const space = await wallOf(context).wall.space(request.user!, request.params.id);
      if (!space.moderator)
        throw new EarshotError('ERR_AUTH_FORBIDDEN', { role: request.user!.role, needed: 'the space team' });
      const now = context.clock();
      const days = request.query.days ?? 7;
      const since = new Date(now.getTime() - days * 86_400_000).toISOString();
      return { entries: rumourRadar(await threadsSince(context.store.db, space.id, since), { days, now }) };
    },
  );

  app.post(
    '/wall/spaces/:id/faq-drafts',
    endpoint('employee', ['wall'], {
      description: 'One click from the radar: a draft FAQ entry kept in `wall_faq_drafts` for the knowledge base.',
      params: SpaceParams,
      body: Type.Object(
        {
          question: Type.String({ minLength: 1, maxLength: 500 }),
          threadIds: Type.Array(ThreadParams.properties.id, { minItems: 1, maxItems: 200 }),
        },
        { additionalProperties: false },
      ),
      response: {
        201: Type.Object({ id: Type.Integer(), question: Type.String(), answer: Type.String(), status: Type.String() }),
        ...errorResponses,
      },
    }),
    async (request, reply) => {
      const { wall } = wallOf(context);
      const space = await wall.space(request.user!, request.params.id);
      if (!space.moderator)
        throw new EarshotError('ERR_AUTH_FORBIDDEN', { role: request.user!.role, needed: 'the space team' });
      // The draft answer starts from an official answer among the threads, if any.
      let answer = '';
      for (const id of request.body.threadIds) {
        const { thread } = await wall.thread(request.user!, id);
        if (thread.spaceId !== space.id)
          throw new EarshotError('ERR_INPUT_INVALID', { detail: `thread ${id} is in another space` });
        if (!answer && thread.officialReplyId)
          answer = (await getReply(context.store.db, thread.officialReplyId))?.body ?? '';
      }
      const draft = await insertFaqDraft(
        context.store.db,
        {
          spaceId: space.id,
          question: request.body.question,
          answer,
          threadIds: request.body.threadIds,
          createdBy: request.user!.id,
        },
        context.clock().toISOString(),
      );
      return reply.code(201).send(draft);
    },
  );

  app.get(
    '/wall/spaces/:id/mood',
    endpoint('employee', ['wall'], {
      description: 'Sentiment and volume per week, anonymous posts included; no mood for a week under 10 posts.',
      params: SpaceParams,
      querystring: Type.Object({ weeks: Type.Optional(Type.Integer({ minimum: 1, maximum: 104 })) }),
      response: { 200: Type.Object({ weeks: Type.Array(MoodWeekSchema) }), ...errorResponses },
    }),
    async (request) => {
      const space = await wallOf(context).wall.space(request.user!, request.params.id);
      const since = new Date(context.clock().getTime() - (request.query.weeks ?? 12) * 7 * 86_400_000).toISOString();
      return { weeks: moodByWeek(await sentimentsSince(context.store.db, space.id, since)) };
    },
  );
};
