/**
 * Escalation: how each person is reached (e-mail, webhook), on-call schedules and escalation
 * policies (leads and admins edit them), running escalations, and acknowledging one: in the desk, or by
 * the link in a notification, which acknowledges as the person it was sent to without a login
 * (the link's token is the credential; GET only shows a button, so link previewers cannot ack).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { invalid, notFound } from '../../domain/errors.js';
import { acknowledgeByToken, acknowledgeEscalation } from '../../alerts/escalation-runner.js';
import {
  deletePolicy,
  deleteSchedule,
  getContacts,
  getEscalation,
  listEscalations,
  listPolicies,
  listSchedules,
  savePolicy,
  saveSchedule,
  setContact,
} from '../../store/escalation.js';
import { EarshotError } from '../../domain/errors.js';
import { auditSetting } from '../settings-audit.js';
import { ESCALATION_STATUSES, type StoredPolicy, type StoredSchedule } from '../../domain/escalation.js';
import { hasRole, type User } from '../../domain/user.js';
import { getUser, listUsers } from '../../store/users.js';
import { errorResponses, EscalationSchema, IdParams, literals } from '../schemas.js';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';
import { checkWebhookUrl } from '../webhook-url.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const SlugParams = Type.Object({ id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,39}$' }) });
const ContactInput = Type.Object(
  {
    email: Nullable(Type.String({ format: 'email', maxLength: 320 })),
    webhookUrl: Nullable(Type.String({ pattern: '^https?://', maxLength: 2000 })),
  },
  { additionalProperties: false },
);
const ContactSchema = Type.Object({
  userId: Type.Integer(),
  email: Nullable(Type.String()),
  webhookUrl: Nullable(Type.String()),
  webhookSecret: Nullable(Type.String()),
});
const Iso = Type.String({ format: 'date-time' });
const ScheduleInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 80 }),
    userIds: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 100 }),
    startsAt: Iso,
    shiftHours: Type.Integer({ minimum: 1, maximum: 24 * 14 }),
    overrides: Type.Optional(
      Type.Array(
        Type.Object({ userId: Type.Integer({ minimum: 1 }), from: Iso, to: Iso }, { additionalProperties: false }),
        { maxItems: 200 },
      ),
    ),
  },
  { additionalProperties: false },
);
const ScheduleSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  userIds: Type.Array(Type.Integer()),
  startsAt: Type.String(),
  shiftHours: Type.Integer(),
  overrides: Type.Array(Type.Object({ userId: Type.Integer(), from: Type.String(), to: Type.String() })),
});
const Target = Type.Union([
  Type.Object({ userId: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
  Type.Object({ scheduleId: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
]);
const StepSchema = Type.Object(
  {
    targets: Type.Array(Target, { minItems: 1, maxItems: 20 }),
    waitMinutes: Type.Integer({ minimum: 1, maximum: 24 * 60 }),
  },
  { additionalProperties: false },
);
const PolicyInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 80 }),
    steps: Type.Array(StepSchema, { minItems: 1, maxItems: 20 }),
    repeat: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
    isDefault: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const PolicySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  steps: Type.Array(StepSchema),
  repeat: Type.Optional(Type.Integer()),
  isDefault: Type.Boolean(),
});
const EscalationParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

export const escalationRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  const { store } = context;
  const tags = ['escalation'];
  // The acknowledgement page posts a plain HTML form; only this plugin reads such bodies.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );

  async function contactOf(userId: number) {
    const [contact] = await getContacts(store.db, context.secrets, [userId]);
    return contact ?? { userId, email: null, webhookUrl: null, webhookSecret: null };
  }

  app.get(
    '/me/contact',
    endpoint('agent', tags, { response: { 200: ContactSchema, ...errorResponses } }),
    async (request) => contactOf(request.user!.id),
  );

  app.put(
    '/me/contact',
    endpoint('agent', tags, { body: ContactInput, response: { 200: ContactSchema, ...errorResponses } }),
    async (request) => {
      await checkWebhookUrl(request.body.webhookUrl, context);
      return setContact(store.db, context.secrets, request.user!.id, request.body, context.clock().toISOString());
    },
  );

  app.put(
    '/users/:id/contact',
    endpoint('lead', tags, {
      params: IdParams,
      body: ContactInput,
      response: { 200: ContactSchema, ...errorResponses },
    }),
    async (request) => {
      const user = await getUser(store.db, request.params.id);
      if (!user) throw notFound('User', request.params.id);
      mayEditContactOf(request.user!, user);
      await checkWebhookUrl(request.body.webhookUrl, context);
      const before = await contactOf(user.id);
      const contact = await setContact(
        store.db,
        context.secrets,
        request.params.id,
        request.body,
        context.clock().toISOString(),
      );
      await auditSetting(context, request, {
        area: 'contact',
        change: before.email === null && before.webhookUrl === null ? 'created' : 'updated',
        subject: user.username,
        detail: { email: contact.email, webhookUrl: contact.webhookUrl },
      });
      return contact;
    },
  );

  app.get(
    '/escalation/contacts',
    endpoint('lead', tags, {
      description: 'How each person is reached, for everyone with a contact set.',
      response: { 200: Type.Object({ contacts: Type.Array(ContactSchema) }), ...errorResponses },
    }),
    async () => {
      const users = await listUsers(store.db);
      const contacts = await getContacts(
        store.db,
        context.secrets,
        users.map((user) => user.id),
      );
      return { contacts: contacts.filter((contact) => contact.email !== null || contact.webhookUrl !== null) };
    },
  );

  app.delete(
    '/users/:id/contact',
    endpoint('lead', tags, { params: IdParams, response: { 204: Type.Null(), ...errorResponses } }),
    async (request, reply) => {
      const user = await getUser(store.db, request.params.id);
      if (!user) throw notFound('User', request.params.id);
      mayEditContactOf(request.user!, user);
      await setContact(
        store.db,
        context.secrets,
        user.id,
        { email: null, webhookUrl: null },
        context.clock().toISOString(),
      );
      await auditSetting(context, request, { area: 'contact', change: 'deleted', subject: user.username });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/escalation/schedules',
    endpoint('agent', tags, {
      response: { 200: Type.Object({ schedules: Type.Array(ScheduleSchema) }), ...errorResponses },
    }),
    async () => ({
      schedules: (await listSchedules(store.db)).map(scheduleOut),
    }),
  );

  app.put(
    '/escalation/schedules/:id',
    endpoint('lead', tags, {
      params: SlugParams,
      body: ScheduleInput,
      response: { 200: ScheduleSchema, ...errorResponses },
    }),
    async (request) => {
      for (const id of [...request.body.userIds, ...(request.body.overrides ?? []).map((o) => o.userId)])
        if (!(await getUser(store.db, id))) throw invalid(`No user ${id}`);
      for (const override of request.body.overrides ?? [])
        if (Date.parse(override.from) >= Date.parse(override.to)) throw invalid('An override must end after it starts');
      const existed = (await listSchedules(store.db)).some((schedule) => schedule.id === request.params.id);
      const saved = scheduleOut(
        await saveSchedule(store.db, { id: request.params.id, ...request.body }, context.clock().toISOString()),
      );
      await auditSetting(context, request, {
        area: 'schedule',
        change: existed ? 'updated' : 'created',
        subject: saved.id,
        detail: { name: saved.name, userIds: saved.userIds, shiftHours: saved.shiftHours },
      });
      return saved;
    },
  );

  app.delete(
    '/escalation/schedules/:id',
    endpoint('lead', tags, {
      params: SlugParams,
      response: { 204: Type.Null(), 409: errorResponses[400], ...errorResponses },
    }),
    async (request, reply) => {
      // A policy step that pages a deleted schedule would page no one: refuse, and say which.
      const users = (await listPolicies(store.db)).filter((policy) =>
        policy.steps.some((step) =>
          step.targets.some((target) => 'scheduleId' in target && target.scheduleId === request.params.id),
        ),
      );
      if (users.length > 0)
        throw new EarshotError('ERR_CONFLICT', {
          detail: `The escalation ${users.length === 1 ? 'policy' : 'policies'} ${users.map((policy) => `"${policy.name}"`).join(', ')} page this schedule; change them first`,
        });
      if (!(await deleteSchedule(store.db, request.params.id))) throw notFound('On-call schedule', request.params.id);
      await auditSetting(context, request, { area: 'schedule', change: 'deleted', subject: request.params.id });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/escalation/policies',
    endpoint('agent', tags, {
      response: { 200: Type.Object({ policies: Type.Array(PolicySchema) }), ...errorResponses },
    }),
    async () => ({
      policies: (await listPolicies(store.db)).map(policyOut),
    }),
  );

  app.put(
    '/escalation/policies/:id',
    endpoint('lead', tags, {
      params: SlugParams,
      body: PolicyInput,
      response: { 200: PolicySchema, ...errorResponses },
    }),
    async (request) => {
      const schedules = new Set((await listSchedules(store.db)).map((schedule) => schedule.id));
      for (const step of request.body.steps) {
        for (const target of step.targets) {
          if ('scheduleId' in target && !schedules.has(target.scheduleId))
            throw invalid(`No on-call schedule "${target.scheduleId}"`);
          if ('userId' in target && !(await getUser(store.db, target.userId)))
            throw invalid(`No user ${target.userId}`);
        }
      }
      const existed = (await listPolicies(store.db)).some((policy) => policy.id === request.params.id);
      const saved = policyOut(
        await savePolicy(
          store.db,
          {
            id: request.params.id,
            name: request.body.name,
            steps: request.body.steps,
            repeat: request.body.repeat ?? 0,
            isDefault: request.body.isDefault ?? false,
          },
          context.clock().toISOString(),
        ),
      );
      await auditSetting(context, request, {
        area: 'policy',
        change: existed ? 'updated' : 'created',
        subject: saved.id,
        detail: { name: saved.name, steps: saved.steps, repeat: saved.repeat, isDefault: saved.isDefault },
      });
      return saved;
    },
  );

  app.delete(
    '/escalation/policies/:id',
    endpoint('lead', tags, { params: SlugParams, response: { 204: Type.Null(), ...errorResponses } }),
    async (request, reply) => {
      if (!(await deletePolicy(store.db, request.params.id))) throw notFound('Escalation policy', request.params.id);
      await auditSetting(context, request, { area: 'policy', change: 'deleted', subject: request.params.id });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/escalations',
    endpoint('agent', tags, {
      querystring: Type.Object({ status: Type.Optional(literals(ESCALATION_STATUSES)) }),
      response: { 200: Type.Object({ escalations: Type.Array(EscalationSchema) }), ...errorResponses },
    }),
    async (request) => ({ escalations: await listEscalations(store.db, request.query) }),
  );

  app.post(
    '/escalations/:id/ack',
    endpoint('agent', tags, {
      params: EscalationParams,
      response: { 200: EscalationSchema, 409: errorResponses[400], ...errorResponses },
    }),
    async (request) => {
      const acknowledged = await acknowledgeEscalation(context, request.params.id, request.user!.id, context.clock());
      if (acknowledged) return acknowledged;
      const escalation = await getEscalation(store.db, request.params.id);
      if (!escalation) throw notFound('Escalation', request.params.id);
      return escalation;
    },
  );

  const TokenQuery = Type.Object({ token: Type.String({ minLength: 20, maxLength: 100 }) });
  app.get('/escalations/ack', endpoint('public', tags, { querystring: TokenQuery }), async (request, reply) => {
    const token = request.query.token.replace(/[^A-Za-z0-9_-]/g, '');
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .send(
        page(
          'Acknowledge the escalation',
          `<form method="post" action="/api/escalations/ack"><input type="hidden" name="token" value="${token}"><button type="submit">I’m on it — acknowledge</button></form>`,
        ),
      );
  });

  app.post('/escalations/ack', endpoint('public', tags, { body: TokenQuery }), async (request, reply) => {
    const result = await acknowledgeByToken(context, request.body.token, context.clock());
    if (!result) throw notFound('Acknowledgement link', 'given');
    const who = (await getUser(store.db, result.userId))?.displayName ?? `User ${result.userId}`;
    const by =
      result.escalation.acknowledgedBy !== null
        ? ((await getUser(store.db, result.escalation.acknowledgedBy))?.displayName ??
          `user ${result.escalation.acknowledgedBy}`)
        : null;
    const text = result.already
      ? `This escalation is ${result.escalation.status}${by ? ` (acknowledged by ${escapeHtml(by)})` : ''}. Nothing more to do.`
      : `Thanks, ${escapeHtml(who)}: “${escapeHtml(result.escalation.subject)}” is acknowledged and the escalation stopped. You are now a responder.`;
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(page('Acknowledged', `<p>${text}</p>`));
  });
};

/** The stored shapes are readonly; the response schemas want plain arrays. */
function scheduleOut(schedule: StoredSchedule) {
  return {
    id: schedule.id,
    name: schedule.name,
    userIds: [...schedule.userIds],
    startsAt: schedule.startsAt,
    shiftHours: schedule.shiftHours,
    overrides: (schedule.overrides ?? []).map((o) => ({ ...o })),
  };
}

function policyOut(policy: StoredPolicy) {
  return {
    id: policy.id,
    name: policy.name,
    repeat: policy.repeat ?? 0,
    isDefault: policy.isDefault,
    steps: policy.steps.map((step) => ({
      waitMinutes: step.waitMinutes,
      targets: step.targets.map((target) => ({ ...target })),
    })),
  };
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title} · Earshot</title></head><body style="font-family:system-ui;max-width:32rem;margin:3rem auto;padding:0 1rem"><h1>${title}</h1>${body}</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A lead sets how the team is reached, but not how an admin is: redirecting an admin's escalations
 * to an address of the lead's choosing would be a way around the admin's own settings.
 */
function mayEditContactOf(caller: User, subject: User): void {
  if (subject.role === 'admin' && !hasRole(caller, 'admin'))
    throw new EarshotError('ERR_AUTH_FORBIDDEN', { role: caller.role, needed: 'admin (to change an admin’s contact)' });
}
