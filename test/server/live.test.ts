/** `GET /api/live` over a real socket: a post ingested through the API arrives as an SSE event. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestDesk, type TestDesk } from '../helpers/app.js';
import { ingestLine } from '../helpers/posts.js';

let desk: TestDesk;
let port: number;
before(async () => {
  desk = await startTestDesk();
  await desk.app.listen({ port: 0, host: '127.0.0.1' });
  port = (desk.app.server.address() as AddressInfo).port;
});
after(async () => desk?.close());

test('live: new posts and tickets stream as server-sent events', async () => {
  const cookie = await desk.login();
  const live = await listen(cookie, (events) => events.some((e) => e.event === 'ticket'));
  await desk.app.inject({
    method: 'POST',
    url: '/api/streams',
    headers: { cookie },
    payload: { name: 'Live', query: 'wifi' },
  });
  const ingest = await desk.app.inject({
    method: 'POST',
    url: '/api/ingest',
    headers: { cookie },
    payload: ingestLine({ text: 'Campus wifi is down :(' }),
  });
  assert.equal(ingest.statusCode, 200);
  await live.received;
  live.close();
  assert.equal(live.events.find((e) => e.event === 'post')?.data.text, 'Campus wifi is down :(');
  assert.equal(live.events.find((e) => e.event === 'ticket')?.data.subject, 'Campus wifi is down :(');
});

/** Opens /api/live and collects events until `done` says enough. */
async function listen(cookie: string, done: (events: { event: string; data: Record<string, unknown> }[]) => boolean) {
  const events: { event: string; data: Record<string, unknown> }[] = [];
  const request = http.get({
    host: '127.0.0.1',
    port,
    path: '/api/live',
    headers: { cookie, accept: 'text/event-stream' },
  });
  const response = await new Promise<http.IncomingMessage>((resolve) => request.once('response', resolve));
  assert.equal(response.statusCode, 200);
  assert.match(String(response.headers['content-type']), /text\/event-stream/);
  const received = new Promise<void>((resolve) => {
    let buffer = '';
    response.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
        if (done(events)) resolve();
      }
    });
  });
  return { events, received, close: () => request.destroy() };
}

test('live: a ticket carries its SLA and a post its author influence, as the REST responses do', async () => {
  const cookie = await desk.login();
  await desk.app.inject({
    method: 'POST',
    url: '/api/streams',
    headers: { cookie },
    payload: { name: 'Printers', query: 'printer' },
  });
  const live = await listen(cookie, (events) =>
    events.some((e) => e.event === 'ticket' && e.data.subject === 'The printer is broken again'),
  );
  const ingest = await desk.app.inject({
    method: 'POST',
    url: '/api/ingest',
    headers: { cookie },
    payload: ingestLine({ text: 'The printer is broken again' }),
  });
  assert.equal(ingest.statusCode, 200);
  await live.received;
  live.close();
  const post = live.events.find((e) => e.event === 'post' && e.data.text === 'The printer is broken again')!.data;
  const ticket = live.events.find(
    (e) => e.event === 'ticket' && e.data.subject === 'The printer is broken again',
  )!.data;

  assert.equal(typeof (post.author as { influence?: unknown }).influence, 'number');
  const rest = (await desk.app.inject({ url: `/api/posts/${post.id}`, headers: { cookie } })).json();
  assert.deepEqual(post, rest);

  assert.ok(ticket.sla, 'a live ticket has its SLA');
  const restTicket = (await desk.app.inject({ url: `/api/tickets/${ticket.id}`, headers: { cookie } })).json().ticket;
  // The time left shrinks between the two reads; everything else is the same.
  const still = (value: Record<string, unknown>) => ({
    ...value,
    sla: { ...(value.sla as object), remainingMs: 'ticking' },
  });
  assert.deepEqual(Object.keys(ticket).sort(), Object.keys(restTicket).sort());
  assert.deepEqual(still(ticket), still(restTicket));
});

test('live: refuses anonymous listeners', async () => {
  const response = await fetch(`http://127.0.0.1:${port}/api/live`);
  assert.equal(response.status, 401);
});
