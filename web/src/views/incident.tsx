/**
 * One major incident: what it is, who is responding (any of them may approve an update), its
 * escalation, the status-update composer that proposes a reply to every reporter and opens the
 * batch review, resolving with a closing update, the linked reports and the audit.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import { api } from '../api.js';
import type { User } from '../api-types.js';
import { isNotFound } from '../data/resource.js';
import { NO_USERS, useIncident, useIncidents, useUsers } from '../data/resources.js';
import { useLive } from '../live.js';
import { linkHandler, navigate } from '../router.js';
import { useSession } from '../session.js';
import { absoluteTime, duration } from '../format.js';
import { useNow } from '../components/clock.js';
import { PostCard } from '../components/post-card.js';
import { BatchReview } from '../components/batch-review.js';
import { LoadError } from '../components/load-error.js';
import { Options, userId, userName } from '../components/options.js';

const POSTS_SHOWN = 30;

export function IncidentView({ id }: { id: number }) {
  const { user } = useSession();
  const users = useUsers().data ?? NO_USERS;
  const now = useNow();
  const loaded = useIncident(id);
  const { data: detail, reload } = loaded;
  const [actionError, setActionError] = useState<string | null>(null);
  const [update, setUpdate] = useState('');
  const [closing, setClosing] = useState('');
  const [busy, setBusy] = useState(false);
  const [showAll, setShowAll] = useState(false);
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [mergeInto, setMergeInto] = useState('');
  const openIncidents = useIncidents('open').data ?? [];

  useLive(
    'incident',
    ({ incident }) => {
      if (incident.id === id) void reload();
    },
    [id],
  );
  useLive(
    'escalation',
    ({ incidentId }) => {
      if (incidentId === id) void reload();
    },
    [id],
  );

  async function act(action: () => Promise<unknown>) {
    setBusy(true);
    setActionError(null);
    try {
      await action();
      await reload();
    } catch (caught) {
      setActionError(caught instanceof Error ? caught.message : 'That did not work');
    } finally {
      setBusy(false);
    }
  }

  if (loaded.error)
    return (
      <LoadError
        message={isNotFound(loaded.error) ? `There is no incident #${id}.` : 'Could not load the incident.'}
        backTo="/incidents"
        backLabel="Back to the incidents"
      />
    );
  if (!detail)
    return (
      <p className="muted pad" aria-busy="true">
        Loading incident…
      </p>
    );

  const { incident, posts, responders, updates, audit, escalations } = detail;
  const isResponder = incident.responders.includes(user.id);
  const canApprove = isResponder || user.role === 'admin';
  const usersById = new Map(users.map((candidate) => [candidate.id, candidate]));
  const nameOf = (userId: number | null) =>
    userId === null ? 'Earshot' : (usersById.get(userId)?.displayName ?? `User #${userId}`);
  const pending = updates.filter((item) => item.status === 'draft');
  const done = updates.filter((item) => item.status === 'approved');
  const running = escalations.find((escalation) => escalation.status === 'running');
  const reporterPosts = new Map(posts.map((post) => [post.id, post.text]));
  const chosen = posts.filter((post) => selected.has(post.id)).map((post) => post.id);
  function toggle(postId: number) {
    setSelected((current) => {
      const next = new Set(current);
      if (!next.delete(postId)) next.add(postId);
      return next;
    });
  }

  function submitUpdate(event: FormEvent) {
    event.preventDefault();
    if (update.trim()) void act(() => api.draftUpdate(id, update).then(() => setUpdate('')));
  }
  function submitClosing(event: FormEvent) {
    event.preventDefault();
    if (closing.trim()) void act(() => api.resolveIncident(id, closing).then(() => setClosing('')));
  }

  return (
    <section className="view incident-view" aria-labelledby="incident-title">
      <header className="view-head incident-head">
        <a className="back-link" href="/incidents" onClick={linkHandler('/incidents')}>
          ‹ Incidents
        </a>
        <h1 id="incident-title">
          <span className="ticket-number">#{incident.id}</span> {incident.title}
        </h1>
        <span className={`badge severity severity-${incident.severity}`}>{incident.severity}</span>
        <span className={`badge status status-${incident.status === 'open' ? 'open' : 'resolved'}`}>
          {incident.status}
        </span>
        <span className="muted small">
          {incident.postCount ?? posts.length} reports · opened {absoluteTime(incident.createdAt)}
        </span>
        {incident.idle ? (
          <span className="badge idle" title="No new report for a while: it takes no more. Resolve it?">
            idle · resolve?
          </span>
        ) : null}
      </header>
      <div className="incident-body">
        {actionError ? (
          <p className="form-error" role="alert">
            {actionError}
          </p>
        ) : null}
        <div className="incident-grid">
          <div className="incident-main">
            {incident.status === 'open' ? (
              <form className="card incident-composer" onSubmit={submitUpdate} aria-label="Status update">
                <label htmlFor="incident-update">
                  <strong>Write one status update</strong>
                  <span className="muted small">
                    {' '}
                    — Earshot proposes a reply to each of the {incident.postCount ?? posts.length} reporters, in their
                    context, for you to review.
                  </span>
                </label>
                <textarea
                  id="incident-update"
                  rows={3}
                  value={update}
                  maxLength={2000}
                  onChange={(event) => setUpdate(event.target.value)}
                  placeholder="What is happening and what we are doing about it…"
                />
                <div className="row-actions">
                  <span className="spacer" />
                  <button type="submit" className="btn btn-primary" disabled={busy || !update.trim()}>
                    Propose replies
                  </button>
                </div>
              </form>
            ) : null}
            {pending.map((item) => (
              <BatchReview
                key={item.id}
                update={item}
                proposals={item.proposals}
                reporterPosts={reporterPosts}
                canApprove={canApprove}
                onChanged={() => void reload()}
              />
            ))}
            {incident.status === 'open' && canApprove ? (
              <form className="card incident-resolve" onSubmit={submitClosing} aria-label="Resolve">
                <label htmlFor="incident-closing">
                  <strong>Resolve</strong>
                  <span className="muted small"> — the closing update is offered to every reporter the same way.</span>
                </label>
                <textarea
                  id="incident-closing"
                  rows={2}
                  value={closing}
                  maxLength={2000}
                  onChange={(event) => setClosing(event.target.value)}
                  placeholder="It is fixed: what happened, and what to do if it still fails…"
                />
                <div className="row-actions">
                  <span className="spacer" />
                  <button type="submit" className="btn btn-success" disabled={busy || !closing.trim()}>
                    ✓ Resolve and propose closing replies
                  </button>
                </div>
              </form>
            ) : null}
            {done.length > 0 ? (
              <section className="card" aria-label="Sent updates">
                <h2 className="timeline-label">Approved updates</h2>
                <ul className="plain-list">
                  {done.map((item) => {
                    const sent = item.proposals.filter((p) => p.status === 'approved');
                    const count = (status: string) => sent.filter((p) => p.delivery?.status === status).length;
                    const failed = count('failed');
                    return (
                      <li key={item.id}>
                        <strong>{item.kind === 'closing' ? 'Closing' : 'Status'}:</strong> {item.body}{' '}
                        <span className="muted small">
                          · {sent.length} replies · approved {item.approvedAt ? absoluteTime(item.approvedAt) : ''}
                        </span>
                        <Deliveries
                          summary={`${count('queued')} queued · ${count('sent')} sent · ${failed} failed`}
                          open={failed > 0}
                        >
                          <BatchReview
                            update={item}
                            proposals={sent}
                            reporterPosts={reporterPosts}
                            canApprove={canApprove}
                            onChanged={() => void reload()}
                          />
                        </Deliveries>
                      </li>
                    );
                  })}
                </ul>
              </section>
            ) : null}
            <section aria-label="Reports">
              <h2 className="timeline-label">Reports ({incident.postCount ?? posts.length})</h2>
              <div className="incident-posts">
                {(showAll ? posts : posts.slice(0, POSTS_SHOWN)).map((post) =>
                  canApprove && incident.status === 'open' ? (
                    <div key={post.id} className="incident-post-pick">
                      <input
                        type="checkbox"
                        aria-label={`Select report ${post.id}`}
                        checked={selected.has(post.id)}
                        onChange={() => toggle(post.id)}
                      />
                      <PostCard post={post} compact />
                    </div>
                  ) : (
                    <PostCard key={post.id} post={post} compact />
                  ),
                )}
              </div>
              {chosen.length > 0 ? (
                <div className="row-actions">
                  <span className="small">{chosen.length} selected</span>
                  <button
                    type="button"
                    className="btn btn-small"
                    disabled={busy}
                    onClick={() => void act(() => api.splitIncident(id, chosen).then(() => setSelected(new Set())))}
                  >
                    Split into a new incident
                  </button>
                  <button
                    type="button"
                    className="btn btn-small"
                    disabled={busy}
                    onClick={() => void act(() => api.unlinkPosts(id, chosen).then(() => setSelected(new Set())))}
                  >
                    Unlink
                  </button>
                </div>
              ) : null}
              {posts.length > POSTS_SHOWN && !showAll ? (
                <button type="button" className="btn btn-small" onClick={() => setShowAll(true)}>
                  Show all {posts.length}
                </button>
              ) : null}
            </section>
          </div>
          <aside className="incident-side">
            <section className="card" aria-labelledby="responders-title">
              <h2 id="responders-title" className="timeline-label">
                Responders
              </h2>
              <p className="muted small">Any of them may approve an outbound update.</p>
              <ul className="plain-list">
                {responders.length === 0 ? <li className="muted">Nobody yet.</li> : null}
                {responders.map((responder) => (
                  <li key={responder.id}>
                    {responder.displayName}
                    {canApprove && responder.id !== user.id ? (
                      <button
                        type="button"
                        className="btn btn-ghost btn-small"
                        onClick={() =>
                          void act(() =>
                            api.setResponders(
                              id,
                              incident.responders.filter((candidate) => candidate !== responder.id),
                            ),
                          )
                        }
                      >
                        Remove
                      </button>
                    ) : null}
                  </li>
                ))}
              </ul>
              <ResponderPicker
                users={users}
                current={incident.responders}
                canEdit={canApprove || incident.responders.length === 0}
                onAdd={(userId) => void act(() => api.setResponders(id, [...incident.responders, userId]))}
              />
            </section>
            {incident.status === 'open' && canApprove && openIncidents.some((other) => other.id !== id) ? (
              <form
                className="card"
                aria-label="Merge"
                onSubmit={(event) => {
                  event.preventDefault();
                  const target = Number(mergeInto);
                  if (target > 0)
                    void act(() => api.mergeIncident(id, target).then(() => navigate(`/incidents/${target}`)));
                }}
              >
                <label htmlFor="incident-merge" className="timeline-label">
                  Merge into another incident
                </label>
                <p className="muted small">Its reports move there and this one is resolved; both record it.</p>
                <select id="incident-merge" value={mergeInto} onChange={(event) => setMergeInto(event.target.value)}>
                  <option value="">Choose an open incident…</option>
                  {openIncidents
                    .filter((other) => other.id !== id)
                    .map((other) => (
                      <option key={other.id} value={other.id}>
                        #{other.id} {other.title}
                      </option>
                    ))}
                </select>
                <div className="row-actions">
                  <button type="submit" className="btn btn-small" disabled={busy || !mergeInto}>
                    Merge
                  </button>
                </div>
              </form>
            ) : null}
            <section className="card" aria-labelledby="escalation-title">
              <h2 id="escalation-title" className="timeline-label">
                Escalation
              </h2>
              {escalations.length === 0 ? (
                <p className="muted small">No escalation policy ran for this incident.</p>
              ) : null}
              {escalations.map((escalation) => (
                <div key={escalation.id} className={`escalation escalation-${escalation.status}`}>
                  <p>
                    <strong>{escalation.status}</strong> · step {escalation.step + 1}, round {escalation.round + 1}
                  </p>
                  <p className="muted small">
                    Notified: {escalation.notified.map(nameOf).join(', ') || 'nobody on call'}
                  </p>
                  {escalation.status === 'running' ? (
                    <p className="muted small">
                      {Date.parse(escalation.deadline) > now
                        ? `Next step in ${duration(Date.parse(escalation.deadline) - now)}`
                        : 'Next step due now'}
                    </p>
                  ) : null}
                  {escalation.acknowledgedBy !== null ? (
                    <p className="small">Acknowledged by {nameOf(escalation.acknowledgedBy)}</p>
                  ) : null}
                </div>
              ))}
              {running ? (
                <button
                  type="button"
                  className="btn btn-primary btn-small"
                  disabled={busy}
                  onClick={() => void act(() => api.ackEscalation(running.id))}
                >
                  I’m on it — acknowledge
                </button>
              ) : null}
            </section>
            <section className="card" aria-labelledby="audit-title">
              <h2 id="audit-title" className="timeline-label">
                Audit
              </h2>
              <ol className="plain-list audit">
                {audit.slice(0, 40).map((entry) => (
                  <li key={entry.id} className="small">
                    <strong>{nameOf(entry.actorId)}</strong> {entry.action.replace('.', ' ')}{' '}
                    <span className="muted">· {absoluteTime(entry.createdAt)}</span>
                  </li>
                ))}
              </ol>
            </section>
          </aside>
        </div>
      </div>
    </section>
  );
}

/** Where an approved update's replies stand; the replies themselves are rendered only when opened. */
function Deliveries({ summary, open, children }: { summary: string; open: boolean; children: ReactNode }) {
  const [shown, setShown] = useState(open);
  return (
    <details open={shown} onToggle={(event) => setShown(event.currentTarget.open)}>
      <summary className="small">{summary}</summary>
      {shown ? children : null}
    </details>
  );
}

function ResponderPicker({
  users,
  current,
  canEdit,
  onAdd,
}: {
  users: User[];
  current: number[];
  canEdit: boolean;
  onAdd: (userId: number) => void;
}) {
  const candidates = users.filter((candidate) => candidate.role !== 'employee' && !current.includes(candidate.id));
  if (!canEdit || candidates.length === 0) return null;
  return (
    <label className="field-inline">
      <span>Add</span>
      <select
        value=""
        onChange={(event) => {
          if (event.target.value) onAdd(Number(event.target.value));
        }}
      >
        <option value="">Choose a person…</option>
        <Options items={candidates} value={userId} label={userName} />
      </select>
    </label>
  );
}
