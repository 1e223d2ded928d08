/**
 * Streams (saved searches) with their ticket rules and SLA policy.
 */
import type { Kysely, Selectable } from 'kysely';
import { DEFAULT_SLA, type SlaPolicy, type Stream, type TicketRule } from '../domain/stream.js';
import type { Database, StreamsTable } from './schema.js';
import { fromJson, toJson } from './json.js';

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

export async function createStream(db: Kysely<Database>, input: StreamInput, now = new Date().toISOString()): Promise<Stream> {
  const row = await db
    .insertInto('streams')
    .values({ name: input.name, query: input.query, ticket_rules: toJson(input.ticketRules ?? []), sla: toJson(input.sla ?? DEFAULT_SLA), created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toStream(row);
}

export async function updateStream(db: Kysely<Database>, id: number, input: Partial<StreamInput>, now = new Date().toISOString()): Promise<Stream | undefined> {
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
  return Number(result.numDeletedRows) > 0;
}

function toStream(row: Selectable<StreamsTable>): Stream {
  return {
    id: row.id,
    name: row.name,
    query: row.query,
    ticketRules: fromJson<TicketRule[]>(row.ticket_rules, []),
    sla: fromJson<SlaPolicy>(row.sla, DEFAULT_SLA),
    createdAt: row.created_at,
  };
}
