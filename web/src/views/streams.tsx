/**
 * The streams board: one column per saved search, newest first, updating live over SSE.
 * A filter bar narrows every column at once (full-text search, sentiment, kind). Column order
 * and hidden columns are the agent's own and stay in this browser.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, type PostFilter } from '../api.js';
import { errorMessage } from '../data/resource.js';
import { appendNew, useAuthorDecisions, usePosts, useStreams, useUsers } from '../data/resources.js';
import { POST_KINDS, SENTIMENTS, type Post, type Stream, type User } from '../api-types.js';
import { useLive } from '../live.js';
import { can, useSession } from '../session.js';
import { PostCard } from '../components/post-card.js';
import { PostActions } from '../components/post-actions.js';
import { FormError } from '../components/form-error.js';
import { Options } from '../components/options.js';
import { StreamEditor } from './stream-editor.js';

interface Filters {
  readonly q: string;
  readonly sentiment: string;
  readonly kind: string;
}

const COLUMN_LIMIT = 40;
const KEEP = 150;
const LAYOUT_KEY = 'earshot.board';
/** The pseudo-column of every post, whatever stream it matched. */
const ALL = 0;

interface Layout {
  readonly order: number[];
  readonly hidden: number[];
}

function loadLayout(): Layout {
  try {
    const parsed = JSON.parse(localStorage.getItem(LAYOUT_KEY) ?? 'null') as Layout | null;
    if (parsed && Array.isArray(parsed.order) && Array.isArray(parsed.hidden)) return parsed;
  } catch {
    // A damaged layout is forgotten.
  }
  return { order: [], hidden: [] };
}

