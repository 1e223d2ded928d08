/**
 * The Bluesky source: logs in to a PDS with an app password and reads (1) `app.bsky.feed.searchPosts`
 * for each search query, (2) `listNotifications` for mentions, replies and quotes, and (3) the repos
 * of watched accounts (`com.atproto.repo.listRecords`), which works against a PDS alone. By default
 * it also subscribes to a repo event stream (the firehose or Jetstream, `subscription`), so a
 * mention arrives as it is posted; polling stands in while the stream cannot be reached
 * (`bluesky-subscription-mode.ts`). With `subscription: off` it is polled by the supervisor. The
 * cursor holds a position per feed, the stream's position and the URIs handed over lately. Search
 * and notifications are answered by an AppView through the PDS; when none is reachable those two
 * feeds are skipped (status says so) and the repo feed keeps working. Replies are real reply
 * records (root + parent strong refs) written under a record key derived from the idempotency
 * key, so a retried send finds the first attempt's post instead of posting twice. Bluesky has no
 * private replies here: those fail clearly.
 */
import { Type, type Static } from '@sinclair/typebox';
import { EarshotError } from '../domain/errors.js';
import type { PostDraft } from '../domain/post.js';
import type {
  OutboundReply,
  PollContext,
  PollResult,
  SendResult,
  Source,
  SourceContext,
  SourceDefinition,
  SourceEnvironment,
  StreamContext,
} from './source.js';
import { sourceCapabilities } from '../domain/source.js';
import { DEFAULT_RETRY, RemoteError, withRetry, type RetryPolicy } from './retry.js';
import {
  assertServiceConnectable,
  atproto,
  authError,
  NoAppView,
  serviceUrl,
  xrpc,
  type AtpAgent,
} from './bluesky-xrpc.js';
import { rkeyFromIdempotencyKey } from './bluesky-rkey.js';
import { startSubscribed, type SubscriptionTarget, type SubscriptionTuning } from './bluesky-subscription-mode.js';
import type { StreamedPost } from './bluesky-subscription.js';
import { assertConnectableHost, assertPublicHost } from './private-host.js';
import type { StreamInterest } from './bluesky-subscription-filter.js';
import {
  BLUESKY_CURSOR,
  draftFromRepoRecord,
  draftFromStreamed,
  draftFromView,
  emptyCursor,
  postUrl,
  remember,
  replyRefs,
  strongRef,
  type BlueskyAuthor,
  type BlueskyCursor,
} from './bluesky-posts.js';

/** The default time between polls. */
export const BLUESKY_POLL_SECONDS = 15;

export const blueskyOptions = Type.Object(
  {
    service: Type.String({
      pattern: '^https?://',
      default: 'https://bsky.social',
      description: 'PDS (or entryway) URL',
    }),
    identifier: Type.String({ minLength: 1, description: 'Handle or email of the account' }),
    appPassword: Type.String({ minLength: 1, description: 'An app password, not the account password' }),
    searchQueries: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 300 }), { maxItems: 20 })),
    watchNotifications: Type.Optional(Type.Boolean({ default: true })),
    watchAccounts: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        maxItems: 50,
        description: 'Handles or DIDs whose posts are read from the PDS',
      }),
    ),
    // 15 s: while polling, a mention waits ~7.5 s on average, at a few calls per poll, far below a
    // PDS's rate limits. Subscribed to a stream, a mention arrives as it is posted.
    pollIntervalSeconds: Type.Optional(Type.Number({ minimum: 0.05, maximum: 3600, default: BLUESKY_POLL_SECONDS })),
    subscription: Type.Optional(
      Type.Union([Type.Literal('auto'), Type.Literal('firehose'), Type.Literal('jetstream'), Type.Literal('off')], {
        default: 'auto',
        description:
          'Repo event stream for mentions as they are posted (polling stands in while it is unreachable): auto = Jetstream for accounts on bsky.social, else the PDS firehose; off = poll only',
      }),
    ),
    subscriptionUrl: Type.Optional(
      Type.String({
        pattern: '^(wss?|https?)://',
        description: "Relay firehose or Jetstream URL (default: the PDS firehose, or Bluesky's public Jetstream)",
      }),
    ),
  },
  { additionalProperties: false },
);
export type BlueskyOptions = Static<typeof blueskyOptions>;

export interface BlueskySource extends Source<BlueskyCursor> {
  poll(cursor: BlueskyCursor | null, context: PollContext): Promise<PollResult<BlueskyCursor>>;
  send(reply: OutboundReply): Promise<SendResult>;
}

