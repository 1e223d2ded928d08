/**
 * One ticket: the post that raised it with its thread, the timeline of notes, replies and
 * changes, and a composer for a public reply, a private message or an internal note. Replies
 * are dry-run against the reply guidelines as you type (debounced) and the findings are shown
 * before sending: a block disables Send, warnings need a tick to say you looked. A failed reply
 * can be opened here to edit and resend: sending then replaces (supersedes) the failed one.
 */
import { ArticleLinkPicker, DraftArticleButton } from '../components/article-link.js';
import { useImperativeHandle, useRef, useState, type FormEvent, type Ref } from 'react';
import { api } from '../api.js';
import { useReplyCheck, useTicket } from '../data/resources.js';
import { isNotFound } from '../data/resource.js';
import {
  TICKET_PRIORITIES,
  TICKET_TRANSITIONS,
  type Outbound,
  type Post,
  type Ticket,
  type TicketEvent,
  type TicketPriority,
  type TicketStatus,
  type User,
} from '../api-types.js';
import { useLive } from '../live.js';
import { ReplyDelivery } from '../components/reply-delivery.js';
import { linkHandler } from '../router.js';
import { useSession } from '../session.js';
import { absoluteTime, relativeTime } from '../format.js';
import { useNow } from '../components/clock.js';
import { PostCard } from '../components/post-card.js';
import { KindReading, LangBadge, languageName, StatusBadge, TypeBadge } from '../components/badges.js';
import { CollisionWarning, useTicketPresence } from '../components/ticket-presence.js';
import { CustomerHistory } from '../components/customer-history.js';
import { SavedReplyPicker } from '../components/saved-reply-picker.js';
import { SlaCountdown } from '../components/sla.js';
import { Avatar } from '../components/avatar.js';
import { LoadError } from '../components/load-error.js';
import { Findings } from '../components/findings.js';
import { Options, userId, userName } from '../components/options.js';

export interface TicketHandle {
  focusComposer(): void;
  resolve(): Promise<void>;
}

type Mode = 'public' | 'private' | 'note';
const MODES: readonly { id: Mode; label: string; hint: string }[] = [
  { id: 'public', label: 'Public reply', hint: 'Posted publicly, in reply to the original post' },
  { id: 'private', label: 'Private message', hint: 'Sent privately to the author' },
  { id: 'note', label: 'Internal note', hint: 'Only people on the desk see it' },
];
const PUBLIC_LIMIT = 500;

