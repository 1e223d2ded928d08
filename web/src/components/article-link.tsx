/**
 * The composer's knowledge-base helpers: search articles and insert a link to one (public
 * articles link to their `/kb/<slug>` page, which anyone can open), and turn a resolved
 * ticket into a draft article in one click.
 */
import { useState } from 'react';
import { request } from '../api.js';
import { navigate } from '../router.js';
import { useResource } from '../data/resource.js';
import type { ArticleWire } from '../api-types.js';

export function ArticleLinkPicker({ onInsert }: { onInsert: (link: string) => void }) {
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);
  const results = useResource(
    open && q.trim().length >= 2 ? `articles:${q.trim()}` : null,
    (signal) =>
      request<{ articles: ArticleWire[] }>(
        'GET',
        `/articles?q=${encodeURIComponent(q.trim())}&limit=5`,
        undefined,
        signal,
      ),
    { delayMs: 200, keepPrevious: true },
  );
  if (!open)
    return (
      <button type="button" className="btn btn-ghost btn-small kb-insert" onClick={() => setOpen(true)}>
        Insert article link
      </button>
    );
  return (
    <div className="kb-picker">
      <label>
        <span className="sr-only">Search articles</span>
        <input
          type="search"
          placeholder="Search the knowledge base…"
          value={q}
          onChange={(event) => setQ(event.target.value)}
        />
      </label>
      <ul aria-label="Articles">
        {(results.data?.articles ?? []).map((article) => (
          <li key={article.id}>
            <button
              type="button"
              className="btn btn-ghost btn-small"
              onClick={() => {
                onInsert(`${location.origin}/kb/${article.slug}`);
                setOpen(false);
                setQ('');
              }}
            >
              {article.title}
              {article.visibility === 'internal' ? ' (internal)' : ''}
            </button>
          </li>
        ))}
      </ul>
      <button type="button" className="btn btn-ghost btn-small" onClick={() => setOpen(false)}>
        Close
      </button>
    </div>
  );
}

export function DraftArticleButton({ ticketId }: { ticketId: number }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <button
        type="button"
        className="btn btn-small"
        onClick={async () => {
          try {
            const article = await request<ArticleWire>('POST', `/tickets/${ticketId}/article`);
            navigate(`/knowledge/${article.id}`);
          } catch (caught) {
            setError(caught instanceof Error ? caught.message : 'Could not make a draft');
          }
        }}
      >
        Draft article
      </button>
      {error ? <span className="error small">{error}</span> : null}
    </>
  );
}