/** Bluesky's public Jetstream, for accounts hosted by Bluesky (whose PDS firehose carries only its own accounts). */
export const DEFAULT_JETSTREAM_URL = 'wss://jetstream2.us-east.bsky.network/subscribe';

const POST = 'app.bsky.feed.post';
const PAGE = 50;
/** Pages read per feed per poll once a position is known; the first poll reads one page, not history. */
const MAX_PAGES = 10;
const REASONS = new Set(['mention', 'reply', 'quote']);

export function createBlueskySource(
  options: BlueskyOptions,
  env: SourceEnvironment,
  retry: RetryPolicy = DEFAULT_RETRY,
  tuning: SubscriptionTuning = {},
): BlueskySource {
  const service = serviceUrl(options, env);
  const target = subscriptionTarget(options, env);
  let client: AtpAgent | null = null;
  // Only called after `ensureSession`, which makes the client.
  const agent = (): AtpAgent => client!;
  // The context of the poll in progress, for retry reports.
  let context: SourceContext | null = null;
  let appViewUp: boolean | null = null;
  const authors = new Map<string, BlueskyAuthor>();

  const policy: RetryPolicy = {
    ...retry,
    onRetry: (info) => {
      context?.reportStatus?.('backing-off', info.reason);
      context?.log.warn(`bluesky ${env.name}: retrying in ${info.delayMs} ms: ${info.reason}`);
      retry.onRetry?.(info);
    },
  };
  const call = <T>(what: string, operation: () => Promise<T>): Promise<T> =>
    withRetry(() => xrpc(what, operation), policy);

  async function ensureSession(): Promise<string> {
    if (client?.session) return client.session.did;
    await assertServiceConnectable(service, env);
    if (!client) client = new (await atproto()).AtpAgent({ service, fetch: env.fetch });
    try {
      await call('createSession', () =>
        agent().login({ identifier: options.identifier, password: options.appPassword }),
      );
    } catch (error) {
      throw authError(env.name, error) ?? error;
    }
    return agent().session!.did;
  }

  /** One poll of every feed; `report` false when the subscription reports the status instead. */
  async function pollAll(
    state: BlueskyCursor,
    ctx: SourceContext,
    report = true,
  ): Promise<PollResult<BlueskyCursor> & { note?: string }> {
    context = ctx;
    const me = await ensureSession();
    const drafts: PostDraft[] = [];
    const seen = new Set(state.seen);
    const take = (found: PostDraft | string) => {
      if (typeof found === 'string') return ctx.reportSkipped?.(found);
      if (seen.has(found.externalId) || (found.extra.did as string) === me) return;
      seen.add(found.externalId);
      drafts.push(found);
    };
    const next: BlueskyCursor = {
      ...state,
      searches: { ...state.searches },
      repos: { ...state.repos },
      seen: [...state.seen],
    };
    const failures: string[] = [];
    let attempted = 0;
    const feed = async (label: string, read: () => Promise<void>) => {
      attempted += 1;
      try {
        await read();
      } catch (error) {
        if (error instanceof EarshotError) throw error;
        // A refused token that a refresh could not cure: the app password was revoked.
        if (error instanceof RemoteError && error.status === 401) throw authError(env.name, error)!;
        failures.push(`${label}: ${(error as Error).message}`);
      }
    };

    for (const query of options.searchQueries ?? []) {
      await feed(`search "${query}"`, async () => {
        const newest = await pageByTime(
          next.searches[query] ?? null,
          (cursor) =>
            appView(() =>
              call('searchPosts', () =>
                agent().app.bsky.feed.searchPosts({ q: query, sort: 'latest', limit: PAGE, cursor }),
              ),
            ).then((page) => page && { items: page.data.posts, cursor: page.data.cursor }),
          (view) => take(draftFromView(env.name, view, 'search')),
        );
        if (newest) next.searches[query] = newest;
      });
    }
    if (options.watchNotifications ?? true) {
      await feed('notifications', async () => {
        const newest = await pageByTime(
          next.notifications,
          (cursor) =>
            appView(() =>
              call('listNotifications', () => agent().app.bsky.notification.listNotifications({ limit: PAGE, cursor })),
            ).then((page) => page && { items: page.data.notifications, cursor: page.data.cursor }),
          (item) => {
            if (REASONS.has(String((item as { reason?: unknown }).reason)))
              take(draftFromView(env.name, item, 'notification'));
          },
        );
        if (newest) next.notifications = newest;
      });
    }
    for (const account of options.watchAccounts ?? []) {
      await feed(`repo ${account}`, async () => {
        const author = await resolveAuthor(account);
        const last = next.repos[author.did] ?? null;
        const fresh: unknown[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < (last ? MAX_PAGES : 1); page++) {
          const res = await call('listRecords', () =>
            agent().com.atproto.repo.listRecords({ repo: author.did, collection: POST, limit: PAGE, cursor }),
          );
          // Newest first by record key: stop at the newest key handed over before.
          const records = res.data.records.filter((record) => !last || rkeyOf(record.uri) > last);
          fresh.push(...records);
          cursor = res.data.cursor;
          if (!cursor || records.length < res.data.records.length || res.data.records.length === 0) break;
        }
        for (const record of fresh.reverse()) take(draftFromRepoRecord(env.name, record, author));
        const newestKey = fresh
          .map((record) => rkeyOf((record as { uri: string }).uri))
          .sort()
          .at(-1);
        if (newestKey && (!last || newestKey > last)) next.repos[author.did] = newestKey;
      });
    }

    drafts.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    remember(
      next,
      drafts.map((draft) => draft.externalId),
    );
    // Nothing could be read: the poll failed, and the host waits longer before the next one.
    if (failures.length > 0 && failures.length === attempted) throw new Error(failures.join('; '));
    const note =
      failures.length > 0
        ? `${failures.length} of ${attempted} reads failed`
        : appViewUp === false
          ? 'no AppView reachable: reading watched repos only'
          : undefined;
    if (report) ctx.reportStatus?.('polling', note);
    return { drafts, next, failures, ...(note ? { note } : {}) };
  }

  /** Runs an AppView call; null (and a status note, once) when the PDS has no AppView to ask. */
  async function appView<T>(operation: () => Promise<T>): Promise<T | null> {
    try {
      const result = await operation();
      appViewUp = true;
      return result;
    } catch (error) {
      if (!(error instanceof NoAppView)) throw error;
      if (appViewUp !== false)
        context?.log.warn(
          `bluesky ${env.name}: no AppView reachable through ${options.service}; search and notifications paused`,
        );
      appViewUp = false;
      return null;
    }
  }

  async function resolveAuthor(account: string): Promise<BlueskyAuthor> {
    const known = authors.get(account);
    if (known) return known;
    const res = await call('describeRepo', () => agent().com.atproto.repo.describeRepo({ repo: account }));
    const author = { did: res.data.did, handle: res.data.handle, displayName: null };
    authors.set(account, author);
    return author;
  }

  const profiles = new Map<string, BlueskyAuthor>();
  /** Who wrote a streamed post (the stream names only the DID): the AppView's profile, else the PDS's describeRepo, else the DID. */
  async function streamedAuthor(did: string): Promise<BlueskyAuthor> {
    const known = profiles.get(did);
    if (known) return known;
    try {
      const profile = await appView(() => call('getProfile', () => agent().app.bsky.actor.getProfile({ actor: did })));
      const author = profile
        ? { did, handle: profile.data.handle, displayName: profile.data.displayName ?? null }
        : {
            did,
            handle: (await call('describeRepo', () => agent().com.atproto.repo.describeRepo({ repo: did }))).data
              .handle,
            displayName: null,
          };
      if (profiles.size >= 5000) profiles.delete(profiles.keys().next().value!);
      profiles.set(did, author);
      return author;
    } catch (error) {
      context?.log.warn(`bluesky ${env.name}: no profile for ${did}: ${(error as Error).message}`);
      // Not remembered: the next post of this author asks again.
      return { did, handle: did, displayName: null };
    }
  }

  /** What the stream is filtered for: the account (a session is opened), the queries and the watched accounts. */
  async function streamInterest(stream: SubscriptionTarget): Promise<StreamInterest> {
    await assertConnectableHost(stream.url.hostname, {
      name: env.name,
      path: 'subscriptionUrl',
      allowPrivateNetwork: env.allowPrivateNetwork,
      allowedPrivateHosts: env.allowedPrivateHosts,
    });
    const did = await ensureSession();
    const accounts = new Set<string>();
    for (const account of options.watchAccounts ?? []) {
      if (account.startsWith('did:')) accounts.add(account);
      else
        await resolveAuthor(account).then(
          (author) => accounts.add(author.did),
          (error: unknown) => {
            if (error instanceof EarshotError) throw error;
            // Its repo feed (polled) still reads it; the stream just misses it until a restart.
            context?.log.warn(
              `bluesky ${env.name}: watched account ${account} not resolved: ${(error as Error).message}`,
            );
          },
        );
    }
    return {
      did,
      handle: agent().session?.handle ?? '',
      notifications: options.watchNotifications ?? true,
      searchQueries: options.searchQueries ?? [],
      accounts,
    };
  }

  const pollIntervalMs = (options.pollIntervalSeconds ?? BLUESKY_POLL_SECONDS) * 1000;
  const source: BlueskySource = {
    kind: 'bluesky',
    capabilities: BLUESKY_CAPABILITIES,
    cursor: BLUESKY_CURSOR,
    pollIntervalMs,
    poll: (cursor, ctx) => pollAll(cursor ?? emptyCursor(), ctx),
    async send(reply: OutboundReply): Promise<SendResult> {
      if (reply.visibility === 'private') {
        throw new EarshotError('ERR_SOURCE_REPLY_UNSUPPORTED', {
          name: env.name,
          detail: 'Bluesky has no private replies; answer publicly or reach the person another way',
        });
      }
      const target = reply.target;
      const parent = target ? strongRef({ uri: target.extra.uri ?? target.externalId, cid: target.extra.cid }) : null;
      if (!parent)
        throw new EarshotError('ERR_SOURCE_REPLY_UNSUPPORTED', {
          name: env.name,
          detail: 'a Bluesky reply needs the post it answers (its at:// uri and cid)',
        });
      const root = replyRefs(target!.extra.reply)?.root ?? parent;
      const did = await ensureSession();
      const text = new (await atproto()).RichText({ text: reply.body });
      // Mentions become facets (resolved to DIDs) so the person is notified; unresolvable ones stay plain text.
      await text.detectFacets(agent()).catch(() => undefined);
      if (text.graphemeLength > 300) {
        throw new EarshotError('ERR_SOURCE_REPLY_UNSUPPORTED', {
          name: env.name,
          detail: `the reply has ${text.graphemeLength} characters; Bluesky allows 300`,
        });
      }
      const rkey = rkeyFromIdempotencyKey(reply.idempotencyKey);
      const handle = agent().session?.handle ?? did;
      const record = {
        $type: POST,
        text: text.text,
        facets: text.facets,
        reply: { root, parent },
        createdAt: env.clock().toISOString(),
      };
      return withRetry(async () => {
        // A previous attempt (or a crash after it) may already have written this record.
        const existing = await getRecord(did, rkey);
        if (existing) {
          // The key is this install's and this message's, so the record must be this reply; a
          // record that answers another post or says something else is not, and is not "sent".
          const value = existing.value as { text?: unknown; reply?: { parent?: { uri?: unknown } } };
          if (value.text !== record.text || value.reply?.parent?.uri !== parent.uri)
            throw new EarshotError('ERR_SOURCE_SEND_FAILED', {
              name: env.name,
              detail: `record ${existing.uri} already holds another post under this reply's key: not sent`,
            });
          return { remoteId: existing.uri, remoteUrl: postUrl(handle, rkey) };
        }
        const created = await xrpc('createRecord', () =>
          agent().com.atproto.repo.createRecord({ repo: did, collection: POST, rkey, record }),
        );
        return { remoteId: created.data.uri, remoteUrl: postUrl(handle, rkey) };
      }, policy);
    },
  };

  async function getRecord(did: string, rkey: string): Promise<{ uri: string; value: unknown } | null> {
    try {
      const res = await xrpc('getRecord', () =>
        agent().com.atproto.repo.getRecord({ repo: did, collection: POST, rkey }),
      );
      return { uri: res.data.uri, value: res.data.value };
    } catch (error) {
      if (
        error instanceof RemoteError &&
        error.status === 400 &&
        /RecordNotFound|Could not locate record/i.test(error.message)
      )
        return null;
      throw error;
    }
  }

  if (target) {
    const stream = target;
    source.stream = (cursor: BlueskyCursor | null, ctx: StreamContext<BlueskyCursor>, signal: AbortSignal) => {
      context = ctx;
      return startSubscribed(
        {
          name: env.name,
          target: stream,
          pollIntervalMs,
          tuning,
          poll: (state, pollContext) => pollAll(state, pollContext, false),
          interest: () => streamInterest(stream),
          draft: async (post: StreamedPost) => draftFromStreamed(env.name, post, await streamedAuthor(post.did)),
        },
        cursor,
        ctx,
        signal,
      );
    };
  }
  return source;
}

