/**
 * The service catalogue and its improvement register. Reading is for agents; changing a
 * service (its owner, custody, targets) and its improvement actions is for admins. A
 * service comes back with its rotation state and the look-alike accounts imitating it.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { calendarProblem } from '../../domain/calendar.js';
import { EarshotError, invalid, notFound } from '../../domain/errors.js';
import { rotationState, type Service } from '../../domain/service.js';
import { measure } from '../../reports/measures.js';
import { measureValue } from '../../reports/report.js';
import { lookalikesOf } from '../../services/lookalikes.js';
import {
  createImprovement,
  createService,
  deleteService,
  getService,
  getServiceByName,
  listImprovements,
  listServices,
  updateImprovement,
  updateService,
} from '../../store/services.js';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';
import { errorResponses, IdParams } from '../schemas.js';
import {
  ImprovementInputSchema,
  ImprovementSchema,
  type ServiceInput,
  ServiceInputSchema,
  ServiceSchema,
  type ServiceView,
} from '../service-schemas.js';

const BASELINE_DAYS = 30;

export const serviceRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  const { store } = context;
  const db = store.db;

  const present = async (services: readonly Service[]): Promise<ServiceView[]> => {
    const lookalikes = await lookalikesOf(db, services);
    const now = context.clock();
    return services.map((service) => ({
      ...service,
      sources: [...service.sources],
      handles: [...service.handles],
      hours: service.hours
        ? { ...service.hours, weekly: [...service.hours.weekly], holidays: [...service.hours.holidays] }
        : null,
      rotation: rotationState(service.custody, now),
      lookalikes: lookalikes.get(service.id) ?? [],
    }));
  };
  const check = (input: Partial<ServiceInput>) => {
    if (input.hours) {
      const problem = calendarProblem(input.hours);
      if (problem) throw invalid(`hours: ${problem}`);
    }
  };
  const unique = async (name: string | undefined, id?: number) => {
    if (name === undefined) return;
    const same = await getServiceByName(db, name);
    if (same && same.id !== id)
      throw new EarshotError('ERR_CONFLICT', { detail: `A service named "${name}" exists already` });
  };

  app.get(
    '/services',
    endpoint('agent', ['services'], {
      response: { 200: Type.Object({ services: Type.Array(ServiceSchema) }), ...errorResponses },
    }),
    async () => ({ services: await present(await listServices(db)) }),
  );

  app.get(
    '/services/:id',
    endpoint('agent', ['services'], { params: IdParams, response: { 200: ServiceSchema, ...errorResponses } }),
    async (request) => {
      const service = await getService(db, request.params.id);
      if (!service) throw notFound('Service', request.params.id);
      return (await present([service]))[0]!;
    },
  );

  app.post(
    '/services',
    endpoint('admin', ['services'], {
      body: ServiceInputSchema,
      response: { 201: ServiceSchema, 409: errorResponses[400], ...errorResponses },
    }),
    async (request, reply) => {
      check(request.body);
      await unique(request.body.name);
      const service = await createService(db, request.body, context.clock().toISOString());
      return reply.status(201).send((await present([service]))[0]!);
    },
  );

  app.patch(
    '/services/:id',
    endpoint('admin', ['services'], {
      params: IdParams,
      body: Type.Partial(ServiceInputSchema),
      response: { 200: ServiceSchema, 409: errorResponses[400], ...errorResponses },
    }),
    async (request) => {
      check(request.body);
      await unique(request.body.name, request.params.id);
      const service = await updateService(db, request.params.id, request.body, context.clock().toISOString());
      if (!service) throw notFound('Service', request.params.id);
      return (await present([service]))[0]!;
    },
  );

  app.delete(
    '/services/:id',
    endpoint('admin', ['services'], { params: IdParams, response: { 204: Type.Null(), ...errorResponses } }),
    async (request, reply) => {
      if (!(await deleteService(db, request.params.id))) throw notFound('Service', request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/services/:id/improvements',
    endpoint('agent', ['services'], {
      params: IdParams,
      response: { 200: Type.Object({ improvements: Type.Array(ImprovementSchema) }), ...errorResponses },
    }),
    async (request) => {
      if (!(await getService(db, request.params.id))) throw notFound('Service', request.params.id);
      return { improvements: await listImprovements(db, request.params.id) };
    },
  );

  app.post(
    '/services/:id/improvements',
    endpoint('admin', ['services'], {
      params: IdParams,
      body: ImprovementInputSchema,
      response: { 201: ImprovementSchema, ...errorResponses },
    }),
    async (request, reply) => {
      const service = await getService(db, request.params.id);
      if (!service) throw notFound('Service', request.params.id);
      const now = context.clock();
      let baseline = request.body.baseline;
      // No baseline given: the measure over the last 30 days, so "before" is never a guess.
      if (baseline === undefined) {
        const period = {
          from: new Date(now.getTime() - BASELINE_DAYS * 86_400_000).toISOString(),
          to: now.toISOString(),
        };
        const measures = await measure(db, period, { scope: { sources: service.sources }, calendar: service.hours });
        baseline = measureValue(measures, request.body.measure);
      }
      const action = await createImprovement(db, service.id, { ...request.body, baseline }, now.toISOString());
      return reply.status(201).send(action);
    },
  );

  app.patch(
    '/improvements/:id',
    endpoint('admin', ['services'], {
      params: IdParams,
      body: Type.Partial(ImprovementInputSchema),
      response: { 200: ImprovementSchema, ...errorResponses },
    }),
    async (request) => {
      const action = await updateImprovement(db, request.params.id, request.body, context.clock().toISOString());
      if (!action) throw notFound('Improvement action', request.params.id);
      return action;
    },
  );
};
