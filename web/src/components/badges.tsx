/** Small labelled badges: colour helps, but the text always says it (never colour alone). */
import type { PostFlag, PostKind, Sentiment, TicketPriority, TicketStatus, TicketType } from '../api-types.js';

const SENTIMENT_LABEL: Record<Sentiment, string> = { negative: 'Negative', neutral: 'Neutral', positive: 'Positive' };
const SENTIMENT_ICON: Record<Sentiment, string> = { negative: '▼', neutral: '●', positive: '▲' };

export function SentimentBadge({ sentiment, score }: { sentiment: Sentiment; score?: number }) {
  const title =
    score === undefined
      ? `Sentiment: ${SENTIMENT_LABEL[sentiment]}`
      : `Sentiment: ${SENTIMENT_LABEL[sentiment]} (score ${score.toFixed(2)})`;
  return (
    <span className={`badge sentiment-${sentiment}`} title={title}>
      <span aria-hidden="true" className="badge-icon">
        {SENTIMENT_ICON[sentiment]}
      </span>
      {SENTIMENT_LABEL[sentiment]}
    </span>
  );
}

export function KindBadge({ kind }: { kind: PostKind }) {
  return (
    <span className={`badge kind kind-${kind}`} title={`Kind: ${kind}`}>
      {kind}
    </span>
  );
}

export function StatusBadge({ status }: { status: TicketStatus }) {
  return <span className={`badge status status-${status}`}>{status}</span>;
}

export function PriorityBadge({ priority }: { priority: TicketPriority }) {
  return (
    <span className={`badge priority priority-${priority}`} title={`Priority: ${priority}`}>
      <span aria-hidden="true" className="priority-bar" />
      {priority}
    </span>
  );
}

export function TypeBadge({ type }: { type: TicketType }) {
  return <span className={`badge type type-${type}`}>{type}</span>;
}

const FLAG_TEXT: Record<PostFlag, string> = {
  impersonation: 'This author may be impersonating the organisation’s official account.',
  lure: 'This post may be a scam: it asks for passwords, card numbers or codes, or links to a fake site.',
  'lookalike-domain': 'It links to a domain that imitates the organisation’s own — do not send customers there.',
  'likely-spammer':
    'The author looks like a spammer (no engagement for a large audience, or the same link again and again).',
};

/**
 * The scam watch's warning, above the post text: an ARIA alert, so screen readers announce it,
 * and words, not only colour. Shown only for flags other than "likely spammer" (that is a badge).
 */
export function FlagBanner({ flags }: { flags: readonly PostFlag[] | undefined }) {
  const serious = (flags ?? []).filter((flag) => flag !== 'likely-spammer');
  if (serious.length === 0) return null;
  return (
    <div className="form-error post-warning" role="alert" data-flags={serious.join(' ')}>
      <strong>
        <span aria-hidden="true">⚠ </span>
        {serious.includes('impersonation') ? 'Possible impersonator' : 'Possible scam'}
      </strong>{' '}
      {serious.map((flag) => FLAG_TEXT[flag]).join(' ')}
    </div>
  );
}

export function SpammerBadge({ reasons }: { reasons?: readonly string[] }) {
  const why = reasons && reasons.length > 0 ? ` (${reasons.join(', ')})` : '';
  return (
    <span
      className="badge sentiment-negative"
      role="img"
      title={`Likely spammer${why}`}
      aria-label={`Likely spammer${why}`}
    >
      <span aria-hidden="true" className="badge-icon">
        ⚑
      </span>
      Likely spammer
    </span>
  );
}

export function InfluenceBadge({ score }: { score: number }) {
  return (
    <span className="badge influence" title="Influence 0–100: engagement, reach and account age">
      Influence {Math.round(score)}
    </span>
  );
}
