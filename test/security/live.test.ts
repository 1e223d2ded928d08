/**
 * `/api/live` under abuse (issue 13): one person may hold at most MAX_LIVE_PER_USER streams; a
 * client that stops reading is closed (its socket stays full past the grace, or its backlog
 * passes the bound), so the server never buffers without bound and its slot is freed; a client
 * that reads keeps receiving every event, one chunk per bus message.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { startTestDesk, type TestDesk } from '../helpers/app.js';
import { ingestLine } from '../helpers/posts.js';
import { MAX_LIVE_PER_USER } from '../../src/server/routes/live.js';
import { liveWriter, type LiveDropReason } from '../../src/server/live-writer.js';
import { getPostsByIds } from '../../src/store/posts.js';

let desk: TestDesk;
let port: number;
before(async () => {
  desk = await startTestDesk();
  await desk.app.listen({ port: 0, host: '127.0.0.1' });
  port = (desk.app.server.address() as AddressInfo).port;
});
after(async () => desk?.close());

interface Stream {
  readonly request: http.ClientRequest;
  readonly response: http.IncomingMessage;
  /** `event: post` frames received so far (a reading stream only). */
  posts(): number;
}

function open(token: string, read: boolean): Promise<Stream> {
  const request = http.get({
    host: '127.0.0.1',
    port,
    path: '/api/live',
    headers: { authorization: `Bearer ${token}` },
  });
  request.on('error', () => {});
  return new Promise((resolve) =>
    request.once('response', (response) => {
      let posts = 0;
      let tail = '';
      response.on('error', () => {});
      if (read) {
        response.setEncoding('utf8');
        response.on('data', (text: string) => {
          const parts = (tail + text).split('event: post\n');
          posts += parts.length - 1;
          tail = parts.at(-1)!.slice(-20);
        });
      } else {
        response.pause();
        request.socket?.pause();
      }
      resolve({ request, response, posts: () => posts });
    }),
  );
}

test('live: per-user cap; a client that stops reading is closed and its slot freed; a reader gets every event', async () => {
  const token = await desk.tokenFor('agent');
  const reader = await open(await desk.tokenFor('agent'), true);
  assert.equal(reader.response.statusCode, 200);
  // One stuck client that never reads…
  const stuck = await open(token, false);
  assert.equal(stuck.response.statusCode, 200);
  // …and streams up to the cap.
  const streams: Stream[] = [];
  for (let i = 1; i < MAX_LIVE_PER_USER; i++) {
    const stream = await open(token, true);
    assert.equal(stream.response.statusCode, 200);
    streams.push(stream);
  }
  const over = await open(token, true);
  assert.equal(over.response.statusCode, 429, 'one stream more than the cap is refused');

  // Flood: 66 posts of 99 KB (about 6.5 MB of events, beyond the stuck client's socket buffers):
  // six stored through the API, then published again on the real bus ten times (cheap to make).
  const admin = await desk.tokenFor('agent');
  const big = Array.from({ length: 6 }, (_, i) => ingestLine({ id: `flood-${i}`, text: `${'z'.repeat(99_000)} ${i}` }));
  const stored = await desk.app.inject({
    method: 'POST',
    url: '/api/ingest',
    headers: { authorization: `Bearer ${admin}` },
    payload: big,
  });
  assert.equal(stored.statusCode, 200);
  const posts = await getPostsByIds(desk.runtime.store.db, stored.json<{ postIds: number[] }>().postIds);
  for (let i = 0; i < 10; i++) await desk.runtime.bus.publish('posts.stored', { posts });
  const total = 66;
  // The stuck client is closed (its socket stays full past LIVE_STALL_MS) and its slot comes
  // free: a new stream is accepted again.
  let reopened: Stream | null = null;
  for (let attempt = 0; attempt < 150 && !reopened; attempt++) {
    const candidate = await open(token, true);
    if (candidate.response.statusCode === 200) reopened = candidate;
    else await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.ok(reopened, 'the stuck client was closed and its slot freed');
  // The reader has every post of the flood and is still open: one more post reaches it.
  for (let wait = 0; wait < 100 && reader.posts() < total; wait++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(reader.posts(), total, 'the reading client received every event');
  const last = await desk.app.inject({
    method: 'POST',
    url: '/api/ingest',
    headers: { authorization: `Bearer ${admin}` },
    payload: ingestLine({ id: 'after-flood' }),
  });
  assert.equal(last.statusCode, 200);
  for (let wait = 0; wait < 100 && reader.posts() < total + 1; wait++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(reader.posts(), total + 1, 'the reader keeps receiving after the flood');
  for (const stream of [...streams, stuck, reader, reopened]) stream.request.destroy();
});

/** A real loopback socket pair: the server side is written through a liveWriter. */
async function socketPair(
  limits: { stallMs: number; maxBufferBytes: number },
  read: boolean,
): Promise<{ writer: ReturnType<typeof liveWriter>; dropped: Promise<LiveDropReason>; end(): void }> {
  let accepted!: (socket: net.Socket) => void;
  const serverSide = new Promise<net.Socket>((resolve) => (accepted = resolve));
  const server = net.createServer((socket) => accepted(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
  client.on('error', () => {});
  if (read) client.resume();
  else client.pause();
  const socket = await serverSide;
  socket.on('error', () => {});
  let onDrop!: (reason: LiveDropReason) => void;
  const dropped = new Promise<LiveDropReason>((resolve) => (onDrop = resolve));
  const writer = liveWriter(socket, limits, onDrop);
  return {
    writer,
    dropped,
    end() {
      writer.dispose();
      socket.destroy();
      client.destroy();
      server.close();
    },
  };
}

test('live writer: a socket that stays full past the grace is closed; a reader on the same writes is not', async () => {
  const chunk = Buffer.alloc(256 * 1024, 0x61);
  const limits = { stallMs: 300, maxBufferBytes: 64 * 1024 * 1024 };
  const stuck = await socketPair(limits, false);
  const reading = await socketPair(limits, true);
  let readerDropped = false;
  void reading.dropped.then(() => (readerDropped = true));
  // Write until the stuck socket's kernel buffers are full (write refused), well under the backlog bound.
  let written = 0;
  while (written < 64 * 1024 * 1024 && stuck.writer.write(chunk)) {
    written += chunk.length;
    reading.writer.write(chunk);
    await new Promise((resolve) => setImmediate(resolve));
  }
  const started = Date.now();
  assert.equal(await stuck.dropped, 'stalled');
  assert.ok(Date.now() - started >= 250, 'closed only after the grace');
  // The reader drains everything it was sent and is never dropped.
  for (let i = 0; i < 10; i++) reading.writer.write(chunk);
  await new Promise((resolve) => setTimeout(resolve, 400));
  assert.equal(readerDropped, false, 'a client that reads is never dropped');
  stuck.end();
  reading.end();
});

test('live writer: a backlog past the bound closes the client at once', async () => {
  const stuck = await socketPair({ stallMs: 60_000, maxBufferBytes: 1024 * 1024 }, false);
  const chunk = Buffer.alloc(512 * 1024, 0x62);
  // Kernel buffers take the first few MB; then Node's buffer passes the bound within a few writes.
  let reason: LiveDropReason | null = null;
  void stuck.dropped.then((why) => (reason = why));
  for (let i = 0; i < 200 && reason === null; i++) {
    stuck.writer.write(chunk);
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.equal(await stuck.dropped, 'backlog');
  stuck.end();
});
