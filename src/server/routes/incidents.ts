/**
 * Major incidents: the list, one incident with its reports, responders, updates and their
 * per-reporter reply proposals, and what responders do: draft an update, review the batch
 * (edit, reject or approve one reply, approve all), resolve with a closing update. Who may
 * approve is decided in `src/desk/incident-desk.ts`, not here.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { notFound } from '../../domain/errors.js';
import { getPostsByIds } from '../../store/posts.js';
import {
  getIncident,
  getIncidentUpdate,
  incidentPostIds,
  listAudit,
  listIncidents,
  listIncidentUpdates,
  listProposals,
} from '../../store/incidents.js';
import { INCIDENT_STATUSES } from '../../domain/incident.js';
import { listEscalations } from '../../store/escalation.js';
import { listUsers } from '../../store/users.js';
import {
  errorResponses,
  IdParams,
  MAX_ROW_ID,
  IncidentDetailSchema,
  IncidentSchema,
  IncidentUpdateSchema,
  literals,
  ProposalSchema,
} from '../schemas.js';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';
import { presentPost } from '../present.js';
import { isIdle } from '../../desk/incidents.js';
import { listSources } from '../../store/sources.js';
import type { StoredProposal } from '../../domain/incident.js';

const Draft = Type.Object({
  update: IncidentUpdateSchema,
  proposals: Type.Array(ProposalSchema),
  skipped: Type.Array(Type.Object({ postId: Type.Integer(), reason: Type.String() })),
});
const UpdateBody = Type.Object(
  { body: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
);
const ProposalParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: MAX_ROW_ID }) });
const PostIds = Type.Array(Type.Integer({ minimum: 1, maximum: MAX_ROW_ID }), { minItems: 1, maxItems: 5000 });

export const incidentRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  const { store } = context;
  const desk = context.incidents;
  const tags = ['incidents'];
  /** Marks replies whose channel has no configured source: they cannot be sent. */
  const flagger = async () => {
    const names = new Set((await listSources(store.db)).map((source) => source.name));
    return (proposals: readonly StoredProposal[]) =>
      proposals.map((proposal) => ({ ...proposal, noSource: !names.has(proposal.source) }));
  };

  app.get(
    '/incidents',
    endpoint('agent', tags, {
      querystring: Type.Object({
        status: Type.Optional(literals(INCIDENT_STATUSES)),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
      }),
      response: { 200: Type.Object({ incidents: Type.Array(IncidentSchema) }), ...errorResponses },
    }),
    async (request) => {
      const now = context.clock().getTime();
      const incidents = await listIncidents(store.db, request.query);
      return { incidents: incidents.map((incident) => ({ ...incident, idle: isIdle(incident, now) })) };
    },
  );

  app.get(
    '/incidents/:id',
    endpoint('agent', tags, {
      params: IdParams,
      response: { 200: IncidentDetailSchema, ...errorResponses },
    }),
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
      const flag = await flagger();
      const withProposals = await Promise.all(
        updates.map(async (update) => ({ ...update, proposals: flag(await listProposals(store.db, update.id)) })),
      );
      const now = context.clock();
      return {
        incident: { ...incident, postCount: postIds.length, idle: isIdle(incident, now.getTime()) },
        posts: posts.sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map((post) => presentPost(post, now)),
        responders: users.filter((user) => incident.responders.includes(user.id)),
        updates: withProposals.reverse(),
        audit: audit.reverse(),
        escalations,
      };
    },
  );

  app.put(
    '/incidents/:id/responders',
    endpoint('agent', tags, {
      params: IdParams,
      body: Type.Object(
        { userIds: Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 100 }) },
        { additionalProperties: false },
      ),
      response: { 200: IncidentSchema, ...errorResponses },
    }),
    async (request) => desk.setResponders(request.params.id, request.body.userIds, request.user!),
  );

  app.post(
    '/incidents/:id/unlink',
    endpoint('agent', tags, {
      description: 'Unlinks reports that are about something else. Responders (or an admin); audited.',
      params: IdParams,
      body: Type.Object({ postIds: PostIds }, { additionalProperties: false }),
      response: { 200: Type.Object({ unlinked: Type.Array(Type.Integer()) }), ...errorResponses },
    }),
    async (request) => desk.unlink(request.params.id, request.body.postIds, request.user!),
  );

  app.post(
    '/incidents/:id/split',
    endpoint('agent', tags, {
      description: 'Moves reports into a new incident with the same responders. Audited on both.',
      params: IdParams,
      body: Type.Object(
        { postIds: PostIds, title: Type.Optional(Type.String({ maxLength: 200 })) },
        { additionalProperties: false },
      ),
      response: {
        201: Type.Object({ incident: IncidentSchema, moved: Type.Array(Type.Integer()) }),
        ...errorResponses,
      },
    }),
    async (request, reply) =>
      reply
        .status(201)
        .send(await desk.split(request.params.id, request.body.postIds, request.body.title, request.user!)),
  );

  app.post(
    '/incidents/:id/merge',
    endpoint('agent', tags, {
      description: 'Merges this incident into another: its reports move there and it is resolved. Audited on both.',
      params: IdParams,
      body: Type.Object({ intoId: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ incident: IncidentSchema, moved: Type.Integer() }), ...errorResponses },
    }),
    async (request) => desk.merge(request.params.id, request.body.intoId, request.user!),
  );

  app.post(
    '/incidents/:id/updates',
    endpoint('agent', tags, { params: IdParams, body: UpdateBody, response: { 201: Draft, ...errorResponses } }),
    async (request, reply) =>
      reply.status(201).send(await desk.draftUpdate(request.params.id, request.body.body, request.user!)),
  );

  app.post(
    '/incidents/:id/resolve',
    endpoint('agent', tags, {
      params: IdParams,
      body: UpdateBody,
      response: {
        200: Type.Object({ incident: IncidentSchema, closing: Draft }),
        409: errorResponses[400],
        ...errorResponses,
      },
    }),
    async (request) => desk.resolve(request.params.id, request.body.body, request.user!),
  );

  app.get(
    '/incident-updates/:id',
    endpoint('agent', tags, {
      params: IdParams,
      response: {
        200: Type.Object({ update: IncidentUpdateSchema, proposals: Type.Array(ProposalSchema) }),
        ...errorResponses,
      },
    }),
    async (request) => {
      const update = await getIncidentUpdate(store.db, request.params.id);
      if (!update) throw notFound('Incident update', request.params.id);
      return { update, proposals: (await flagger())(await listProposals(store.db, update.id)) };
    },
  );

  app.post(
    '/incident-updates/:id/approve',
    endpoint('agent', tags, {
      description:
        'Approves the update and every reply still proposed; each is queued on the reporter’s ticket. Any responder (or an admin) may.',
      params: IdParams,
      response: {
        200: Type.Object({ update: IncidentUpdateSchema, approved: Type.Integer(), queued: Type.Integer() }),
        409: errorResponses[400],
        ...errorResponses,
      },
    }),
    async (request) => desk.approveUpdate(request.params.id, request.user!),
  );

  // Approving and rejecting one reply take the same request and answer alike.
  const decision = () =>
    endpoint('agent', tags, {
      params: ProposalParams,
      response: { 200: ProposalSchema, 409: errorResponses[400], ...errorResponses },
    });
  app.post('/reply-proposals/:id/approve', decision(), async (request) =>
    desk.approveProposal(request.params.id, request.user!),
  );
  app.post('/reply-proposals/:id/reject', decision(), async (request) =>
    desk.rejectProposal(request.params.id, request.user!),
  );

  app.post(
    '/reply-proposals/:id/retry',
    endpoint('agent', tags, {
      description: 'Sends a failed reply again. Any responder (or an admin); audited.',
      params: ProposalParams,
      response: { 200: ProposalSchema, 409: errorResponses[400], ...errorResponses },
    }),
    async (request) => desk.retryProposal(request.params.id, request.user!),
  );

  app.patch(
    '/reply-proposals/:id',
    endpoint('agent', tags, {
      params: ProposalParams,
      body: Type.Object({ body: Type.String({ minLength: 1, maxLength: 20_000 }) }, { additionalProperties: false }),
      response: { 200: ProposalSchema, 409: errorResponses[400], ...errorResponses },
    }),
    async (request) => desk.editProposal(request.params.id, request.body.body, request.user!),
  );
};
