/**
 * The desk's source settings: the intranet hosts and networks sources may reach although they
 * are private (an IT department's status feed, mail server or own Mastodon). Admins read and
 * replace the list; every change is validated, audited, and applied at once (running sources are
 * restarted under the new allowance, no restart of Earshot). The environment's and the config
 * file's lists are shown beside it, read-only: they are changed where they are set.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EarshotError, invalid } from '../../domain/errors.js';
import { normaliseIntranetEntries } from '../../domain/intranet-hosts.js';
import { listSources } from '../../store/sources.js';
import { listSourceSettingsAudit, writeAllowedPrivateHosts } from '../../store/source-settings.js';
import type { SourceSupervisor } from '../../sources/supervisor.js';
import { SourceSettingsBody, SourceSettingsSchema } from '../source-settings-schemas.js';
import { errorResponses } from '../schemas.js';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';

export const sourceSettingsRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  const { store, bus } = context;
  const supervisor = (): SourceSupervisor => {
    if (!context.sources) throw new EarshotError('ERR_INTERNAL');
    return context.sources;
  };

  async function current() {
    await supervisor().refreshSettings();
    const allowance = supervisor().allowance;
    return {
      allowedPrivateHosts: [...allowance.desk],
      environment: [...allowance.environment],
      configFile: [...allowance.configFile],
      effective: [...allowance.effective],
      audit: await listSourceSettingsAudit(store.db),
    };
  }

  app.get(
    '/sources/settings',
    endpoint('admin', ['sources'], { response: { 200: SourceSettingsSchema, ...errorResponses } }),
    async () => current(),
  );

  app.put(
    '/sources/settings',
    endpoint('admin', ['sources'], {
      body: SourceSettingsBody,
      response: { 200: SourceSettingsSchema, ...errorResponses },
    }),
    async (request) => {
      let hosts: string[];
      try {
        hosts = normaliseIntranetEntries(request.body.allowedPrivateHosts, 'allowedPrivateHosts');
      } catch (error) {
        throw invalid((error as Error).message);
      }
      const user = request.user!;
      await writeAllowedPrivateHosts(
        store.db,
        hosts,
        { id: user.id, username: user.username },
        context.clock().toISOString(),
      );
      await supervisor().applySettings();
      // In a cluster the node running sources hears this and restarts them under the new list.
      for (const source of await listSources(store.db))
        if (source.enabled) await bus.publish('sources.changed', { name: source.name });
      return current();
    },
  );
};
