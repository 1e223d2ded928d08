/**
 * The inbox: tickets on the left (status, priority, SLA countdown, assignee, channel), the
 * open ticket on the right. Saved views above the tabs name a tab, order, filters and search,
 * for oneself or the team. Bulk assign/resolve/close on the checked rows. Keyboard: j/k move
 * and open, x checks, r replies, e resolves, ? lists the shortcuts.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, type TicketFilter, type TicketUpdate } from '../api.js';
import { appendNew, NO_USERS, useTickets, useUsers } from '../data/resources.js';
import type { SavedViewFiltersWire, SavedViewQueue, SavedViewWire, Ticket } from '../api-types.js';
import { useLive } from '../live.js';
import { linkHandler, navigate } from '../router.js';
import { useSession } from '../session.js';
import { relativeTime } from '../format.js';
import { useNow } from '../components/clock.js';
import { PriorityBadge, StatusBadge, TypeBadge } from '../components/badges.js';
import { SlaCountdown } from '../components/sla.js';
import { Avatar } from '../components/avatar.js';
import { Options, userId, userName } from '../components/options.js';
import { TicketView, type TicketHandle } from './ticket.js';
import {
  compareTickets,
  loadQueueQuery,
  QueueControls,
  saveQueueQuery,
  type QueueQuery,
} from '../components/queue-controls.js';
import { SavedViewsBar } from '../components/saved-views.js';

const QUEUES = [
  { id: 'open', label: 'Open', filter: { status: 'new,open,pending' } },
  { id: 'mine', label: 'Mine', filter: { status: 'new,open,pending', assignee: 'me' } },
  { id: 'unassigned', label: 'Unassigned', filter: { status: 'new,open,pending', assignee: 'none' } },
  { id: 'breached', label: 'SLA breached', filter: { status: 'new,open,pending', breached: true } },
  { id: 'done', label: 'Resolved', filter: { status: 'resolved,closed' } },
] as const satisfies readonly { id: SavedViewQueue; label: string; filter: TicketFilter }[];
type QueueId = (typeof QUEUES)[number]['id'];
const SELECTED_VIEW_KEY = 'earshot.saved-view';

const SHORTCUTS: readonly [string, string][] = [
  ['j / ↓', 'Next ticket'],
  ['k / ↑', 'Previous ticket'],
  ['x', 'Check or uncheck the ticket'],
  ['r', 'Reply to the open ticket'],
  ['e', 'Resolve the open ticket and open the next'],
  ['Ctrl + Enter', 'Send the reply'],
  ['Esc', 'Leave the composer'],
  ['?', 'Show these shortcuts'],
];

export function InboxView({ openId }: { openId: number | null }) {
  const { user } = useSession();
  const users = useUsers().data ?? NO_USERS;
  const [queue, setQueue] = useState<QueueId>(
    () => (sessionStorage.getItem('earshot.queue') as QueueId | null) ?? 'open',
  );
  const [checked, setChecked] = useState<ReadonlySet<number>>(new Set());
  const [notice, setNotice] = useState<string | null>(null);
  const [showHelp, setShowHelp] = useState(false);
  const ticketView = useRef<TicketHandle>(null);
  const [queueQuery, setQueueQuery] = useState<QueueQuery>(loadQueueQuery);
  const changeQuery = useCallback((next: QueueQuery) => {
    saveQueueQuery(next);
    setQueueQuery(next);
  }, []);
  // The saved view last applied (kept for the browser session), and a count of applications:
  // the controls start afresh from an applied view's search text.
  const [viewId, setViewId] = useState<number | null>(() => Number(sessionStorage.getItem(SELECTED_VIEW_KEY)) || null);
  const [applied, setApplied] = useState(0);
  const selectView = useCallback((id: number | null) => {
    if (id === null) sessionStorage.removeItem(SELECTED_VIEW_KEY);
    else sessionStorage.setItem(SELECTED_VIEW_KEY, String(id));
    setViewId(id);
  }, []);
  const applyView = useCallback(
    (view: SavedViewWire) => {
      const { queue: tab, ...query } = view.filters;
      setQueue(QUEUES.some((candidate) => candidate.id === tab) ? (tab as QueueId) : 'open');
      changeQuery({ ...query, sort: query.sort ?? 'sla' });
      selectView(view.id);
      setApplied((count) => count + 1);
    },
    [changeQuery, selectView],
  );
  const forgetView = useCallback(() => selectView(null), [selectView]);
  const currentView = useMemo<SavedViewFiltersWire>(
    () =>
      Object.fromEntries(
        Object.entries({ queue, ...queueQuery }).filter(([, value]) => value !== undefined && value !== ''),
      ) as SavedViewFiltersWire,
    [queue, queueQuery],
  );
  const base = QUEUES.find((candidate) => candidate.id === queue)!.filter;
  // The tab's assignee (Mine, Unassigned) wins over the assignee filter.
  const filter = useMemo(() => ({ ...queueQuery, ...base }), [queueQuery, base]);
  const page = useTickets({ ...filter, limit: 100 });
  const tickets = page.data?.items ?? null;
  const authors = page.data?.authors ?? {};
  const nextBefore = page.data?.nextBefore ?? null;
  const nextOffset = page.data?.nextOffset ?? null;
  const { mutate } = page;
  /**
   * Applies a changed ticket to its row, wherever the change came from; a ticket that no longer
   * belongs to this queue (resolved out of Open) leaves it.
   */
  const patch = useCallback(
    (ticket: Ticket) =>
      mutate(
        (current) =>
          current && {
            ...current,
            items: current.items
              .map((known) => (known.id === ticket.id ? { ...known, ...ticket } : known))
              .filter((known) => known.id !== ticket.id || filter.status.split(',').includes(ticket.status)),
          },
      ),
    [mutate, filter.status],
  );

  const [loadingMore, setLoadingMore] = useState(false);
  const loadMore = useCallback(async () => {
    if (nextBefore === null && nextOffset === null) return;
    setLoadingMore(true);
    try {
      const more = await api.tickets(
        nextOffset !== null
          ? { ...filter, limit: 100, offset: nextOffset }
          : { ...filter, limit: 100, before: nextBefore! },
      );
      // Live arrivals may already hold some of these; keep one row per ticket.
      mutate((current) => ({
        items: appendNew(current?.items ?? [], more.tickets),
        authors: { ...current?.authors, ...more.authors },
        nextBefore: more.nextBefore,
        nextOffset: more.nextOffset,
      }));
    } finally {
      setLoadingMore(false);
    }
  }, [filter, nextBefore, nextOffset, mutate]);

  useEffect(() => {
    setChecked(new Set());
    sessionStorage.setItem('earshot.queue', queue);
  }, [queue]);

  useLive(
    'ticket',
    (ticket) => {
      if (!filter.status.split(',').includes(ticket.status)) return;
      if ('assignee' in filter && filter.assignee === 'me' && ticket.assigneeId !== user.id) return;
      if ('breached' in filter) return;
      // A filtered or searched queue is the server's answer; a reload shows arrivals that match.
      if (filter.kind || filter.channel || filter.sentiment || filter.language || filter.q) return;
      if (filter.assignee === 'none' && ticket.assigneeId !== null) return;
      mutate((current) =>
        current === null || current.items.some((known) => known.id === ticket.id)
          ? current
          : { ...current, items: [ticket, ...current.items].sort(compareTickets(filter.sort)) },
      );
    },
    [filter, user.id],
  );
  useLive('ticket-updated', ({ ticket }) => patch(ticket), [patch]);

  const index = tickets?.findIndex((ticket) => ticket.id === openId) ?? -1;
  const open = useCallback((id: number) => navigate(`/inbox/${id}`), []);

  const step = useCallback(
    (by: 1 | -1) => {
      if (!tickets || tickets.length === 0) return;
      const next = index === -1 ? 0 : Math.min(tickets.length - 1, Math.max(0, index + by));
      const ticket = tickets[next]!;
      open(ticket.id);
      document.getElementById(`ticket-row-${ticket.id}`)?.scrollIntoView({ block: 'nearest' });
    },
    [tickets, index, open],
  );

  /** Resolves the open ticket and opens the next one in the queue (the one below, or above at the end). */
  const resolveAndNext = useCallback(
    async (id: number) => {
      const at = tickets?.findIndex((ticket) => ticket.id === id) ?? -1;
      const next = at === -1 ? undefined : (tickets?.[at + 1] ?? tickets?.[at - 1]);
      await ticketView.current?.resolve();
      if (next) {
        open(next.id);
        document.getElementById(`ticket-row-${next.id}`)?.scrollIntoView({ block: 'nearest' });
      } else navigate('/inbox');
    },
    [tickets, open],
  );

  const toggle = useCallback((id: number) => {
    setChecked((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.metaKey || event.ctrlKey || event.altKey || event.defaultPrevented) return;
      const target = event.target as HTMLElement | null;
      if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
      if (document.querySelector('dialog[open]')) return;
      const key = event.key;
      if (key === 'j' || key === 'ArrowDown') step(1);
      else if (key === 'k' || key === 'ArrowUp') step(-1);
      else if (key === 'x' && openId !== null) toggle(openId);
      else if (key === 'r' && openId !== null) ticketView.current?.focusComposer();
      else if (key === 'e' && openId !== null) void resolveAndNext(openId);
      else if (key === '?') setShowHelp((shown) => !shown);
      else if (key === 'Escape') setShowHelp(false);
      else return;
      event.preventDefault();
    }
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [step, openId, toggle, resolveAndNext]);

  async function bulk(update: TicketUpdate, verb: string) {
    const ids = [...checked];
    if (ids.length === 0) return;
    const result = await api.bulkUpdate(ids, update);
    mutate(
      (current) =>
        current && {
          ...current,
          items: current.items.map((ticket) => result.updated.find((updated) => updated.id === ticket.id) ?? ticket),
        },
    );
    setChecked(new Set());
    setNotice(
      `${verb} ${result.updated.length} ticket${result.updated.length === 1 ? '' : 's'}${result.failed.length ? `; ${result.failed.length} could not be changed (${result.failed[0]!.message})` : ''}`,
    );
  }

  const allChecked = tickets !== null && tickets.length > 0 && tickets.every((ticket) => checked.has(ticket.id));
  const usersById = useMemo(() => new Map(users.map((candidate) => [candidate.id, candidate])), [users]);

  return (
    <div className={`view inbox-view${openId !== null ? ' has-open' : ''}`}>
      <section className="inbox-list" aria-label="Tickets">
        <header className="view-head inbox-head">
          <h1>Inbox</h1>
          <button
            type="button"
            className="btn btn-ghost btn-small"
            onClick={() => setShowHelp(true)}
            aria-label="Keyboard shortcuts"
          >
            <kbd>?</kbd> Shortcuts
          </button>
        </header>
        <SavedViewsBar
          current={currentView}
          selectedId={viewId}
          ownerId={user.id}
          onApply={applyView}
          onForget={forgetView}
        />
        <div className="tabs" role="tablist" aria-label="Queues">
          {QUEUES.map((candidate) => (
            <button
              key={candidate.id}
              type="button"
              role="tab"
              aria-selected={candidate.id === queue}
              className="tab"
              onClick={() => setQueue(candidate.id)}
            >
              {candidate.label}
            </button>
          ))}
        </div>
        <QueueControls
          key={applied}
          query={queueQuery}
          onChange={changeQuery}
          channels={[...new Set((tickets ?? []).flatMap((ticket) => (ticket.source ? [ticket.source] : [])))].sort()}
          agents={users.filter((candidate) => candidate.role !== 'employee')}
        />
        <div className={`bulk-bar${checked.size > 0 ? ' active' : ''}`} role="toolbar" aria-label="Bulk actions">
          <label className="check">
            <input
              type="checkbox"
              checked={allChecked}
              onChange={() => setChecked(allChecked ? new Set() : new Set(tickets?.map((ticket) => ticket.id)))}
              aria-label="Check all tickets"
            />
          </label>
          {checked.size > 0 ? (
            <>
              <span className="bulk-count">{checked.size} checked</span>
              <label className="field-inline">
                <span className="sr-only">Assign checked tickets to</span>
                <select
                  value=""
                  onChange={(event) => {
                    const value = event.target.value;
                    if (value) void bulk({ assigneeId: value === 'none' ? null : Number(value) }, 'Assigned');
                  }}
                >
                  <option value="">Assign to…</option>
                  <option value={user.id}>Me ({user.displayName})</option>
                  <Options
                    items={users.filter((candidate) => candidate.id !== user.id && candidate.role !== 'employee')}
                    value={userId}
                    label={userName}
                  />
                  <option value="none">Nobody</option>
                </select>
              </label>
              <button
                type="button"
                className="btn btn-small"
                onClick={() => void bulk({ status: 'resolved' }, 'Resolved')}
              >
                Resolve
              </button>
              <button type="button" className="btn btn-small" onClick={() => void bulk({ status: 'closed' }, 'Closed')}>
                Close
              </button>
            </>
          ) : (
            <span className="muted">
              {tickets
                ? `${tickets.length}${nextBefore !== null || nextOffset !== null ? '+' : ''} tickets`
                : 'Loading…'}
            </span>
          )}
        </div>
        {notice ? (
          <p className="notice" role="status">
            {notice}{' '}
            <button
              type="button"
              className="btn btn-ghost btn-small"
              onClick={() => setNotice(null)}
              aria-label="Dismiss"
            >
              ✕
            </button>
          </p>
        ) : null}
        <ul className="ticket-rows" aria-label="Ticket list">
          {tickets?.length === 0 ? <li className="muted pad">Nothing here. Inbox zero.</li> : null}
          {tickets?.map((ticket) => (
            <TicketRow
              key={ticket.id}
              ticket={ticket}
              current={ticket.id === openId}
              checked={checked.has(ticket.id)}
              onCheck={() => toggle(ticket.id)}
              author={authors[String(ticket.id)] ?? null}
              assignee={
                ticket.assigneeId !== null
                  ? (usersById.get(ticket.assigneeId)?.displayName ?? `#${ticket.assigneeId}`)
                  : null
              }
            />
          ))}
          {(nextBefore !== null || nextOffset !== null) && tickets?.length ? (
            <li className="pad">
              <button type="button" className="btn btn-small" disabled={loadingMore} onClick={() => void loadMore()}>
                {loadingMore ? 'Loading…' : 'Load more tickets'}
              </button>
            </li>
          ) : null}
        </ul>
      </section>
      <section className="inbox-detail" aria-label="Ticket">
        {openId !== null ? (
          <TicketView key={openId} ref={ticketView} id={openId} users={users} onChanged={patch} />
        ) : (
          <div className="empty-state">
            <h2>Pick a ticket</h2>
            <p>
              Press <kbd>j</kbd> to open the first one, <kbd>?</kbd> for all shortcuts.
            </p>
          </div>
        )}
      </section>
      {showHelp ? <ShortcutHelp onClose={() => setShowHelp(false)} /> : null}
    </div>
  );
}

