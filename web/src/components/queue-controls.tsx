/**
 * The inbox's work-queue controls: the order (SLA due by default, priority, age, newest), the
 * filters (kind, channel, sentiment, language, assignee) and a search, all answered by the
 * tickets API. The choice is kept for the browser session, so a reload keeps the agent's queue.
 */
import { useEffect, useState } from 'react';
import { POST_KINDS, SENTIMENTS, type Ticket } from '../api-types.js';

export const QUEUE_SORTS = [
  { id: 'sla', label: 'SLA due' },
  { id: 'priority', label: 'Priority' },
  { id: 'age', label: 'Oldest first' },
  { id: 'newest', label: 'Newest first' },
] as const;
export type QueueSort = (typeof QUEUE_SORTS)[number]['id'];

export interface QueueQuery {
  readonly sort: QueueSort;
  readonly kind?: string;
  readonly channel?: string;
  readonly sentiment?: string;
  readonly language?: string;
  readonly assignee?: string;
  readonly q?: string;
}

const STORAGE_KEY = 'earshot.queue-query';
export const DEFAULT_QUERY: QueueQuery = { sort: 'sla' };

export function loadQueueQuery(): QueueQuery {
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null') as QueueQuery | null;
    return saved && QUEUE_SORTS.some((sort) => sort.id === saved.sort) ? saved : DEFAULT_QUERY;
  } catch {
    return DEFAULT_QUERY;
  }
}

export function saveQueueQuery(query: QueueQuery): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(query));
}

const PRIORITY_RANK: Record<Ticket['priority'], number> = { urgent: 0, high: 1, normal: 2, low: 3 };
const running = (ticket: Ticket) =>
  ticket.firstRespondedAt === null && ticket.slaDueAt !== null && !['resolved', 'closed'].includes(ticket.status);
const due = (ticket: Ticket) => (running(ticket) ? (ticket.slaDueAt ?? '9999') : '9999');

/** The server's order, for placing a ticket that arrives live without reloading the list. */
export function compareTickets(sort: QueueSort): (a: Ticket, b: Ticket) => number {
  return (a, b) => {
    const byClock = Number(!running(a)) - Number(!running(b));
    const byDue = due(a).localeCompare(due(b));
    const byPriority = PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority];
    if (sort === 'sla') return byClock || byDue || byPriority || b.id - a.id;
    if (sort === 'priority') return byPriority || byClock || byDue || b.id - a.id;
    if (sort === 'age') return a.createdAt.localeCompare(b.createdAt) || a.id - b.id;
    return b.id - a.id;
  };
}

export function QueueControls({
  query,
  onChange,
  channels,
  agents,
}: {
  query: QueueQuery;
  onChange: (query: QueueQuery) => void;
  /** Channel names to offer (the configured sources and those seen on tickets). */
  channels: readonly string[];
  agents: readonly { id: number; displayName: string }[];
}) {
  const [search, setSearch] = useState(query.q ?? '');
  // Search as one types, once typing pauses.
  useEffect(() => {
    if (search === (query.q ?? '')) return;
    const timer = setTimeout(() => onChange({ ...query, q: search.trim() || undefined }), 300);
    return () => clearTimeout(timer);
  }, [search, query, onChange]);
  const set = (key: keyof QueueQuery, value: string) => onChange({ ...query, [key]: value || undefined });
  const filtered = ['kind', 'channel', 'sentiment', 'language', 'assignee', 'q'].some(
    (key) => query[key as keyof QueueQuery] !== undefined,
  );

  return (
    <fieldset className="queue-controls" aria-label="Sort and filter tickets">
      <label className="queue-search">
        <span className="sr-only">Search tickets</span>
        <input
          type="search"
          placeholder="Search tickets"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
      </label>
      <label className="field-inline">
        <span aria-hidden="true">Sort</span>
        <select aria-label="Sort" value={query.sort} onChange={(event) => set('sort', event.target.value)}>
          {QUEUE_SORTS.map((sort) => (
            <option key={sort.id} value={sort.id}>
              {sort.label}
            </option>
          ))}
        </select>
      </label>
      <Filter label="Kind" value={query.kind} options={POST_KINDS} onChange={(value) => set('kind', value)} />
      <Filter label="Channel" value={query.channel} options={channels} onChange={(value) => set('channel', value)} />
      <Filter
        label="Sentiment"
        value={query.sentiment}
        options={SENTIMENTS}
        onChange={(value) => set('sentiment', value)}
      />
      <Filter
        label="Language"
        value={query.language}
        options={['en', 'de', 'fr', 'es', 'it', 'nl']}
        onChange={(value) => set('language', value)}
      />
      <label className="field-inline">
        <span aria-hidden="true">Assignee</span>
        <select
          aria-label="Assignee"
          value={query.assignee ?? ''}
          onChange={(event) => set('assignee', event.target.value)}
        >
          <option value="">Anyone</option>
          <option value="me">Me</option>
          <option value="none">Nobody</option>
          {agents.map((agent) => (
            <option key={agent.id} value={String(agent.id)}>
              {agent.displayName}
            </option>
          ))}
        </select>
      </label>
      {filtered ? (
        <button
          type="button"
          className="btn btn-ghost btn-small"
          onClick={() => {
            setSearch('');
            onChange({ sort: query.sort });
          }}
        >
          Clear filters
        </button>
      ) : null}
    </fieldset>
  );
}

function Filter({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: string | undefined;
  options: readonly string[];
  onChange: (value: string) => void;
}) {
  return (
    <label className="field-inline">
      <span aria-hidden="true">{label}</span>
      <select aria-label={label} value={value ?? ''} onChange={(event) => onChange(event.target.value)}>
        <option value="">Any</option>
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </label>
  );
}
