/**
 * Mastodon as a source: hashtags, mentions of the account (user notifications) and the public
 * timeline filtered by keywords, live over the streaming API (`stream`), with REST catch-up
 * (`min_id` paging from each stream's cursor) on every (re)connect, so a disconnect or restart
 * loses and doubles nothing; with streaming off, the same catch-up is its `poll`. Replies go out as statuses threaded under the post, public (or unlisted) or
 * as a private mention (visibility `direct`), with an Idempotency-Key so a retry never posts
 * twice. REST goes through `masto`'s client.
 *
 * The streaming socket is `ws` directly rather than masto's streaming client: masto reconnects
 * silently (we must know when to catch up over REST) and a single unparsable frame ends its
 * subscription iterator, where a malformed frame here must be skipped and counted.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { mastodon } from 'masto';
import WebSocket from 'ws';
import type { PostDraft } from '../domain/post.js';
import {
  jsonCursor,
  type OutboundReply,
  type SendResult,
  type Source,
  type SourceContext,
  type SourceDefinition,
  type SourceEnvironment,
  type StreamContext,
} from './source.js';
import { sourceCapabilities } from '../domain/source.js';
import { DEFAULT_RETRY, RemoteError, waitAskedBy, withRetry, type RetryPolicy } from './retry.js';
import { assertFetchable, type Resolver } from './ssrf.js';
import { htmlToText } from './html-text.js';
import { EarshotError, isEarshotError } from '../domain/errors.js';

export interface MastodonOptions {
  readonly instanceUrl: string;
  readonly accessToken: string;
  /** Hashtags to follow, without `#`. */
  readonly hashtags?: readonly string[];
  /** Follow mentions of the account (the `user:notification` stream). Default true. */
  readonly mentions?: boolean;
  /** Follow the public timeline, keeping statuses that contain one of these words. */
  readonly publicKeywords?: readonly string[];
  /** Stream live (default) or only poll the REST timelines every `pollIntervalSeconds`. */
  readonly streaming?: boolean;
  readonly pollIntervalSeconds?: number;
  /** Visibility of public replies: `public` (default) or `unlisted`. */
  readonly publicReplyVisibility?: 'public' | 'unlisted';
}

export interface MastodonTuning {
  readonly retry?: RetryPolicy;
  readonly reconnectBaseMs?: number;
  readonly reconnectMaxMs?: number;
  readonly resolve?: Resolver;
}

/** Per stream (`hashtag:x`, `mentions`, `public`): the newest id handed over. Earlier versions wrote the same shape. */
const MastodonCursor = Type.Object({ v: Type.Literal(1), streams: Type.Record(Type.String(), Type.String()) });
export type MastodonCursor = Static<typeof MastodonCursor>;
const MASTODON_CURSOR = jsonCursor(MastodonCursor);

export type MastodonSource = Source<MastodonCursor> & Required<Pick<Source<MastodonCursor>, 'send'>>;

/** A status and the id that moves its stream's cursor (a notification's id for mentions). */
interface Arrival {
  readonly cursorId: string;
  readonly status: mastodon.v1.Status | null;
}

// masto is loaded on first use: it is a large module and most Earshot processes never talk to Mastodon.
type Masto = typeof import('masto');
let masto: Promise<Masto> | null = null;
const loadMasto = (): Promise<Masto> => (masto ??= import('masto'));

function restClient(origin: string, accessToken: string, timeout: number): () => Promise<mastodon.rest.Client> {
  let client: mastodon.rest.Client | null = null;
  return async () => (client ??= (await loadMasto()).createRestAPIClient({ url: origin, accessToken, timeout }));
}

/** masto's HTTP error, told apart without importing masto (it may not be loaded yet). */
function asMastoHttpError(error: unknown): { statusCode: number; message: string; cause?: unknown } | null {
  const candidate = error as { name?: unknown; statusCode?: unknown } | null;
  return candidate && candidate.name === 'MastoHttpError' && typeof candidate.statusCode === 'number'
    ? (error as { statusCode: number; message: string; cause?: unknown })
    : null;
}

