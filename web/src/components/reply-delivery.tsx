/**
 * A reply's delivery in the ticket's timeline: where it stands on its channel (queued, sent with
 * its link, failed with the channel's error), and for a failed one a button that sends it again
 * and one that opens its text in the composer to edit and resend it.
 * The reply only counts as answering the ticket once it is sent, so the failure has to be seen
 * here, in place, not in a tooltip.
 */
import { useState } from 'react';
import type { Outbound } from '../api-types.js';
import { api } from '../api.js';
import { OutboundStatus } from './outbound-status.js';

export function ReplyDelivery({
  ticketId,
  outbound,
  onRetried,
  onEdit,
}: {
  ticketId: number;
  outbound: Outbound;
  /** Called once the reply is queued again, so the view reloads. */
  onRetried?: () => void;
  /** Opens the failed reply's text in the composer; sending it there supersedes this one. */
  onEdit?: (outbound: Outbound) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function retry() {
    setBusy(true);
    setError(null);
    try {
      await api.retryReply(ticketId, outbound.id);
      onRetried?.();
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : 'The retry failed');
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="reply-delivery" data-testid={`reply-delivery-${outbound.id}`}>
      <OutboundStatus message={outbound} />
      {outbound.status === 'failed' ? (
        <button type="button" className="btn btn-small" onClick={() => void retry()} disabled={busy}>
          {busy ? 'Retrying…' : 'Retry'}
        </button>
      ) : null}
      {outbound.status === 'failed' && onEdit ? (
        <button type="button" className="btn btn-small" onClick={() => onEdit(outbound)} disabled={busy}>
          Edit and resend
        </button>
      ) : null}
      {error ? (
        <span className="small outbound-error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}
