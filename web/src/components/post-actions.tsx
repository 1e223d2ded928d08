/**
 * What an agent does from a post card on the streams board: reply (the post's ticket is opened
 * or created first, and the reply goes through the same guideline check as in the composer),
 * assign, open the ticket, mute or block the author. Actions answer in place, politely.
 */
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.js';
import type { Post, User } from '../api-types.js';
import { linkHandler, navigate } from '../router.js';
import { Options, userId, userName } from './options.js';

type Panel = 'reply' | 'assign' | null;

export function PostActions({
  post,
  users,
  onDecide,
}: {
  post: Post;
  users: readonly User[];
  /** Mutes or blocks the author; the board hides their posts and offers an undo. */
  onDecide: (action: 'mute' | 'block') => void;
}) {
  const [panel, setPanel] = useState<Panel>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<{ text: string; ticketId: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [body, setBody] = useState('');
  const [warned, setWarned] = useState(false);
  const [ack, setAck] = useState(false);
  const [assignee, setAssignee] = useState('');
  const name = post.author.name ?? post.author.handle;
  const agents = users.filter((user) => user.role !== 'employee');

  async function run(action: () => Promise<{ text: string; ticketId: number }>) {
    setBusy(true);
    setError(null);
    try {
      setDone(await action());
      setPanel(null);
    } catch (caught) {
      // Warnings need a look and a tick, as in the composer; blocks are shown and stop it.
      if (caught instanceof ApiError && caught.code === 'ERR_GUIDELINE_WARNINGS') setWarned(true);
      setError(caught instanceof Error ? caught.message : 'That failed');
    } finally {
      setBusy(false);
    }
  }

  function reply(event: FormEvent) {
    event.preventDefault();
    const text = body.trim();
    if (!text) return;
    void run(async () => {
      const { ticket } = await api.openPostTicket(post.id);
      const sent = await api.reply(ticket.id, text, 'public', ack);
      setBody('');
      setWarned(false);
      setAck(false);
      return sent.held
        ? { text: `Held for review on ticket #${ticket.id}`, ticketId: ticket.id }
        : { text: `Replied on ticket #${ticket.id}`, ticketId: ticket.id };
    });
  }

  function assign(event: FormEvent) {
    event.preventDefault();
    if (!assignee) return;
    void run(async () => {
      const { ticket } = await api.openPostTicket(post.id);
      await api.updateTicket(ticket.id, { assigneeId: Number(assignee) });
      const who = agents.find((user) => user.id === Number(assignee))?.displayName ?? `#${assignee}`;
      return { text: `Ticket #${ticket.id} assigned to ${who}`, ticketId: ticket.id };
    });
  }

  const toggle = (next: Panel) => {
    setPanel((current) => (current === next ? null : next));
    setError(null);
  };

  return (
    <div className="post-actions">
      <div className="post-action-row">
        <button
          type="button"
          className="btn btn-ghost btn-small"
          aria-expanded={panel === 'reply'}
          onClick={() => toggle('reply')}
        >
          Reply
        </button>
        <button
          type="button"
          className="btn btn-ghost btn-small"
          aria-expanded={panel === 'assign'}
          onClick={() => toggle('assign')}
        >
          Assign
        </button>
        <button
          type="button"
          className="btn btn-ghost btn-small"
          disabled={busy}
          onClick={() =>
            void run(async () => {
              const { ticket } = await api.openPostTicket(post.id);
              navigate(`/inbox/${ticket.id}`);
              return { text: `Ticket #${ticket.id}`, ticketId: ticket.id };
            })
          }
        >
          Ticket
        </button>
        <span className="spacer" />
        <button
          type="button"
          className="btn btn-ghost btn-small"
          onClick={() => onDecide('mute')}
          aria-label={`Mute ${name}: hide their posts from the board`}
        >
          Mute
        </button>
        <button
          type="button"
          className="btn btn-danger-ghost btn-small"
          onClick={() => onDecide('block')}
          aria-label={`Block ${name}: hide their posts and open no tickets for them`}
        >
          Block
        </button>
      </div>
      {panel === 'reply' ? (
        <form className="post-reply" onSubmit={reply}>
          <label className="sr-only" htmlFor={`post-reply-${post.id}`}>
            Public reply to {name}
          </label>
          <textarea
            id={`post-reply-${post.id}`}
            rows={2}
            value={body}
            placeholder={`Reply to ${name}…`}
            onChange={(event) => {
              setBody(event.target.value);
              setWarned(false);
              setAck(false);
            }}
          />
          {warned ? (
            <label className="check-ack small">
              <input type="checkbox" checked={ack} onChange={(event) => setAck(event.target.checked)} /> I have read the
              warnings; send anyway
            </label>
          ) : null}
          <button
            type="submit"
            className="btn btn-primary btn-small"
            disabled={busy || !body.trim() || (warned && !ack)}
          >
            {busy ? 'Sending…' : 'Send reply'}
          </button>
        </form>
      ) : null}
      {panel === 'assign' ? (
        <form className="post-reply" onSubmit={assign}>
          <label className="field-inline">
            <span>Assign to</span>
            <select value={assignee} onChange={(event) => setAssignee(event.target.value)}>
              <option value="">Choose…</option>
              <Options items={agents} value={userId} label={userName} />
            </select>
          </label>
          <button type="submit" className="btn btn-primary btn-small" disabled={busy || !assignee}>
            Assign
          </button>
        </form>
      ) : null}
      {error ? (
        <p className="form-error small" role="alert">
          {error}
        </p>
      ) : null}
      {done ? (
        <p className="post-done small" role="status">
          {done.text} ·{' '}
          <a href={`/inbox/${done.ticketId}`} onClick={linkHandler(`/inbox/${done.ticketId}`)}>
            open it
          </a>
        </p>
      ) : null}
    </div>
  );
}
