/**
 * Where a reply stands on its channel: queued (waiting for the outbound worker), sent (with a
 * link to it on the channel when there is one), or failed (with the channel's error). The text
 * always says it; colour only helps. A failed reply an agent edited and sent again is `superseded`:
 * replaced by the newer reply, no longer a failure. For the ticket view beside each reply.
 */
import type { Outbound } from '../api-types.js';

const LABEL: Record<Outbound['status'], string> = {
  queued: 'Queued',
  sent: 'Sent',
  failed: 'Failed',
  superseded: 'Replaced',
};
const ICON: Record<Outbound['status'], string> = { queued: '◷', sent: '✓', failed: '✕', superseded: '↷' };

export function OutboundStatus({ message }: { message: Pick<Outbound, 'status' | 'remoteUrl' | 'error'> }) {
  const { status, remoteUrl, error } = message;
  return (
    <span className="outbound-status" data-outbound-status={status}>
      <span
        className={`badge outbound-${status}`}
        title={status === 'queued' && error ? `Will retry: ${error}` : undefined}
      >
        <span aria-hidden="true" className="badge-icon">
          {ICON[status]}
        </span>
        {LABEL[status]}
      </span>
      {status === 'sent' && remoteUrl ? (
        <a className="small outbound-link" href={remoteUrl} target="_blank" rel="noopener noreferrer">
          View on channel
        </a>
      ) : null}
      {status === 'queued' && error ? (
        <span className="small muted outbound-retry">retrying after: {error}</span>
      ) : null}
      {status === 'superseded' ? (
        <span className="small muted outbound-replaced">not sent; an edited reply was sent instead</span>
      ) : null}
      {status === 'failed' && error ? (
        <span className="small outbound-error" role="note">
          {error}
        </span>
      ) : null}
    </span>
  );
}
