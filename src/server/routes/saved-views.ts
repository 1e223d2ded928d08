/**
 * Saved views of the work queue: each person lists their own and the shared ones, saves the
 * inbox's current tab, order, filters and search under a name, renames, changes and deletes. A
 * personal view is its owner's alone: to anyone else it does not exist (404, never 403, so its
 * name is not given away). A shared view is changed by its owner, a lead or an admin; only its
 * owner moves it between personal and shared. Changes to shared views go to the settings audit.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { EarshotError, notFound } from '../../domain/errors.js';
import {
  canChangeSavedView,
  canSeeSavedView,
  MAX_SAVED_VIEWS_PER_OWNER,
  type SavedView,
} from '../../domain/saved-view.js';
import type { User } from '../../domain/user.js';
import {
  countSavedViewsOwnedBy,
  deleteSavedView,
  getSavedView,
  insertSavedView,
  savedViewNamed,
  savedViewsSeenBy,
  updateSavedView,
} from '../../store/saved-views.js';
import { errorResponses, IdParams } from '../schemas.js';
import {
  SavedViewChange,
  SavedViewInput,
  SavedViewSchema,
  type SavedViewFiltersWire,
  type SavedViewWire,
} from '../saved-view-schemas.js';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';
import { auditSetting } from '../settings-audit.js';

const tags = ['tickets'];
const conflict = { 409: errorResponses[400] };

export const savedViewRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  const { store } = context;
  const now = () => context.clock().toISOString();

  /** The view as this caller may know it: a personal view of someone else is not found. */
  async function visible(id: number, caller: User): Promise<SavedView> {
    const view = await getSavedView(store.db, id);
    if (!view || !canSeeSavedView(caller, view)) throw notFound('Saved view', id);
    return view;
  }

  /** Two views one person sees never share a name: the owner's own and the shared ones are checked. */
  async function nameFree(name: string, ownerId: number, exceptId?: number) {
    const taken = await savedViewNamed(store.db, { name, userId: ownerId, exceptId });
    if (taken)
      throw new EarshotError('ERR_CONFLICT', {
        detail: `A ${taken.scope} view named "${name}" exists already; pick another name`,
      });
  }

  app.get(
    '/saved-views',
    endpoint('agent', tags, {
      description: 'The caller’s personal saved views, then the shared ones, each by name',
      response: { 200: Type.Object({ views: Type.Array(SavedViewSchema) }), ...errorResponses },
    }),
    async (request) => ({
      views: (await savedViewsSeenBy(store.db, request.user!.id)).map((view) => present(view, request.user!)),
    }),
  );

  app.get(
    '/saved-views/:id',
    endpoint('agent', tags, { params: IdParams, response: { 200: SavedViewSchema, ...errorResponses } }),
    async (request) => present(await visible(request.params.id, request.user!), request.user!),
  );

  app.post(
    '/saved-views',
    endpoint('agent', tags, {
      description: 'Saves the inbox’s tab, order, filters and search under a name, for the caller or the whole team',
      body: SavedViewInput,
      response: { 201: SavedViewSchema, ...conflict, ...errorResponses },
    }),
    async (request, reply) => {
      const caller = request.user!;
      const name = request.body.name.trim();
      await nameFree(name, caller.id);
      if ((await countSavedViewsOwnedBy(store.db, caller.id)) >= MAX_SAVED_VIEWS_PER_OWNER)
        throw new EarshotError('ERR_CONFLICT', {
          detail: `You have ${MAX_SAVED_VIEWS_PER_OWNER} saved views, the most one person keeps; delete one first`,
        });
      const view = await insertSavedView(
        store.db,
        { name, scope: request.body.scope, ownerId: caller.id, filters: request.body.filters },
        now(),
      );
      if (view.scope === 'shared')
        await auditSetting(context, request, {
          area: 'saved-view',
          change: 'created',
          subject: view.name,
          detail: { filters: view.filters },
        });
      return reply.status(201).send(present(view, caller));
    },
  );

  app.patch(
    '/saved-views/:id',
    endpoint('agent', tags, {
      description: 'Renames a saved view, changes its filters, or (its owner only) makes it personal or shared',
      params: IdParams,
      body: SavedViewChange,
      response: { 200: SavedViewSchema, ...conflict, ...errorResponses },
    }),
    async (request) => {
      const caller = request.user!;
      const before = await visible(request.params.id, caller);
      mayChange(caller, before);
      if (request.body.scope !== undefined && request.body.scope !== before.scope && before.ownerId !== caller.id)
        throw new EarshotError('ERR_AUTH_FORBIDDEN', {
          role: caller.role,
          needed: 'the view’s owner (to make it personal or shared)',
        });
      const name = request.body.name?.trim();
      if (name !== undefined && name !== before.name) await nameFree(name, before.ownerId, before.id);
      const view = await updateSavedView(store.db, before.id, { ...request.body, name }, now());
      if (!view) throw notFound('Saved view', request.params.id);
      if (before.scope === 'shared' || view.scope === 'shared')
        await auditSetting(context, request, {
          area: 'saved-view',
          change: 'updated',
          subject: view.name,
          detail: changes(before, view),
        });
      return present(view, caller);
    },
  );

  app.delete(
    '/saved-views/:id',
    endpoint('agent', tags, { params: IdParams, response: { 204: Type.Null(), ...errorResponses } }),
    async (request, reply) => {
      const caller = request.user!;
      const view = await visible(request.params.id, caller);
      mayChange(caller, view);
      if (!(await deleteSavedView(store.db, view.id))) throw notFound('Saved view', request.params.id);
      if (view.scope === 'shared')
        await auditSetting(context, request, { area: 'saved-view', change: 'deleted', subject: view.name });
      return reply.status(204).send(null);
    },
  );
};

function mayChange(caller: User, view: SavedView): void {
  if (!canChangeSavedView(caller, view))
    throw new EarshotError('ERR_AUTH_FORBIDDEN', {
      role: caller.role,
      needed: 'the view’s owner, a lead or an admin (to change a shared view)',
    });
}

function present(view: SavedView, caller: User): SavedViewWire {
  return {
    ...view,
    // Stored only after the same schema accepted them.
    filters: view.filters as SavedViewFiltersWire,
    canChange: canChangeSavedView(caller, view),
  };
}

/** What a change did, for the audit: each field before and after, only those that differ. */
function changes(before: SavedView, after: SavedView): Record<string, unknown> {
  const detail: Record<string, unknown> = {};
  for (const key of ['name', 'scope', 'filters'] as const)
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) detail[key] = { from: before[key], to: after[key] };
  return detail;
}
