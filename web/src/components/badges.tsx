/** Small labelled badges: colour helps, but the text always says it (never colour alone). */
import type { PostKind, Sentiment, TicketPriority, TicketStatus, TicketType } from '../api-types.js';

const SENTIMENT_LABEL: Record<Sentiment, string> = { negative: 'Negative', neutral: 'Neutral', positive: 'Positive' };
const SENTIMENT_ICON: Record<Sentiment, string> = { negative: '▼', neutral: '●', positive: '▲' };

export function SentimentBadge({ sentiment, score }: { sentiment: Sentiment; score?: number }) {
  const title = score === undefined ? `Sentiment: ${SENTIMENT_LABEL[sentiment]}` : `Sentiment: ${SENTIMENT_LABEL[sentiment]} (score ${score.toFixed(2)})`;
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