/** Hosts of Bluesky's own PDSes: their firehose carries a shard of the network, so `auto` takes Jetstream. */
function blueskyHosted(service: URL): boolean {
  const host = service.hostname.toLowerCase();
  return host === 'bsky.social' || host.endsWith('.bsky.social') || host.endsWith('.bsky.network');
}

/**
 * The stream to subscribe to, or null for `off`. Left to `auto`: Bluesky's public Jetstream for an
 * account on Bluesky's hosting, else the service PDS's own firehose; a `subscriptionUrl` given to
 * `auto` is a Jetstream when its path is `/subscribe`, else a firehose. A firehose on the service's
 * own host carries only that PDS's accounts (`partial`): polls keep running beside it.
 */
export function subscriptionTarget(options: BlueskyOptions, env: SourceEnvironment): SubscriptionTarget | null {
  const mode = options.subscription ?? 'auto';
  if (mode === 'off') return null;
  const service = serviceUrl(options, env);
  let given: URL | null = null;
  if (options.subscriptionUrl) {
    try {
      given = new URL(options.subscriptionUrl);
    } catch {
      throw new EarshotError('ERR_SOURCE_OPTIONS_INVALID', {
        name: env.name,
        path: 'subscriptionUrl',
        detail: 'is not a URL',
      });
    }
    assertPublicHost(given.hostname, {
      name: env.name,
      path: 'subscriptionUrl',
      allowPrivateNetwork: env.allowPrivateNetwork,
      allowedPrivateHosts: env.allowedPrivateHosts,
    });
  }
  const kind =
    mode === 'auto'
      ? given
        ? given.pathname.replace(/\/+$/, '') === '/subscribe'
          ? 'jetstream'
          : 'firehose'
        : blueskyHosted(service)
          ? 'jetstream'
          : 'firehose'
      : mode;
  const url = given ?? (kind === 'jetstream' ? new URL(DEFAULT_JETSTREAM_URL) : service);
  return { kind, url, partial: kind === 'firehose' && url.host === service.host };
}

