/**
 * The batch-review screen: every reply Earshot proposes for one incident update, each with its
 * guideline findings, to approve all at once, or to edit, reject or approve one. Approving all
 * is refused while a reply is blocked, so the button says what to fix first.
 */
import { useState } from 'react';
import { api } from '../api.js';
import type { IncidentUpdate, ReplyProposal } from '../api-types.js';
import { absoluteTime } from '../format.js';
import { Findings, worstLevel } from './findings.js';

export function BatchReview({
  update,
  proposals,
  canApprove,
  onChanged,
  reporterPosts,
}: {
  update: IncidentUpdate;
  proposals: ReplyProposal[];
  canApprove: boolean;
  onChanged: () => void;
  /** Each reporter's own post by id, shown next to the reply proposed to them. */
  reporterPosts?: ReadonlyMap<number, string>;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const waiting = proposals.filter((proposal) => proposal.status === 'proposed');
  const blocked = waiting.filter((proposal) => worstLevel(proposal.findings) === 'block');
  const warned = waiting.filter((proposal) => worstLevel(proposal.findings) === 'warn');
  const approved = proposals.filter((proposal) => proposal.status === 'approved').length;

  async function run(action: () => Promise<unknown>, done?: string) {
    setBusy(true);
    setError(null);
    try {
      await action();
      if (done) setNotice(done);
      onChanged();
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : 'That did not work');
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="batch" aria-labelledby={`batch-${update.id}`}>
      <header className="batch-head">
        <div>
          <h3 id={`batch-${update.id}`}>
            {update.kind === 'closing' ? 'Closing update' : 'Status update'} · {proposals.length} replies
          </h3>
          <p className="batch-update">“{update.body}”</p>
          <p className="muted small">
            {waiting.length} to review · {approved} approved · {blocked.length} blocked · {warned.length} with warnings
            · drafted {absoluteTime(update.createdAt)}
          </p>
        </div>
        <span className="spacer" />
        {update.status === 'approved' ? (
          <span className="badge status status-resolved">Approved</span>
        ) : (
          <button
            type="button"
            className="btn btn-primary"
            disabled={!canApprove || busy || waiting.length === 0 || blocked.length > 0}
            title={
              !canApprove
                ? 'Only the incident’s responders (or an admin) may approve'
                : blocked.length > 0
                  ? 'Reject or rewrite the blocked replies first'
                  : undefined
            }
            onClick={() =>
              void run(async () => {
                const result = await api.approveUpdate(update.id);
                setNotice(`Approved: ${result.queued} replies queued to send.`);
              })
            }
          >
            ✓ Approve all {waiting.length}
          </button>
        )}
      </header>
      {!canApprove && update.status !== 'approved' ? (
        <p className="muted small">You are not on this incident’s responder list, so you can review but not approve.</p>
      ) : null}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {notice ? (
        <p className="form-ok" role="status">
          {notice}
        </p>
      ) : null}
      <ol className="proposals" aria-label="Proposed replies">
        {proposals.map((proposal) => (
          <ProposalRow
            key={proposal.id}
            proposal={proposal}
            post={reporterPosts?.get(proposal.postId)}
            canApprove={canApprove}
            busy={busy}
            run={run}
          />
        ))}
      </ol>
    </section>
  );
}

function ProposalRow({
  proposal,
  post,
  canApprove,
  busy,
  run,
}: {
  proposal: ReplyProposal;
  post?: string | undefined;
  canApprove: boolean;
  busy: boolean;
  run: (action: () => Promise<unknown>, done?: string) => Promise<void>;
}) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(proposal.body);
  const level = worstLevel(proposal.findings);
  const open = proposal.status === 'proposed';
  return (
    <li
      className={`proposal proposal-${proposal.status}${level ? ` proposal-${level}` : ''}`}
      data-proposal={proposal.id}
    >
      <div className="proposal-head">
        <strong>{proposal.recipient}</strong>
        <span className="badge">{proposal.visibility === 'public' ? 'Public reply' : 'Private message'}</span>
        <span className="channel">via {proposal.source}</span>
        <span className="spacer" />
        <span className={`badge proposal-status-${proposal.status}`}>{proposal.status}</span>
        {proposal.delivery ? (
          <span
            className={`badge delivery delivery-${proposal.delivery.status}`}
            data-delivery={proposal.delivery.status}
          >
            {proposal.delivery.status}
          </span>
        ) : null}
      </div>
      {post !== undefined ? <blockquote className="proposal-post small muted">{post}</blockquote> : null}
      {proposal.noSource && open ? (
        <p className="finding finding-warn small" role="note">
          No configured source sends on “{proposal.source}”: this reply would fail.
        </p>
      ) : null}
      {proposal.delivery?.status === 'sent' && proposal.delivery.remoteUrl ? (
        <a className="small" href={proposal.delivery.remoteUrl} target="_blank" rel="noreferrer">
          Sent: view it
        </a>
      ) : null}
      {proposal.delivery?.status === 'failed' ? (
        <div className="row-actions delivery-failed">
          <span className="small">Failed: {proposal.delivery.error ?? 'unknown error'}</span>
          {canApprove ? (
            <button
              type="button"
              className="btn btn-small"
              disabled={busy}
              onClick={() => void run(() => api.retryProposal(proposal.id))}
            >
              Retry
            </button>
          ) : null}
        </div>
      ) : null}
      {editing ? (
        <div className="proposal-edit">
          <label className="sr-only" htmlFor={`proposal-${proposal.id}`}>
            Reply to {proposal.recipient}
          </label>
          <textarea
            id={`proposal-${proposal.id}`}
            rows={3}
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
          />
          <div className="row-actions">
            <button
              type="button"
              className="btn btn-small btn-primary"
              disabled={busy || !draft.trim()}
              onClick={() => void run(() => api.editProposal(proposal.id, draft)).then(() => setEditing(false))}
            >
              Save and re-check
            </button>
            <button type="button" className="btn btn-small btn-ghost" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <p className="proposal-body">{proposal.body}</p>
      )}
      <Findings findings={proposal.findings} compact />
      {open && canApprove && !editing ? (
        <div className="row-actions">
          <button type="button" className="btn btn-small" disabled={busy} onClick={() => setEditing(true)}>
            Edit
          </button>
          <button
            type="button"
            className="btn btn-small"
            disabled={busy}
            onClick={() => void run(() => api.rejectProposal(proposal.id))}
          >
            Reject
          </button>
          <button
            type="button"
            className="btn btn-small"
            disabled={busy || level === 'block'}
            onClick={() => void run(() => api.approveProposal(proposal.id))}
          >
            Approve this one
          </button>
        </div>
      ) : null}
    </li>
  );
}
