/**
 * `GET /api/live`: Server-Sent Events of new posts, tickets and alerts, as they happen. The
 * events and their payloads are `LIVE_EVENTS` (src/server/schemas.ts): the same shapes as the
 * REST responses, presented and serialised the same way. A comment every 15 s keeps proxies open.
 *
 * One set of bus subscriptions serves every connection: each event is prepared once (posts
 * read back from the store, tickets given their SLA), in the order the bus delivered them.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EarshotError } from '../../domain/errors.js';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';
import { LIVE_EVENTS, WALL_LIVE_EVENTS, type LiveEventName, type LiveEvents } from '../schemas.js';
import { hasRole } from '../../domain/user.js';
import '../../wall/events.js';
import '../../desk/presence.js';
import { presentPosts, presentTicket } from '../present.js';

const HEARTBEAT_MS = 15_000;
const EVENT_NAMES = Object.keys(LIVE_EVENTS) as LiveEventName[];
/** Open streams one person may hold (tabs, devices), and the server in all. */
export const MAX_LIVE_PER_USER = 8;
export const MAX_LIVE_TOTAL = 500;
/** A client that lets this much pile up unread is closed: it reconnects and reloads, or it is gone. */
export const MAX_LIVE_BUFFER_BYTES = 1024 * 1024;

/** Receives each event as its ready-to-write SSE frame, serialised once for every listener. */
type Listener = (frame: () => string, name: LiveEventName) => void;
const WALL_EVENTS = new Set<LiveEventName>(WALL_LIVE_EVENTS);

export const liveRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  const listeners = new Set<Listener>();
  let queue: Promise<void> = Promise.resolve();
  /** Prepares an event off the publisher's path, keeping the bus's order. */
  const deliver = (prepare: () => Promise<void> | void) => {
    if (listeners.size === 0) return;
    queue = queue
      .then(prepare)
      .catch((error: unknown) => app.log.error({ err: error }, 'live: could not prepare an event'));
  };
  // One compiled serialiser per event, shared by every connection (set by the first request).
  let serialise: Record<LiveEventName, (payload: unknown) => string> | null = null;
  const perUser = new Map<number, number>();
  const broadcast = <K extends LiveEventName>(name: K, payload: LiveEvents[K]) => {
    let text: string | null = null;
    const frame = () => {
      text ??= `event: ${name}\ndata: ${serialise![name](payload)}\n\n`;
      return text;
    };
    for (const listener of listeners) listener(frame, name);
  };
  const now = () => context.clock();
  const unsubscribers = [
    context.bus.subscribe('posts.stored', ({ posts }) =>
      deliver(async () => {
        for (const post of await presentPosts(context.store, posts, now())) broadcast('post', post);
      }),
    ),
    context.bus.subscribe('tickets.created', ({ tickets }) =>
      deliver(() => {
        for (const ticket of tickets) broadcast('ticket', presentTicket(ticket, now(), context.slaCalendars?.get));
      }),
    ),
    context.bus.subscribe('tickets.updated', ({ ticket, event }) =>
      deliver(() =>
        broadcast('ticket-updated', { ticket: presentTicket(ticket, now(), context.slaCalendars?.get), event }),
      ),
    ),
    context.bus.subscribe('alerts.raised', ({ alert }) => deliver(() => broadcast('alert', alert))),
    context.bus.subscribe('incidents.changed', ({ incident, attachedPostIds }) =>
      deliver(() => broadcast('incident', { incident, attached: attachedPostIds.length })),
    ),
    context.bus.subscribe('escalations.notified', (message) =>
      deliver(() => broadcast('escalation', { ...message, userIds: [...message.userIds] })),
    ),
    context.bus.subscribe('wall.changed', (message) => deliver(() => broadcast('wall-changed', { ...message }))),
    context.bus.subscribe('wall.room-message', ({ message }) => deliver(() => broadcast('room-message', message))),
    context.bus.subscribe('tickets.presence', (message) =>
      deliver(() => broadcast('ticket-presence', { ...message, user: { ...message.user } })),
    ),
    context.bus.subscribe('wall.presence', (message) =>
      deliver(() => broadcast('room-presence', { roomId: message.roomId, people: [...message.people] })),
    ),
  ];
  app.addHook('onClose', async () => {
    for (const unsubscribe of unsubscribers) unsubscribe();
  });

  app.get(
    '/live',
    endpoint('employee', ['live'], {
      description: `Server-Sent Events: ${EVENT_NAMES.join(', ')}; payloads as the REST responses. Employees get only ${WALL_LIVE_EVENTS.join(', ')}.`,
    }),
    (request, reply) => {
      const userId = request.user!.id;
      if (listeners.size >= MAX_LIVE_TOTAL || (perUser.get(userId) ?? 0) >= MAX_LIVE_PER_USER)
        throw new EarshotError('ERR_RATE_LIMITED', {
          retryAfter: 'a minute (too many live streams open)',
          retryAfterSeconds: 60,
        });
      // The route's serialisers, compiled once from the event schemas (Fastify caches them).
      serialise ??= Object.fromEntries(
        EVENT_NAMES.map((name) => [name, reply.compileSerializationSchema(LIVE_EVENTS[name])]),
      ) as Record<LiveEventName, (payload: unknown) => string>;
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write('retry: 3000\n\n');
      perUser.set(userId, (perUser.get(userId) ?? 0) + 1);
      // Backpressure: a client that stops reading is closed, never buffered for without bound.
      const write = (text: string) => {
        if (raw.destroyed) return;
        if (raw.writableLength > MAX_LIVE_BUFFER_BYTES) {
          raw.destroy();
          close();
          return;
        }
        raw.write(text);
      };
      // Employees see the wall and rooms only, never the social desk's posts, tickets or alerts.
      const deskToo = hasRole(request.user!, 'agent');
      const listener: Listener = (frame, name) => {
        if (deskToo || WALL_EVENTS.has(name)) write(frame());
      };
      listeners.add(listener);
      const leave = context.wall?.rooms.presence.connected(request.user!) ?? (() => {});
      const heartbeat = setInterval(() => write(': ping\n\n'), HEARTBEAT_MS);
      let closed = false;
      function close() {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        listeners.delete(listener);
        leave();
        const left = (perUser.get(userId) ?? 1) - 1;
        if (left > 0) perUser.set(userId, left);
        else perUser.delete(userId);
      }
      request.raw.on('close', close);
      raw.on('close', close);
      raw.on('error', close);
    },
  );
};