function TicketRow({
  ticket,
  current,
  checked,
  onCheck,
  author,
  assignee,
}: {
  ticket: Ticket;
  current: boolean;
  checked: boolean;
  onCheck: () => void;
  author: { handle: string; name: string | null } | null;
  assignee: string | null;
}) {
  const now = useNow();
  const href = `/inbox/${ticket.id}`;
  return (
    <li
      id={`ticket-row-${ticket.id}`}
      className={`ticket-row${current ? ' current' : ''}${checked ? ' checked' : ''} priority-edge-${ticket.priority}`}
      aria-current={current ? 'true' : undefined}
    >
      <label className="check">
        <input type="checkbox" checked={checked} onChange={onCheck} aria-label={`Check ticket ${ticket.id}`} />
      </label>
      <a className="ticket-link" href={href} onClick={linkHandler(href)}>
        <span className="ticket-line">
          <span className="ticket-subject">{ticket.subject}</span>
          <time className="ticket-time" dateTime={ticket.createdAt}>
            {relativeTime(ticket.createdAt, now)}
          </time>
        </span>
        <span className="ticket-line ticket-meta">
          <StatusBadge status={ticket.status} />
          <PriorityBadge priority={ticket.priority} />
          <TypeBadge type={ticket.type} />
          <SlaCountdown ticket={ticket} />
          <span className="spacer" />
          {author ? (
            <span className="ticket-author" title={author.handle}>
              {author.name ?? author.handle}
            </span>
          ) : null}
          {ticket.source ? <span className="channel">{ticket.source}</span> : null}
          {assignee ? (
            <span className="assignee" title={`Assigned to ${assignee}`}>
              <Avatar name={assignee} size={20} />
              <span className="sr-only">Assigned to {assignee}</span>
            </span>
          ) : (
            <span className="assignee unassigned" title="Unassigned">
              <span className="sr-only">Unassigned</span>
            </span>
          )}
        </span>
      </a>
    </li>
  );
}

function ShortcutHelp({ onClose }: { onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    if (dialog.current && !dialog.current.open) dialog.current.showModal();
  }, []);
  return (
    <dialog
      ref={dialog}
      className="modal modal-small"
      aria-labelledby="shortcuts-title"
      onClose={onClose}
      onCancel={onClose}
    >
      <div className="modal-body">
        <header className="modal-head">
          <h2 id="shortcuts-title">Keyboard shortcuts</h2>
          <button type="button" className="btn btn-ghost btn-icon" aria-label="Close" onClick={onClose}>
            ✕
          </button>
        </header>
        <dl className="shortcuts">
          {SHORTCUTS.map(([keys, what]) => (
            <div key={keys}>
              <dt>
                <kbd>{keys}</kbd>
              </dt>
              <dd>{what}</dd>
            </div>
          ))}
        </dl>
      </div>
    </dialog>
  );
}
