/**
 * Offline delivery by e-mail: what people missed in rooms while away (messages by others after
 * their read mark), one digest per person, through the SMTP transport the notifications use.
 * Mentions lead the digest. Each message is in one digest at most; reading a room in the desk
 * also counts as told. People connected right now are skipped: they see messages live.
 */
import type { MailTransport } from '../alerts/notify-email.js';
import type { RoomMessage } from '../domain/wall.js';
import type { Store } from '../store/open.js';
import { getContacts, type SecretSealer } from '../store/escalation.js';
import { getUser } from '../store/users.js';
import { listRooms, markDigested, peopleWithMarks, undigested } from '../store/wall-rooms.js';
import type { Presence } from './rooms.js';

export class RoomDigest {
  readonly #store: Store;
  readonly #mail: Pick<MailTransport, 'send'> | null;
  readonly #presence: Presence;
  readonly #publicUrl: string | null;
  /** Opens contacts' sealed webhook secrets (read along with their e-mail address). */
  readonly #secrets: SecretSealer;

  constructor(options: {
    store: Store;
    secrets: SecretSealer;
    mail: Pick<MailTransport, 'send'> | null;
    presence: Presence;
    publicUrl?: string | null;
  }) {
    this.#store = options.store;
    this.#mail = options.mail;
    this.#secrets = options.secrets;
    this.#presence = options.presence;
    this.#publicUrl = options.publicUrl ?? null;
  }

  /** Sends every offline person with an e-mail address a digest of what they missed; returns how many went. */
  async send(): Promise<number> {
    if (!this.#mail) return 0;
    const rooms = new Map((await listRooms(this.#store.db)).map((room) => [room.id, room.name]));
    let sent = 0;
    for (const userId of await peopleWithMarks(this.#store.db)) {
      if (this.#presence.isOnline(userId)) continue;
      const missed = await undigested(this.#store.db, userId);
      if (missed.length === 0) continue;
      const [contact] = await getContacts(this.#store.db, this.#secrets, [userId]);
      const user = await getUser(this.#store.db, userId);
      if (!contact?.email || !user) continue;
      await this.#mail.send({
        to: contact.email,
        subject: `[Earshot] ${missed.length} message${missed.length === 1 ? '' : 's'} you missed in rooms`,
        text: digestText(user.displayName, userId, missed, rooms, this.#publicUrl),
      });
      const lastByRoom = new Map<number, number>();
      for (const message of missed)
        lastByRoom.set(message.roomId, Math.max(lastByRoom.get(message.roomId) ?? 0, message.id));
      for (const [roomId, lastId] of lastByRoom) await markDigested(this.#store.db, userId, roomId, lastId);
      sent += 1;
    }
    return sent;
  }
}

export function digestText(
  name: string,
  userId: number,
  missed: readonly RoomMessage[],
  rooms: ReadonlyMap<number, string>,
  publicUrl: string | null,
): string {
  const mentions = missed.filter((message) => message.mentions.includes(userId));
  const line = (message: RoomMessage) =>
    `[${rooms.get(message.roomId) ?? `room ${message.roomId}`}] ${message.author.name}: ${message.body}`;
  const parts = [`Hello ${name},`, '', 'While you were away:'];
  if (mentions.length > 0) parts.push('', 'You were mentioned:', ...mentions.map(line));
  parts.push('', 'Messages:', ...missed.map(line));
  if (publicUrl) parts.push('', `Open the rooms: ${publicUrl.replace(/\/$/, '')}/rooms`);
  return parts.join('\n');
}