export function TicketView({
  id,
  users,
  onChanged,
  ref,
}: {
  id: number;
  users: User[];
  onChanged: (ticket: Ticket) => void;
  ref?: Ref<TicketHandle>;
}) {
  const { user } = useSession();
  const loaded = useTicket(id);
  const detail = loaded.data;
  const [actionError, setActionError] = useState<string | null>(null);
  const [mode, setMode] = useState<Mode>('public');
  const [body, setBody] = useState('');
  const [sending, setSending] = useState(false);
  const [heldNotice, setHeldNotice] = useState<string | null>(null);
  // The failed reply being edited for a resend; null: a new reply.
  const [resending, setResending] = useState<Outbound | null>(null);
  const check = useReplyCheck(id, body, mode).data;
  // Which draft the agent acknowledged the warnings for: editing the draft withdraws it. Derived,
  // not reset in an effect, so typing schedules no extra render per keystroke.
  const [ackedDraft, setAckedDraft] = useState<string | null>(null);
  const draftKey = `${mode}\u0000${body.trim()}`;
  const ackWarnings = ackedDraft === draftKey;
  const setAckWarnings = (acknowledged: boolean) => setAckedDraft(acknowledged ? draftKey : null);
  const composer = useRef<HTMLTextAreaElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  // Notes are internal: only a reply someone else is writing is a collision.
  const others = useTicketPresence(id, user.id, mode === 'note' ? '' : body);

  const { reload, mutate } = loaded;

  useLive(
    'ticket-updated',
    ({ ticket }) => {
      if (ticket.id === id) void reload();
    },
    [id],
  );

  async function change(update: { status?: TicketStatus; priority?: TicketPriority; assigneeId?: number | null }) {
    setActionError(null);
    try {
      const ticket = await api.updateTicket(id, update);
      onChanged(ticket);
      mutate((current) => (current ? { ...current, ticket } : current));
      void reload();
    } catch (caught) {
      setActionError(caught instanceof Error ? caught.message : 'The change failed');
    }
  }

  useImperativeHandle(
    ref,
    () => ({
      focusComposer: () => composer.current?.focus(),
      resolve: async () => {
        if (detail && TICKET_TRANSITIONS[detail.ticket.status].includes('resolved'))
          await change({ status: 'resolved' });
      },
    }),
    // No dependency list: the handle closes over this render's ticket and actions, whatever changed.
  );

  async function send(event?: FormEvent) {
    event?.preventDefault();
    const text = body.trim();
    if (!text || sending) return;
    // Ctrl+Enter skips the disabled button: the same rule as the button (the server enforces it too).
    const known = check && check.body === text && check.mode === mode ? check.result.findings : [];
    if (
      known.some((finding) => finding.level === 'block') ||
      (known.some((finding) => finding.level === 'warn') && !ackWarnings)
    )
      return;
    setSending(true);
    setActionError(null);
    try {
      if (mode === 'note') await api.addNote(id, text);
      else {
        const sent = resending
          ? await api.resendReply(id, resending.id, text, ackWarnings)
          : await api.reply(id, text, mode, ackWarnings);
        if (sent.ticket) onChanged(sent.ticket);
        else
          setHeldNotice(`Reply #${sent.held.id} is held for review by a higher belt; you will see their note in Belt.`);
      }
      setBody('');
      if (mode !== 'note') setResending(null);
      await reload();
    } catch (caught) {
      setActionError(caught instanceof Error ? caught.message : 'Sending failed');
    } finally {
      setSending(false);
    }
  }

  if (loaded.error)
    return (
      <LoadError
        message={isNotFound(loaded.error) ? `There is no ticket #${id}.` : 'Could not load the ticket.'}
        backTo="/inbox"
        backLabel="Back to the inbox"
      />
    );
  if (!detail)
    return (
      <p className="muted pad" aria-busy="true">
        Loading ticket…
      </p>
    );

  const { ticket, post, thread, events, outbound } = detail;
  const nextStatuses = TICKET_TRANSITIONS[ticket.status];
  const canResolve = nextStatuses.includes('resolved');
  const usersById = new Map(users.map((candidate) => [candidate.id, candidate]));
  // Posts that joined the ticket show in the timeline at their turn; the rest of the thread is context above.
  const joinedIds = new Set(events.flatMap((event) => (event.type === 'message' ? [Number(event.data.postId)] : [])));
  const ancestors = thread.filter((item) => item.id !== post?.id && !joinedIds.has(item.id));
  const threadById = new Map(thread.map((item) => [item.id, item]));
  const overLimit = mode === 'public' && body.length > PUBLIC_LIMIT;
  const checked = check && check.body === body.trim() && check.mode === mode ? check.result : null;
  const blocked = checked?.findings.some((finding) => finding.level === 'block') ?? false;
  const warned = checked?.findings.some((finding) => finding.level === 'warn') ?? false;
  const waitingForCheck = mode !== 'note' && body.trim() !== '' && checked === null;

  return (
    <article className="ticket" aria-labelledby="ticket-title">
      <header className="ticket-head">
        <a className="back-link" href="/inbox" onClick={linkHandler('/inbox')}>
          ‹ Inbox
        </a>
        <div className="ticket-title-row">
          {/* An h1: on a phone the ticket is the whole page (the list and its "Inbox" heading are hidden). */}
          <h1 id="ticket-title" ref={heading} tabIndex={-1}>
            <span className="ticket-number">#{ticket.id}</span> {ticket.subject}
          </h1>
          {canResolve ? (
            <button
              type="button"
              className="btn btn-success"
              onClick={() => void change({ status: 'resolved' })}
              aria-keyshortcuts="e"
            >
              ✓ Resolve <kbd>e</kbd>
            </button>
          ) : ticket.status === 'resolved' || ticket.status === 'closed' ? (
            <button type="button" className="btn" onClick={() => void change({ status: 'open' })}>
              Reopen
            </button>
          ) : null}
        </div>
        <div className="ticket-facts">
          <StatusBadge status={ticket.status} />
          <TypeBadge type={ticket.type} />
          {post ? (
            <KindReading
              kind={post.kind}
              confidence={post.kindConfidence}
              secondKind={post.secondKind}
              secondConfidence={post.secondKindConfidence}
            />
          ) : null}
          {post ? <LangBadge lang={post.lang} /> : null}
          <SlaCountdown ticket={ticket} />
          {ticket.source ? <span className="channel">via {ticket.source}</span> : null}
          <span className="muted small">opened {absoluteTime(ticket.createdAt)}</span>
        </div>
        <div className="ticket-controls">
          <label className="field-inline">
            <span>Status</span>
            <select
              value={ticket.status}
              onChange={(event) => void change({ status: event.target.value as TicketStatus })}
            >
              <option value={ticket.status}>{ticket.status}</option>
              <Options items={nextStatuses} />
            </select>
          </label>
          <label className="field-inline">
            <span>Priority</span>
            <select
              value={ticket.priority}
              onChange={(event) => void change({ priority: event.target.value as TicketPriority })}
            >
              <Options items={TICKET_PRIORITIES} />
            </select>
          </label>
          <label className="field-inline">
            <span>Assignee</span>
            <select
              value={ticket.assigneeId ?? ''}
              onChange={(event) => void change({ assigneeId: event.target.value ? Number(event.target.value) : null })}
            >
              <option value="">Unassigned</option>
              <Options
                items={users.filter((candidate) => candidate.role !== 'employee' || candidate.id === ticket.assigneeId)}
                value={userId}
                label={userName}
              />
            </select>
          </label>
          {ticket.assigneeId !== user.id ? (
            <button type="button" className="btn btn-small" onClick={() => void change({ assigneeId: user.id })}>
              Take it
            </button>
          ) : null}
        </div>
        {actionError ? (
          <p className="form-error" role="alert">
            {actionError}
          </p>
        ) : null}
        <CustomerHistory ticketId={id} />
      </header>

      <section className="conversation" aria-label="Conversation">
        {ancestors.length > 0 ? (
          <section className="thread" aria-label="Thread context">
            <h2 className="timeline-label">Earlier in the thread</h2>
            {ancestors.map((item) => (
              <PostCard key={item.id} post={item} compact />
            ))}
          </section>
        ) : null}
        {post ? (
          <section className="origin" aria-label="Original post">
            <PostCard post={post} />
          </section>
        ) : (
          <p className="muted">This ticket was opened by hand; there is no post behind it.</p>
        )}
        <ol className="timeline" aria-label="Timeline">
          {events.map((event) => (
            <TimelineEvent
              key={event.id}
              event={event}
              actor={event.actorId !== null ? usersById.get(event.actorId) : undefined}
              outbound={outbound.find((item) => item.eventId === event.id)}
              onRetried={() => void reload()}
              onEdit={(failed) => {
                setResending(failed);
                setMode(failed.visibility);
                setBody(failed.body);
                composer.current?.focus();
              }}
              users={usersById}
              message={event.type === 'message' ? threadById.get(Number(event.data.postId)) : undefined}
            />
          ))}
        </ol>
      </section>

      <form className={`composer composer-${mode}`} onSubmit={(event) => void send(event)} aria-label="Reply">
        <div className="composer-modes" role="radiogroup" aria-label="Reply type">
          {MODES.map((candidate) => (
            <label
              key={candidate.id}
              className={`mode${mode === candidate.id ? ' active' : ''}`}
              title={candidate.hint}
            >
              <input
                type="radio"
                name="mode"
                value={candidate.id}
                checked={mode === candidate.id}
                onChange={() => {
                  setMode(candidate.id);
                  // A resend keeps the failed reply's visibility: another mode is a new message.
                  if (resending && candidate.id !== resending.visibility) setResending(null);
                }}
              />
              {candidate.label}
            </label>
          ))}
        </div>
        <CollisionWarning others={others} />
        {resending ? (
          <p className="resend-notice" role="status">
            Editing failed reply #{resending.id}: sending it replaces the failed one.{' '}
            <button
              type="button"
              className="btn btn-ghost btn-small"
              onClick={() => {
                setResending(null);
                setBody('');
              }}
            >
              Cancel resend
            </button>
          </p>
        ) : null}
        {heldNotice ? (
          <p className="held-notice" role="status">
            {heldNotice}
          </p>
        ) : null}
        {mode !== 'note' ? (
          <div className="composer-tools">
            <SavedReplyPicker
              ticketId={id}
              onInsert={(text) => {
                setBody((current) => (current.trim() ? `${current.trimEnd()} ${text}` : text));
                composer.current?.focus();
              }}
            />
            <ArticleLinkPicker onInsert={(link) => setBody((current) => (current ? `${current} ${link}` : link))} />
            <a className="small" href="/saved-replies" onClick={linkHandler('/saved-replies')}>
              Manage saved replies
            </a>
          </div>
        ) : null}
        {mode !== 'note' && post && post.lang !== 'und' && post.lang !== 'en' ? (
          <p className="lang-hint small" data-lang={post.lang}>
            <span aria-hidden="true">🌐 </span>
            The post is in {languageName(post.lang)}: a reply in {languageName(post.lang)} may serve them better.
          </p>
        ) : null}
        <label className="sr-only" htmlFor="composer-body">
          {MODES.find((candidate) => candidate.id === mode)!.label}
        </label>
        <textarea
          id="composer-body"
          ref={composer}
          value={body}
          rows={3}
          placeholder={
            mode === 'note'
              ? 'Write a note for the team…'
              : post
                ? `Reply to ${post.author.name ?? post.author.handle}…`
                : 'Write a reply…'
          }
          onChange={(event) => setBody(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
              event.preventDefault();
              void send();
            } else if (event.key === 'Escape') {
              event.currentTarget.blur();
            }
          }}
          aria-keyshortcuts="r"
        />
        {mode !== 'note' && body.trim() ? (
          <div className="composer-check">
            <Findings findings={checked?.findings ?? []} version={checked?.version} pending={checked === null} />
            {warned && !blocked ? (
              <label className="check-ack">
                <input
                  type="checkbox"
                  checked={ackWarnings}
                  onChange={(event) => setAckWarnings(event.target.checked)}
                />{' '}
                I have read the warnings; send anyway
              </label>
            ) : null}
          </div>
        ) : null}
        <div className="composer-foot">
          {detail && (detail.ticket.status === 'resolved' || detail.ticket.status === 'closed') ? (
            <DraftArticleButton ticketId={id} />
          ) : null}
          <span className="muted small">{MODES.find((candidate) => candidate.id === mode)!.hint}</span>
          <span className="spacer" />
          {mode === 'public' ? (
            <span className={`char-count${overLimit ? ' over' : ''}`}>
              {body.length}/{PUBLIC_LIMIT}
            </span>
          ) : null}
          <button
            type="submit"
            className="btn btn-primary"
            disabled={sending || !body.trim() || overLimit || blocked || waitingForCheck || (warned && !ackWarnings)}
          >
            {sending ? 'Sending…' : mode === 'note' ? 'Add note' : resending ? 'Resend reply' : 'Send reply'}
          </button>
        </div>
      </form>
    </article>
  );
}

