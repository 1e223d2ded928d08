/**
 * The belt ladder over HTTP: the levels and settings (admins set them), each person's progress
 * and what the next belt needs, training modules and their quizzes, the review queue of held
 * public replies (approve, edit with a note, return), and the knowledge audit.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { HELD_REPLY_STATUSES } from '../../domain/ladder.js';
import { hasRole } from '../../domain/user.js';
import { EarshotError } from '../../domain/errors.js';
import { getUser } from '../../store/users.js';
import { listKnowledgeAudit } from '../../store/ladder.js';
import { errorResponses, IdParams, literals, Nullable } from '../schemas.js';
import {
  BeltCriteriaSchema,
  BeltLevelSchema,
  BeltProgressSchema,
  HeldReplySchema,
  TrainingModuleSchema,
} from '../knowledge-schemas.js';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';

/** The domain's readonly shapes, as the wire schemas' (mutable) types: the same JSON either way. */
type Wire<T> = T extends readonly (infer U)[]
  ? Wire<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: Wire<T[K]> }
    : T;
const wire = <T>(value: T): Wire<T> => value as Wire<T>;

const Rank = Nullable(Type.Integer({ minimum: 0, maximum: 20 }));
const SettingsSchema = Type.Object(
  { reviewBelow: Rank, approveBatchFrom: Rank, approveReviewsFrom: Type.Integer({ minimum: 0, maximum: 20 }) },
  { additionalProperties: false },
);

