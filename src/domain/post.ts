/**
 * Posts and their authors: what a channel said, in one shape for every channel.
 */

export const SENTIMENTS = ['negative', 'neutral', 'positive'] as const;
export type Sentiment = (typeof SENTIMENTS)[number];

export const POST_KINDS = ['outage', 'request', 'question', 'praise', 'complaint', 'spam', 'other'] as const;
export type PostKind = (typeof POST_KINDS)[number];

/** What the watch may flag on a post: an imitating author, a lure, a look-alike link, a spammer. */
export const POST_FLAGS = ['impersonation', 'lure', 'lookalike-domain', 'likely-spammer'] as const;
export type PostFlag = (typeof POST_FLAGS)[number];

export interface Author {
  /** Channel handle, e.g. `@ana@example.social`. Unique per source. */
  readonly handle: string;
  readonly name: string | null;
  readonly followers: number | null;
  readonly following: number | null;
  /** When the account was created, if the channel says. ISO 8601. */
  readonly createdAt?: string | null;
  /** 0–100 from the author's stored signals (src/analysis/influence.ts); absent until known. */
  readonly influence?: number;
  readonly likelySpammer?: boolean;
  /** Why the author is a likely spammer (`no-engagement`, `repeated-link`, `spam-posts`). */
  readonly spamReasons?: string[];
  /**
   * The author's running totals as the store returns them; `withInfluence`
   * (src/analysis/influence.ts) turns them into the three fields above at the reader's clock.
   */
  readonly signals?: AuthorSignals;
}

/** Per-author running totals, as kept in the store while posts arrive. */
export interface AuthorSignals {
  readonly followers: number | null;
  readonly following: number | null;
  /** ISO 8601, when the channel says; null when unknown. */
  readonly accountCreatedAt: string | null;
  readonly posts: number;
  readonly likes: number;
  readonly reposts: number;
  readonly replies: number;
  /** Posts with at least one link. */
  readonly linkPosts: number;
  /** Posts whose link this author had already posted before. */
  readonly repeatedLinkPosts: number;
  /** Posts classified as spam. */
  readonly spamPosts: number;
}

export interface PostMetrics {
  readonly likes: number;
  readonly reposts: number;
  readonly replies: number;
}

/** A post as a source hands it over, before analysis. */
export interface PostDraft {
  readonly source: string;
  readonly externalId: string;
  readonly author: Author;
  readonly text: string;
  readonly url: string | null;
  readonly createdAt: string;
  readonly inReplyTo: string | null;
  readonly metrics: PostMetrics;
  /** Fields of the incoming payload that Earshot does not model, kept verbatim. */
  readonly extra: Record<string, unknown>;
}

export interface Analysis {
  readonly sentiment: Sentiment;
  /** −1 (most negative) … 1 (most positive). */
  readonly sentimentScore: number;
  readonly kind: PostKind;
  /** Probability of `kind` (0…1) when a trained kind model chose it; absent for the rules. */
  readonly kindConfidence?: number;
  /** The runner-up kind when it is close ("is the vpn down?": question after outage), else null. */
  readonly secondKind?: PostKind | null;
  readonly secondKindConfidence?: number;
  /** ISO 639-1 code, or `und` when unknown. */
  readonly lang: string;
  /** Which models produced this, `name@version` each, so results can be traced. */
  readonly models: string[];
  /** Warnings from the impersonation and scam watch (POST_FLAGS); absent or empty when none. */
  readonly flags?: PostFlag[];
}

/** A stored, analysed post. */
export interface Post extends PostDraft, Analysis {
  readonly id: number;
  readonly ingestedAt: string;
  /** Ids of the streams whose query this post matched. */
  readonly streamIds: number[];
}

/**
 * A post's identity across the app: its source and the channel's id for it, joined by NUL (which
 * neither contains). Dedupe, the store and the pipeline all match posts by this key.
 */
export function postKey(source: string, externalId: string): string {
  return `${source}\u0000${externalId}`;
}
