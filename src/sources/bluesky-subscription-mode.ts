/**
 * The Bluesky source's `stream`: subscribed to a repo event stream when it can be, polling when it
 * cannot. On every (re)connect one poll of every feed covers the time the stream was not read
 * (and the stream replays from its saved position too, where it still can); while subscribed,
 * wanted posts are handed over as they arrive. When the connection cannot be made or drops, the
 * source polls every `pollIntervalSeconds` and retries the stream with backoff; once it is back,
 * polling stops. A firehose of the account's own PDS carries only that PDS's accounts, so beside
 * it the polls keep running for the rest of the network. Health says which mode it is in and why.
 * Everything that hands posts over or moves the cursor runs in one lane, in order.
 */
import { isEarshotError } from '../domain/errors.js';
import type { PostDraft } from '../domain/post.js';
import { type BlueskyCursor, emptyCursor, remember } from './bluesky-posts.js';
import {
  openSubscription,
  subscriptionUrl,
  type OpenSubscription,
  type StreamedPost,
  type StreamEvent,
  type SubscriptionKind,
} from './bluesky-subscription.js';
import { type StreamInterest, wantedBecause } from './bluesky-subscription-filter.js';
import { pollDelayMs } from './runner.js';
import type { PollResult, SourceContext, StreamContext } from './source.js';

export interface SubscriptionTarget {
  readonly kind: SubscriptionKind;
  readonly url: URL;
  /** The stream carries only the service PDS's own accounts: polls keep running beside it. */
  readonly partial: boolean;
}

export interface SubscriptionTuning {
  /** First wait before reconnecting (doubles per failed attempt up to `reconnectMaxMs`). */
  readonly reconnectBaseMs?: number;
  readonly reconnectMaxMs?: number;
  /** How often a position moved by unwanted events alone is saved. */
  readonly positionSaveMs?: number;
}

export interface SubscribedParts {
  readonly name: string;
  readonly target: SubscriptionTarget;
  readonly pollIntervalMs: number;
  readonly tuning?: SubscriptionTuning;
  /** One poll of every feed from `state`, reporting no status (`note`: what health should add); throws as the source's `poll` does. */
  poll(state: BlueskyCursor, context: SourceContext): Promise<PollResult<BlueskyCursor> & { note?: string }>;
  /** What to keep from the stream (opens the session; throws when it cannot). */
  interest(): Promise<StreamInterest>;
  /** The draft of a wanted streamed post (its author looked up), or why it is skipped. */
  draft(post: StreamedPost): Promise<PostDraft | string>;
}

type Mode = 'connecting' | 'subscribed' | 'polling';

/**
 * Starts the subscription and resolves once the first catch-up is handed over, subscribed or (the
 * stream unreachable) polling; it runs until `signal` aborts. Rejects when the credentials or
 * options are refused.
 */