export const ladderRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  const parts = context.knowledge;
  if (!parts) return;
  const { ladder, reviews, training } = parts;
  const tags = ['ladder'];

  app.get(
    '/ladder',
    endpoint('agent', tags, {
      response: {
        200: Type.Object({ levels: Type.Array(BeltLevelSchema), settings: SettingsSchema }),
        ...errorResponses,
      },
    }),
    async () => wire({ levels: await ladder.levels(), settings: await ladder.settings() }),
  );

  app.put(
    '/ladder/levels',
    endpoint('admin', tags, {
      description: 'Replaces the levels (rename them, change criteria), lowest first.',
      body: Type.Object(
        {
          levels: Type.Array(
            Type.Object(
              { name: Type.String({ minLength: 1, maxLength: 40 }), criteria: BeltCriteriaSchema },
              { additionalProperties: false },
            ),
            { minItems: 2, maxItems: 20 },
          ),
        },
        { additionalProperties: false },
      ),
      response: { 200: Type.Object({ levels: Type.Array(BeltLevelSchema) }), ...errorResponses },
    }),
    async (request) => wire({ levels: await ladder.saveLevels(request.body.levels) }),
  );

  app.put(
    '/ladder/settings',
    endpoint('admin', tags, {
      description:
        'Which belts are gated: public replies below `reviewBelow` wait for review (null: none); batch replies and crisis statements need `approveBatchFrom` (null: any responder).',
      body: SettingsSchema,
      response: { 200: SettingsSchema, ...errorResponses },
    }),
    async (request) => ladder.saveSettings(request.body),
  );

  app.get(
    '/ladder/progress',
    endpoint('agent', tags, {
      querystring: Type.Object({ user: Type.Optional(Type.Integer({ minimum: 1 })) }),
      response: { 200: BeltProgressSchema, ...errorResponses },
    }),
    async (request) => {
      const user = request.query.user ? await getUser(context.store.db, request.query.user) : request.user!;
      if (!user) throw new EarshotError('ERR_NOT_FOUND', { what: 'User', id: request.query.user ?? 0 });
      // Evaluating on read promotes someone whose months of activity alone crossed a line.
      await ladder.evaluate(user.id);
      return wire(await ladder.progress(user));
    },
  );

  app.put(
    '/users/:id/belt',
    endpoint('admin', tags, {
      description: 'Sets a person’s belt by hand (audited).',
      params: IdParams,
      body: Type.Object({ rank: Type.Integer({ minimum: 0, maximum: 20 }) }, { additionalProperties: false }),
      response: { 200: BeltProgressSchema, ...errorResponses },
    }),
    async (request) => {
      await ladder.setLevel(request.params.id, request.body.rank, request.user!);
      return wire(await ladder.progress((await getUser(context.store.db, request.params.id))!));
    },
  );

  app.get(
    '/modules',
    endpoint('agent', tags, {
      response: { 200: Type.Object({ modules: Type.Array(TrainingModuleSchema) }), ...errorResponses },
    }),
    async (request) => wire({ modules: await training.forLearner(request.user!) }),
  );

  app.post(
    '/modules',
    endpoint('admin', tags, {
      body: Type.Object(
        {
          title: Type.String({ minLength: 1, maxLength: 200 }),
          articleIds: Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 50 }),
          quiz: Type.Array(
            Type.Object(
              {
                question: Type.String({ minLength: 1, maxLength: 500 }),
                choices: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 2, maxItems: 8 }),
                answer: Type.Integer({ minimum: 0 }),
              },
              { additionalProperties: false },
            ),
            { minItems: 1, maxItems: 50 },
          ),
          passShare: Type.Optional(Type.Number({ minimum: 0, maximum: 1, default: 0.8 })),
        },
        { additionalProperties: false },
      ),
      response: { 201: Type.Object({ id: Type.Integer(), title: Type.String() }), ...errorResponses },
    }),
    async (request, reply) => {
      const module = await training.create({ ...request.body, passShare: request.body.passShare ?? 0.8 });
      return reply.status(201).send({ id: module.id, title: module.title });
    },
  );

  app.post(
    '/modules/:id/attempts',
    endpoint('agent', tags, {
      params: IdParams,
      body: Type.Object(
        { answers: Type.Array(Type.Integer({ minimum: 0 }), { maxItems: 50 }) },
        { additionalProperties: false },
      ),
      response: {
        200: Type.Object({
          moduleId: Type.Integer(),
          right: Type.Integer(),
          total: Type.Integer(),
          score: Type.Number(),
          passed: Type.Boolean(),
          promotedTo: Type.Array(Type.Integer()),
        }),
        ...errorResponses,
      },
    }),
    async (request) => training.take(request.params.id, request.body.answers, request.user!),
  );

  app.get(
    '/reviews',
    endpoint('agent', tags, {
      description: 'Held replies: by default those waiting; `mine` for the caller’s own (with reviewers’ notes).',
      querystring: Type.Object({
        status: Type.Optional(literals(HELD_REPLY_STATUSES)),
        mine: Type.Optional(Type.Boolean()),
        ticket: Type.Optional(Type.Integer({ minimum: 1 })),
      }),
      response: { 200: Type.Object({ replies: Type.Array(HeldReplySchema) }), ...errorResponses },
    }),
    async (request) => {
      const { status, mine, ticket } = request.query;
      return {
        replies: await reviews.list({
          status: status ?? (mine || ticket ? undefined : 'held'),
          authorId: mine ? request.user!.id : undefined,
          ticketId: ticket,
        }),
      };
    },
  );

  app.post(
    '/reviews/:id/approve',
    endpoint('agent', tags, {
      description: 'Sends the held reply; with `body` it is edited first and `note` tells the author why.',
      params: IdParams,
      body: Type.Object(
        {
          body: Type.Optional(Type.String({ minLength: 1, maxLength: 20_000 })),
          note: Type.Optional(Type.String({ maxLength: 2000 })),
        },
        { additionalProperties: false },
      ),
      response: { 200: HeldReplySchema, 409: errorResponses[400], 422: errorResponses[400], ...errorResponses },
    }),
    async (request) => reviews.approve(request.params.id, request.user!, request.body),
  );

  app.post(
    '/reviews/:id/return',
    endpoint('agent', tags, {
      params: IdParams,
      body: Type.Object({ note: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
      response: { 200: HeldReplySchema, 409: errorResponses[400], ...errorResponses },
    }),
    async (request) => reviews.return(request.params.id, request.user!, request.body.note),
  );

  app.get(
    '/knowledge-audit',
    endpoint('agent', tags, {
      description: 'Acknowledgements, promotions, approvals and returns; agents see their own, admins everyone’s.',
      querystring: Type.Object({
        action: Type.Optional(Type.String({ maxLength: 40 })),
        user: Type.Optional(Type.Integer({ minimum: 1 })),
      }),
      response: {
        200: Type.Object({
          entries: Type.Array(
            Type.Object({
              id: Type.Integer(),
              actorId: Nullable(Type.Integer()),
              action: Type.String(),
              subjectUserId: Nullable(Type.Integer()),
              data: Type.Record(Type.String(), Type.Unknown()),
              createdAt: Type.String(),
            }),
          ),
        }),
        ...errorResponses,
      },
    }),
    async (request) => {
      const admin = hasRole(request.user!, 'admin');
      const subject = admin ? request.query.user : request.user!.id;
      return {
        entries: await listKnowledgeAudit(context.store.db, { action: request.query.action, subjectUserId: subject }),
      };
    },
  );
};
