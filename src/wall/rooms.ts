/**
 * Rooms: live chat between staff and the transformation team over the live channel. A message is
 * stored, then published on the bus (the live route sends it to everyone connected); whoever was
 * away finds it counted unread on return, and a mention of `@username` is counted apart.
 * Presence is who has the room open in a connected desk, kept in memory: it is only "now".
 */
import { invalid, notFound } from '../domain/errors.js';
import { mentionedNames, type Room, type RoomMessage } from '../domain/wall.js';
import type { User } from '../domain/user.js';
import type { Bus } from '../pipeline/bus.js';
import type { Store } from '../store/open.js';
import { listUsers } from '../store/users.js';
import {
  createRoom,
  ensureMarks,
  getRoom,
  insertRoomMessage,
  listRooms,
  markRead,
  roomMessages,
  unreadByRoom,
} from '../store/wall-rooms.js';
import './events.js';

export interface RoomSummary extends Room {
  readonly unread: number;
  readonly mentions: number;
  readonly lastReadId: number;
  readonly present: { id: number; name: string }[];
}

export class Rooms {
  readonly #store: Store;
  readonly #bus: Bus;
  readonly #clock: () => Date;
  readonly presence: Presence;

  constructor(options: { store: Store; bus: Bus; clock?: () => Date }) {
    this.#store = options.store;
    this.#bus = options.bus;
    this.#clock = options.clock ?? (() => new Date());
    this.presence = new Presence(options.bus);
  }

  create(input: { name: string; topic: string }): Promise<Room> {
    const name = input.name.trim();
    if (name.length === 0 || name.length > 100) throw invalid('a room name is 1 to 100 characters');
    return createRoom(this.#store.db, { name, topic: input.topic.trim() }, this.#clock().toISOString());
  }

  async list(user: User): Promise<RoomSummary[]> {
    await ensureMarks(this.#store.db, user.id);
    const unread = await unreadByRoom(this.#store.db, user.id);
    return (await listRooms(this.#store.db)).map((room) => ({
      ...room,
      unread: unread.get(room.id)?.unread ?? 0,
      mentions: unread.get(room.id)?.mentions ?? 0,
      lastReadId: unread.get(room.id)?.lastReadId ?? 0,
      present: this.presence.in(room.id),
    }));
  }

  async messages(roomId: number, afterId?: number): Promise<RoomMessage[]> {
    await this.#room(roomId);
    return roomMessages(this.#store.db, roomId, { afterId, limit: 200 });
  }

  async send(user: User, roomId: number, body: string): Promise<RoomMessage> {
    await this.#room(roomId);
    const text = body.trim();
    if (text.length === 0 || text.length > 4000) throw invalid('a message is 1 to 4000 characters');
    const names = new Set(mentionedNames(text));
    const mentions =
      names.size === 0
        ? []
        : (await listUsers(this.#store.db))
            .filter((person) => names.has(person.username.toLowerCase()) && person.id !== user.id)
            .map((person) => person.id);
    // The sender has read everything up to what they just wrote.
    await ensureMarks(this.#store.db, user.id);
    const message = await insertRoomMessage(
      this.#store.db,
      { roomId, authorId: user.id, body: text, mentions },
      this.#clock().toISOString(),
    );
    await markRead(this.#store.db, roomId, user.id, message.id);
    await this.#bus.publish('wall.room-message', { message });
    return message;
  }

  async read(user: User, roomId: number, lastReadId: number): Promise<void> {
    await this.#room(roomId);
    await markRead(this.#store.db, roomId, user.id, lastReadId);
  }

  async #room(id: number): Promise<Room> {
    const room = await getRoom(this.#store.db, id);
    if (!room) throw notFound('Room', id);
    return room;
  }
}

/** Who is connected (live channel open) and which rooms they have open. In memory, per process. */
export class Presence {
  readonly #bus: Bus;
  readonly #connections = new Map<number, { name: string; count: number }>();
  readonly #rooms = new Map<number, Map<number, number>>();
  readonly #names = new Map<number, string>();

  constructor(bus: Bus) {
    this.#bus = bus;
  }

  /** A live connection opened; returns what to call when it closes. */
  connected(user: Pick<User, 'id' | 'displayName'>): () => void {
    const entry = this.#connections.get(user.id) ?? { name: user.displayName, count: 0 };
    entry.count += 1;
    this.#connections.set(user.id, entry);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      entry.count -= 1;
      if (entry.count > 0) return;
      this.#connections.delete(user.id);
      for (const [roomId, people] of this.#rooms) if (people.delete(user.id)) void this.#announce(roomId);
    };
  }

  isOnline(userId: number): boolean {
    return this.#connections.has(userId);
  }

  /** A connected person opened (`here`) or left a room. */
  async enter(user: Pick<User, 'id' | 'displayName'>, roomId: number, here: boolean): Promise<void> {
    const people = this.#rooms.get(roomId) ?? new Map<number, number>();
    this.#rooms.set(roomId, people);
    const count = (people.get(user.id) ?? 0) + (here ? 1 : -1);
    if (count > 0) people.set(user.id, count);
    else people.delete(user.id);
    this.#names.set(user.id, user.displayName);
    await this.#announce(roomId);
  }

  in(roomId: number): { id: number; name: string }[] {
    return [...(this.#rooms.get(roomId)?.keys() ?? [])].map((id) => ({
      id,
      name: this.#names.get(id) ?? this.#connections.get(id)?.name ?? 'someone',
    }));
  }

  async #announce(roomId: number): Promise<void> {
    await this.#bus.publish('wall.presence', { roomId, people: this.in(roomId) });
  }
}
