/**
 * The one contract every channel implements. A source turns a channel's payloads into
 * `PostDraft`s; it never writes the store, runs analysis, keeps timers for polling or writes
 * its own cursor. It exposes `poll(cursor)` (the supervisor schedules it, hands the drafts to
 * the pipeline, then encodes and saves `next`) and/or `stream(cursor, context, signal)` (a
 * long-lived connection that delivers batches with their cursors until the signal aborts).
 * Cursors are typed per source by a `CursorCodec`; the supervisor decodes, validates, encodes
 * and saves them. Differences between channels are capability flags, not `if`s.
 */
import type { Static, TObject, TSchema } from '@sinclair/typebox';
import type { TypeCheck } from '@sinclair/typebox/compiler';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { PostDraft } from '../domain/post.js';
import type { ReplyVisibility } from '../domain/ticket.js';
import type { SourceCapabilities, SourceStatus } from '../domain/source.js';

/** What a running source may tell its host: reports, logs and the clock. */
export interface SourceContext {
  /**
   * Reports what the source could not use (a malformed payload, a feed that failed to parse):
   * counted and shown in the desk's source health, never a reason to stop.
   */
  reportSkipped?(reason: string): void;
  /**
   * Reports the connection state for the desk's source health; `failed` makes the host restart it with
   * backoff, and `backing-off` (a failed attempt the source retries) counts as an error with its detail.
   */
  reportStatus?(status: SourceStatus, detail?: string): void;
  /** Reports a failed attempt that does not change the state (one feed of several failed): counted, shown as the last error. */
  reportError?(reason: string): void;
  readonly log: { info(message: string): void; warn(message: string): void; error(message: string): void };
  readonly clock: () => Date;
}

/** What the host does with a source's batches: the pipeline and the durable cursor (the supervisor, or a test's recorder). */
export interface SourceHost extends SourceContext {
  /** Hands posts to the pipeline; resolves once they are stored (or found duplicate). */
  emit(drafts: readonly PostDraft[]): Promise<void>;
  /** Where to resume after a restart, encoded by the source's codec; stored durably. */
  saveCursor(cursor: string): Promise<void>;
}

/** How a source's position is written down. `decode` throws on a text it cannot read. */
export interface CursorCodec<C> {
  encode(cursor: C): string;
  decode(text: string): C;
}

/**
 * A JSON cursor checked against a TypeBox schema. Sources keep writing the shape they wrote
 * before (`{ v: 1, ... }`), so cursors saved by earlier versions still resume.
 */
export function jsonCursor<Schema extends TSchema>(schema: Schema): CursorCodec<Static<Schema>> {
  const check: TypeCheck<Schema> = TypeCompiler.Compile(schema);
  return {
    encode: (cursor) => JSON.stringify(cursor),
    decode(text) {
      const value: unknown = JSON.parse(text);
      if (check.Check(value)) return value;
      const first = check.Errors(value).First();
      throw new Error(
        `not a cursor of this source (${first ? `${first.path || '/'}: ${first.message}` : 'wrong shape'})`,
      );
    },
  };
}

/** One poll's outcome: the new posts, and the position to save once they are stored. */
export interface PollResult<C> {
  readonly drafts: readonly PostDraft[];
  readonly next: C;
  /**
   * What failed while the rest was read (one feed of several): reported as errors. A poll where
   * nothing could be read throws instead, so the host backs off.
   */
  readonly failures?: readonly string[];
}

export interface PollContext extends SourceContext {
  /** True when the schedule asked; false for a first poll or a poll asked for now (read everything due or not). */
  readonly scheduled: boolean;
}

export interface StreamContext<C> extends SourceContext {
  /**
   * Hands a batch to the pipeline, then saves `next`; resolves once both are done. Rejects
   * (and saves nothing) when the pipeline fails or the stream was stopped, so the source does
   * not move its position past posts that were not stored.
   */
  deliver(drafts: readonly PostDraft[], next: C): Promise<void>;
}