const PAGE = 40;
const REMEMBERED_IDS = 5000;

export function createMastodonSource(
  options: MastodonOptions,
  env: SourceEnvironment,
  tuning: MastodonTuning = {},
): MastodonSource {
  const instance = new URL(options.instanceUrl);
  const rest = restClient(instance.origin, options.accessToken, 30_000);
  const streams = streamKeys(options);
  const keywords = (options.publicKeywords ?? []).map((word) => word.toLowerCase());
  const policy = tuning.retry ?? DEFAULT_RETRY;
  let cursors: Record<string, string> = {};
  // Set by `stream` (and by `poll`, for retry reports).
  let context: SourceContext | null = null;
  let sink: StreamContext<MastodonCursor> | null = null;
  let socket: WebSocket | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = true;
  let failures = 0;
  const recent = new Set<string>();
  // One lane for everything that emits or moves a cursor: catch-up finishes before the frames
  // that arrived meanwhile are handled, so a cursor never passes a status not yet stored.
  let lane: Promise<void> = Promise.resolve();
  const inLane = (work: () => Promise<void>): Promise<void> =>
    (lane = lane.then(work).catch((error) => onError(error)));

  function onError(error: unknown): void {
    // Work still in the lane when the host stopped the stream has nowhere to go.
    if (stopped) return;
    const message = (error as Error).message;
    if (isEarshotError(error) && error.code === 'ERR_SOURCE_AUTH_FAILED') {
      // Reported once: the host counts and logs the failure as it restarts the source.
      context?.reportStatus?.('failed', message);
      close();
      return;
    }
    context?.log.warn(`mastodon ${env.name}: ${message}`);
    context?.reportError?.(message);
  }

  /** The posts among `arrivals` not handed over yet, and the stream's new position. */
  function select(
    stream: string,
    arrivals: readonly Arrival[],
    known: { has(id: string): boolean },
  ): { drafts: PostDraft[]; top: string | null } {
    const drafts: PostDraft[] = [];
    let top = cursors[stream] ?? null;
    for (const { cursorId, status } of arrivals) {
      if (newerId(cursorId, top)) top = cursorId;
      if (!status) continue;
      const original = status.reblog ?? status;
      if (
        stream === 'public' &&
        keywords.length > 0 &&
        !keywords.some((word) => statusText(original).toLowerCase().includes(word))
      )
        continue;
      if (known.has(original.id)) continue;
      drafts.push(statusToDraft(original, env.name, instance.host));
    }
    return { drafts, top };
  }

  /** Streaming: hands new posts and the moved cursor to the host, then remembers them. */
  async function deliver(stream: string, arrivals: readonly Arrival[]): Promise<void> {
    const { drafts, top } = select(stream, arrivals, recent);
    if (drafts.length === 0 && (!top || top === cursors[stream])) return;
    const next = top && top !== cursors[stream] ? { ...cursors, [stream]: top } : cursors;
    await sink!.deliver(drafts, { v: 1, streams: next });
    cursors = next;
    for (const draft of drafts) remember(draft.externalId);
  }

  function remember(id: string): void {
    recent.add(id);
    if (recent.size > REMEMBERED_IDS) recent.delete(recent.values().next().value!);
  }

  async function catchUp(
    stream: string,
    take: (stream: string, arrivals: readonly Arrival[]) => Promise<void> = deliver,
  ): Promise<void> {
    const since = cursors[stream] ?? null;
    // The first start takes the latest page only: a source is not a backfill of the whole timeline.
    if (!since) return take(stream, (await listPage(stream, { limit: PAGE })).reverse());
    let minId = since;
    for (;;) {
      const page = await listPage(stream, { minId, limit: PAGE });
      const ascending = [...page].sort((a, b) => compareIds(a.cursorId, b.cursorId));
      if (ascending.length === 0) return;
      await take(stream, ascending);
      minId = ascending.at(-1)!.cursorId;
      if (page.length < PAGE) return;
    }
  }

  async function listPage(stream: string, params: { minId?: string; limit: number }): Promise<Arrival[]> {
    return withRetry(async () => {
      try {
        if (stream === 'mentions') {
          const notifications = await (await rest()).v1.notifications.list({ ...params, types: ['mention'] });
          return notifications.map((notification) => ({
            cursorId: notification.id,
            status: notification.status ?? null,
          }));
        }
        const statuses =
          stream === 'public'
            ? await (await rest()).v1.timelines.public.list(params)
            : await (await rest()).v1.timelines.tag.$select(stream.slice('hashtag:'.length)).list(params);
        return statuses.map((status) => ({ cursorId: status.id, status }));
      } catch (error) {
        throw translate(error, `GET ${stream}`);
      }
    }, withBackoffReport(policy));
  }

  function withBackoffReport(base: RetryPolicy): RetryPolicy {
    return {
      ...base,
      onRetry: (info) => {
        context?.reportStatus?.('backing-off', info.reason);
        base.onRetry?.(info);
      },
    };
  }

  function translate(error: unknown, what: string): Error {
    const http = asMastoHttpError(error);
    if (http) {
      const error = http;
      const response = error.cause instanceof Response ? error.cause : null;
      if (error.statusCode === 401 || error.statusCode === 403) {
        return new EarshotError('ERR_SOURCE_AUTH_FAILED', {
          name: env.name,
          remote: instance.host,
          detail: `${what}: HTTP ${error.statusCode} ${error.message}`,
        });
      }
      return new RemoteError(
        `${what}: HTTP ${error.statusCode} ${error.message}`,
        error.statusCode,
        // Mastodon says when to come back in X-RateLimit-Reset (no Retry-After); both are read.
        response ? waitAskedBy(response.headers, error.statusCode, env.clock().getTime()) : null,
      );
    }
    return error as Error;
  }

  function handleFrame(raw: string): Promise<void> {
    let frame: { stream?: unknown; event?: unknown; payload?: unknown };
    try {
      frame = JSON.parse(raw) as typeof frame;
    } catch {
      context?.reportSkipped?.('mastodon: a streaming frame that is not JSON');
      return Promise.resolve();
    }
    if (!frame || typeof frame !== 'object' || typeof frame.event !== 'string') {
      context?.reportSkipped?.('mastodon: a streaming frame without an event');
      return Promise.resolve();
    }
    const names = Array.isArray(frame.stream) ? frame.stream.map(String) : [];
    return handleEvent(frame.event, frame.payload, names);
  }

  async function handleEvent(event: string, payload: unknown, names: readonly string[]): Promise<void> {
    if (event !== 'update' && event !== 'notification') return; // deletes, edits, announcements, filters: nothing to ingest
    const entity = typeof payload === 'string' ? tryParse(payload) : payload;
    if (event === 'notification') {
      const notification = camelize(entity) as mastodon.v1.Notification | null;
      if (!notification || typeof notification.id !== 'string' || typeof notification.type !== 'string')
        return void context?.reportSkipped?.('mastodon: a malformed notification');
      if (notification.type !== 'mention' || !streams.includes('mentions')) return;
      if (!isStatus(notification.status))
        return void context?.reportSkipped?.(`mastodon: mention ${notification.id} carries a malformed status`);
      return inLane(() => deliver('mentions', [{ cursorId: notification.id, status: notification.status! }]));
    }
    const status = camelize(entity) as mastodon.v1.Status | null;
    if (!isStatus(status)) return void context?.reportSkipped?.('mastodon: a malformed status update');
    const stream =
      names[0] === 'hashtag' || names[0] === 'hashtag:local'
        ? `hashtag:${(names[1] ?? '').toLowerCase()}`
        : names[0]?.startsWith('public')
          ? 'public'
          : null;
    if (!stream || !streams.includes(stream)) return;
    return inLane(() => deliver(stream, [{ cursorId: status.id, status }]));
  }

  function connect(): void {
    if (stopped) return;
    context?.reportStatus?.('connecting');
    const url = new URL('/api/v1/streaming', instance.origin);
    url.protocol = instance.protocol === 'https:' ? 'wss:' : 'ws:';
    // The token goes in a header, never in the URL (URLs end up in logs).
    const ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${options.accessToken}` },
      handshakeTimeout: 30_000,
    });
    socket = ws;
    ws.on('open', () => {
      failures = 0;
      context?.reportStatus?.('connected');
      for (const message of subscriptions(options)) ws.send(JSON.stringify(message));
      // Catch up after subscribing: what arrives meanwhile waits in the lane behind it.
      void inLane(async () => {
        for (const stream of streams) await catchUp(stream);
      });
    });
    ws.on('unexpected-response', (_request, response) => {
      // A refused token on the streaming handshake is as final as on REST: no endless reconnects.
      if (response.statusCode === 401 || response.statusCode === 403) {
        onError(
          new EarshotError('ERR_SOURCE_AUTH_FAILED', {
            name: env.name,
            remote: instance.host,
            detail: `streaming: HTTP ${response.statusCode}`,
          }),
        );
      } else ws.terminate();
    });
    ws.on('message', (data) => void handleFrame(data.toString()));
    let problem: string | null = null;
    ws.on('error', (error) => {
      problem = error.message;
      context?.log.warn(`mastodon ${env.name}: streaming: ${error.message}`);
    });
    ws.on('close', (code) => {
      if (socket === ws) socket = null;
      if (stopped) return;
      const base = tuning.reconnectBaseMs ?? 1000;
      const delay = Math.min(tuning.reconnectMaxMs ?? 60_000, base * 2 ** Math.min(failures++, 16));
      // A lost or refused connection is a failed attempt: health counts it with its reason
      // (backing-off), instead of a silent `disconnected` that left errors at 0 during an outage.
      context?.reportStatus?.(
        'backing-off',
        `streaming: ${problem ?? `connection closed (${code})`}; reconnecting in ${Math.round(delay / 100) / 10} s`,
      );
      timer = setTimeout(connect, delay);
    });
  }

  /** Ends the stream: on the host's signal, or by itself when the instance refuses the token. */
  function close(): void {
    stopped = true;
    if (timer) clearTimeout(timer);
    timer = null;
    socket?.terminate();
    socket = null;
  }

  const source: MastodonSource = {
    kind: 'mastodon',
    capabilities: MASTODON_CAPABILITIES,
    cursor: MASTODON_CURSOR,
    pollIntervalMs: (options.pollIntervalSeconds ?? 60) * 1000,
    async send(reply: OutboundReply): Promise<SendResult> {
      const statusId = String(reply.target?.extra.statusId ?? reply.target?.externalId ?? reply.inReplyTo ?? '');
      const acct = String(reply.target?.extra.acct ?? reply.target?.authorHandle ?? '').replace(/^@/, '');
      const mention = acct ? `@${acct}` : '';
      // A reply must mention its person: a direct status reaches only those it mentions.
      const body = mention && !reply.body.includes(mention) ? `${mention} ${reply.body}` : reply.body;
      const visibility = reply.visibility === 'private' ? 'direct' : (options.publicReplyVisibility ?? 'public');
      try {
        const status = await withRetry(async () => {
          try {
            return await (await rest()).v1.statuses.create(
              { status: body, visibility, ...(statusId ? { inReplyToId: statusId } : {}) },
              { requestInit: { headers: { 'Idempotency-Key': reply.idempotencyKey } } },
            );
          } catch (error) {
            throw translate(error, 'POST /api/v1/statuses');
          }
        }, policy);
        // A key the instance has seen answers with the status first posted under it. The key is
        // unique to this install and message, so that status must answer the same post; one that
        // does not was not posted by this reply, and calling it sent would lose the reply.
        if (statusId && status.inReplyToId !== statusId)
          throw new EarshotError('ERR_SOURCE_SEND_FAILED', {
            name: env.name,
            detail: `the instance answered with status ${status.id}, which replies to ${status.inReplyToId ?? 'nothing'}, not ${statusId}: not this reply, so not sent`,
          });
        return { remoteId: status.id, remoteUrl: status.url ?? status.uri ?? null };
      } catch (error) {
        if (isEarshotError(error)) throw error;
        throw new EarshotError(
          'ERR_SOURCE_SEND_FAILED',
          { name: env.name, detail: (error as Error).message },
          { cause: error },
        );
      }
    },
  };
  if (options.streaming === false) {
    // Polling only: every stream caught up over REST on the supervisor's schedule.
    source.poll = async (cursor, ctx) => {
      context = ctx;
      cursors = { ...(cursor?.streams ?? {}) };
      const drafts: PostDraft[] = [];
      const taken = new Set<string>();
      for (const stream of streams) {
        await catchUp(stream, async (name, arrivals) => {
          const selected = select(name, arrivals, taken);
          for (const draft of selected.drafts) taken.add(draft.externalId);
          drafts.push(...selected.drafts);
          if (selected.top) cursors = { ...cursors, [name]: selected.top };
        });
      }
      ctx.reportStatus?.('polling');
      return { drafts, next: { v: 1, streams: cursors } };
    };
  } else {
    source.stream = async (cursor, ctx, signal) => {
      context = ctx;
      sink = ctx;
      cursors = { ...(cursor?.streams ?? {}) };
      stopped = false;
      signal.addEventListener('abort', close, { once: true });
      await assertFetchable(instance, {
        allowPrivateNetwork: env.allowPrivateNetwork,
        allowedPrivateHosts: env.allowedPrivateHosts,
        ...(tuning.resolve ? { resolve: tuning.resolve } : {}),
      });
      connect();
    };
  }
  return source;
}

/** A status as a post. */
export function statusToDraft(status: mastodon.v1.Status, source: string, instanceHost: string): PostDraft {
  // A local account's acct has no domain: its profile URL says where it lives.
  const acct = status.account.acct.includes('@')
    ? status.account.acct
    : `${status.account.acct}@${hostOf(status.account.url) ?? instanceHost}`;
  return {
    source,
    externalId: status.id,
    author: {
      handle: `@${acct}`,
      name: status.account.displayName || status.account.username || null,
      followers: numberOr(status.account.followersCount),
      following: numberOr(status.account.followingCount),
      createdAt: status.account.createdAt ?? null,
    },
    text: statusText(status),
    url: status.url ?? status.uri ?? null,
    createdAt: new Date(status.createdAt).toISOString(),
    inReplyTo: status.inReplyToId ?? null,
    metrics: {
      likes: numberOr(status.favouritesCount) ?? 0,
      reposts: numberOr(status.reblogsCount) ?? 0,
      replies: numberOr(status.repliesCount) ?? 0,
    },
    extra: {
      statusId: status.id,
      visibility: status.visibility,
      acct,
      accountId: status.account.id,
      uri: status.uri,
      language: status.language ?? null,
      tags: (status.tags ?? []).map((tag) => tag.name),
      mentions: (status.mentions ?? []).map((mention) => mention.acct),
    },
  };
}

function statusText(status: mastodon.v1.Status): string {
  const body = htmlToText(status.content ?? '');
  return status.spoilerText ? `${status.spoilerText}\n\n${body}` : body;
}

function isStatus(value: unknown): value is mastodon.v1.Status {
  const status = value as mastodon.v1.Status | null;
  return Boolean(
    status &&
      typeof status === 'object' &&
      typeof status.id === 'string' &&
      /^\d+$/.test(status.id) &&
      typeof status.content === 'string' &&
      status.account &&
      typeof status.account.acct === 'string' &&
      typeof status.createdAt === 'string' &&
      !Number.isNaN(Date.parse(status.createdAt)),
  );
}

function streamKeys(options: MastodonOptions): string[] {
  return [
    ...(options.hashtags ?? []).map((tag) => `hashtag:${tag.replace(/^#/, '').toLowerCase()}`),
    ...(options.mentions === false ? [] : ['mentions']),
    ...(options.publicKeywords?.length ? ['public'] : []),
  ];
}

function subscriptions(options: MastodonOptions): Record<string, string>[] {
  return [
    ...(options.hashtags ?? []).map((tag) => ({ type: 'subscribe', stream: 'hashtag', tag: tag.replace(/^#/, '') })),
    ...(options.mentions === false ? [] : [{ type: 'subscribe', stream: 'user:notification' }]),
    ...(options.publicKeywords?.length ? [{ type: 'subscribe', stream: 'public' }] : []),
  ];
}

/** Mastodon ids are decimal strings that grow with time; longer is newer. */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function newerId(candidate: string, current: string | null): boolean {
  return current === null || compareIds(candidate, current) > 0;
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The streaming API speaks snake_case; masto's REST client hands camelCase. One shape inside. */
function camelize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelize);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase()),
      camelize(inner),
    ]),
  );
}

function hostOf(url: string | null | undefined): string | null {
  try {
    return url ? new URL(url).host : null;
  } catch {
    return null;
  }
}

function numberOr(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

const MASTODON_OPTIONS = Type.Object(
  {
    instanceUrl: Type.String({ pattern: '^https?://', minLength: 8, maxLength: 500 }),
    accessToken: Type.String({ minLength: 1, maxLength: 500 }),
    hashtags: Type.Optional(
      Type.Array(Type.String({ format: 'hashtag', minLength: 1, maxLength: 100 }), { maxItems: 50 }),
    ),
    mentions: Type.Optional(Type.Boolean()),
    publicKeywords: Type.Optional(Type.Array(Type.String({ minLength: 2, maxLength: 100 }), { maxItems: 50 })),
    streaming: Type.Optional(Type.Boolean()),
    pollIntervalSeconds: Type.Optional(Type.Integer({ minimum: 15, maximum: 3600 })),
    publicReplyVisibility: Type.Optional(Type.Union([Type.Literal('public'), Type.Literal('unlisted')])),
  },
  { additionalProperties: false },
);

/** What the mastodon channel can do, the same for every source of this kind. */
export const MASTODON_CAPABILITIES = sourceCapabilities({
  canReplyPublicly: true,
  canDirectMessage: true,
  maxReplyLength: 500,
});

export const mastodonSourceDefinition = {
  capabilities: MASTODON_CAPABILITIES,
  kind: 'mastodon',
  label: 'Mastodon',
  description:
    'Hashtags, mentions and keywords on a Mastodon instance, live over the streaming API; replies publicly or privately.',
  options: MASTODON_OPTIONS,
  secrets: ['accessToken'],
  create: (options: MastodonOptions, environment: SourceEnvironment) => createMastodonSource(options, environment),
  async check(options: MastodonOptions, environment: SourceEnvironment) {
    const instance = new URL(options.instanceUrl);
    await assertFetchable(instance, {
      allowPrivateNetwork: environment.allowPrivateNetwork,
      allowedPrivateHosts: environment.allowedPrivateHosts,
    });
    try {
      // verify_credentials: one cheap call proving the token.
      await (await restClient(instance.origin, options.accessToken, 15_000)()).v1.accounts.verifyCredentials();
    } catch (error) {
      const http = asMastoHttpError(error);
      const detail = http ? `HTTP ${http.statusCode} ${http.message}` : (error as Error).message;
      throw new EarshotError('ERR_SOURCE_CHECK_FAILED', { name: environment.name, detail });
    }
  },
} satisfies SourceDefinition<typeof MASTODON_OPTIONS>;
