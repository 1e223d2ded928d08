/**
 * Saved replies, managed: the list the composer's picker offers, with create, edit and delete.
 * One form serves both a new reply and the one being edited. The server checks the placeholders
 * ({name}, {ticket}, {incident_status}) and unique titles; its message is shown under the form,
 * tied to the fields, so a typo like `{nmae}` is fixed where it was typed. Reached from the
 * composer ("Manage saved replies").
 */
import { useState, type FormEvent } from 'react';
import { api } from '../api.js';
import type { SavedReplyWire } from '../api-types.js';
import { errorMessage } from '../data/resource.js';
import { useSavedReplies } from '../data/resources.js';
import { FormError } from '../components/form-error.js';
import { linkHandler } from '../router.js';

const PLACEHOLDER_HINT = 'Placeholders: {name} (the customer), {ticket} (#12), {incident_status}';

export function SavedRepliesView() {
  const saved = useSavedReplies();
  const [editing, setEditing] = useState<SavedReplyWire | null>(null);
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [formError, setFormError] = useState<string | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function edit(reply: SavedReplyWire | null) {
    setEditing(reply);
    setTitle(reply?.title ?? '');
    setBody(reply?.body ?? '');
    setFormError(null);
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFormError(null);
    try {
      const input = { title: title.trim(), body };
      if (editing) await api.updateSavedReply(editing.id, input);
      else await api.createSavedReply(input);
      edit(null);
      await saved.reload();
    } catch (caught) {
      setFormError(caught instanceof Error ? caught.message : 'Saving failed');
    } finally {
      setBusy(false);
    }
  }

  async function remove(reply: SavedReplyWire) {
    if (!window.confirm(`Delete the saved reply “${reply.title}”?`)) return;
    setListError(null);
    try {
      await api.deleteSavedReply(reply.id);
      if (editing?.id === reply.id) edit(null);
      await saved.reload();
    } catch (caught) {
      setListError(caught instanceof Error ? caught.message : 'Deleting failed');
    }
  }

  const list = saved.data;
  return (
    <div className="view tokens-view saved-replies-view">
      <header className="view-head">
        <h1>Saved replies</h1>
        <a className="small" href="/inbox" onClick={linkHandler('/inbox')}>
          Back to the inbox
        </a>
      </header>
      <FormError message={listError ?? errorMessage(saved.error, 'Could not load the saved replies')} />
      <div className="tokens-grid">
        <section className="card" aria-labelledby="saved-list-title">
          <h2 className="card-title" id="saved-list-title">
            Shared by the desk
          </h2>
          {list === null ? (
            <p className="muted">Loading…</p>
          ) : list.length === 0 ? (
            <p className="muted">No saved replies yet.</p>
          ) : (
            <ul className="saved-reply-list" aria-label="Saved replies">
              {list.map((reply) => (
                <li key={reply.id} className="saved-reply-item">
                  <strong>{reply.title}</strong>
                  <p className="small">{reply.body}</p>
                  <div className="row-actions">
                    <button type="button" className="btn btn-small" onClick={() => edit(reply)}>
                      Edit<span className="sr-only"> {reply.title}</span>
                    </button>
                    <button type="button" className="btn btn-danger-ghost btn-small" onClick={() => void remove(reply)}>
                      Delete<span className="sr-only"> {reply.title}</span>
                    </button>
                  </div>
                </li>
              ))}
            </ul>
          )}
        </section>
        <form className="card" onSubmit={(event) => void save(event)} aria-labelledby="saved-form-title">
          <h2 className="card-title" id="saved-form-title">
            {editing ? `Edit “${editing.title}”` : 'New saved reply'}
          </h2>
          <label className="field">
            <span>Title</span>
            <input
              required
              maxLength={100}
              value={title}
              onChange={(event) => setTitle(event.target.value)}
              aria-invalid={formError ? true : undefined}
              aria-describedby={formError ? 'saved-form-error' : undefined}
            />
          </label>
          <label className="field">
            <span>Text</span>
            <textarea
              required
              maxLength={5000}
              rows={4}
              value={body}
              onChange={(event) => setBody(event.target.value)}
              aria-invalid={formError ? true : undefined}
              aria-describedby={formError ? 'saved-form-error saved-form-hint' : 'saved-form-hint'}
            />
          </label>
          <p className="small muted" id="saved-form-hint">
            {PLACEHOLDER_HINT}
          </p>
          {formError ? (
            <p className="form-error" role="alert" id="saved-form-error">
              {formError}
            </p>
          ) : null}
          <div className="row-actions">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {editing ? 'Save changes' : 'Add saved reply'}
            </button>
            {editing ? (
              <button type="button" className="btn btn-ghost" onClick={() => edit(null)}>
                Cancel
              </button>
            ) : null}
          </div>
        </form>
      </div>
    </div>
  );
}
