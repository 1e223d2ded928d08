/**
 * Sources from the desk: the kinds Earshot can listen to (with their option schemas), the
 * configured sources with their health, and, for admins, adding, changing, enabling,
 * restarting and removing them. Credentials go in and never come out: responses name the
 * secret options that are set (`secretsSet`), never their values. Changes take effect at once.
 */
import { redactUrlsIn } from '../../sources/ssrf.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { EarshotError, notFound } from '../../domain/errors.js';
import {
  deleteSource,
  getSource,
  getSourceByName,
  insertSource,
  listSourceHealth,
  listSources,
  updateSource,
} from '../../store/sources.js';
import type { ConfiguredSource, SourceHealth } from '../../domain/source.js';
import { splitSecrets } from '../../sources/secrets.js';
import { findDefinition, validateSourceOptions, type SourceSupervisor } from '../../sources/supervisor.js';
import type { SourceDefinition, AnySourceDefinition } from '../../sources/source.js';
import {
  ConfiguredSourceSchema,
  SourceDefinitionSchema as DefinitionSchema,
  errorResponses,
  IdParams,
} from '../schemas.js';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';

const Options = Type.Record(Type.String(), Type.Unknown());
const CreateBody = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' }),
    kind: Type.String({ minLength: 1, maxLength: 64 }),
    options: Type.Optional(Options),
    enabled: Type.Optional(Type.Boolean()),
    skipCheck: Type.Optional(Type.Boolean({ description: 'Save without the definition’s remote check' })),
  },
  { additionalProperties: false },
);
const UpdateBody = Type.Object(
  {
    options: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description: 'Non-secret options replace the old ones; a secret left out or empty keeps its stored value',
      }),
    ),
    enabled: Type.Optional(Type.Boolean()),
    skipCheck: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const conflict = { 409: errorResponses[400], 422: errorResponses[400] };

