/**
 * The saved views table (2026-12-06a), merged into `Database` (declaration merging) like the
 * desk actions' tables, so `schema.ts` needs no new block.
 */
import type { Generated } from 'kysely';
import type { SavedViewFilters, SavedViewScope } from '../domain/saved-view.js';
import type { JsonColumn } from './json.js';

export interface SavedViewsTable {
  id: Generated<number>;
  name: string;
  scope: SavedViewScope;
  owner_id: number;
  filters: JsonColumn<SavedViewFilters>;
  created_at: string;
  updated_at: string;
}

declare module './schema.js' {
  interface Database {
    saved_views: SavedViewsTable;
  }
}
