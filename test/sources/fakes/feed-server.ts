/**
 * A loopback web server that publishes feeds the way real sites do: fixed bodies with their
 * Content-Type, ETag and Last-Modified, answering conditional GETs with 304, and able to
 * answer the next requests with a rate limit or a server error. It records every request so
 * tests can check what the poller sent.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PublishedFeed {
  body: Buffer | string;
  contentType?: string;
  etag?: string | null;
  lastModified?: string | null;
}

export interface RecordedFeedRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly status: number;
}

export interface FeedServer {
  readonly origin: string;
  readonly requests: RecordedFeedRequest[];
  /** Publishes (or replaces) the feed at `path`; returns its absolute URL. */
  publish(path: string, feed: PublishedFeed): string;
  /** The next `times` requests for `path` get `status` (with Retry-After when given). */
  failNext(path: string, status: number, times?: number, retryAfter?: string): void;
  close(): Promise<void>;
}

export async function startFeedServer(): Promise<FeedServer> {
  const feeds = new Map<string, PublishedFeed>();
  const failures = new Map<string, { status: number; times: number; retryAfter?: string }>();
  const requests: RecordedFeedRequest[] = [];

  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]!;
    const answer = (status: number, headers: Record<string, string> = {}, body?: Buffer | string) => {
      requests.push({ path, headers: request.headers, status });
      response.writeHead(status, headers).end(body);
    };
    const failure = failures.get(path);
    if (failure && failure.times > 0) {
      failure.times--;
      return answer(
        failure.status,
        { 'content-type': 'text/plain', ...(failure.retryAfter ? { 'retry-after': failure.retryAfter } : {}) },
        `status ${failure.status}`,
      );
    }
    const feed = feeds.get(path);
    if (!feed) return answer(404, { 'content-type': 'text/plain' }, 'not found');
    const headers: Record<string, string> = { 'content-type': feed.contentType ?? 'application/xml' };
    if (feed.etag) headers.etag = feed.etag;
    if (feed.lastModified) headers['last-modified'] = feed.lastModified;
    // RFC 9110 §13.1: If-None-Match wins over If-Modified-Since when both are sent.
    const inm = request.headers['if-none-match'];
    const ims = request.headers['if-modified-since'];
    const notModified =
      inm !== undefined
        ? Boolean(feed.etag) &&
          inm
            .split(',')
            .map((tag) => tag.trim())
            .includes(feed.etag!)
        : ims !== undefined && Boolean(feed.lastModified) && Date.parse(ims) >= Date.parse(feed.lastModified!);
    if (notModified) return answer(304, headers);
    answer(200, headers, feed.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    requests,
    publish(path, feed) {
      feeds.set(path, feed);
      return origin + path;
    },
    failNext(path, status, times = 1, retryAfter) {
      failures.set(path, { status, times, ...(retryAfter ? { retryAfter } : {}) });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
