/**
 * Influence of an author, 0–100, from what their posts actually get (likes, reposts, replies
 * per post, and that relative to their audience), their reach and the age of the account —
 * never follower count alone — plus whether they look like a spammer (a big audience that
 * never engages, the same link over and over, mostly spam posts). Pure: the store keeps the
 * running sums (`authors` signal columns) and returns them on each post's author; whoever reads
 * posts turns them into a score with `withInfluence` at its own clock. The formula is documented
 * in docs/analysis.md; change both together.
 */
import type { AuthorSignals, Post } from '../domain/post.js';

export const INFLUENCE_MODEL = Object.freeze({ name: 'influence', version: '1' });

export const SPAM_REASONS = ['no-engagement', 'repeated-link', 'spam-posts'] as const;
export type SpamReason = (typeof SPAM_REASONS)[number];

export interface Influence {
  /** 0–100, rounded. */
  readonly score: number;
  readonly likelySpammer: boolean;
  /** Why it is a likely spammer (empty when not). */
  readonly reasons: SpamReason[];
  /** The parts before weighting, each 0–1, for explaining a score. */
  readonly parts: { readonly reach: number; readonly engagement: number; readonly rate: number; readonly age: number };
}

/** Weights of the four parts; they sum to 1. */
export const WEIGHTS = Object.freeze({ reach: 0.25, engagement: 0.35, rate: 0.25, age: 0.15 });
/** A likely spammer keeps this share of its score. */
export const SPAMMER_FACTOR = 0.25;

const DAY_MS = 86_400_000;

export function influenceOf(signals: AuthorSignals, now: Date = new Date()): Influence {
  const posts = Math.max(0, signals.posts);
  const followers = Math.max(0, signals.followers ?? 0);
  // Replies and reposts cost the audience more than a like, so they count more.
  const weighted = Math.max(0, signals.likes) + 2 * Math.max(0, signals.reposts) + 1.5 * Math.max(0, signals.replies);
  const perPost = posts > 0 ? weighted / posts : 0;

  // log scales: 1M followers and 1 000 weighted engagements a post are the top of the range.
  const reach = clamp01(Math.log10(1 + followers) / 6);
  const engagement = clamp01(Math.log10(1 + perPost) / 3);
  // Engagement per post per follower; 2 % is already excellent on public social media.
  // A tiny audience is floored at 50 so three likes from ten followers is not "perfect".
  const rate = posts > 0 ? clamp01(perPost / Math.max(followers, 50) / 0.02) : 0;
  const created = signals.accountCreatedAt ? Date.parse(signals.accountCreatedAt) : Number.NaN;
  // A year old or more is fully established; an unknown age counts as half.
  const age = Number.isFinite(created) ? clamp01((now.getTime() - created) / DAY_MS / 365) : 0.5;

  const reasons: SpamReason[] = [];
  // Many followers and (nearly) nothing back, over enough posts to tell.
  if (followers >= 1000 && posts >= 3 && perPost < followers * 0.0002) reasons.push('no-engagement');
  // The same link again and again: a link seen a third time (or two seen twice), in half the posts.
  if (signals.repeatedLinkPosts >= 2 && signals.repeatedLinkPosts * 2 >= posts) reasons.push('repeated-link');
  if (posts >= 3 && signals.spamPosts * 2 >= posts) reasons.push('spam-posts');

  const raw = WEIGHTS.reach * reach + WEIGHTS.engagement * engagement + WEIGHTS.rate * rate + WEIGHTS.age * age;
  const likelySpammer = reasons.length > 0;
  const score = Math.round(100 * raw * (likelySpammer ? SPAMMER_FACTOR : 1));
  return {
    score,
    likelySpammer,
    reasons,
    parts: { reach: round(reach), engagement: round(engagement), rate: round(rate), age: round(age) },
  };
}

/**
 * A stored post as the desk shows it: the author's signals (from the store) become `influence`,
 * `likelySpammer` and `spamReasons` as of `now`, a likely spammer's post gets the `likely-spammer`
 * flag, and the raw signals are dropped. A post without signals (author unknown) is left as is.
 */
export function withInfluence<P extends Pick<Post, 'author' | 'flags'>>(post: P, now: Date): P {
  const { signals, ...author } = post.author;
  if (!signals) return post;
  const influence = influenceOf(signals, now);
  const flags = [...(post.flags ?? [])];
  if (influence.likelySpammer && !flags.includes('likely-spammer')) flags.push('likely-spammer');
  return {
    ...post,
    author: {
      ...author,
      influence: influence.score,
      likelySpammer: influence.likelySpammer,
      spamReasons: influence.reasons,
    },
    flags,
  };
}

/**
 * The same for one post on its own (the `classify` command, a post whose author is not yet
 * stored): that post's metrics as the author's only post.
 */
export function influenceOfPost(
  post: {
    readonly author: {
      readonly followers: number | null;
      readonly following: number | null;
      readonly createdAt?: string | null;
    };
    readonly metrics: { readonly likes: number; readonly reposts: number; readonly replies: number };
  },
  now?: Date,
): Influence {
  return influenceOf(
    {
      followers: post.author.followers,
      following: post.author.following,
      accountCreatedAt: post.author.createdAt ?? null,
      posts: 1,
      likes: post.metrics.likes,
      reposts: post.metrics.reposts,
      replies: post.metrics.replies,
      linkPosts: 0,
      repeatedLinkPosts: 0,
      spamPosts: 0,
    },
    now,
  );
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
