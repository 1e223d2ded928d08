/** The composer's saved replies: pick one and it is inserted with its placeholders filled for this ticket. */
import { useState } from 'react';
import { api } from '../api.js';
import { useSavedReplies } from '../data/resources.js';

export function SavedReplyPicker({ ticketId, onInsert }: { ticketId: number; onInsert: (text: string) => void }) {
  const { data: saved } = useSavedReplies();
  const [error, setError] = useState<string | null>(null);
  if (!saved || saved.length === 0) return null;
  return (
    <label className="field-inline saved-replies">
      <span>Saved reply</span>
      <select
        value=""
        onChange={(event) => {
          const id = Number(event.target.value);
          if (!id) return;
          setError(null);
          api.fillSavedReply(ticketId, id).then(
            ({ body }) => onInsert(body),
            (caught: unknown) => setError(caught instanceof Error ? caught.message : 'Could not insert it'),
          );
        }}
      >
        <option value="">Insert…</option>
        {saved.map((reply) => (
          <option key={reply.id} value={reply.id} title={reply.body}>
            {reply.title}
          </option>
        ))}
      </select>
      {error ? (
        <span className="form-error small" role="alert">
          {error}
        </span>
      ) : null}
    </label>
  );
}
