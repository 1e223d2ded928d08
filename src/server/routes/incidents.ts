/**
 * Major incidents: the list, one incident with its reports, responders, updates and their
 * per-reporter reply proposals, and what responders do: draft an update, review the batch
 * (edit, reject or approve one reply, approve all), resolve with a closing update. Who may
 * approve is decided in `src/desk/incident-desk.ts`, not here.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { notFound } from '../../domain/errors.js';
import { IncidentDesk } from '../../desk/incident-desk.js';
import { getPostsByIds } from '../../store/posts.js';
import { withInfluence } from '../../analysis/influence.js';
import { getIncident, getIncidentUpdate, incidentPostIds, listAudit, listIncidents, listIncidentUpdates, listProposals } from '../../store/incidents.js';
import { INCIDENT_STATUSES, PROPOSAL_STATUSES } from '../../domain/incident.js';
import { listEscalations } from '../../store/escalation.js';
import { listUsers } from '../../store/users.js';
import { REPLY_VISIBILITIES } from '../../domain/ticket.js';
import { errorResponses, IdParams, literals, PostSchema, UserSchema } from '../schemas.js';
import type { RouteContext } from '../app.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const IncidentSchema = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  status: literals(INCIDENT_STATUSES),
  severity: Type.String(),
  responders: Type.Array(Type.Integer()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  resolvedAt: Nullable(Type.String()),
  postCount: Type.Optional(Type.Integer()),
});

export const FindingSchema = Type.Object({
  rule: Type.String(),
  level: Type.String(),
  message: Type.String(),
  span: Type.Optional(Type.Unsafe<readonly [number, number]>(Type.Array(Type.Integer(), { minItems: 2, maxItems: 2 }))),
});

export const ProposalSchema = Type.Object({
  id: Type.Integer(),
  incidentId: Type.Integer(),
  updateId: Type.Integer(),
  postId: Type.Integer(),
  source: Type.String(),
  recipient: Type.String(),
  inReplyTo: Nullable(Type.String()),
  visibility: literals(REPLY_VISIBILITIES),
  body: Type.String(),
  findings: Type.Array(FindingSchema),
  guidelineVersion: Type.Integer(),
  sendAfter: Type.String(),
  status: literals(PROPOSAL_STATUSES),
});

export const IncidentUpdateSchema = Type.Object({
  id: Type.Integer(),
  incidentId: Type.Integer(),
  kind: Type.String(),
  body: Type.String(),
  authorId: Nullable(Type.Integer()),
  status: Type.String(),
  createdAt: Type.String(),
  approvedAt: Nullable(Type.String()),
});

const AuditSchema = Type.Object({ id: Type.Integer(), actorId: Nullable(Type.Integer()), action: Type.String(), data: Type.Record(Type.String(), Type.Unknown()), createdAt: Type.String() });
const EscalationSummary = Type.Object({ id: Type.String(), status: Type.String(), step: Type.Integer(), round: Type.Integer(), deadline: Type.String(), notified: Type.Array(Type.Integer()), acknowledgedBy: Nullable(Type.Integer()), acknowledgedAt: Nullable(Type.String()) });
const Draft = Type.Object({ update: IncidentUpdateSchema, proposals: Type.Array(ProposalSchema), skipped: Type.Array(Type.Object({ postId: Type.Integer(), reason: Type.String() })) });
const UpdateBody = Type.Object({ body: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false });
const ProposalParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export const incidentRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  const { store } = context;
  const desk = new IncidentDesk({ store, bus: context.bus, clock: context.clock });
  const tags = ['incidents'];

  app.get(
    '/incidents',
    {
      config: { role: 'agent' },
      schema: { tags, querystring: Type.Object({ status: Type.Optional(literals(INCIDENT_STATUSES)), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }), response: { 200: Type.Object({ incidents: Type.Array(IncidentSchema) }), ...errorResponses } },
    },
    async (request) => ({ incidents: await listIncidents(store.db, request.query) }),
  );

  app.get(
    '/incidents/:id',
    {
      config: { role: 'agent' },
      schema: {
        tags,
        params: IdParams,
        response: {
          200: Type.Object({
            incident: IncidentSchema,
            posts: Type.Array(PostSchema),
            responders: Type.Array(UserSchema),
            updates: Type.Array(Type.Intersect([IncidentUpdateSchema, Type.Object({ proposals: Type.Array(ProposalSchema) })])),
            audit: Type.Array(AuditSchema),
            escalations: Type.Array(EscalationSummary),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const incident = await getIncident(store.db, request.params.id);
      if (!incident) throw notFound('Incident', request.params.id);
      const postIds = await incidentPostIds(store.db, incident.id);
      const [posts, users, updates, audit, escalations] = await Promise.all([
        getPostsByIds(store.db, postIds.slice(-500)),
        listUsers(store.db),
        listIncidentUpdates(store.db, incident.id),
        listAudit(store.db, incident.id),
        listEscalations(store.db, { incidentId: incident.id }),
      ]);
      const withProposals = await Promise.all(updates.map(async (update) => ({ ...update, proposals: await listProposals(store.db, update.id) })));
      const now = context.clock();
      return {
        incident: { ...incident, postCount: postIds.length },
        posts: posts.sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map((post) => withInfluence(post, now)),
        responders: users.filter((user) => incident.responders.includes(user.id)),
        updates: withProposals.reverse(),
        audit: audit.reverse(),
        escalations,
      };
    },
  );

  app.put(
    '/incidents/:id/responders',
    {
      config: { role: 'agent' },
      schema: { tags, params: IdParams, body: Type.Object({ userIds: Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 100 }) }, { additionalProperties: false }), response: { 200: IncidentSchema, ...errorResponses } },
    },
    async (request) => desk.setResponders(request.params.id, request.body.userIds, request.user!),
  );

  app.post(
    '/incidents/:id/updates',
    { config: { role: 'agent' }, schema: { tags, params: IdParams, body: UpdateBody, response: { 201: Draft, ...errorResponses } } },
    async (request, reply) => reply.status(201).send(await desk.draftUpdate(request.params.id, request.body.body, request.user!)),
  );

  app.post(
    '/incidents/:id/resolve',
    {
      config: { role: 'agent' },
      schema: { tags, params: IdParams, body: UpdateBody, response: { 200: Type.Object({ incident: IncidentSchema, closing: Draft }), 409: errorResponses[400], ...errorResponses } },
    },
    async (request) => desk.resolve(request.params.id, request.body.body, request.user!),
  );

  app.get(
    '/incident-updates/:id',
    { config: { role: 'agent' }, schema: { tags, params: IdParams, response: { 200: Type.Object({ update: IncidentUpdateSchema, proposals: Type.Array(ProposalSchema) }), ...errorResponses } } },
    async (request) => {
      const update = await getIncidentUpdate(store.db, request.params.id);
      if (!update) throw notFound('Incident update', request.params.id);
      return { update, proposals: await listProposals(store.db, update.id) };
    },
  );

  app.post(
    '/incident-updates/:id/approve',
    {
      config: { role: 'agent' },
      schema: {
        tags,
        description: 'Approves the update and every reply still proposed; each is queued on the reporter’s ticket. Any responder (or an admin) may.',
        params: IdParams,
        response: { 200: Type.Object({ update: IncidentUpdateSchema, approved: Type.Integer(), queued: Type.Integer() }), 409: errorResponses[400], ...errorResponses },
      },
    },
    async (request) => desk.approveUpdate(request.params.id, request.user!),
  );

  app.post(
    '/reply-proposals/:id/approve',
    { config: { role: 'agent' }, schema: { tags, params: ProposalParams, response: { 200: ProposalSchema, 409: errorResponses[400], ...errorResponses } } },
    async (request) => desk.approveProposal(request.params.id, request.user!),
  );

  app.post(
    '/reply-proposals/:id/reject',
    { config: { role: 'agent' }, schema: { tags, params: ProposalParams, response: { 200: ProposalSchema, 409: errorResponses[400], ...errorResponses } } },
    async (request) => desk.rejectProposal(request.params.id, request.user!),
  );

  app.patch(
    '/reply-proposals/:id',
    { config: { role: 'agent' }, schema: { tags, params: ProposalParams, body: Type.Object({ body: Type.String({ minLength: 1, maxLength: 20_000 }) }, { additionalProperties: false }), response: { 200: ProposalSchema, 409: errorResponses[400], ...errorResponses } } },
    async (request) => desk.editProposal(request.params.id, request.body.body, request.user!),
  );
};
