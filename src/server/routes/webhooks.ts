/**
 * Webhook subscriptions (leads and admins): a URL that receives alerts and/or new tickets as signed JSON
 * (`src/alerts/webhook-out.ts`). The signing secret is shown once, when the subscription is made.
 * A subscription can be changed (URL, events; the secret stays), sent a test on demand, and its
 * delivery log read; every change is audited.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { notFound } from '../../domain/errors.js';
import { createWebhook, deleteWebhook, listWebhooks, updateWebhook } from '../../store/escalation.js';
import { listWebhookDeliveries } from '../../store/webhook-deliveries.js';
import { sendTestWebhook } from '../../alerts/webhook-out.js';
import { WEBHOOK_EVENTS } from '../../domain/escalation.js';
import { errorResponses, IdParams, literals } from '../schemas.js';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';
import { checkWebhookUrl } from '../webhook-url.js';
import { auditSetting } from '../settings-audit.js';

const WebhookSchema = Type.Object({
  id: Type.Integer(),
  url: Type.String(),
  events: Type.Array(literals(WEBHOOK_EVENTS)),
  createdAt: Type.String(),
});
const Url = Type.String({ pattern: '^https?://', maxLength: 2000 });
const Events = Type.Array(literals(WEBHOOK_EVENTS), {
  minItems: 1,
  maxItems: WEBHOOK_EVENTS.length,
  uniqueItems: true,
});
const DeliverySchema = Type.Object({
  id: Type.Integer(),
  webhookId: Type.Integer(),
  event: Type.String(),
  test: Type.Boolean(),
  ok: Type.Boolean(),
  error: Type.Union([Type.String(), Type.Null()]),
  durationMs: Type.Integer(),
  createdAt: Type.String(),
});

export const webhookRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  const { store } = context;
  const tags = ['webhooks'];
  async function subscription(id: number) {
    const found = (await listWebhooks(store.db, context.secrets)).find((hook) => hook.id === id);
    if (!found) throw notFound('Webhook', id);
    return found;
  }

  app.get(
    '/webhooks',
    endpoint('lead', tags, {
      response: { 200: Type.Object({ webhooks: Type.Array(WebhookSchema) }), ...errorResponses },
    }),
    async () => ({
      webhooks: (await listWebhooks(store.db, context.secrets)).map(({ secret: _secret, ...rest }) => rest),
    }),
  );

  app.post(
    '/webhooks',
    endpoint('lead', tags, {
      body: Type.Object({ url: Url, events: Events }, { additionalProperties: false }),
      response: {
        201: Type.Object({
          ...WebhookSchema.properties,
          secret: Type.String({ description: 'HMAC key for X-Earshot-Signature; shown only now' }),
        }),
        ...errorResponses,
      },
    }),
    async (request, reply) => {
      await checkWebhookUrl(request.body.url, context);
      const created = await createWebhook(store.db, context.secrets, request.body, context.clock().toISOString());
      await auditSetting(context, request, {
        area: 'webhook',
        change: 'created',
        subject: created.url,
        detail: { events: created.events },
      });
      return reply.status(201).send(created);
    },
  );

  app.patch(
    '/webhooks/:id',
    endpoint('lead', tags, {
      description: 'Changes the URL or the events; the signing secret stays.',
      params: IdParams,
      body: Type.Object({ url: Type.Optional(Url), events: Type.Optional(Events) }, { additionalProperties: false }),
      response: { 200: WebhookSchema, ...errorResponses },
    }),
    async (request) => {
      const before = await subscription(request.params.id);
      if (request.body.url !== undefined) await checkWebhookUrl(request.body.url, context);
      const updated = await updateWebhook(store.db, context.secrets, before.id, request.body);
      if (!updated) throw notFound('Webhook', request.params.id);
      await auditSetting(context, request, {
        area: 'webhook',
        change: 'updated',
        subject: updated.url,
        detail: { url: { from: before.url, to: updated.url }, events: { from: before.events, to: updated.events } },
      });
      const { secret: _secret, ...rest } = updated;
      return rest;
    },
  );

  app.delete(
    '/webhooks/:id',
    endpoint('lead', tags, { params: IdParams, response: { 204: Type.Null(), ...errorResponses } }),
    async (request, reply) => {
      const hook = await subscription(request.params.id);
      if (!(await deleteWebhook(store.db, hook.id))) throw notFound('Webhook', request.params.id);
      await auditSetting(context, request, { area: 'webhook', change: 'deleted', subject: hook.url });
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/webhooks/:id/test',
    endpoint('lead', tags, {
      description: 'Sends a signed test message now, once, and answers whether it arrived (and logs it).',
      params: IdParams,
      response: {
        200: Type.Object({
          ok: Type.Boolean(),
          error: Type.Union([Type.String(), Type.Null()]),
          durationMs: Type.Number(),
        }),
        ...errorResponses,
      },
    }),
    async (request) => {
      const hook = await subscription(request.params.id);
      const outcome = await sendTestWebhook(store, hook, context.webhookGuard, context.clock);
      await auditSetting(context, request, {
        area: 'webhook',
        change: 'tested',
        subject: hook.url,
        detail: { ok: outcome.ok, error: outcome.error },
      });
      return outcome;
    },
  );

  app.get(
    '/webhooks/:id/deliveries',
    endpoint('lead', tags, {
      description: 'The delivery log, newest first: each send, test or real, and why one failed.',
      params: IdParams,
      querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })) }),
      response: { 200: Type.Object({ deliveries: Type.Array(DeliverySchema) }), ...errorResponses },
    }),
    async (request) => {
      const hook = await subscription(request.params.id);
      return { deliveries: await listWebhookDeliveries(store.db, hook.id, request.query.limit ?? 50) };
    },
  );
};
