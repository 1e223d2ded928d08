/**
 * The wall's tables as Kysely sees them, merged into `Database` (declaration merging) so the
 * wall's repositories are typed like every other without one more block in `schema.ts`.
 * Booleans are 0/1 integers on both databases.
 */
import type { Generated } from 'kysely';
import type { Sentiment } from '../domain/post.js';
import type { ThreadKind } from '../domain/wall.js';
import type { JsonColumn } from './json.js';

export interface WallSpacesTable {
  id: Generated<number>;
  name: string;
  description: string;
  sla_hours: number;
  team: JsonColumn<readonly number[]>;
  leadership: JsonColumn<readonly number[]>;
  audience: JsonColumn<readonly number[]> | null;
  created_at: string;
}

export interface WallThreadsTable {
  id: string;
  space_id: number;
  kind: ThreadKind;
  title: string;
  body: string;
  author_id: number | null;
  anonymous: number;
  asker_key: string | null;
  batch_id: string | null;
  sentiment: Sentiment;
  sentiment_score: number;
  hidden: number;
  votes: number;
  official_reply_id: string | null;
  answered_at: string | null;
  due_at: string | null;
  created_at: string;
}

export interface WallRepliesTable {
  id: string;
  thread_id: string;
  body: string;
  author_id: number | null;
  anonymous: number;
  by_asker: number;
  batch_id: string | null;
  official: number;
  sentiment: Sentiment;
  sentiment_score: number;
  hidden: number;
  created_at: string;
}

export interface WallVotesTable {
  thread_id: string;
  user_id: number;
}

export interface WallTokenKeysTable {
  day: string;
  public_spki: string;
  private_pkcs8: string;
}

export interface WallTokenIssuesTable {
  user_id: number;
  day: string;
  count: number;
}

export interface WallSpentTokensTable {
  token_hash: string;
  day: string;
}

export interface WallBlockedBatchesTable {
  batch_id: string;
  reason: string;
  blocked_by: number | null;
  created_at: string;
}

export interface WallRoomsTable {
  id: Generated<number>;
  name: string;
  topic: string;
  created_at: string;
}

export interface WallRoomMessagesTable {
  id: Generated<number>;
  room_id: number;
  author_id: number;
  body: string;
  mentions: JsonColumn<readonly number[]>;
  created_at: string;
}

export interface WallRoomReadsTable {
  room_id: number;
  user_id: number;
  last_read_id: number;
  last_digest_id: number;
}

export interface WallFaqDraftsTable {
  id: Generated<number>;
  space_id: number;
  question: string;
  answer: string;
  thread_ids: JsonColumn<readonly string[]>;
  status: string;
  created_by: number | null;
  created_at: string;
}

export interface WallInvitationsTable {
  token_hash: string;
  user_id: number;
  expires_at: string;
  accepted_at: string | null;
  created_at: string;
}

declare module './schema.js' {
  interface Database {
    wall_spaces: WallSpacesTable;
    wall_threads: WallThreadsTable;
    wall_replies: WallRepliesTable;
    wall_votes: WallVotesTable;
    wall_token_keys: WallTokenKeysTable;
    wall_token_issues: WallTokenIssuesTable;
    wall_spent_tokens: WallSpentTokensTable;
    wall_blocked_batches: WallBlockedBatchesTable;
    wall_rooms: WallRoomsTable;
    wall_room_messages: WallRoomMessagesTable;
    wall_room_reads: WallRoomReadsTable;
    wall_faq_drafts: WallFaqDraftsTable;
    wall_invitations: WallInvitationsTable;
  }
}
