/**
 * Saved views of the work queue: a name for one way of looking at the inbox (its tab, order,
 * filters and search text), kept for one person or shared with the whole team. The filters are
 * the tickets list's own query fields (`GET /api/tickets`), so a view means on the server what it
 * means in the desk.
 */
import { hasRole, type User } from './user.js';

/** `personal`: only its owner sees it. `shared`: everyone on the desk sees it. */
export const SAVED_VIEW_SCOPES = ['personal', 'shared'] as const;
export type SavedViewScope = (typeof SAVED_VIEW_SCOPES)[number];

/** The inbox's tabs, each a status set (and for some an assignee or the breached flag). */
export const SAVED_VIEW_QUEUES = ['open', 'mine', 'unassigned', 'breached', 'done'] as const;
export type SavedViewQueue = (typeof SAVED_VIEW_QUEUES)[number];

/** The fields a view's filters may hold: the tab, then the tickets list's order, filters and search. */
export const SAVED_VIEW_FIELDS = [
  'queue',
  'sort',
  'kind',
  'channel',
  'sentiment',
  'language',
  'assignee',
  'q',
] as const;
export type SavedViewField = (typeof SAVED_VIEW_FIELDS)[number];

/** Each field as the tickets list reads it; an absent field is "any". */
export type SavedViewFilters = { readonly [Field in SavedViewField]?: string };

/** How many views one person may own (personal and shared together): a list, not a database. */
export const MAX_SAVED_VIEWS_PER_OWNER = 100;

export interface SavedView {
  readonly id: number;
  readonly name: string;
  readonly scope: SavedViewScope;
  readonly ownerId: number;
  readonly filters: SavedViewFilters;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Whether this person sees the view at all: their own, or a shared one. */
export function canSeeSavedView(user: Pick<User, 'id'>, view: Pick<SavedView, 'ownerId' | 'scope'>): boolean {
  return view.ownerId === user.id || view.scope === 'shared';
}

/**
 * Whether this person may rename, change or delete the view: its owner always; a shared view
 * also a lead or an admin (who tidy the team's list). Nobody else touches a personal view.
 */
export function canChangeSavedView(
  user: Pick<User, 'id' | 'role'>,
  view: Pick<SavedView, 'ownerId' | 'scope'>,
): boolean {
  return view.ownerId === user.id || (view.scope === 'shared' && hasRole(user, 'lead'));
}
