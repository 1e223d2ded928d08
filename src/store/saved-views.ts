/**
 * Saved views, named for what the desk asks: the views one person sees (their own and the shared
 * ones), one view by id, whether a name is taken among those someone sees. Rows only: who may see
 * or change a view is decided in `src/domain/saved-view.ts` and enforced by the route.
 */
import type { Kysely, Selectable } from 'kysely';
import type { SavedView, SavedViewFilters, SavedViewScope } from '../domain/saved-view.js';
import type { Database } from './schema.js';
import type { SavedViewsTable } from './saved-views-schema.js';
import { fromJson, toCount, toJson } from './json.js';

type Db = Kysely<Database>;

/** What `userId` sees: their personal views, then the shared ones, each by name. */
export async function savedViewsSeenBy(db: Db, userId: number): Promise<SavedView[]> {
  const rows = await db
    .selectFrom('saved_views')
    .selectAll()
    .where((eb) => eb.or([eb('owner_id', '=', userId), eb('scope', '=', 'shared')]))
    .execute();
  return rows
    .map(toSavedView)
    .sort(
      (a, b) =>
        Number(a.scope === 'shared') - Number(b.scope === 'shared') || a.name.localeCompare(b.name) || a.id - b.id,
    );
}

export async function getSavedView(db: Db, id: number): Promise<SavedView | undefined> {
  const row = await db.selectFrom('saved_views').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toSavedView(row) : undefined;
}

/**
 * The view `userId` already sees under this name (their own, or a shared one), other than
 * `exceptId`: two views one person sees never share a name.
 */
export async function savedViewNamed(
  db: Db,
  input: { name: string; userId: number; exceptId?: number },
): Promise<SavedView | undefined> {
  let query = db
    .selectFrom('saved_views')
    .selectAll()
    .where('name', '=', input.name)
    .where((eb) => eb.or([eb('owner_id', '=', input.userId), eb('scope', '=', 'shared')]));
  if (input.exceptId !== undefined) query = query.where('id', '!=', input.exceptId);
  const row = await query.executeTakeFirst();
  return row ? toSavedView(row) : undefined;
}

export async function countSavedViewsOwnedBy(db: Db, userId: number): Promise<number> {
  const row = await db
    .selectFrom('saved_views')
    .select((eb) => eb.fn.countAll().as('count'))
    .where('owner_id', '=', userId)
    .executeTakeFirst();
  return toCount(row?.count);
}

export async function insertSavedView(
  db: Db,
  input: { name: string; scope: SavedViewScope; ownerId: number; filters: SavedViewFilters },
  now: string,
): Promise<SavedView> {
  const row = await db
    .insertInto('saved_views')
    .values({
      name: input.name,
      scope: input.scope,
      owner_id: input.ownerId,
      filters: toJson(input.filters),
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toSavedView(row);
}

export async function updateSavedView(
  db: Db,
  id: number,
  change: { name?: string; scope?: SavedViewScope; filters?: SavedViewFilters },
  now: string,
): Promise<SavedView | undefined> {
  const row = await db
    .updateTable('saved_views')
    .set({
      ...(change.name !== undefined ? { name: change.name } : {}),
      ...(change.scope !== undefined ? { scope: change.scope } : {}),
      ...(change.filters !== undefined ? { filters: toJson(change.filters) } : {}),
      updated_at: now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row ? toSavedView(row) : undefined;
}

export async function deleteSavedView(db: Db, id: number): Promise<boolean> {
  const result = await db.deleteFrom('saved_views').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

function toSavedView(row: Selectable<SavedViewsTable>): SavedView {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    ownerId: row.owner_id,
    filters: fromJson(row.filters, {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
