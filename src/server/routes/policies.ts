/**
 * Policies over HTTP: list and read them, publish a version (its owner or an admin), acknowledge
 * the current one, see who has and has not, remind those who have not, and one's own pending
 * acknowledgements (the desk shows them as a banner).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ROLES } from '../../domain/user.js';
import { errorResponses, IdParams, literals, Nullable } from '../schemas.js';
import { PolicySchema, PolicyVersionSchema } from '../knowledge-schemas.js';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';

const AckRowSchema = Type.Object({
  userId: Type.Integer(),
  username: Type.String(),
  displayName: Type.String(),
  acknowledgedAt: Nullable(Type.String()),
  reminders: Type.Integer(),
  remindedAt: Nullable(Type.String()),
});

export const policyRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  const parts = context.knowledge;
  if (!parts) return;
  const { policies, ladder } = parts;
  const tags = ['policies'];

  app.get(
    '/policies',
    endpoint('employee', tags, {
      response: { 200: Type.Object({ policies: Type.Array(PolicySchema) }), ...errorResponses },
    }),
    async () => ({ policies: await policies.list() }),
  );

  app.post(
    '/policies',
    endpoint('admin', tags, {
      body: Type.Object(
        {
          title: Type.String({ minLength: 1, maxLength: 200 }),
          audience: literals(ROLES),
          reviewEveryDays: Type.Integer({ minimum: 1, maximum: 3650 }),
          ownerId: Type.Optional(Type.Integer({ minimum: 1 })),
        },
        { additionalProperties: false },
      ),
      response: { 201: PolicySchema, ...errorResponses },
    }),
    async (request, reply) => reply.status(201).send(await policies.create(request.body, request.user!)),
  );

  app.get(
    '/policies/pending',
    endpoint('employee', tags, {
      description: 'The current policy versions the caller has not acknowledged yet.',
      response: {
        200: Type.Object({
          pending: Type.Array(
            Type.Object({
              policy: PolicySchema,
              version: PolicyVersionSchema,
              remindedAt: Nullable(Type.String()),
              reminders: Type.Integer(),
            }),
          ),
        }),
        ...errorResponses,
      },
    }),
    async (request) => ({ pending: await policies.pendingFor(request.user!) }),
  );

  app.get(
    '/policies/:id',
    endpoint('employee', tags, {
      params: IdParams,
      response: {
        200: Type.Object({ policy: PolicySchema, versions: Type.Array(PolicyVersionSchema) }),
        ...errorResponses,
      },
    }),
    async (request) => policies.get(request.params.id),
  );

  app.post(
    '/policies/:id/versions',
    endpoint('agent', tags, {
      description: 'Publishes the next version (owner or admin); everyone in the audience is asked to acknowledge it.',
      params: IdParams,
      body: Type.Object({ body: Type.String({ minLength: 1, maxLength: 100_000 }) }, { additionalProperties: false }),
      response: { 201: Type.Object({ version: PolicyVersionSchema, asked: Type.Integer() }), ...errorResponses },
    }),
    async (request, reply) =>
      reply.status(201).send(await policies.publish(request.params.id, request.body.body, request.user!)),
  );

  app.post(
    '/policy-versions/:id/acknowledge',
    endpoint('employee', tags, {
      params: IdParams,
      response: {
        200: Type.Object({ acknowledged: Type.Boolean(), promotedTo: Type.Array(Type.Integer()) }),
        409: errorResponses[400],
        ...errorResponses,
      },
    }),
    async (request) => {
      await policies.acknowledge(request.params.id, request.user!);
      return { acknowledged: true, promotedTo: await ladder.evaluate(request.user!.id) };
    },
  );

  app.get(
    '/policy-versions/:id/report',
    endpoint('agent', tags, {
      description: 'Who acknowledged the version and who has not.',
      params: IdParams,
      response: {
        200: Type.Object({
          version: PolicyVersionSchema,
          acknowledged: Type.Array(AckRowSchema),
          missing: Type.Array(AckRowSchema),
        }),
        ...errorResponses,
      },
    }),
    async (request) => policies.report(request.params.id),
  );

  app.post(
    '/policies/:id/remind',
    endpoint('agent', tags, {
      params: IdParams,
      response: {
        200: Type.Object({ reminded: Type.Array(Type.Integer()) }),
        409: errorResponses[400],
        ...errorResponses,
      },
    }),
    async (request) => policies.remind(request.params.id, request.user!),
  );
};