/**
 * Pages a newest-first, time-ordered feed (search, notifications) back to the position handed
 * over last (`since`, an indexedAt). Returns the newest indexedAt read, or null when nothing new.
 * With no position yet, one page: a new source starts from now, not from the whole history.
 */
async function pageByTime(
  since: string | null,
  fetchPage: (cursor: string | undefined) => Promise<{ items: unknown[]; cursor?: string } | null>,
  each: (item: unknown) => void,
): Promise<string | null> {
  const fresh: unknown[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < (since ? MAX_PAGES : 1); page++) {
    const res = await fetchPage(cursor);
    if (!res) return null;
    // Equal timestamps are kept: the seen set drops the ones already handed over.
    const items = res.items.filter((item) => !since || indexedAt(item) >= since);
    fresh.push(...items);
    cursor = res.cursor;
    if (!cursor || items.length < res.items.length || res.items.length === 0) break;
  }
  for (const item of fresh.reverse()) each(item);
  return fresh.map(indexedAt).filter(Boolean).sort().at(-1) ?? null;
}

function indexedAt(item: unknown): string {
  const value = (item as { indexedAt?: unknown } | null)?.indexedAt;
  return typeof value === 'string' ? value : '';
}

function rkeyOf(uri: string): string {
  return uri.slice(uri.lastIndexOf('/') + 1);
}

