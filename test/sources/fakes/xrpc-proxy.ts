/**
 * A loopback HTTP proxy in front of a real PDS, standing in for the bits of the network a test
 * cannot make the PDS do on cue: answering the next calls of one XRPC method with a 429 (with
 * Retry-After and the XRPC error body Bluesky sends), or forwarding a call and then losing the
 * answer (a 502 after the PDS did the work) — the case idempotent sends exist for. Everything
 * else is passed through byte for byte; every request is recorded by method name.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface XrpcProxy {
  readonly url: string;
  /** XRPC method names (e.g. `com.atproto.repo.listRecords`) in the order they arrived, rate-limited ones included. */
  readonly calls: string[];
  /** The next `times` calls of `method` are answered 429 with `Retry-After: retryAfterSeconds`. */
  rateLimitNext(method: string, retryAfterSeconds: number, times?: number): void;
  /** The next `times` calls of `method` reach the PDS, but the client gets a 502 instead of its answer. */
  loseAnswerNext(method: string, times?: number): void;
  close(): Promise<void>;
}

export async function startXrpcProxy(target: string): Promise<XrpcProxy> {
  const upstream = new URL(target);
  const limits = new Map<string, { retryAfter: number; times: number }>();
  const losses = new Map<string, number>();
  const calls: string[] = [];

  const server: Server = createServer((req, res) => {
    const method = /^\/xrpc\/([^?]+)/.exec(req.url ?? '')?.[1] ?? req.url ?? '';
    calls.push(method);
    const limit = limits.get(method);
    if (limit && limit.times > 0) {
      limit.times--;
      req.resume();
      res.writeHead(429, {
        'content-type': 'application/json',
        'retry-after': String(limit.retryAfter),
        'ratelimit-remaining': '0',
      });
      res.end(JSON.stringify({ error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' }));
      return;
    }
    const lose = (losses.get(method) ?? 0) > 0;
    if (lose) losses.set(method, losses.get(method)! - 1);
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        if (lose) {
          answer.resume();
          answer.on('end', () => {
            res.writeHead(502, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ error: 'UpstreamTimeout', message: 'the answer was lost on the way back' }));
          });
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', (error) => {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'ProxyError', message: error.message }));
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    rateLimitNext(method, retryAfterSeconds, times = 1) {
      limits.set(method, { retryAfter: retryAfterSeconds, times });
    },
    loseAnswerNext(method, times = 1) {
      losses.set(method, times);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
