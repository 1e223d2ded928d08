/** Alerts: list them, acknowledge or close one. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ALERT_STATUSES } from '../../domain/alert.js';
import { notFound } from '../../domain/errors.js';
import { listAlerts, setAlertStatus } from '../../store/alerts.js';
import { AlertSchema, errorResponses, IdParams, literals } from '../schemas.js';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';

export const alertRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  app.get(
    '/alerts',
    endpoint('agent', ['alerts'], {
      querystring: Type.Object({
        status: Type.Optional(literals(ALERT_STATUSES)),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
      }),
      response: { 200: Type.Object({ alerts: Type.Array(AlertSchema) }), ...errorResponses },
    }),
    async (request) => ({ alerts: await listAlerts(context.store.db, request.query) }),
  );

  app.patch(
    '/alerts/:id',
    endpoint('agent', ['alerts'], {
      params: IdParams,
      body: Type.Object({ status: literals(ALERT_STATUSES) }, { additionalProperties: false }),
      response: { 200: AlertSchema, ...errorResponses },
    }),
    async (request) => {
      const alert = await setAlertStatus(
        context.store.db,
        request.params.id,
        request.body.status,
        context.clock().toISOString(),
      );
      if (!alert) throw notFound('Alert', request.params.id);
      return alert;
    },
  );
};
