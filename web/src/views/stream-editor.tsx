/**
 * Create or edit a stream: a name and a query, with a live preview of what the query matches
 * among recent posts and the position of a syntax mistake, before anything is saved.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.js';
import type { Stream } from '../api-types.js';
import { errorMessage } from '../data/resource.js';
import { useStreamPreview } from '../data/resources.js';
import { PostCard } from '../components/post-card.js';
import { FormError } from '../components/form-error.js';

export function StreamEditor({
  stream,
  canDelete,
  onClose,
  onSaved,
  onDeleted,
}: {
  stream: Stream | null;
  canDelete: boolean;
  onClose: () => void;
  onSaved: (stream: Stream) => void;
  onDeleted: (id: number) => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [name, setName] = useState(stream?.name ?? '');
  const [queryText, setQueryText] = useState(stream?.query ?? '');
  // Preview as the query is typed, a moment after the last keystroke.
  const previewed = useStreamPreview(queryText);
  const preview = previewed.error ? null : previewed.data;
  const queryError = errorMessage(previewed.error, 'The preview failed');
  const [saveError, setSaveError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setSaveError(null);
    try {
      const saved = stream
        ? await api.updateStream(stream.id, { name: name.trim(), query: queryText.trim() })
        : await api.createStream({ name: name.trim(), query: queryText.trim() });
      onSaved(saved);
    } catch (error) {
      setSaveError(error instanceof ApiError ? error.message : 'Could not save the stream');
      setBusy(false);
    }
  }

  async function remove() {
    if (!stream || !window.confirm(`Delete the stream “${stream.name}”? Its posts stay; the column goes.`)) return;
    setBusy(true);
    try {
      await api.deleteStream(stream.id);
      onDeleted(stream.id);
    } catch (error) {
      setSaveError(error instanceof Error ? error.message : 'Could not delete the stream');
      setBusy(false);
    }
  }

  return (
    <dialog ref={dialog} className="modal" aria-labelledby="stream-editor-title" onClose={onClose} onCancel={onClose}>
      <form className="modal-body stream-editor" onSubmit={(event) => void save(event)}>
        <header className="modal-head">
          <h2 id="stream-editor-title">{stream ? `Edit “${stream.name}”` : 'New stream'}</h2>
          <button type="button" className="btn btn-ghost btn-icon" aria-label="Close" onClick={onClose}>
            ✕
          </button>
        </header>
        <div className="editor-grid">
          <div className="editor-form">
            <label className="field">
              <span>Name</span>
              <input
                name="name"
                required
                maxLength={80}
                value={name}
                onChange={(event) => setName(event.target.value)}
                placeholder="e.g. Billing complaints"
              />
            </label>
            <label className="field">
              <span>Query</span>
              <textarea
                name="query"
                className="mono"
                required
                rows={3}
                maxLength={2000}
                value={queryText}
                aria-invalid={queryError ? true : undefined}
                aria-describedby="query-help query-status"
                onChange={(event) => setQueryText(event.target.value)}
                placeholder="@acme OR #acme -spam"
              />
            </label>
            <p id="query-status" className={queryError ? 'form-error' : 'query-ok'} role="status">
              {queryError ??
                (preview
                  ? `Matches ${preview.matched} of the last ${preview.scanned} posts`
                  : 'Type a query to preview its matches')}
            </p>
            <details id="query-help" className="syntax-help" open>
              <summary>Query syntax</summary>
              <dl>
                <dt>
                  <code>portal down</code>
                </dt>
                <dd>both words (AND is implied)</dd>
                <dt>
                  <code>down OR outage</code>
                </dt>
                <dd>either word</dd>
                <dt>
                  <code>"not working"</code>
                </dt>
                <dd>an exact phrase</dd>
                <dt>
                  <code>-spam</code>, <code>NOT spam</code>
                </dt>
                <dd>leave out</dd>
                <dt>
                  <code>log*</code>
                </dt>
                <dd>words starting with “log”</dd>
                <dt>
                  <code>@acme</code>, <code>#acme</code>
                </dt>
                <dd>mentions and hashtags</dd>
                <dt>
                  <code>sentiment:negative</code>, <code>kind:outage</code>
                </dt>
                <dd>the analysis</dd>
                <dt>
                  <code>lang:fr</code>, <code>from:@ana@x.social</code>
                </dt>
                <dd>language, author</dd>
                <dt>
                  <code>channel:mail</code>, <code>source:helpdesk-mail</code>
                </dt>
                <dd>the channel’s kind, a configured source</dd>
              </dl>
            </details>
            <FormError message={saveError} />
          </div>
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: the preview scrolls; it must take the focus to scroll by keyboard */}
          <section className="editor-preview" aria-label="Preview of matching posts" tabIndex={0}>
            <h3>Preview</h3>
            {preview && preview.posts.length > 0 ? (
              <div className="preview-list">
                {preview.posts.map((post) => (
                  <PostCard key={post.id} post={post} compact />
                ))}
              </div>
            ) : (
              <p className="muted">
                {preview ? 'No recent post matches this query yet.' : 'Matching recent posts appear here.'}
              </p>
            )}
          </section>
        </div>
        <footer className="modal-foot">
          {stream && canDelete ? (
            <button type="button" className="btn btn-danger-ghost" onClick={() => void remove()} disabled={busy}>
              Delete stream
            </button>
          ) : null}
          <span className="spacer" />
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy || Boolean(queryError)}>
            {stream ? 'Save changes' : 'Create stream'}
          </button>
        </footer>
      </form>
    </dialog>
  );
}
