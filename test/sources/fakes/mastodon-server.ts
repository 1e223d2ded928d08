/**
 * A loopback Mastodon for source tests (no server can be installed here). It serves the
 * documented REST endpoints a source calls (hashtag and public timelines, notifications,
 * POST /api/v1/statuses with Idempotency-Key, verify_credentials) with entities built from the
 * documentation's own examples (shared protocol fixtures, ids rewritten per test), the
 * streaming API over WebSocket (`/api/v1/streaming`, subscribe messages, `{stream,event,payload}`
 * frames) and over SSE (`/api/v1/streaming/hashtag?tag=`, the documented event frames verbatim).
 * It records requests and can answer 429 or 5xx, drop connections and send malformed frames.
 * Like a real instance (Mastodon's rack-attack throttle and its RateLimitHeaders), every
 * authenticated API answer carries X-RateLimit-Limit, -Remaining and -Reset (an ISO 8601 time),
 * and a 429 carries only those: no Retry-After.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';

type Json = Record<string, unknown>;

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Json | null;
}

export interface FakeMastodon {
  readonly origin: string;
  readonly requests: RecordedRequest[];
  /** Subscribe messages received over WebSocket. */
  readonly subscriptions: Json[];
  /** Statuses created through POST /api/v1/statuses. */
  readonly created: Json[];
  /** Adds a status (built from entities/Status.json) to the timelines; returns it (snake_case, as on the wire). */
  addStatus(
    id: string,
    fields?: { content?: string; tags?: string[]; acct?: string; visibility?: string; inReplyToId?: string },
  ): Json;
  /** Adds a mention notification (from entities/Notification.json) wrapping a new status. */
  addMention(notificationId: string, statusId: string, content?: string): Json;
  /** Sends a streaming frame to every socket subscribed to `stream` (e.g. ['hashtag','x']). */
  push(stream: string[], event: string, payload: unknown): void;
  /** Sends raw text to every socket (malformed frames). */
  pushRaw(text: string): void;
  /** The next `times` requests whose path starts with `prefix` get `status`. */
  failNext(prefix: string, status: number, times?: number, retryAfter?: string): void;
  /** Closes every streaming socket, as a network drop would. */
  dropConnections(): void;
  connectedSockets(): number;
  readonly token: string;
  close(): Promise<void>;
}