export async function startSubscribed(
  parts: SubscribedParts,
  cursor: BlueskyCursor | null,
  context: StreamContext<BlueskyCursor>,
  signal: AbortSignal,
): Promise<void> {
  const { target } = parts;
  const tuning = parts.tuning ?? {};
  const streamKey = subscriptionUrl(target.kind, target.url, null).href;
  const where = `the ${target.kind} at ${target.url.host}`;
  const everySeconds = `${Math.round(parts.pollIntervalMs / 100) / 10} s`;
  let state: BlueskyCursor = cursor ?? emptyCursor();
  // A position saved for another stream means nothing to this one.
  let position: number | null = state.stream?.url === streamKey ? state.stream.position : null;
  let positionSavedAt = 0;
  let mode: Mode = 'connecting';
  let interest: StreamInterest | null = null;
  let subscription: OpenSubscription | null = null;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let pollTimer: NodeJS.Timeout | null = null;
  let reconnects = 0;
  let pollFailures = 0;
  // A catch-up poll that failed: the gap it should have covered is still owed.
  let catchUpOwed = false;
  let stopped = false;
  // Settled by the first outcome: subscribed, polling, or failed.
  let settle: { resolve(): void; reject(error: unknown): void } | null = null;
  const ready = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });

  let lane: Promise<unknown> = Promise.resolve();
  const inLane = <T>(work: () => Promise<T>): Promise<T> => {
    const run = lane.then(work);
    lane = run.catch(() => undefined);
    return run;
  };

  const withPosition = (next: BlueskyCursor): BlueskyCursor =>
    position === null ? next : { ...next, stream: { url: streamKey, position } };

  function stop(): void {
    stopped = true;
    if (reconnectTimer) clearTimeout(reconnectTimer);
    if (pollTimer) clearTimeout(pollTimer);
    reconnectTimer = pollTimer = null;
    subscription?.close();
    subscription = null;
  }
  signal.addEventListener('abort', stop, { once: true });

  /** Refused credentials or options: reported once as the failure; the host restarts the source. */
  function fail(error: unknown): void {
    if (stopped) return;
    stop();
    if (settle) {
      // The start rejects; the host reports the failure.
      settle.reject(error);
      settle = null;
      return;
    }
    context.reportStatus?.('failed', (error as Error).message);
  }

  /** One poll of every feed, handed over with the stream's position; false when it failed. */
  async function pollOnce(why: string): Promise<boolean> {
    if (stopped) return false;
    try {
      const result = await parts.poll(state, context);
      pollNote = result.note ?? null;
      const next = withPosition(result.next);
      await context.deliver(result.drafts, next);
      state = next;
      positionSavedAt = Date.now();
      for (const failure of result.failures ?? []) context.reportError?.(failure);
      pollFailures = 0;
      return true;
    } catch (error) {
      if (stopped) return false;
      if (isEarshotError(error)) {
        fail(error);
        return false;
      }
      pollFailures += 1;
      const waitMs = pollDelayMs(parts.pollIntervalMs, pollFailures);
      context.log.warn(`bluesky ${parts.name}: ${why} poll failed: ${(error as Error).message}`);
      context.reportStatus?.(
        'backing-off',
        `${why} poll failed (${pollFailures} in a row): ${(error as Error).message}; next try in ${Math.round(waitMs / 1000)} s`,
      );
      return false;
    }
  }

  function reportMode(): void {
    if (stopped) return;
    settle?.resolve();
    settle = null;
    const note = pollNote ? `; ${pollNote}` : '';
    if (mode === 'subscribed')
      context.reportStatus?.(
        'connected',
        target.partial
          ? `subscribed to ${where}; it carries this PDS's accounts only, so a poll every ${everySeconds} reads the rest${note}`
          : `subscribed to ${where}${note}`,
      );
    else if (mode === 'polling')
      context.reportStatus?.('polling', `${fallbackReason}; polling every ${everySeconds}${note}`);
  }
  let fallbackReason = '';
  // What the last poll said (no AppView, a feed failing), added to the mode in health.
  let pollNote: string | null = null;

  const pollWanted = (): boolean =>
    !stopped && (mode === 'polling' || (mode === 'subscribed' && (target.partial || catchUpOwed)));

  /** Polls on the interval while polling stands in for the stream, beside a partial stream, or to cover a gap still owed. */
  function schedulePoll(): void {
    if (pollTimer) clearTimeout(pollTimer);
    pollTimer = null;
    if (!pollWanted()) return;
    pollTimer = setTimeout(
      () => {
        pollTimer = null;
        void inLane(async () => {
          // Subscribed again while this poll waited in the lane: the stream has it from here.
          if (!pollWanted()) return;
          const ok = await pollOnce(mode === 'polling' ? 'fallback' : 'scheduled');
          if (ok) {
            catchUpOwed = false;
            reportMode();
          }
        }).then(schedulePoll);
      },
      pollDelayMs(parts.pollIntervalMs, pollFailures),
    );
  }

  /** Posts from the stream: the wanted ones handed over, and the position moved. */
  async function take(event: StreamEvent): Promise<void> {
    if (stopped) throw new Error('the source was stopped');
    position = event.position;
    const drafts: PostDraft[] = [];
    for (const post of event.posts) {
      if (!interest || post.did === interest.did || !wantedBecause(interest, post.did, post.record)) continue;
      if (state.seen.includes(post.uri) || drafts.some((draft) => draft.externalId === post.uri)) continue;
      const draft = await parts.draft(post);
      if (typeof draft === 'string') context.reportSkipped?.(draft);
      else drafts.push(draft);
    }
    // Unwanted events only move the position: saved now and then, not on every event of a busy stream.
    // A restart replays the few seconds since (the seen list drops repeats).
    if (drafts.length === 0 && Date.now() - positionSavedAt < (tuning.positionSaveMs ?? 5000)) return;
    const next = withPosition({ ...state, seen: [...state.seen] });
    remember(
      next,
      drafts.map((draft) => draft.externalId),
    );
    await context.deliver(drafts, next);
    state = next;
    positionSavedAt = Date.now();
  }

  async function connect(): Promise<void> {
    reconnectTimer = null;
    if (stopped) return;
    if (!interest) {
      try {
        interest = await parts.interest();
      } catch (error) {
        if (isEarshotError(error)) return fail(error);
        return lost(`cannot open a session: ${(error as Error).message}`);
      }
    }
    if (stopped) return;
    const opened = openSubscription(target.kind, subscriptionUrl(target.kind, target.url, position), {
      onOpen: () => {
        void inLane(async () => {
          if (stopped || subscription !== opened) return;
          reconnects = 0;
          // What was posted while the stream was not read: one poll covers it (the replay may not reach back that far).
          catchUpOwed = !(await pollOnce('catch-up'));
          if (stopped || subscription !== opened) return;
          mode = 'subscribed';
          context.log.info(`bluesky ${parts.name}: subscribed to ${where}`);
          reportMode();
          schedulePoll();
        });
      },
      onEvent: (event) => inLane(() => take(event)),
      onSkip: (reason) => context.reportSkipped?.(reason),
      onClose: (reason, positionRefused) => {
        if (subscription !== opened) return;
        subscription = null;
        if (positionRefused) position = null;
        lost(reason);
      },
    });
    subscription = opened;
  }

  /** The stream could not be reached or dropped: poll now (covering the gap) and on the interval, and retry it. */
  function lost(reason: string): void {
    if (stopped) return;
    const delay = Math.min(
      tuning.reconnectMaxMs ?? 60_000,
      (tuning.reconnectBaseMs ?? 1000) * 2 ** Math.min(reconnects++, 16),
    );
    const wasPolling = mode === 'polling';
    mode = 'polling';
    fallbackReason = `${where} is unavailable (${reason})`;
    context.log.warn(
      `bluesky ${parts.name}: ${fallbackReason}; polling, retrying in ${Math.round(delay / 100) / 10} s`,
    );
    context.reportError?.(`subscription: ${reason}`);
    reconnectTimer = setTimeout(() => void connect(), delay);
    if (wasPolling) {
      reportMode();
      return;
    }
    void inLane(async () => {
      if (await pollOnce('fallback')) reportMode();
      // Polling, though failing: the start is over; the schedule retries.
      settle?.resolve();
      settle = null;
    }).then(schedulePoll);
  }

  context.reportStatus?.('connecting', `subscribing to ${where}`);
  await connect();
  return ready;
}
