/**
 * The one interface every channel implements. A source turns a channel's payloads into
 * `PostDraft`s and hands them to the pipeline through its context; it never writes the store
 * or runs analysis itself. Differences between channels are capability flags, not `if`s.
 */
import type { PostDraft } from '../domain/post.js';
import type { ReplyVisibility } from '../domain/ticket.js';
import type { SourceStatus } from '../domain/source.js';

export interface SourceCapabilities {
  readonly canReplyPublicly: boolean;
  readonly canDirectMessage: boolean;
  readonly hasEdits: boolean;
  /** The longest reply the channel accepts, in characters; null where it cannot reply at all. */
  readonly maxReplyLength: number | null;
}

export interface SourceContext {
  /** Hands posts to the pipeline; resolves once they are stored (or found duplicate). */
  emit(drafts: readonly PostDraft[]): Promise<void>;
  /**
   * Reports what the source could not use (a malformed payload, a feed that failed to parse):
   * counted and shown in the desk's source health, never a reason to stop.
   */
  reportSkipped?(reason: string): void;
  /** Reports the connection state for the desk's source health. */
  reportStatus?(status: SourceStatus, detail?: string): void;
  /** Where to resume after a restart; stored durably by the host. */
  saveCursor(cursor: string): Promise<void>;
  readonly log: { info(message: string): void; warn(message: string): void; error(message: string): void };
  readonly clock: () => Date;
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

export interface Source {
  readonly kind: string;
  readonly capabilities: SourceCapabilities;
  start(context: SourceContext, cursor: string | null): Promise<void>;
  stop(): Promise<void>;
  /** The last position handed to `saveCursor`, or null before the first. */
  cursor(): string | null;
  /** Sends a reply through the channel; sources that cannot reply leave this out. */
  send?(reply: OutboundReply): Promise<SendResult>;
}
