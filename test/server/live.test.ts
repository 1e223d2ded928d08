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
  const events: { event: string; data: { text?: string; subject?: string } }[] = [];
  const request = http.get({ host: '127.0.0.1', port, path: '/api/live', headers: { cookie, accept: 'text/event-stream' } });
  const response = await new Promise<http.IncomingMessage>((resolve) => request.once('response', resolve));
  assert.equal(response.statusCode, 200);
  assert.match(String(response.headers['content-type']), /text\/event-stream/);
  const received = new Promise<void>((resolve) => {
    let buffer = '';
    response.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
        if (events.some((e) => e.event === 'ticket')) resolve();
      }
    });
  });
  await desk.app.inject({ method: 'POST', url: '/api/streams', headers: { cookie }, payload: { name: 'Live', query: 'wifi' } });
  const ingest = await desk.app.inject({ method: 'POST', url: '/api/ingest', headers: { cookie }, payload: ingestLine({ text: 'Campus wifi is down :(' }) });
  assert.equal(ingest.statusCode, 200);
  await received;
  request.destroy();
  assert.equal(events.find((e) => e.event === 'post')?.data.text, 'Campus wifi is down :(');
  assert.equal(events.find((e) => e.event === 'ticket')?.data.subject, 'Campus wifi is down :(');
});

test('live: refuses anonymous listeners', async () => {
  const response = await fetch(`http://127.0.0.1:${port}/api/live`);
  assert.equal(response.status, 401);
});
