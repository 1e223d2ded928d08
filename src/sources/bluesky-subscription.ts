/**
 * The push side of the Bluesky source: one WebSocket to a repo event stream, and the post records
 * it carries. Two kinds of stream: the firehose (`com.atproto.sync.subscribeRepos`, served by every
 * PDS for its own accounts and by a relay such as bsky.network for the whole network: DAG-CBOR
 * frames whose commits hold CAR blocks, decoded with @atproto/lex-cbor and @atproto/sync) and
 * Jetstream (the same commits as JSON, filtered to posts by the server). Each event moves the
 * stream's position (the firehose `seq`, Jetstream's `time_us`); the source saves it, so a restart
 * asks the stream to replay from there. Which posts matter is not decided here.
 *
 * Commits are not signature-checked: the relay, PDS or Jetstream subscribed to is trusted as the
 * AppView the polls ask is, and checking would mean resolving every author's DID document from
 * identifiers chosen by strangers.
 */
import WebSocket from 'ws';

export type SubscriptionKind = 'firehose' | 'jetstream';

export const POST_COLLECTION = 'app.bsky.feed.post';
export const FIREHOSE_METHOD = 'com.atproto.sync.subscribeRepos';

/** A post record created in a repo, as the stream delivered it. */
export interface StreamedPost {
  readonly uri: string;
  readonly cid: string;
  readonly did: string;
  readonly record: unknown;
}

/** What one event meant: the posts it created (often none) and the stream's position after it. */
export interface StreamEvent {
  readonly posts: readonly StreamedPost[];
  readonly position: number;
}

export interface SubscriptionHandlers {
  /** The socket is open: events follow, from `position` when one was given. */
  onOpen(): void;
  /** Called in stream order; the next event is not read until the promise settles. */
  onEvent(event: StreamEvent): Promise<void>;
  /** A frame that could not be read: counted, never a reason to drop the connection. */
  onSkip(reason: string): void;
  /**
   * The connection ended (or never opened). `positionRefused`: the stream said the position is
   * not one of its own (a cursor from the future, another stream's): reconnect without it.
   */
  onClose(reason: string, positionRefused: boolean): void;
}

export interface OpenSubscription {
  close(): void;
}

const HEARTBEAT_MS = 30_000;

/** The URL to connect to, resuming after `position` when there is one. */
export function subscriptionUrl(kind: SubscriptionKind, base: URL, position: number | null): URL {
  const url = new URL(base.href);
  if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol === 'http:') url.protocol = 'ws:';
  if (kind === 'firehose') {
    if (!url.pathname.endsWith(`/xrpc/${FIREHOSE_METHOD}`))
      url.pathname = `${url.pathname.replace(/\/+$/, '')}/xrpc/${FIREHOSE_METHOD}`;
  } else {
    if (url.pathname === '/' || url.pathname === '') url.pathname = '/subscribe';
    url.searchParams.set('wantedCollections', POST_COLLECTION);
  }
  url.searchParams.delete('cursor');
  if (position !== null) url.searchParams.set('cursor', String(position));
  return url;
}

/** Connects and reads events until `close()` or the connection ends; `onClose` is called once either way (not after `close()`). */
export function openSubscription(
  kind: SubscriptionKind,
  url: URL,
  handlers: SubscriptionHandlers,
  options: { readonly handshakeTimeoutMs?: number } = {},
): OpenSubscription {
  const ws = new WebSocket(url, {
    handshakeTimeout: options.handshakeTimeoutMs ?? 15_000,
    maxPayload: 16 * 1024 * 1024,
  });
  let closed = false;
  let problem: string | null = null;
  let positionRefused = false;
  let alive = true;
  let heartbeat: NodeJS.Timeout | null = null;
  // Frames are handled one at a time, in order: a position never passes a post not yet handed over.
  let queue: Promise<void> = Promise.resolve();
  const decode = kind === 'firehose' ? decodeFirehoseFrame : decodeJetstreamMessage;

  ws.on('open', () => {
    if (closed) return;
    heartbeat = setInterval(() => {
      // No pong since the last ping: the line is dead though the socket has not noticed.
      if (!alive) {
        problem = `no answer to a ping in ${HEARTBEAT_MS / 1000} s`;
        ws.terminate();
        return;
      }
      alive = false;
      ws.ping();
    }, HEARTBEAT_MS);
    handlers.onOpen();
  });
  ws.on('pong', () => {
    alive = true;
  });
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    alive = true;
    queue = queue.then(async () => {
      if (closed) return;
      let decoded: Decoded;
      try {
        decoded = await decode(isBinary ? new Uint8Array(data) : data.toString('utf8'));
      } catch (error) {
        handlers.onSkip(`bluesky ${kind}: an event that could not be read (${(error as Error).message})`);
        return;
      }
      if (decoded.type === 'error') {
        problem = decoded.message;
        positionRefused = decoded.positionRefused;
        ws.close();
        return;
      }
      if (decoded.type === 'skip') {
        if (decoded.reason) handlers.onSkip(decoded.reason);
        return;
      }
      try {
        await handlers.onEvent(decoded.event);
      } catch (error) {
        // The host could not take the batch (the pipeline is down): reconnect from the saved position.
        problem = `an event could not be handed over: ${(error as Error).message}`;
        ws.terminate();
      }
    });
  });
  ws.on('unexpected-response', (_request, response) => {
    problem = `HTTP ${response.statusCode} on the subscription handshake`;
    ws.terminate();
  });
  ws.on('error', (error) => {
    problem ??= error.message || (error as NodeJS.ErrnoException).code || 'connection error';
  });
  ws.on('close', (code) => {
    if (heartbeat) clearInterval(heartbeat);
    heartbeat = null;
    if (closed) return;
    closed = true;
    handlers.onClose(problem ?? `connection closed (${code})`, positionRefused);
  });

  return {
    close() {
      if (closed) return;
      closed = true;
      if (heartbeat) clearInterval(heartbeat);
      ws.terminate();
    },
  };
}