/** What the bluesky channel can do, the same for every source of this kind. */
export const BLUESKY_CAPABILITIES = sourceCapabilities({ canReplyPublicly: true, maxReplyLength: 300 });

export const blueskySourceDefinition = {
  capabilities: BLUESKY_CAPABILITIES,
  kind: 'bluesky',
  label: 'Bluesky',
  description:
    'Search results, mentions and replies, and watched accounts on Bluesky (or any AT Protocol PDS); replies as real reply posts.',
  options: blueskyOptions,
  secrets: ['appPassword'],
  create: (options: BlueskyOptions, env: SourceEnvironment) => createBlueskySource(options, env),
  async check(options: BlueskyOptions, env: SourceEnvironment) {
    const service = serviceUrl(options, env);
    subscriptionTarget(options, env);
    await assertServiceConnectable(service, env).catch((error: unknown) => {
      throw error instanceof EarshotError
        ? error
        : new EarshotError('ERR_SOURCE_CHECK_FAILED', {
            name: env.name,
            detail: `service: ${(error as Error).message}`,
          });
    });
    const agent = new (await atproto()).AtpAgent({ service, fetch: env.fetch });
    try {
      await withRetry(
        () =>
          xrpc('createSession', () => agent.login({ identifier: options.identifier, password: options.appPassword })),
        { ...DEFAULT_RETRY, attempts: 2 },
      );
    } catch (error) {
      throw (
        authError(env.name, error) ??
        new EarshotError('ERR_SOURCE_CHECK_FAILED', { name: env.name, detail: (error as Error).message })
      );
    }
  },
} satisfies SourceDefinition<typeof blueskyOptions>;
