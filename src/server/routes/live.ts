/**
 * `GET /api/live`: Server-Sent Events of new posts, tickets and alerts, as they happen. The
 * events and their payloads are `LIVE_EVENTS` (src/server/schemas.ts): the same shapes as the
 * REST responses, presented and serialised the same way. A comment every 15 s keeps proxies open.
 *
 * One set of bus subscriptions serves every connection: each event is prepared once (posts
 * read back from the store, tickets given their SLA), in the order the bus delivered them, and
 * each bus message's events are serialised and encoded once into one chunk, written to every
 * listener in one write (a 500-post batch is one write per client, not 500).
 * Backpressure and its limits: `live-writer.ts`.
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
import { liveWriter, type LiveWriterLimits } from '../live-writer.js';

const HEARTBEAT_MS = 15_000;
const EVENT_NAMES = Object.keys(LIVE_EVENTS) as LiveEventName[];
/** Open streams one person may hold (tabs, devices), and the server in all. */
export const MAX_LIVE_PER_USER = 8;
export const MAX_LIVE_TOTAL = 500;
/**
 * A client whose socket stays full this long after a refused write is closed: it reconnects and
 * reloads, or it is gone. Long enough for a reader on a slow link to take a 1,000-post chunk.
 */
export const LIVE_STALL_MS = 5_000;
/**
 * …and one with this much waiting in Node's buffer at once, whatever the grace. Chunks are
 * Buffers shared by every client, so stuck clients hold the same bytes, not a copy each.
 */
export const MAX_LIVE_BUFFER_BYTES = 16 * 1024 * 1024;
const LIVE_LIMITS: LiveWriterLimits = { stallMs: LIVE_STALL_MS, maxBufferBytes: MAX_LIVE_BUFFER_BYTES };

/** Receives one bus message's events as a ready-to-write chunk, encoded once for every listener. */
type Listener = (chunk: () => Buffer, name: LiveEventName) => void;
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
  /** Sends events of one name (one bus message) to every listener as one chunk, built on first use. */
  const broadcast = <K extends LiveEventName>(name: K, payloads: readonly LiveEvents[K][]) => {
    if (payloads.length === 0) return;
    let bytes: Buffer | null = null;
    const chunk = () => {
      bytes ??= Buffer.from(
        payloads.map((payload) => `event: ${name}\ndata: ${serialise![name](payload)}\n\n`).join(''),
      );
      return bytes;
    };
    for (const listener of listeners) listener(chunk, name);
  };
  const now = () => context.clock();
  const unsubscribers = [
    context.bus.subscribe('posts.stored', ({ posts }) =>
      deliver(async () => broadcast('post', await presentPosts(context.store, posts, now()))),
    ),
    context.bus.subscribe('tickets.created', ({ tickets }) =>
      deliver(() =>
        broadcast(
          'ticket',
          tickets.map((ticket) => presentTicket(ticket, now(), context.slaCalendars?.get)),
        ),
      ),
    ),
    context.bus.subscribe('tickets.updated', ({ ticket, event }) =>
      deliver(() =>
        broadcast('ticket-updated', [{ ticket: presentTicket(ticket, now(), context.slaCalendars?.get), event }]),
      ),
    ),
    context.bus.subscribe('alerts.raised', ({ alert }) => deliver(() => broadcast('alert', [alert]))),
    context.bus.subscribe('incidents.changed', ({ incident, attachedPostIds }) =>
      deliver(() => broadcast('incident', [{ incident, attached: attachedPostIds.length }])),
    ),
    context.bus.subscribe('escalations.notified', (message) =>
      deliver(() => broadcast('escalation', [{ ...message, userIds: [...message.userIds] }])),
    ),
    context.bus.subscribe('wall.changed', (message) => deliver(() => broadcast('wall-changed', [{ ...message }]))),
    context.bus.subscribe('wall.room-message', ({ message }) => deliver(() => broadcast('room-message', [message]))),
    context.bus.subscribe('tickets.presence', (message) =>
      deliver(() => broadcast('ticket-presence', [{ ...message, user: { ...message.user } }])),
    ),
    context.bus.subscribe('wall.presence', (message) =>
      deliver(() => broadcast('room-presence', [{ roomId: message.roomId, people: [...message.people] }])),
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
      const writer = liveWriter(raw, LIVE_LIMITS, (reason) => {
        request.log.info({ reason, userId }, 'live: closed a client that stopped reading');
        close();
      });
      // Employees see the wall and rooms only, never the social desk's posts, tickets or alerts.
      const deskToo = hasRole(request.user!, 'agent');
      const listener: Listener = (chunk, name) => {
        if (deskToo || WALL_EVENTS.has(name)) writer.write(chunk());
      };
      listeners.add(listener);
      const leave = context.wall?.rooms.presence.connected(request.user!) ?? (() => {});
      const heartbeat = setInterval(() => writer.write(': ping\n\n'), HEARTBEAT_MS);
      let closed = false;
      function close() {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        writer.dispose();
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
