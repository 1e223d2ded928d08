/**
 * Rooms: the list with what the person missed (unread messages, mentions of them), and an open
 * room with its messages arriving live over `/api/live`, who is here now, and a send box. Opening
 * a room announces presence and moves the read mark to its last message.
 */
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import type { Room, RoomMessage } from '../api-types.js';
import { errorMessage, useResource } from '../data/resource.js';
import { FormError } from '../components/form-error.js';
import { absoluteTime, relativeTime } from '../format.js';
import { useLive } from '../live.js';
import { linkHandler } from '../router.js';
import { useSession } from '../session.js';
import { wallApi } from './wall-api.js';

export function RoomsView({ openId }: { openId: number | null }) {
  const rooms = useResource('wall:rooms', (signal) => wallApi.rooms(signal));
  const { user } = useSession();
  // A message in a room that is not open counts as unread (and a mention) until it is opened.
  useLive(
    'room-message',
    (message) => {
      if (message.roomId === openId || message.author.id === user.id) return;
      rooms.mutate((current) =>
        current
          ? {
              rooms: current.rooms.map((room) =>
                room.id === message.roomId
                  ? {
                      ...room,
                      unread: room.unread + 1,
                      mentions: room.mentions + (message.mentions.includes(user.id) ? 1 : 0),
                    }
                  : room,
              ),
            }
          : current,
      );
    },
    [openId, user.id],
  );
  const open = rooms.data?.rooms.find((room) => room.id === openId) ?? null;
  const { mutate } = rooms;
  const markRead = useCallback(
    (roomId: number) =>
      mutate((current) =>
        current
          ? { rooms: current.rooms.map((room) => (room.id === roomId ? { ...room, unread: 0, mentions: 0 } : room)) }
          : current,
      ),
    [mutate],
  );
  return (
    <section className="rooms">
      <h1>Rooms</h1>
      <FormError message={errorMessage(rooms.error, 'The rooms could not be loaded')} />
      <div className="rooms-grid">
        <nav aria-label="Rooms list">
          <ul className="rooms-list">
            {(rooms.data?.rooms ?? []).map((room) => (
              <li key={room.id}>
                <a
                  href={`/rooms/${room.id}`}
                  onClick={linkHandler(`/rooms/${room.id}`)}
                  aria-current={room.id === openId ? 'page' : undefined}
                >
                  <span>{room.name}</span>
                  {room.unread > 0 && room.id !== openId ? (
                    <span className="badge">
                      {room.unread}
                      <span className="sr-only"> unread</span>
                    </span>
                  ) : null}
                  {room.mentions > 0 && room.id !== openId ? (
                    <span className="badge badge-mention">
                      @{room.mentions}
                      <span className="sr-only"> mentioning you</span>
                    </span>
                  ) : null}
                </a>
              </li>
            ))}
          </ul>
          {rooms.data && rooms.data.rooms.length === 0 ? <p className="muted">No rooms yet.</p> : null}
        </nav>
        {open ? <OpenRoom key={open.id} room={open} onRead={markRead} /> : <p className="muted">Pick a room.</p>}
      </div>
    </section>
  );
}

function OpenRoom({ room, onRead }: { room: Room; onRead: (roomId: number) => void }) {
  const { user } = useSession();
  const loaded = useResource(`wall:room:${room.id}`, (signal) => wallApi.messages(room.id, signal));
  const [present, setPresent] = useState(room.present);
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | null>(null);
  const end = useRef<HTMLLIElement>(null);
  const messages = loaded.data?.messages ?? [];
  const lastId = messages.at(-1)?.id ?? 0;

  useEffect(() => {
    void wallApi.presence(room.id, true).catch(() => {});
    return () => void wallApi.presence(room.id, false).catch(() => {});
  }, [room.id]);

  // Seen: the read mark follows the last message while the room is open.
  useEffect(() => {
    if (lastId === 0) return;
    void wallApi.read(room.id, lastId).then(
      () => onRead(room.id),
      () => {},
    );
    end.current?.scrollIntoView?.({ block: 'end' });
  }, [room.id, lastId, onRead]);

  useLive(
    'room-message',
    (message) => {
      if (message.roomId !== room.id) return;
      loaded.mutate((current) =>
        current && !current.messages.some((known) => known.id === message.id)
          ? { messages: [...current.messages, message] }
          : current,
      );
    },
    [room.id],
  );
  useLive('room-presence', (event) => void (event.roomId === room.id && setPresent(event.people)), [room.id]);

  async function send(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      const sent = await wallApi.send(room.id, body);
      setBody('');
      loaded.mutate((current) =>
        current && !current.messages.some((known) => known.id === sent.id)
          ? { messages: [...current.messages, sent] }
          : current,
      );
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : 'Sending failed');
    }
  }

  return (
    <section className="room" aria-labelledby="room-title">
      <h2 id="room-title">{room.name}</h2>
      {room.topic ? <p className="muted">{room.topic}</p> : null}
      <p className="room-present" aria-live="polite">
        Here now: {present.length === 0 ? 'nobody' : present.map((person) => person.name).join(', ')}
      </p>
      <ol className="room-messages" aria-label="Messages" aria-live="polite">
        {messages.map((message) => (
          <Message key={message.id} message={message} mentionsMe={message.mentions.includes(user.id)} />
        ))}
        <li ref={end} aria-hidden="true" />
      </ol>
      <form className="room-send" onSubmit={(event) => void send(event)}>
        <label className="field">
          Message to {room.name}
          <input
            value={body}
            onChange={(event) => setBody(event.target.value)}
            maxLength={4000}
            required
            placeholder="Write… (@username to mention)"
          />
        </label>
        <button type="submit" className="btn btn-primary">
          Send
        </button>
      </form>
      <FormError message={error} />
    </section>
  );
}

function Message({ message, mentionsMe }: { message: RoomMessage; mentionsMe: boolean }) {
  return (
    <li className={`room-message${mentionsMe ? ' mention' : ''}`}>
      <strong>{message.author.name}</strong>{' '}
      <time className="muted small" dateTime={message.createdAt} title={absoluteTime(message.createdAt)}>
        {relativeTime(message.createdAt)}
      </time>
      {mentionsMe ? <span className="badge badge-mention">mentions you</span> : null}
      <p>{message.body}</p>
    </li>
  );
}
