/**
 * What a reply may do on a post's channel: reply in public, send a private message, how long
 * it may be, how fast our account may send. It comes from the source's KIND (Mastodon allows
 * 500 characters whatever the source is called), never from the configured name. The runtime
 * builds the resolver from the configured sources (name → kind) and the source definitions
 * (kind → capabilities) and hands it to the desks.
 */
import type { SourceCapabilities } from '../domain/source.js';
import type { Store } from '../store/open.js';
import { getSourceByName } from '../store/sources.js';

/** What the desk reads of a kind's capabilities (a source definition's `capabilities`). */
export type ChannelCapabilities = Pick<SourceCapabilities, 'canReplyPublicly' | 'canDirectMessage' | 'maxReplyLength'>;

export interface ChannelPolicy {
  readonly canReplyPublicly: boolean;
  readonly canDirectMessage: boolean;
  /** Replies our account may send per minute on this channel. */
  readonly maxPerMinute: number;
  /** The channel's kind, which keys the guideline rules' `maxLength`; the post's source when absent. */
  readonly kind?: string;
  /** The channel's own limit; the guideline rules' limit applies too and the stricter wins. */
  readonly maxReplyLength?: number | null;
}

/** A resolved channel: always knows its kind. */
export type Channel = ChannelPolicy & { readonly kind: string; readonly maxReplyLength: number | null };

/** The channel of a post's `source` (a configured source name, or a kind such as NDJSON's `mastodon`). */
export type ChannelOf = (source: string) => Promise<Channel>;

/** A channel Earshot knows nothing about: both visibilities, the guideline rules' limits only. */
export const DEFAULT_CHANNEL_POLICY: ChannelPolicy = Object.freeze({
  canReplyPublicly: true,
  canDirectMessage: true,
  maxPerMinute: 20,
});

export function defaultChannel(source: string): Channel {
  return { ...DEFAULT_CHANNEL_POLICY, kind: source, maxReplyLength: null };
}

/** Without a resolver (tests, tools): every source is its own kind with the default policy. */
export const defaultChannelOf: ChannelOf = async (source) => defaultChannel(source);

/**
 * Resolves a source to its channel: a configured source by its kind; else a source that is
 * itself a kind (posts ingested as `source: "mastodon"`); else the default.
 */
export function channelResolver(options: {
  readonly store: Store;
  readonly kinds: readonly { readonly kind: string; readonly capabilities: ChannelCapabilities }[];
}): ChannelOf {
  const capabilities = new Map(options.kinds.map((definition) => [definition.kind, definition.capabilities]));
  return async function channelOf(source) {
    const kind = (await getSourceByName(options.store.db, source))?.kind ?? source;
    const known = capabilities.get(kind);
    if (!known) return defaultChannel(kind);
    return {
      canReplyPublicly: known.canReplyPublicly,
      canDirectMessage: known.canDirectMessage,
      maxReplyLength: known.maxReplyLength,
      maxPerMinute: DEFAULT_CHANNEL_POLICY.maxPerMinute,
      kind,
    };
  };
}

/** The channels of several sources at once, keyed by source. */
export async function channelsOf(channelOf: ChannelOf, sources: Iterable<string>): Promise<Record<string, Channel>> {
  const distinct = [...new Set(sources)];
  const channels = await Promise.all(distinct.map((source) => channelOf(source)));
  return Object.fromEntries(distinct.map((source, index) => [source, channels[index]!]));
}
