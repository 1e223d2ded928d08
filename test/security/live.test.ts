/**
 * `/api/live` under abuse (issue 13): one person may hold at most MAX_LIVE_PER_USER streams, and a
 * client that stops reading is closed once MAX_LIVE_BUFFER_BYTES pile up for it, so the server
 * never buffers without bound (and its slot is freed).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestDesk, type TestDesk } from '../helpers/app.js';
import { ingestLine } from '../helpers/posts.js';
import { MAX_LIVE_PER_USER } from '../../src/server/routes/live.js';

let desk: TestDesk;
let port: number;
before(async () => {
  desk = await startTestDesk();
  await desk.app.listen({ port: 0, host: '127.0.0.1' });
  port = (desk.app.server.address() as AddressInfo).port;
});
after(async () => desk?.close());

function open(token: string): Promise<{ request: http.ClientRequest; response: http.IncomingMessage }> {
  const request = http.get({
    host: '127.0.0.1',
    port,
    path: '/api/live',
    headers: { authorization: `Bearer ${token}` },
  });
  request.on('error', () => {});
  return new Promise((resolve) => request.once('response', (response) => resolve({ request, response })));
}

test('live: per-user cap, and a client that stops reading is closed and its slot freed', async () => {
  const token = await desk.tokenFor('agent');
  const streams = [];
  // One stuck client that never reads…
  const stuck = await open(token);
  assert.equal(stuck.response.statusCode, 200);
  stuck.response.pause();
  stuck.request.socket?.pause();
  // …and readers up to the cap.
  for (let i = 1; i < MAX_LIVE_PER_USER; i++) {
    const stream = await open(token);
    assert.equal(stream.response.statusCode, 200);
    stream.response.resume();
    streams.push(stream);
  }
  const over = await open(token);
  assert.equal(over.response.statusCode, 429, 'one stream more than the cap is refused');
  over.response.resume();

  // Flood: about 12 MB of events, far beyond socket buffers and the per-client limit.
  const admin = await desk.tokenFor('agent');
  for (let batch = 0; batch < 4; batch++) {
    const posts = Array.from({ length: 30 }, (_, i) =>
      ingestLine({ id: `flood-${batch}-${i}`, text: `${'z'.repeat(99_000)} ${batch} ${i}` }),
    );
    const response = await desk.app.inject({
      method: 'POST',
      url: '/api/ingest',
      headers: { authorization: `Bearer ${admin}` },
      payload: posts,
    });
    assert.equal(response.statusCode, 200);
  }
  // The stuck client's slot comes free: a new stream is accepted again.
  let reopened: Awaited<ReturnType<typeof open>> | null = null;
  for (let attempt = 0; attempt < 50 && !reopened; attempt++) {
    const candidate = await open(token);
    if (candidate.response.statusCode === 200) reopened = candidate;
    else {
      candidate.response.resume();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  assert.ok(reopened, 'the stuck client was closed and its slot freed');
  for (const stream of [...streams, stuck, reopened]) stream.request.destroy();
});
