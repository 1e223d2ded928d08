/**
 * Where an alert leads: the incident its burst belongs to (`evidence.incidentId`), and the posts
 * behind it (`evidence.postIds`: an impersonator's, a lure's), shown in place on demand as cards.
 */
import { useState } from 'react';
import { api } from '../api.js';
import type { Alert, Post } from '../api-types.js';
import { linkHandler } from '../router.js';
import { PostCard } from './post-card.js';

export function AlertLinks({ alert }: { alert: Alert }) {
  const incidentId = typeof alert.evidence.incidentId === 'number' ? alert.evidence.incidentId : null;
  const postIds = Array.isArray(alert.evidence.postIds)
    ? alert.evidence.postIds.filter((id): id is number => typeof id === 'number')
    : [];
  const [posts, setPosts] = useState<Post[] | null>(null);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (incidentId === null && postIds.length === 0) return null;

  async function toggle() {
    setOpen((current) => !current);
    if (posts !== null) return;
    try {
      // The newest few: enough to see what it is about.
      const loaded = await Promise.all(postIds.slice(-3).map((id) => api.post(id).catch(() => null)));
      setPosts(loaded.filter((post): post is Post => post !== null).reverse());
    } catch {
      setError('Could not load the posts');
    }
  }

  return (
    <div className="alert-links">
      {incidentId !== null ? (
        <a href={`/incidents/${incidentId}`} onClick={linkHandler(`/incidents/${incidentId}`)}>
          Open incident #{incidentId}
        </a>
      ) : null}
      {postIds.length > 0 ? (
        <button type="button" className="btn btn-ghost btn-small" aria-expanded={open} onClick={() => void toggle()}>
          {open ? 'Hide' : 'Show'} {postIds.length === 1 ? 'the post' : `the posts (${postIds.length})`}
        </button>
      ) : null}
      {open ? (
        <div className="alert-posts">
          {error ? <p className="form-error small">{error}</p> : null}
          {posts === null ? <p className="muted small">Loading…</p> : null}
          {posts?.length === 0 ? <p className="muted small">These posts are no longer stored.</p> : null}
          {posts?.map((post) => (
            <PostCard key={post.id} post={post} compact quietFlags />
          ))}
        </div>
      ) : null}
    </div>
  );
}
