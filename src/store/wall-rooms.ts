/**
 * Rooms, their messages, and each person's read mark (what they have seen) and digest mark (what
 * the last e-mail digest told them about) per room, for unread counts and offline delivery.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Room, RoomMessage } from '../domain/wall.js';
import type { Database } from './schema.js';
import type { WallRoomMessagesTable } from './wall-schema.js';
import { fromJson, toCount, toJson } from './json.js';

type Executor = Kysely<Database>;

export async function createRoom(db: Executor, input: { name: string; topic: string }, now: string): Promise<Room> {
  const row = await db
    .insertInto('wall_rooms')
    .values({ name: input.name, topic: input.topic, created_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { id: row.id, name: row.name, topic: row.topic, createdAt: row.created_at };
}

export async function listRooms(db: Executor): Promise<Room[]> {
  const rows = await db.selectFrom('wall_rooms').selectAll().orderBy('name').execute();
  return rows.map((row) => ({ id: row.id, name: row.name, topic: row.topic, createdAt: row.created_at }));
}

export async function getRoom(db: Executor, id: number): Promise<Room | undefined> {
  const row = await db.selectFrom('wall_rooms').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? { id: row.id, name: row.name, topic: row.topic, createdAt: row.created_at } : undefined;
}

export async function insertRoomMessage(
  db: Executor,
  input: { roomId: number; authorId: number; body: string; mentions: readonly number[] },
  now: string,
): Promise<RoomMessage> {
  const row = await db
    .insertInto('wall_room_messages')
    .values({
      room_id: input.roomId,
      author_id: input.authorId,
      body: input.body,
      mentions: toJson(input.mentions),
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return (await getRoomMessage(db, row.id))!;
}

export async function getRoomMessage(db: Executor, id: number): Promise<RoomMessage | undefined> {
  const row = await messageQuery(db).where('m.id', '=', id).executeTakeFirst();
  return row ? toMessage(row) : undefined;
}

/** The latest `limit` messages of a room after `afterId`, oldest first. */
export async function roomMessages(
  db: Executor,
  roomId: number,
  options: { afterId?: number; limit: number },
): Promise<RoomMessage[]> {
  let query = messageQuery(db).where('m.room_id', '=', roomId);
  if (options.afterId !== undefined) query = query.where('m.id', '>', options.afterId);
  const rows = await query.orderBy('m.id', 'desc').limit(options.limit).execute();
  return rows.reverse().map(toMessage);
}

/** Unread messages (by others) and unread mentions of a person, per room. */
export async function unreadByRoom(
  db: Executor,
  userId: number,
): Promise<Map<number, { unread: number; mentions: number; lastReadId: number }>> {
  const rooms = await db
    .selectFrom('wall_rooms as r')
    .leftJoin('wall_room_reads as rr', (join) => join.onRef('rr.room_id', '=', 'r.id').on('rr.user_id', '=', userId))
    .select(['r.id', 'rr.last_read_id'])
    .execute();
  const result = new Map<number, { unread: number; mentions: number; lastReadId: number }>();
  for (const room of rooms) {
    const lastReadId = room.last_read_id ?? 0;
    const rows = await db
      .selectFrom('wall_room_messages')
      .select(['mentions'])
      .where('room_id', '=', room.id)
      .where('id', '>', lastReadId)
      .where('author_id', '!=', userId)
      .execute();
    const mentions = rows.filter((row) => fromJson(row.mentions, []).includes(userId)).length;
    result.set(room.id, { unread: rows.length, mentions, lastReadId });
  }
  return result;
}

/** Moves a person's read mark forward (never back); the digest mark follows it. */
export async function markRead(db: Executor, roomId: number, userId: number, lastReadId: number): Promise<void> {
  await db
    .insertInto('wall_room_reads')
    .values({ room_id: roomId, user_id: userId, last_read_id: lastReadId, last_digest_id: lastReadId })
    .onConflict((oc) => oc.columns(['room_id', 'user_id']).doNothing())
    .execute();
  await db
    .updateTable('wall_room_reads')
    .set({ last_read_id: lastReadId })
    .where('room_id', '=', roomId)
    .where('user_id', '=', userId)
    .where('last_read_id', '<', lastReadId)
    .execute();
  await markDigested(db, userId, roomId, lastReadId);
}

/**
 * What a person missed and no digest has told them yet, across rooms: messages by others after
 * both their read mark and their digest mark. A person with no marks in a room starts from now
 * (joining does not mail them the room's whole history) — see `ensureMarks`.
 */
export async function undigested(db: Executor, userId: number): Promise<RoomMessage[]> {
  const rows = await messageQuery(db)
    .innerJoin('wall_room_reads as rr', (join) =>
      join.onRef('rr.room_id', '=', 'm.room_id').on('rr.user_id', '=', userId),
    )
    .whereRef('m.id', '>', 'rr.last_read_id')
    .whereRef('m.id', '>', 'rr.last_digest_id')
    .where('m.author_id', '!=', userId)
    .orderBy('m.id')
    .execute();
  return rows.map(toMessage);
}

export async function markDigested(db: Executor, userId: number, roomId: number, lastId: number): Promise<void> {
  await db
    .updateTable('wall_room_reads')
    .set({ last_digest_id: lastId })
    .where('room_id', '=', roomId)
    .where('user_id', '=', userId)
    .where('last_digest_id', '<', lastId)
    .execute();
}

/** Gives a person read marks in every room they have none in (at the room's latest message). */
export async function ensureMarks(db: Executor, userId: number): Promise<void> {
  const rooms = await db
    .selectFrom('wall_rooms as r')
    .leftJoin('wall_room_reads as rr', (join) => join.onRef('rr.room_id', '=', 'r.id').on('rr.user_id', '=', userId))
    .select(['r.id'])
    .where('rr.user_id', 'is', null)
    .execute();
  for (const room of rooms) {
    const latest = await db
      .selectFrom('wall_room_messages')
      .select((eb) => eb.fn.max('id').as('max'))
      .where('room_id', '=', room.id)
      .executeTakeFirst();
    const last = toCount(latest?.max ?? 0);
    await db
      .insertInto('wall_room_reads')
      .values({ room_id: room.id, user_id: userId, last_read_id: last, last_digest_id: last })
      .onConflict((oc) => oc.columns(['room_id', 'user_id']).doNothing())
      .execute();
  }
}

/** People who have read marks (members of the rooms' conversations), for the digest run. */
export async function peopleWithMarks(db: Executor): Promise<number[]> {
  const rows = await db.selectFrom('wall_room_reads').select('user_id').distinct().execute();
  return rows.map((row) => row.user_id);
}

function messageQuery(db: Executor) {
  return db
    .selectFrom('wall_room_messages as m')
    .innerJoin('users as u', 'u.id', 'm.author_id')
    .selectAll('m')
    .select('u.display_name as author_name');
}

function toMessage(row: Selectable<WallRoomMessagesTable> & { author_name: string }): RoomMessage {
  return {
    id: row.id,
    roomId: row.room_id,
    author: { id: row.author_id, name: row.author_name },
    body: row.body,
    mentions: fromJson(row.mentions, []),
    createdAt: row.created_at,
  };
}
