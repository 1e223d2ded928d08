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

/** A probability 0…1 as a whole percentage, "53 %". */
function percent(probability: number): string {
  return `${Math.round(probability * 100)} %`;
}

/**
 * The kind as the model read it, for the ticket view: its confidence and, when close, the runner-up
 * ("outage 53 % · or question 43 %"). Rules-only posts carry no confidence and show the kind alone.
 */
export function KindReading({
  kind,
  confidence,
  secondKind,
  secondConfidence,
}: {
  kind: PostKind;
  confidence?: number | undefined;
  secondKind?: PostKind | null | undefined;
  secondConfidence?: number | undefined;
}) {
  return (
    <span className="kind-reading" data-testid="kind-reading">
      <span className={`badge kind kind-${kind}`} title={`Kind: ${kind}`}>
        {kind}
        {confidence !== undefined ? <span className="kind-confidence"> {percent(confidence)}</span> : null}
      </span>
      {secondKind ? (
        <span className="kind-second muted small" title={`Second kind: ${secondKind}`}>
          or {secondKind}
          {secondConfidence !== undefined ? ` ${percent(secondConfidence)}` : ''}
        </span>
      ) : null}
    </span>
  );
}

let languageNames: Intl.DisplayNames | null | undefined;

/** "Spanish" for `es`; the code itself where the browser has no name for it. */
export function languageName(code: string): string {
  if (languageNames === undefined) {
    try {
      languageNames = new Intl.DisplayNames(['en'], { type: 'language' });
    } catch {
      languageNames = null;
    }
  }
  try {
    return languageNames?.of(code) ?? code;
  } catch {
    return code;
  }
}

/** The detected language of a post: its code on the badge, the name in words for screen readers and on hover. */
export function LangBadge({ lang }: { lang: string }) {
  const label = lang === 'und' ? 'Language not detected' : `Language: ${languageName(lang)}`;
  return (
    <span className="badge lang" title={label} data-lang={lang}>
      <span aria-hidden="true">{lang === 'und' ? '?' : lang.toUpperCase()}</span>
      <span className="sr-only">{label}</span>
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
export function FlagBanner({ flags, quiet = false }: { flags: readonly PostFlag[] | undefined; quiet?: boolean }) {
  const serious = (flags ?? []).filter((flag) => flag !== 'likely-spammer');
  if (serious.length === 0) return null;
  if (quiet)
    return (
      <details className="post-warning post-warning-quiet" data-flags={serious.join(' ')}>
        <summary>
          <span aria-hidden="true">⚠ </span>
          {serious.includes('impersonation') ? 'Possible impersonator' : 'Possible scam'}
        </summary>
        {serious.map((flag) => FLAG_TEXT[flag]).join(' ')}
      </details>
    );
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