/** The post being answered, as the source stored it: enough to thread a reply on its channel. */
export interface ReplyTarget {
  readonly externalId: string;
  readonly url: string | null;
  readonly authorHandle: string;
  /** The draft's `extra` (e.g. a Bluesky record's cid and root, a mail's Message-ID and subject). */
  readonly extra: Record<string, unknown>;
}

export interface OutboundReply {
  /** Stable per outbound message: a retry after a crash must not send twice (Mastodon's Idempotency-Key, mail's Message-ID). */
  readonly idempotencyKey: string;
  readonly inReplyTo: string | null;
  readonly visibility: ReplyVisibility;
  readonly body: string;
  /** The post replied to, when the reply answers one. */
  readonly target?: ReplyTarget | null;
}

export interface SendResult {
  readonly remoteId: string;
  readonly remoteUrl: string | null;
}

/**
 * A channel's reading and sending side. It has `poll`, `stream`, or both (the host streams
 * when it can). `C` is the source's cursor type; `null` means a first start.
 */
export interface Source<C = unknown> {
  readonly kind: string;
  readonly capabilities: SourceCapabilities;
  readonly cursor: CursorCodec<C>;
  /** Milliseconds between scheduled polls (60 s when left out). */
  readonly pollIntervalMs?: number;
  /**
   * Reads what is new after `cursor`. Throwing an `EarshotError` (refused credentials, a bad
   * configuration) marks the source failed; any other error is reported and retried on the
   * next turn with the cursor unchanged.
   */
  poll?(cursor: C | null, context: PollContext): Promise<PollResult<C>>;
  /**
   * Opens a long-lived connection from `cursor`, resolving once it is open (or waiting to
   * reconnect); it then delivers batches through `context.deliver` until `signal` aborts, and
   * reports a failure it cannot recover from as status `failed`. Throwing while opening fails
   * the start, as a poll's `EarshotError` does.
   */
  stream?(cursor: C | null, context: StreamContext<C>, signal: AbortSignal): Promise<void>;
  /** Sends a reply through the channel; sources that cannot reply leave this out. */
  send?(reply: OutboundReply): Promise<SendResult>;
}

/** What a source may use from its host besides its own options. */
export interface SourceEnvironment {
  /** The source instance's configured name; posts carry it as `PostDraft.source`. */
  readonly name: string;
  readonly fetch: typeof globalThis.fetch;
  readonly clock: () => Date;
  /** Loopback and private addresses are refused unless an admin allowed them (tests do). */
  readonly allowPrivateNetwork: boolean;
  /** Intranet hosts an admin allowed (EARSHOT_ALLOWED_PRIVATE_HOSTS); see `GuardOptions`. */
  readonly allowedPrivateHosts?: readonly string[];
}

/** A channel's kind: its options, secrets and capabilities beside the factory of its sources. */
export interface SourceDefinition<Schema extends TObject = TObject> {
  readonly kind: string;
  readonly label: string;
  readonly description: string;
  /** What every source of this kind can do: the desk's reply policy and length limits come from here, not from a source's name. */
  readonly capabilities: SourceCapabilities;
  /** The options an admin fills in (TypeBox); validated before `create` is called. */
  readonly options: Schema;
  /** Option names holding credentials: stored encrypted, never returned by the API, never logged. */
  readonly secrets: readonly (keyof Static<Schema> & string)[];
  create(options: Static<Schema>, environment: SourceEnvironment): AnySource;
  /** One cheap remote call proving the options and credentials work, run before an admin's source is saved. */
  check?(options: Static<Schema>, environment: SourceEnvironment): Promise<void>;
}

/** A source whatever its cursor type: what hosts hold (each source's own type is checked where it is built). */
// biome-ignore lint/suspicious/noExplicitAny: the cursor type is each source's own; hosts only pass it back to the source
export type AnySource = Source<any>;

/** A definition whatever its options' shape: what the registry and hosts list. */
// biome-ignore lint/suspicious/noExplicitAny: definitions of different option shapes in one list
export type AnySourceDefinition = SourceDefinition<any>;