export function StreamsView() {
  const { user } = useSession();
  const { data: streams, error, mutate: setStreams } = useStreams();
  const [search, setSearch] = useState('');
  const [filters, setFilters] = useState<Filters>({ q: '', sentiment: '', kind: '' });
  const [layout, setLayout] = useState<Layout>(loadLayout);
  const [editing, setEditing] = useState<Stream | 'new' | null>(null);
  const users = useUsers().data ?? NO_PEOPLE;
  const decisions = useAuthorDecisions();
  const [decided, setDecided] = useState<{ post: Post; action: 'mute' | 'block' } | null>(null);
  const [decideError, setDecideError] = useState<string | null>(null);
  // Muted and blocked authors' posts are left off the board.
  const hiddenAuthors = useMemo(
    () => new Set((decisions.data ?? []).map((decision) => authorKey(decision.source, decision.handle))),
    [decisions.data],
  );
  const decide = useCallback(
    async (post: Post, action: 'mute' | 'block' | null) => {
      setDecideError(null);
      try {
        await api.decideAuthor({ source: post.source, handle: post.author.handle }, action);
        setDecided(action === null ? null : { post, action });
        await decisions.reload();
      } catch (caught) {
        setDecideError(caught instanceof Error ? caught.message : 'That failed');
      }
    },
    [decisions.reload],
  );

  // Search applies a moment after typing stops.
  useEffect(() => {
    const timer = window.setTimeout(
      () => setFilters((current) => (current.q === search.trim() ? current : { ...current, q: search.trim() })),
      300,
    );
    return () => window.clearTimeout(timer);
  }, [search]);

  const saveLayout = useCallback((next: Layout) => {
    setLayout(next);
    localStorage.setItem(LAYOUT_KEY, JSON.stringify(next));
  }, []);

  const columns = useMemo(() => {
    const all: { id: number; stream: Stream | null }[] = [
      ...(streams ?? []).map((stream) => ({ id: stream.id, stream })),
      { id: ALL, stream: null },
    ];
    const rank = (id: number) => {
      const index = layout.order.indexOf(id);
      return index === -1 ? (id === ALL ? 1e9 : 1e6 + id) : index;
    };
    return all.sort((a, b) => rank(a.id) - rank(b.id));
  }, [streams, layout.order]);
  const visible = columns.filter((column) => !layout.hidden.includes(column.id));
  const hidden = columns.filter((column) => layout.hidden.includes(column.id));

  function move(id: number, by: -1 | 1) {
    const order = visible.map((column) => column.id);
    const index = order.indexOf(id);
    const target = index + by;
    if (target < 0 || target >= order.length) return;
    [order[index], order[target]] = [order[target]!, order[index]!];
    saveLayout({ ...layout, order: [...order, ...hidden.map((column) => column.id)] });
  }

  return (
    <div className="view streams-view">
      <header className="view-head">
        <h1>Streams</h1>
        {/* biome-ignore lint/a11y/useSemanticElements: <search> is not yet in every browser the desk supports */}
        <form className="filters" role="search" onSubmit={(event) => event.preventDefault()}>
          <label className="field-inline search">
            <span className="sr-only">Search posts</span>
            <input
              type="search"
              placeholder="Search all columns…"
              value={search}
              onChange={(event) => setSearch(event.target.value)}
            />
          </label>
          <FilterSelect
            label="Sentiment"
            any="Any sentiment"
            choices={SENTIMENTS}
            value={filters.sentiment}
            onChange={(sentiment) => setFilters({ ...filters, sentiment })}
          />
          <FilterSelect
            label="Kind"
            any="Any kind"
            choices={POST_KINDS}
            value={filters.kind}
            onChange={(kind) => setFilters({ ...filters, kind })}
          />
        </form>
        {hidden.length > 0 ? (
          <label className="field-inline">
            <span className="sr-only">Show a hidden column</span>
            <select
              value=""
              onChange={(event) =>
                saveLayout({ ...layout, hidden: layout.hidden.filter((id) => id !== Number(event.target.value)) })
              }
            >
              <option value="">{hidden.length} hidden…</option>
              {hidden.map((column) => (
                <option key={column.id} value={column.id}>
                  Show {column.stream?.name ?? 'All posts'}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
          <span aria-hidden="true">+</span> New stream
        </button>
      </header>
      <FormError message={errorMessage(error, 'Could not load streams')} />
      <FormError message={decideError} />
      {decided ? (
        <p className="decided-bar" role="status">
          {decided.action === 'mute' ? 'Muted' : 'Blocked'} {decided.post.author.name ?? decided.post.author.handle}
          {decided.action === 'mute'
            ? ': their posts are hidden here.'
            : ': their posts are hidden and open no tickets.'}{' '}
          <button type="button" className="btn btn-small" onClick={() => void decide(decided.post, null)}>
            Undo
          </button>
        </p>
      ) : null}
      {streams === null && !error ? <p className="muted pad">Loading streams…</p> : null}
      {streams !== null ? (
        <section className="board" aria-label="Stream columns">
          {visible.map((column, index) => (
            <Column
              key={column.id}
              stream={column.stream}
              filters={filters}
              first={index === 0}
              last={index === visible.length - 1}
              onMove={(by) => move(column.id, by)}
              onHide={() => saveLayout({ ...layout, hidden: [...layout.hidden, column.id] })}
              onEdit={column.stream ? () => setEditing(column.stream) : null}
              hiddenAuthors={hiddenAuthors}
              users={users}
              onDecide={(post, action) => void decide(post, action)}
            />
          ))}
          {streams.length === 0 ? (
            <section className="column column-empty">
              <h2>No streams yet</h2>
              <p>
                A stream is a saved search, like <code>@yourbrand OR #yourbrand</code>. Its matches arrive here live.
              </p>
              <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
                Create the first stream
              </button>
            </section>
          ) : null}
        </section>
      ) : null}
      {editing !== null ? (
        <StreamEditor
          stream={editing === 'new' ? null : editing}
          canDelete={can(user, 'admin')}
          canSetRules={can(user, 'lead')}
          onClose={() => setEditing(null)}
          onSaved={(saved) => {
            setStreams((list) => {
              const rest = (list ?? []).filter((stream) => stream.id !== saved.id);
              return editing === 'new'
                ? [...rest, saved]
                : (list ?? []).map((stream) => (stream.id === saved.id ? saved : stream));
            });
            if (editing === 'new')
              saveLayout({
                ...layout,
                order: [...visible.map((column) => column.id).filter((id) => id !== ALL), saved.id, ALL],
              });
            setEditing(null);
          }}
          onDeleted={(id) => {
            setStreams((list) => (list ?? []).filter((stream) => stream.id !== id));
            setEditing(null);
          }}
        />
      ) : null}
    </div>
  );
}

function FilterSelect({
  label,
  any,
  choices,
  value,
  onChange,
}: {
  label: string;
  any: string;
  choices: readonly string[];
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <label className="field-inline">
      <span className="sr-only">{label}</span>
      <select value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">{any}</option>
        <Options items={choices} />
      </select>
    </label>
  );
}

const NO_PEOPLE: User[] = [];

function authorKey(source: string, handle: string): string {
  return `${source}\u0000${handle}`;
}

/**
 * The board's cards: posts with the same text from one author (a copy-paste campaign, an
 * impersonator's repeats) collapse into one card, the newest, with a count.
 */
export function groupRepeats(posts: readonly Post[]): { post: Post; repeats: number }[] {
  const groups = new Map<string, { post: Post; repeats: number }>();
  for (const post of posts) {
    const text = post.text
      .toLowerCase()
      .replace(/https?:\/\/\S+/g, '')
      .replace(/\s+/g, ' ')
      .trim();
    const key = `${authorKey(post.source, post.author.handle)}\u0000${text}`;
    const known = groups.get(key);
    if (known) known.repeats += 1;
    else groups.set(key, { post, repeats: 1 });
  }
  return [...groups.values()];
}

/** Does a live post pass the board's filters? Search is approximated as "every word appears". */
function passes(post: Post, filters: Filters): boolean {
  if (filters.sentiment && post.sentiment !== filters.sentiment) return false;
  if (filters.kind && post.kind !== filters.kind) return false;
  if (filters.q) {
    const text = `${post.text} ${post.author.handle} ${post.author.name ?? ''}`.toLowerCase();
    return filters.q
      .toLowerCase()
      .split(/\s+/)
      .filter((word) => word && !['and', 'or', 'not'].includes(word))
      .every((word) => text.includes(word.replace(/^[-"]+|["*]+$/g, '')));
  }
  return true;
}

function Column({
  stream,
  filters,
  first,
  last,
  onMove,
  onHide,
  onEdit,
  hiddenAuthors,
  users,
  onDecide,
}: {
  stream: Stream | null;
  filters: Filters;
  first: boolean;
  last: boolean;
  onMove: (by: -1 | 1) => void;
  onHide: () => void;
  onEdit: (() => void) | null;
  hiddenAuthors: ReadonlySet<string>;
  users: readonly User[];
  onDecide: (post: Post, action: 'mute' | 'block') => void;
}) {
  const streamId = stream?.id ?? ALL;
  const filter: PostFilter = {
    stream: stream?.id,
    q: filters.q,
    sentiment: filters.sentiment,
    kind: filters.kind,
    limit: COLUMN_LIMIT,
  };
  const page = usePosts(filter, stream?.query);
  const posts = page.data?.items ?? null;
  const nextBefore = page.data?.nextBefore ?? null;
  const error = errorMessage(page.error, 'Could not load posts');
  const [fresh, setFresh] = useState<ReadonlySet<number>>(new Set());
  const [loadingMore, setLoadingMore] = useState(false);
  const list = useRef<HTMLDivElement>(null);
  const name = stream?.name ?? 'All posts';

  useLive(
    'post',
    (post) => {
      if (streamId !== ALL && !post.streamIds.includes(streamId)) return;
      if (!passes(post, filters)) return;
      page.mutate((current) =>
        current === null || current.items.some((known) => known.id === post.id)
          ? current
          : { ...current, items: [post, ...current.items].slice(0, KEEP) },
      );
      setFresh((current) => new Set(current).add(post.id));
    },
    [streamId, filters],
  );

  async function loadMore() {
    if (nextBefore === null) return;
    setLoadingMore(true);
    try {
      const older = await api.posts({ ...filter, before: nextBefore });
      page.mutate((current) => ({ items: appendNew(current?.items ?? [], older.posts), nextBefore: older.nextBefore }));
    } finally {
      setLoadingMore(false);
    }
  }

  const freshCount = fresh.size;
  const cards = useMemo(
    () =>
      posts === null
        ? null
        : groupRepeats(posts.filter((post) => !hiddenAuthors.has(authorKey(post.source, post.author.handle)))),
    [posts, hiddenAuthors],
  );
  return (
    <section className="column" aria-labelledby={`column-${streamId}`} data-stream-id={streamId}>
      <header className="column-head">
        <div className="column-title">
          <h2 id={`column-${streamId}`}>{name}</h2>
          {freshCount > 0 ? (
            <button
              type="button"
              className="pill pill-new"
              onClick={() => {
                setFresh(new Set());
                list.current?.scrollTo({ top: 0, behavior: 'smooth' });
              }}
              aria-label={`${freshCount} new posts; mark as seen`}
            >
              {freshCount} new
            </button>
          ) : null}
          <span className="spacer" />
          <button
            type="button"
            className="btn btn-ghost btn-icon"
            onClick={() => onMove(-1)}
            disabled={first}
            aria-label={`Move ${name} left`}
          >
            ‹
          </button>
          <button
            type="button"
            className="btn btn-ghost btn-icon"
            onClick={() => onMove(1)}
            disabled={last}
            aria-label={`Move ${name} right`}
          >
            ›
          </button>
          {onEdit ? (
            <button
              type="button"
              className="btn btn-ghost btn-icon"
              onClick={onEdit}
              aria-label={`Edit stream ${name}`}
            >
              ✎
            </button>
          ) : null}
          <button type="button" className="btn btn-ghost btn-icon" onClick={onHide} aria-label={`Hide column ${name}`}>
            ✕
          </button>
        </div>
        <p className="column-query mono" title={stream?.query ?? 'Every post, whatever stream it matched'}>
          {stream?.query ?? 'every post'}
        </p>
      </header>
      <div className="column-body" ref={list}>
        {error ? <p className="form-error pad">{error}</p> : null}
        {posts === null && !error ? <ColumnSkeleton /> : null}
        {cards?.length === 0 ? (
          <p className="muted pad">
            {filters.q || filters.kind || filters.sentiment
              ? 'No posts match these filters.'
              : 'No posts yet. New matches arrive here live.'}
          </p>
        ) : null}
        {/* Only the posts are in the feed: a feed holds articles, and "Older posts" is outside it. */}
        <div className="column-feed" role="feed" aria-busy={posts === null} aria-label={`Posts in ${name}`}>
          {cards?.map(({ post, repeats }) => (
            <PostCard key={post.id} post={post} fresh={fresh.has(post.id)} repeats={repeats} quietFlags>
              <PostActions post={post} users={users} onDecide={(action) => onDecide(post, action)} />
            </PostCard>
          ))}
        </div>
        {nextBefore !== null && posts && posts.length > 0 ? (
          <button
            type="button"
            className="btn btn-ghost btn-block"
            onClick={() => void loadMore()}
            disabled={loadingMore}
          >
            {loadingMore ? 'Loading…' : 'Older posts'}
          </button>
        ) : null}
      </div>
    </section>
  );
}

function ColumnSkeleton() {
  return (
    <div aria-hidden="true">
      {[0, 1, 2].map((index) => (
        <div key={index} className="post skeleton">
          <div className="skeleton-line short" />
          <div className="skeleton-line" />
          <div className="skeleton-line" />
        </div>
      ))}
    </div>
  );
}
