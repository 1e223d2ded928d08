/**
 * The tables of saved replies, author decisions and the desk's audit (2026-12-04c), merged into
 * `Database` (declaration merging) like the wall's, so `schema.ts` needs no new block.
 */
import type { Generated } from 'kysely';
import type { JsonColumn } from './json.js';

export interface SavedRepliesTable {
  id: Generated<number>;
  title: string;
  body: string;
  author_id: number | null;
  created_at: string;
  updated_at: string;
}

export interface AuthorActionsTable {
  id: Generated<number>;
  source: string;
  handle: string;
  /** `mute` or `block` (`AUTHOR_ACTIONS`). */
  action: string;
  actor_id: number | null;
  created_at: string;
}

export interface DeskAuditTable {
  id: Generated<number>;
  actor_id: number | null;
  action: string;
  data: JsonColumn<Record<string, unknown>>;
  created_at: string;
}

declare module './schema.js' {
  interface Database {
    saved_replies: SavedRepliesTable;
    author_actions: AuthorActionsTable;
    desk_audit: DeskAuditTable;
  }
}
