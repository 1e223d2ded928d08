/**
 * Streams (saved searches) with their ticket rules and SLA policy.
 */
import type { Kysely, Selectable } from 'kysely';
import { DEFAULT_SLA, type SlaPolicy, type Stream, type TicketRule } from '../domain/stream.js';
import type { Database, StreamsTable } from './schema.js';
import { fromJson, toJson } from './json.js';
import { dropStreamRollups, rebuildStreamRollups } from './rollups.js';
import { sourceKinds } from './sources.js';

export interface StreamInput {
  readonly name: string;
  readonly query: string;
  readonly ticketRules?: readonly TicketRule[];
  readonly sla?: SlaPolicy;
}

export async function listStreams(db: Kysely<Database>): Promise<Stream[]> {
  const rows = await db.selectFrom('streams').selectAll().orderBy('id').execute();
  return rows.map(toStream);
}

export async function getStream(db: Kysely<Database>, id: number): Promise<Stream | undefined> {
  const row = await db.selectFrom('streams').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toStream(row) : undefined;
}

export async function getStreamByName(db: Kysely<Database>, name: string): Promise<Stream | undefined> {
  const row = await db.selectFrom('streams').selectAll().where('name', '=', name).executeTakeFirst();
  return row ? toStream(row) : undefined;
}

export async function createStream(
  db: Kysely<Database>,
  input: StreamInput,
  now = new Date().toISOString(),
): Promise<Stream> {
  const row = await db
    .insertInto('streams')
    .values({
      name: input.name,
      query: input.query,
      ticket_rules: toJson(input.ticketRules ?? []),
      sla: toJson(input.sla ?? DEFAULT_SLA),
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toStream(row);
}

export async function updateStream(
  db: Kysely<Database>,
  id: number,
  input: Partial<StreamInput>,
  now = new Date().toISOString(),
): Promise<Stream | undefined> {
  const row = await db
    .updateTable('streams')
    .set({
      ...(input.name !== undefined && { name: input.name }),
      ...(input.query !== undefined && { query: input.query }),
      ...(input.ticketRules !== undefined && { ticket_rules: toJson(input.ticketRules) }),
      ...(input.sla !== undefined && { sla: toJson(input.sla) }),
      updated_at: now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row ? toStream(row) : undefined;
}

export async function deleteStream(db: Kysely<Database>, id: number): Promise<boolean> {
  const result = await db.deleteFrom('streams').where('id', '=', id).executeTakeFirst();
  await dropStreamRollups(db, id);
  return Number(result.numDeletedRows) > 0;
}

function toStream(row: Selectable<StreamsTable>): Stream {
  return {
    id: row.id,
    name: row.name,
    query: row.query,
    ticketRules: fromJson(row.ticket_rules, []),
    sla: fromJson(row.sla, DEFAULT_SLA),
    createdAt: row.created_at,
  };
}

/** The fields a stream query looks at (see `compileQuery`). */
export interface MatchablePost {
  readonly text: string;
  readonly authorHandle: string;
  readonly lang: string;
  readonly kind: string;
  readonly sentiment: string;
  readonly source: string;
  readonly channel: string;
}

/**
 * Fills a stream with the recent posts its query matches (the newest `window` posts), so a new
 * or edited stream shows what was already said instead of starting empty; an edited query
 * also drops posts in that window it no longer matches. No tickets are raised for them: ticket
 * rules act on posts as they arrive. Returns how many posts the stream now holds in the window.
 */
export async function backfillStream(
  db: Kysely<Database>,
  streamId: number,
  matches: (post: MatchablePost) => boolean,
  window = 5000,
): Promise<number> {
  const rows = await db
    .selectFrom('posts')
    .select(['id', 'text', 'author_handle', 'lang', 'kind', 'sentiment', 'source'])
    .orderBy('id', 'desc')
    .limit(window)
    .execute();
  const channelOf = await sourceKinds(db);
  const hit: number[] = [];
  const miss: number[] = [];
  for (const row of rows) {
    (matches({
      text: row.text,
      authorHandle: row.author_handle,
      lang: row.lang,
      kind: row.kind,
      sentiment: row.sentiment,
      source: row.source,
      channel: channelOf(row.source),
    })
      ? hit
      : miss
    ).push(row.id);
  }
  await db.transaction().execute(async (trx) => {
    // Chunked to stay under SQLite's bound-parameter limit.
    for (let i = 0; i < miss.length; i += 500) {
      await trx
        .deleteFrom('post_streams')
        .where('stream_id', '=', streamId)
        .where('post_id', 'in', miss.slice(i, i + 500))
        .execute();
    }
    for (let i = 0; i < hit.length; i += 400) {
      const values = hit.slice(i, i + 400).map((postId) => ({ post_id: postId, stream_id: streamId }));
      await trx
        .insertInto('post_streams')
        .values(values)
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    await rebuildStreamRollups(trx, streamId);
  });
  return hit.length;
}
