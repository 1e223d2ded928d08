/**
 * Webhook subscriptions (admins): a URL that receives alerts and/or new tickets as signed JSON
 * (`src/alerts/webhook-out.ts`). The signing secret is shown once, when the subscription is made.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { notFound } from '../../domain/errors.js';
import { createWebhook, deleteWebhook, listWebhooks } from '../../store/escalation.js';
import { WEBHOOK_EVENTS } from '../../domain/escalation.js';
import { errorResponses, IdParams, literals } from '../schemas.js';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';
import { checkWebhookUrl } from '../webhook-url.js';

const WebhookSchema = Type.Object({
  id: Type.Integer(),
  url: Type.String(),
  events: Type.Array(literals(WEBHOOK_EVENTS)),
  createdAt: Type.String(),
});

export const webhookRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  const { store } = context;
  const tags = ['webhooks'];

  app.get(
    '/webhooks',
    endpoint('admin', tags, {
      response: { 200: Type.Object({ webhooks: Type.Array(WebhookSchema) }), ...errorResponses },
    }),
    async () => ({
      webhooks: (await listWebhooks(store.db, context.secrets)).map(({ secret: _secret, ...rest }) => rest),
    }),
  );

  app.post(
    '/webhooks',
    endpoint('admin', tags, {
      body: Type.Object(
        {
          url: Type.String({ pattern: '^https?://', maxLength: 2000 }),
          events: Type.Array(literals(WEBHOOK_EVENTS), {
            minItems: 1,
            maxItems: WEBHOOK_EVENTS.length,
            uniqueItems: true,
          }),
        },
        { additionalProperties: false },
      ),
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
      return reply
        .status(201)
        .send(await createWebhook(store.db, context.secrets, request.body, context.clock().toISOString()));
    },
  );

  app.delete(
    '/webhooks/:id',
    endpoint('admin', tags, { params: IdParams, response: { 204: Type.Null(), ...errorResponses } }),
    async (request, reply) => {
      if (!(await deleteWebhook(store.db, request.params.id))) throw notFound('Webhook', request.params.id);
      return reply.status(204).send(null);
    },
  );
};
