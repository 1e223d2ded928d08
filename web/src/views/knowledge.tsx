/**
 * The knowledge base in the desk: search and list articles, write one, read and improve one
 * (every save of the text a new version), and each contributor's page with their credit.
 */
import { type FormEvent, useState } from 'react';
import { request } from '../api.js';
import type { ArticleWire, ContributorWire } from '../api-types.js';
import { useResource } from '../data/resource.js';
import { linkHandler, navigate } from '../router.js';

type Detail = {
  article: ArticleWire;
  html: string;
  versions: { version: number; authorId: number | null; note: string | null; createdAt: string }[];
  linkedFrom: { id: number; slug: string; title: string }[];
};

export function KnowledgeView({ articleId }: { articleId: number | 'new' | null }) {
  if (articleId === 'new') return <ArticleEditor />;
  if (articleId !== null) return <ArticleDetail id={articleId} />;
  return <ArticleList />;
}

function ArticleList() {
  const [q, setQ] = useState('');
  const list = useResource(
    `kb:${q}`,
    (signal) =>
      request<{ articles: ArticleWire[] }>(
        'GET',
        `/articles${q.trim() ? `?q=${encodeURIComponent(q.trim())}` : ''}`,
        undefined,
        signal,
      ),
    { delayMs: 200, keepPrevious: true },
  );
  const overdue = useResource('kb:overdue', (signal) =>
    request<{ articles: ArticleWire[] }>('GET', '/articles?overdue=true', undefined, signal),
  );
  return (
    <section className="kb">
      <header className="kb-head">
        <h1>Knowledge</h1>
        <a className="btn btn-primary" href="/knowledge/new" onClick={linkHandler('/knowledge/new')}>
          Write an article
        </a>
      </header>
      <label>
        <span className="sr-only">Search articles</span>
        <input type="search" placeholder="Search articles…" value={q} onChange={(event) => setQ(event.target.value)} />
      </label>
      {overdue.data && overdue.data.articles.length > 0 ? (
        <p className="kb-overdue">Overdue for review: {overdue.data.articles.map((a) => a.title).join(', ')}</p>
      ) : null}
      <ul className="kb-list" aria-label="Articles">
        {(list.data?.articles ?? []).map((article) => (
          <li key={article.id}>
            <a href={`/knowledge/${article.id}`} onClick={linkHandler(`/knowledge/${article.id}`)}>
              {article.title}
            </a>{' '}
            <span className="muted small">
              {article.visibility} · {article.status} · v{article.version} · {article.views} views · {article.helped}{' '}
              helped
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function ArticleEditor({ article, onSaved }: { article?: ArticleWire; onSaved?: () => void }) {
  const [title, setTitle] = useState(article?.title ?? '');
  const [body, setBody] = useState(article?.body ?? '');
  const [tags, setTags] = useState(article?.tags.join(', ') ?? '');
  const [visibility, setVisibility] = useState<'public' | 'internal'>(article?.visibility ?? 'public');
  const [error, setError] = useState<string | null>(null);
  async function save(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const fields = {
      title,
      body,
      tags: tags
        .split(',')
        .map((tag) => tag.trim())
        .filter(Boolean),
      visibility,
      status: 'published' as const,
    };
    try {
      if (article) {
        await request('PATCH', `/articles/${article.id}`, fields);
        onSaved?.();
      } else {
        const created = await request<ArticleWire>('POST', '/articles', fields);
        navigate(`/knowledge/${created.id}`);
      }
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : 'Saving failed');
    }
  }
  return (
    <form className="kb-editor" onSubmit={(event) => void save(event)} aria-label="Article">
      <h1>{article ? 'Improve the article' : 'New article'}</h1>
      <label>
        Title <input value={title} onChange={(event) => setTitle(event.target.value)} required />
      </label>
      <label>
        Text (Markdown) <textarea rows={10} value={body} onChange={(event) => setBody(event.target.value)} />
      </label>
      <label>
        Tags <input value={tags} onChange={(event) => setTags(event.target.value)} placeholder="comma, separated" />
      </label>
      <label>
        Who may read it{' '}
        <select value={visibility} onChange={(event) => setVisibility(event.target.value as 'public' | 'internal')}>
          <option value="public">Public (linkable in replies)</option>
          <option value="internal">Internal</option>
        </select>
      </label>
      {error ? <p className="error">{error}</p> : null}
      <button type="submit" className="btn btn-primary">
        {article ? 'Save a new version' : 'Publish'}
      </button>
    </form>
  );
}

function ArticleDetail({ id }: { id: number }) {
  const loaded = useResource(`article:${id}`, (signal) => request<Detail>('GET', `/articles/${id}`, undefined, signal));
  const [editing, setEditing] = useState(false);
  const detail = loaded.data;
  if (!detail) return <p aria-busy="true">Loading…</p>;
  const { article } = detail;
  if (editing)
    return (
      <ArticleEditor
        article={article}
        onSaved={() => {
          setEditing(false);
          void loaded.reload();
        }}
      />
    );
  return (
    <article className="kb-article">
      <h1>{article.title}</h1>
      <p className="muted small">
        {article.visibility} · {article.status} · version {article.version} · {article.views} views · {article.helped}{' '}
        helped ·{' '}
        {article.authorId ? (
          <a href={`/contributors/${article.authorId}`} onClick={linkHandler(`/contributors/${article.authorId}`)}>
            author’s page
          </a>
        ) : null}
        {article.visibility === 'public' ? (
          <>
            {' '}
            · <a href={`/kb/${article.slug}`}>public page</a>
          </>
        ) : null}
      </p>
      {/* The server renders Markdown with every character escaped first: this HTML carries no markup of the author's. */}
      {/* biome-ignore lint/security/noDangerouslySetInnerHtml: server-side escape-first renderer (src/knowledge/markdown.ts) */}
      <div className="kb-body" dangerouslySetInnerHTML={{ __html: detail.html }} />
      <button type="button" className="btn" onClick={() => setEditing(true)}>
        Improve
      </button>
      <h2>Versions</h2>
      <ol className="kb-versions">
        {detail.versions.map((version) => (
          <li key={version.version}>
            v{version.version} · {version.createdAt.slice(0, 16).replace('T', ' ')}{' '}
            {version.note ? `· ${version.note}` : ''}
          </li>
        ))}
      </ol>
    </article>
  );
}

export function ContributorView({ id }: { id: number }) {
  const loaded = useResource(`contributor:${id}`, (signal) =>
    request<ContributorWire>('GET', `/contributors/${id}`, undefined, signal),
  );
  const page = loaded.data;
  if (!page) return <p aria-busy="true">Loading…</p>;
  const { counts } = page;
  return (
    <section className="kb-contributor">
      <h1>{page.user.displayName}</h1>
      <p className="muted">{page.belt.name} belt</p>
      <dl className="kb-counts">
        <dt>Articles written</dt>
        <dd data-count="written">{counts.written}</dd>
        <dt>Articles improved</dt>
        <dd data-count="improved">{counts.improved}</dd>
        <dt>Views</dt>
        <dd data-count="views">{counts.views}</dd>
        <dt>Helped votes</dt>
        <dd data-count="helped">{counts.helped}</dd>
        <dt>Replies linking their articles</dt>
        <dd data-count="linked">{counts.linkedReplies}</dd>
      </dl>
      <ul className="kb-badges" aria-label="Badges">
        {page.badges.map((badge) => (
          <li key={badge.id}>{badge.label}</li>
        ))}
      </ul>
      <h2>Articles</h2>
      <ul>
        {page.articles.map((article) => (
          <li key={article.id}>
            <a href={`/knowledge/${article.id}`} onClick={linkHandler(`/knowledge/${article.id}`)}>
              {article.title}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