export type Decoded =
  | { type: 'event'; event: StreamEvent }
  | { type: 'skip'; reason: string | null }
  | { type: 'error'; message: string; positionRefused: boolean };

// Loaded on first use: hosts without a Bluesky subscription never pay for the CBOR/CAR code.
const loadFirehoseCodec = async () => {
  const [cbor, sync] = await Promise.all([import('@atproto/lex-cbor'), import('@atproto/sync')]);
  return { decodeAll: cbor.decodeAll, parseCommit: sync.parseCommitUnauthenticated };
};
let firehoseCodec: ReturnType<typeof loadFirehoseCodec> | null = null;
const codecs = () => (firehoseCodec ??= loadFirehoseCodec());

/** Error names a firehose sends when the cursor is not one it can serve. */
const REFUSED_POSITIONS = new Set(['FutureCursor', 'InvalidCursor']);

/**
 * One firehose frame: a DAG-CBOR header (`op` 1 = message of type `t`, -1 = error) followed by a
 * DAG-CBOR body. `#commit` bodies carry the repo's ops and the CAR blocks holding the records.
 */
export async function decodeFirehoseFrame(frame: Uint8Array | string): Promise<Decoded> {
  if (typeof frame === 'string') return { type: 'skip', reason: 'bluesky firehose: a text frame' };
  const codec = await codecs();
  const [header, body, ...rest] = [...codec.decodeAll(frame)] as unknown[];
  if (!isObject(header) || !isObject(body) || rest.length > 0) throw new Error('not a header and a body');
  if (header.op === -1) {
    const name = typeof body.error === 'string' ? body.error : 'error';
    return {
      type: 'error',
      message: `the firehose refused: ${name}${typeof body.message === 'string' ? ` (${body.message})` : ''}`,
      positionRefused: REFUSED_POSITIONS.has(name),
    };
  }
  if (header.op !== 1) throw new Error(`unknown frame op ${String(header.op)}`);
  // `#info` (e.g. OutdatedCursor: the replay starts later than asked) moves nothing.
  if (header.t === '#info')
    return { type: 'skip', reason: `bluesky firehose: ${String(body.name)}${body.message ? `: ${body.message}` : ''}` };
  const seq = body.seq;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq)) return { type: 'skip', reason: null };
  if (header.t !== '#commit' || body.tooBig === true) return { type: 'event', event: { posts: [], position: seq } };
  const created = await codec.parseCommit(
    body as unknown as Parameters<typeof codec.parseCommit>[0],
    (collection) => collection === POST_COLLECTION,
  );
  const posts: StreamedPost[] = [];
  for (const op of created) {
    if (op.event !== 'create') continue;
    posts.push({ uri: op.uri.toString(), cid: op.cid.toString(), did: op.did, record: op.record });
  }
  return { type: 'event', event: { posts, position: seq } };
}

/** One Jetstream message: JSON `{did, time_us, kind, commit?: {operation, collection, rkey, cid, record}}`. */
export async function decodeJetstreamMessage(message: Uint8Array | string): Promise<Decoded> {
  const text = typeof message === 'string' ? message : new TextDecoder().decode(message);
  const event: unknown = JSON.parse(text);
  if (!isObject(event)) throw new Error('not an object');
  const position = event.time_us;
  if (typeof position !== 'number' || !Number.isSafeInteger(position)) throw new Error('no time_us');
  const commit = event.commit;
  if (
    event.kind !== 'commit' ||
    !isObject(commit) ||
    commit.operation !== 'create' ||
    commit.collection !== POST_COLLECTION
  )
    return { type: 'event', event: { posts: [], position } };
  if (typeof event.did !== 'string' || typeof commit.rkey !== 'string' || typeof commit.cid !== 'string')
    throw new Error('a commit without did, rkey or cid');
  return {
    type: 'event',
    event: {
      posts: [
        {
          uri: `at://${event.did}/${POST_COLLECTION}/${commit.rkey}`,
          cid: commit.cid,
          did: event.did,
          record: commit.record,
        },
      ],
      position,
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