export const sourceRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  const { store, bus } = context;
  const supervisor = (): SourceSupervisor => {
    if (!context.sources) throw new EarshotError('ERR_INTERNAL');
    return context.sources;
  };
  const changed = (name: string) => bus.publish('sources.changed', { name });

  app.get(
    '/sources/definitions',
    endpoint('agent', ['sources'], {
      response: { 200: Type.Object({ definitions: Type.Array(DefinitionSchema) }), ...errorResponses },
    }),
    async () => ({
      definitions: supervisor().definitions.map((definition) => ({
        kind: definition.kind,
        label: definition.label,
        description: definition.description,
        options: definition.options,
        secrets: [...definition.secrets],
        canCheck: typeof definition.check === 'function',
      })),
    }),
  );

  app.get(
    '/sources',
    endpoint('agent', ['sources'], {
      response: { 200: Type.Object({ sources: Type.Array(ConfiguredSourceSchema) }), ...errorResponses },
    }),
    async (request) => {
      const [sources, health] = await Promise.all([listSources(store.db), listSourceHealth(store.db)]);
      const byName = new Map(health.map((entry) => [entry.name, entry]));
      return {
        sources: sources.map((source) => {
          const shown = present(source, byName.get(source.name) ?? null, supervisor().definitions);
          // Agents see where a source reads, never the credentials or tokens in its URLs.
          return request.user!.role === 'admin'
            ? shown
            : (JSON.parse(redactUrlsIn(JSON.stringify(shown))) as typeof shown);
        }),
      };
    },
  );

  app.post(
    '/sources',
    endpoint('admin', ['sources'], {
      body: CreateBody,
      response: { 201: ConfiguredSourceSchema, ...conflict, ...errorResponses },
    }),
    async (request, reply) => {
      const { name, kind } = request.body;
      const definition = findDefinition(kind, supervisor().definitions);
      const options = validateSourceOptions(definition, name, request.body.options ?? {});
      if (await getSourceByName(store.db, name))
        throw new EarshotError('ERR_CONFLICT', { detail: `A source named "${name}" exists already` });
      if (!request.body.skipCheck) await runCheck(definition, name, options, supervisor());
      const { plain, secrets } = splitSecrets(options, definition.secrets);
      const created = await insertSource(
        store.db,
        {
          name,
          kind,
          options: plain,
          sealedSecrets: seal(supervisor(), name, secrets),
          secretsSet: Object.keys(secrets),
          enabled: request.body.enabled ?? true,
          origin: 'api',
        },
        context.clock().toISOString(),
      );
      await supervisor().reconcile(name);
      await changed(name);
      return reply.status(201).send(await presentOne(created));
    },
  );

  app.patch(
    '/sources/:id',
    endpoint('admin', ['sources'], {
      params: IdParams,
      body: UpdateBody,
      response: { 200: ConfiguredSourceSchema, ...conflict, ...errorResponses },
    }),
    async (request) => {
      const existing = await getSource(store.db, request.params.id);
      if (!existing) throw notFound('Source', request.params.id);
      let change: Parameters<typeof updateSource>[2] = {
        ...(request.body.enabled !== undefined && { enabled: request.body.enabled }),
      };
      if (request.body.options !== undefined) {
        const definition = findDefinition(existing.kind, supervisor().definitions);
        const kept = existing.sealedSecrets ? supervisor().secrets.open(existing.name, existing.sealedSecrets) : {};
        const given = splitSecrets(request.body.options, definition.secrets);
        const options = validateSourceOptions(definition, existing.name, { ...given.plain, ...kept, ...given.secrets });
        if (!request.body.skipCheck) await runCheck(definition, existing.name, options, supervisor());
        const { plain, secrets } = splitSecrets(options, definition.secrets);
        change = {
          ...change,
          options: plain,
          sealedSecrets: seal(supervisor(), existing.name, secrets),
          secretsSet: Object.keys(secrets),
        };
      }
      const updated = (await updateSource(store.db, existing.id, change, context.clock().toISOString()))!;
      await supervisor().reconcile(updated.name);
      await changed(updated.name);
      return presentOne(updated);
    },
  );

  app.post(
    '/sources/:id/restart',
    endpoint('admin', ['sources'], { params: IdParams, response: { 200: ConfiguredSourceSchema, ...errorResponses } }),
    async (request) => {
      const existing = await getSource(store.db, request.params.id);
      if (!existing) throw notFound('Source', request.params.id);
      await supervisor().reconcile(existing.name);
      await changed(existing.name);
      return presentOne(existing);
    },
  );

  app.delete(
    '/sources/:id',
    endpoint('admin', ['sources'], { params: IdParams, response: { 204: Type.Null(), ...errorResponses } }),
    async (request, reply) => {
      const existing = await getSource(store.db, request.params.id);
      if (!existing) throw notFound('Source', request.params.id);
      // Stop first, so no late health report outlives the row.
      await supervisor().stop(existing.name);
      await deleteSource(store.db, existing.id);
      await changed(existing.name);
      return reply.status(204).send(null);
    },
  );

  async function presentOne(source: ConfiguredSource) {
    const health = (await listSourceHealth(store.db)).find((entry) => entry.name === source.name) ?? null;
    return present(source, health, supervisor().definitions);
  }
};

function present(source: ConfiguredSource, health: SourceHealth | null, definitions: readonly AnySourceDefinition[]) {
  const label = definitions.find((definition) => definition.kind === source.kind)?.label ?? source.kind;
  const { sealedSecrets: _sealed, ...visible } = source;
  return { ...visible, label, health };
}

function seal(supervisor: SourceSupervisor, name: string, secrets: Record<string, string>): string | null {
  return Object.keys(secrets).length > 0 ? supervisor.secrets.seal(name, secrets) : null;
}

/** Runs the definition's check; its message is shown with any secret value masked. */
async function runCheck(
  definition: SourceDefinition,
  name: string,
  options: Record<string, unknown>,
  supervisor: SourceSupervisor,
): Promise<void> {
  if (!definition.check) return;
  // The check connects under the intranet allowance as it is now (another node may have changed it).
  await supervisor.refreshSettings();
  try {
    await definition.check(options, supervisor.environment(name));
  } catch (error) {
    // A definition's own check failure is not wrapped twice ("failed its check: … failed its check").
    let detail =
      error instanceof EarshotError && error.code === 'ERR_SOURCE_CHECK_FAILED'
        ? String(error.params?.detail ?? error.message)
        : error instanceof Error
          ? error.message
          : String(error);
    for (const field of definition.secrets) {
      const value = options[field];
      if (typeof value === 'string' && value.length >= 4) detail = detail.split(value).join('***');
    }
    throw new EarshotError('ERR_SOURCE_CHECK_FAILED', { name, detail: detail.slice(0, 500) });
  }
}