export async function startFakeMastodon(fixturesDir: string, token = 'test-token-0123456789'): Promise<FakeMastodon> {
  const entity = (name: string) =>
    JSON.parse(readFileSync(join(fixturesDir, 'mastodon', 'entities', `${name}.json`), 'utf8')) as Json;
  const statusTemplate = entity('Status');
  const notificationTemplate = entity('Notification');
  const accountTemplate = entity('Account');
  const sseFrames = readFileSync(join(fixturesDir, 'mastodon', 'streaming', 'streaming-events.sse'), 'utf8');

  const statuses: Json[] = [];
  const notifications: Json[] = [];
  const requests: RecordedRequest[] = [];
  const subscriptions: Json[] = [];
  const created: Json[] = [];
  const byIdempotencyKey = new Map<string, Json>();
  const failures: { prefix: string; status: number; times: number; retryAfter?: string }[] = [];
  let calls = 0;
  const sockets = new Map<WebSocket, Set<string>>();
  let origin = '';
  let nextCreatedId = 900000000000000000n;

  const compare = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  const page = (items: Json[], query: URLSearchParams, idOf: (item: Json) => string) => {
    const limit = Math.min(40, Number(query.get('limit') ?? 20));
    const minId = query.get('min_id');
    const sinceId = query.get('since_id');
    const maxId = query.get('max_id');
    let list = [...items].sort((a, b) => compare(idOf(b), idOf(a)));
    if (maxId) list = list.filter((item) => compare(idOf(item), maxId) < 0);
    if (sinceId) list = list.filter((item) => compare(idOf(item), sinceId) > 0);
    // min_id: the page immediately after min_id (the oldest newer ones), still newest first.
    if (minId) return list.filter((item) => compare(idOf(item), minId) > 0).slice(-limit);
    return list.slice(0, limit);
  };

  function makeStatus(
    id: string,
    fields: { content?: string; tags?: string[]; acct?: string; visibility?: string; inReplyToId?: string } = {},
  ): Json {
    const account = {
      ...(statusTemplate.account as Json),
      ...(fields.acct ? { acct: fields.acct, username: fields.acct.split('@')[0] } : {}),
    };
    return {
      ...structuredClone(statusTemplate),
      id,
      uri: `${origin}/users/${account.username as string}/statuses/${id}`,
      url: `${origin}/@${account.username as string}/${id}`,
      account,
      ...(fields.content !== undefined ? { content: fields.content } : {}),
      ...(fields.visibility ? { visibility: fields.visibility } : {}),
      ...(fields.inReplyToId ? { in_reply_to_id: fields.inReplyToId } : {}),
      tags: (fields.tags ?? []).map((name) => ({ name, url: `${origin}/tags/${name}` })),
    };
  }

  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: Json | null = null;
    if (text)
      body = request.headers['content-type']?.includes('json')
        ? (JSON.parse(text) as Json)
        : Object.fromEntries(new URLSearchParams(text));
    requests.push({
      method: request.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
      body,
    });
    // Set once the token is checked: the rate-limit headers of an authenticated answer.
    let authenticated: Record<string, string> = {};
    const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      response
        .writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...authenticated, ...headers })
        .end(JSON.stringify(value));
    };
    // The window a real instance counts in (300 calls per 5 minutes per token): what the headers report.
    const windowMs = 5 * 60_000;
    const resetAt = new Date(Math.ceil(Date.now() / windowMs) * windowMs);
    calls += 1;
    const limitHeaders = (remaining: number, reset: Date = resetAt) => ({
      'x-ratelimit-limit': '300',
      'x-ratelimit-remaining': String(Math.max(0, remaining)),
      'x-ratelimit-reset': reset.toISOString(),
    });
    const failure = failures.find((entry) => url.pathname.startsWith(entry.prefix) && entry.times > 0);
    if (failure) {
      failure.times--;
      if (failure.status === 429)
        // `retryAfter` seconds from now is when the throttled window resets, told the way Mastodon tells it.
        return json(
          429,
          { error: 'Too many requests' },
          limitHeaders(0, new Date(Date.now() + Number(failure.retryAfter ?? '1') * 1000)),
        );
      return json(failure.status, { error: 'Internal server error' });
    }
    const rateHeaders = limitHeaders(300 - calls);
    if (url.pathname === '/api/v1/streaming/hashtag') {
      if (url.searchParams.get('access_token') !== token && request.headers.authorization !== `Bearer ${token}`)
        return json(401, { error: 'The access token is invalid' });
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      response.write(':)\n\n');
      response.end(sseFrames.endsWith('\n\n') ? sseFrames : `${sseFrames}\n\n`);
      return;
    }
    if (request.headers.authorization !== `Bearer ${token}`) return json(401, { error: 'The access token is invalid' });
    authenticated = rateHeaders;
    if (request.method === 'GET' && url.pathname.startsWith('/api/v1/timelines/tag/')) {
      const tag = decodeURIComponent(url.pathname.slice('/api/v1/timelines/tag/'.length)).toLowerCase();
      const tagged = statuses.filter((status) =>
        (status.tags as Json[]).some((entry) => String(entry.name).toLowerCase() === tag),
      );
      return json(
        200,
        page(tagged, url.searchParams, (status) => status.id as string),
      );
    }
    if (request.method === 'GET' && url.pathname === '/api/v1/timelines/public')
      return json(
        200,
        page(statuses, url.searchParams, (status) => status.id as string),
      );
    if (request.method === 'GET' && url.pathname === '/api/v1/notifications') {
      const types = url.searchParams.getAll('types[]');
      const wanted = notifications.filter(
        (notification) => types.length === 0 || types.includes(notification.type as string),
      );
      return json(
        200,
        page(wanted, url.searchParams, (notification) => notification.id as string),
      );
    }
    if (request.method === 'GET' && url.pathname === '/api/v1/accounts/verify_credentials')
      return json(200, accountTemplate);
    if (request.method === 'POST' && url.pathname === '/api/v1/statuses') {
      const key = request.headers['idempotency-key'];
      // Mastodon keeps an Idempotency-Key for an hour and answers a repeat with the same status.
      const known = typeof key === 'string' ? byIdempotencyKey.get(key) : undefined;
      if (known) return json(200, known);
      if (!body || typeof body.status !== 'string' || body.status.length === 0)
        return json(422, { error: "Validation failed: Text can't be blank" });
      const id = String(nextCreatedId++);
      const status = {
        ...makeStatus(id, {
          content: `<p>${body.status}</p>`,
          acct: 'helpdesk',
          visibility: String(body.visibility ?? 'public'),
        }),
        in_reply_to_id: body.in_reply_to_id ?? null,
      };
      created.push({ ...status, request_body: body });
      if (typeof key === 'string') byIdempotencyKey.set(key, status);
      return json(200, status);
    }
    json(404, { error: 'Record not found' });
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://fake');
    const authorized =
      request.headers.authorization === `Bearer ${token}` ||
      url.searchParams.get('access_token') === token ||
      request.headers['sec-websocket-protocol'] === token;
    if (url.pathname !== '/api/v1/streaming' || !authorized) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const streams = new Set<string>();
      sockets.set(ws, streams);
      ws.on('message', (data) => {
        const message = JSON.parse(data.toString()) as Json;
        subscriptions.push(message);
        const name = [message.stream, message.tag ?? message.list].filter(Boolean).join(':');
        if (message.type === 'subscribe') streams.add(name);
        else if (message.type === 'unsubscribe') streams.delete(name);
      });
      ws.on('close', () => sockets.delete(ws));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    token,
    requests,
    subscriptions,
    created,
    addStatus(id, fields) {
      const status = makeStatus(id, fields);
      statuses.push(status);
      return status;
    },
    addMention(notificationId, statusId, content) {
      const status = makeStatus(statusId, {
        ...(content !== undefined ? { content } : {}),
        acct: (notificationTemplate.account as Json).acct as string,
      });
      const notification = { ...structuredClone(notificationTemplate), id: notificationId, type: 'mention', status };
      notifications.push(notification);
      return notification;
    },
    push(stream, event, payload) {
      const frame = JSON.stringify({
        stream,
        event,
        payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      });
      for (const [ws, streams] of sockets) if (streams.has(stream.join(':'))) ws.send(frame);
    },
    pushRaw(text) {
      for (const ws of sockets.keys()) ws.send(text);
    },
    failNext(prefix, status, times = 1, retryAfter) {
      failures.push({ prefix, status, times, ...(retryAfter ? { retryAfter } : {}) });
    },
    dropConnections() {
      for (const ws of sockets.keys()) ws.terminate();
    },
    connectedSockets: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of sockets.keys()) ws.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