function TimelineEvent({
  event,
  actor,
  outbound,
  onRetried,
  onEdit,
  users,
  message,
}: {
  event: TicketEvent;
  actor: User | undefined;
  outbound: Outbound | undefined;
  onRetried: () => void;
  onEdit: (outbound: Outbound) => void;
  users: Map<number, User>;
  /** The customer's post behind a `message` event. */
  message?: Post | undefined;
}) {
  const now = useNow();
  const who = actor?.displayName ?? (event.actorId === null ? 'Earshot' : `User #${event.actorId}`);
  const when = (
    <time dateTime={event.createdAt} title={absoluteTime(event.createdAt)}>
      {relativeTime(event.createdAt, now)}
    </time>
  );
  if (event.type === 'message') {
    return (
      <li className="event event-customer" aria-label="Customer message">
        {message ? <PostCard post={message} compact /> : <span className="muted">A later post (no longer stored)</span>}
      </li>
    );
  }
  if (event.type === 'note' || event.type === 'reply') {
    const visibility =
      event.type === 'note'
        ? 'Internal note'
        : event.data.visibility === 'private'
          ? 'Private message'
          : 'Public reply';
    return (
      <li
        className={`event event-message event-${event.type}${event.data.visibility === 'private' ? ' event-private' : ''}`}
      >
        <Avatar name={who} size={28} />
        <div className="bubble">
          <div className="bubble-head">
            <strong>{who}</strong>
            <span className="badge">{visibility}</span>
            <span className="spacer" />
            {when}
          </div>
          <p className="bubble-text">{event.body}</p>
          {outbound ? (
            <ReplyDelivery ticketId={event.ticketId} outbound={outbound} onRetried={onRetried} onEdit={onEdit} />
          ) : null}
        </div>
      </li>
    );
  }
  return (
    <li className="event event-system">
      <span className="event-dot" aria-hidden="true" />
      <span>
        {describe(event, who, users)} · {when}
      </span>
    </li>
  );
}

function describe(event: TicketEvent, who: string, users: Map<number, User>): string {
  const data = event.data as Record<string, unknown>;
  switch (event.type) {
    case 'created':
      return 'Ticket created from the post';
    case 'status':
      return `${who} changed the status${typeof data.from === 'string' ? ` from ${data.from}` : ''} to ${String(data.to ?? event.body ?? '?')}`;
    case 'assign': {
      const id = typeof data.assigneeId === 'number' ? data.assigneeId : typeof data.to === 'number' ? data.to : null;
      return id === null
        ? `${who} unassigned the ticket`
        : `${who} assigned it to ${users.get(id)?.displayName ?? `#${id}`}`;
    }
    case 'priority':
      return `${who} set the priority to ${String(data.to ?? event.body ?? '?')}`;
    default:
      return `${who}: ${event.body ?? event.type}`;
  }
}
