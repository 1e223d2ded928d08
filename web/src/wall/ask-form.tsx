/**
 * Asking in a space: kind, title, Markdown text, and the "anonymous" switch. Anonymous posts are
 * paid with a blind token and sent without the login (wallet.ts); the browser keeps the asker's
 * key so the person can follow and answer in their own thread.
 */
import { type FormEvent, useId, useState } from 'react';
import { THREAD_KINDS, type Space, type ThreadKind } from '../api-types.js';
import { FormError } from '../components/form-error.js';
import { navigate } from '../router.js';
import { askAnonymously } from './wallet.js';
import { wallApi } from './wall-api.js';

export function AskForm({ space }: { space: Space }) {
  const id = useId();
  const [kind, setKind] = useState<ThreadKind>('question');
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [anonymous, setAnonymous] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const draft = { kind, title: title.trim(), body };
      const thread = anonymous ? await askAnonymously(space.id, draft) : await wallApi.post(space.id, draft);
      navigate(`/wall/threads/${thread.id}`);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : 'Posting failed');
      setBusy(false);
    }
  }

  return (
    <form className="card wall-ask" onSubmit={(event) => void submit(event)} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Ask or propose</h2>
      <fieldset className="wall-kinds">
        <legend>Kind</legend>
        {THREAD_KINDS.map((option) => (
          <label key={option}>
            <input
              type="radio"
              name={`${id}-kind`}
              value={option}
              checked={kind === option}
              onChange={() => setKind(option)}
            />{' '}
            {option}
          </label>
        ))}
      </fieldset>
      <label className="field">
        Title
        <input value={title} onChange={(event) => setTitle(event.target.value)} maxLength={200} required />
      </label>
      <label className="field">
        Details (Markdown)
        <textarea rows={4} value={body} onChange={(event) => setBody(event.target.value)} maxLength={10_000} />
      </label>
      <label className="wall-switch">
        <input
          type="checkbox"
          role="switch"
          aria-checked={anonymous}
          checked={anonymous}
          onChange={(event) => setAnonymous(event.target.checked)}
        />{' '}
        Post anonymously
      </label>
      {anonymous ? (
        <p className="muted small" id={`${id}-anon`}>
          Nobody, not even the operators, can see who posts this. Your writing can still give you away: leave out
          details only you would know.
        </p>
      ) : null}
      <FormError message={error} />
      <button type="submit" className="btn btn-primary" disabled={busy}>
        {anonymous ? 'Post anonymously' : 'Post with my name'}
      </button>
    </form>
  );
}
