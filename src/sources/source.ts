/**
 * The one interface every channel implements. A source turns a channel's payloads into
 * `PostDraft`s and hands them to the pipeline through its context; it never writes the store
 * or runs analysis itself. Differences between channels are capability flags, not `if`s.
 */
import type { PostDraft } from '../domain/post.js';
import type { ReplyVisibility } from '../domain/ticket.js';

export interface SourceCapabilities {
  readonly canReplyPublicly: boolean;
  readonly canDirectMessage: boolean;
  readonly hasEdits: boolean;
}

export interface SourceContext {
  /** Hands posts to the pipeline; resolves once they are stored (or found duplicate). */
  emit(drafts: readonly PostDraft[]): Promise<void>;
  /** Where to resume after a restart; stored durably by the host. */
  saveCursor(cursor: string): Promise<void>;
  readonly log: { info(message: string): void; warn(message: string): void; error(message: string): void };
  readonly clock: () => Date;
}

export interface OutboundReply {
  readonly inReplyTo: string | null;
  readonly visibility: ReplyVisibility;
  readonly body: string;
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
