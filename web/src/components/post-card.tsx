/** One post: who said it, how far it reaches, what it means, when, and a link to the original. */
import { memo, type ReactNode } from 'react';
import type { Post } from '../api-types.js';
import { absoluteTime, compactNumber, relativeTime } from '../format.js';
import { Avatar } from './avatar.js';
import { FlagBanner, InfluenceBadge, KindBadge, LangBadge, SentimentBadge, SpammerBadge } from './badges.js';
import { useNow } from './clock.js';
import { SafeHtml } from './safe-html.js';

/** The author's 0–100 influence score (from the store's author signals), when known. */
export function influenceOf(post: Post): number | null {
  const value = post.author.influence ?? post.extra.influence;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export const PostCard = memo(function PostCard({
  post,
  fresh = false,
  compact = false,
  repeats = 1,
  quietFlags = false,
  children,
}: {
  post: Post;
  fresh?: boolean;
  compact?: boolean;
  /** How many posts this card stands for (the same text from one author, collapsed on the board). */
  repeats?: number;
  /** A one-line flag warning that opens for detail, not an alert: the board shows many cards at once. */
  quietFlags?: boolean;
  /** Actions shown under the post (the board's post actions). */
  children?: ReactNode;
}) {
  const now = useNow();
  const name = post.author.name ?? post.author.handle;
  const html = typeof post.extra.html === 'string' ? post.extra.html : null;
  const influence = influenceOf(post);
  const engagement = post.metrics.likes + post.metrics.reposts + post.metrics.replies;
  const flags = post.flags ?? [];
  const spammer = post.author.likelySpammer === true || flags.includes('likely-spammer');
  return (
    <article
      className={`post${fresh ? ' post-fresh' : ''}${compact ? ' post-compact' : ''} post-${post.sentiment}${flags.length > 0 ? ' post-flagged' : ''}`}
      aria-label={`Post by ${name}${flags.some((flag) => flag !== 'likely-spammer') ? ' (flagged: possible scam or impersonation)' : ''}`}
      data-post-id={post.id}
      data-repeats={repeats > 1 ? repeats : undefined}
    >
      <header className="post-head">
        <Avatar name={name} size={compact ? 26 : 34} />
        <div className="post-who">
          <span className="post-name">{name}</span>
          <span className="post-handle">
            {post.author.handle} · {post.source}
          </span>
        </div>
        {repeats > 1 ? (
          <span
            className="pill post-repeats"
            title={`${repeats} posts with this text from ${name}; the newest is shown`}
          >
            ×{repeats}
          </span>
        ) : null}
        <time className="post-time" dateTime={post.createdAt} title={absoluteTime(post.createdAt)}>
          {relativeTime(post.createdAt, now)}
        </time>
      </header>
      <FlagBanner flags={flags} quiet={quietFlags} />
      {html !== null ? <SafeHtml className="post-text" html={html} /> : <p className="post-text">{post.text}</p>}
      <footer className="post-meta">
        <SentimentBadge sentiment={post.sentiment} score={post.sentimentScore} />
        <KindBadge kind={post.kind} />
        <LangBadge lang={post.lang} />
        {influence !== null ? <InfluenceBadge score={influence} /> : null}
        {spammer ? <SpammerBadge reasons={post.author.spamReasons} /> : null}
        {post.author.followers !== null ? (
          <span
            className={`reach${post.author.followers >= 10_000 ? ' reach-high' : ''}`}
            title={`${post.author.followers.toLocaleString()} followers`}
          >
            {compactNumber(post.author.followers)} followers
          </span>
        ) : null}
        {engagement > 0 ? (
          <span
            className="reach"
            title={`${post.metrics.likes} likes, ${post.metrics.reposts} reposts, ${post.metrics.replies} replies`}
          >
            <span aria-hidden="true">♥</span> {compactNumber(post.metrics.likes)} <span aria-hidden="true">⟳</span>{' '}
            {compactNumber(post.metrics.reposts)}
          </span>
        ) : null}
        {post.url ? (
          <a
            className="post-link"
            href={post.url}
            target="_blank"
            rel="noopener noreferrer nofollow"
            aria-label={`Open the original post by ${name}`}
          >
            Original <span aria-hidden="true">↗</span>
          </a>
        ) : null}
      </footer>
      {children}
    </article>
  );
});
