/**
 * `GET /api/live`: Server-Sent Events of new posts, tickets and alerts, as they happen.
 * Events: `post`, `ticket`, `ticket-updated`, `alert`, `incident`, `escalation`; a comment every 15 s
 * keeps proxies open.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteContext } from '../app.js';

const HEARTBEAT_MS = 15_000;

export const liveRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  app.get('/live', { config: { role: 'agent' }, schema: { tags: ['live'], description: 'Server-Sent Events: post, ticket, ticket-updated, alert, incident, escalation.' } }, (request, reply) => {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write('retry: 3000\n\n');
    const send = (event: string, data: unknown) => {
      raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const unsubscribers = [
      context.bus.subscribe('posts.stored', ({ posts }) => {
        for (const post of posts) send('post', post);
      }),
      context.bus.subscribe('tickets.created', ({ tickets }) => {
        for (const ticket of tickets) send('ticket', ticket);
      }),
      context.bus.subscribe('tickets.updated', ({ ticket, event }) => send('ticket-updated', { ticket, event })),
      context.bus.subscribe('alerts.raised', ({ alert }) => send('alert', alert)),
      context.bus.subscribe('incidents.changed', ({ incident, attachedPostIds }) => send('incident', { incident, attached: attachedPostIds.length })),
      context.bus.subscribe('escalations.notified', (message) => send('escalation', message)),
    ];
    const heartbeat = setInterval(() => raw.write(': ping\n\n'), HEARTBEAT_MS);
    const close = () => {
      clearInterval(heartbeat);
      for (const unsubscribe of unsubscribers) unsubscribe();
    };
    request.raw.on('close', close);
    raw.on('error', close);
  });
};
