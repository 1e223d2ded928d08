/**
 * Create or edit a stream: a name and a query, with a live preview of what the query matches
 * among recent posts and the position of a syntax mistake, before anything is saved; a hint
 * when a `source:` names no configured source or a `word:` is no field (both read as nothing
 * or as text, not an error, so they are easy to miss); and its ticket rules: which posts become
 * tickets, of what type and priority (the first rule that fits a post wins). Ticket rules are the
 * team's: a lead or an admin changes them; an agent sees them and saves the stream without them.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.js';
import {
  DEFAULT_TICKET_RULES,
  POST_KINDS,
  SENTIMENTS,
  TICKET_PRIORITIES,
  TICKET_TYPES,
  type ConfiguredSource,
  type Stream,
  type TicketRule,
} from '../api-types.js';
import { errorMessage } from '../data/resource.js';
import { useSources, useStreamPreview } from '../data/resources.js';
import { PostCard } from '../components/post-card.js';
import { FormError } from '../components/form-error.js';

export function StreamEditor({
  stream,
  canDelete,
  canSetRules,
  onClose,
  onSaved,
  onDeleted,
}: {
  stream: Stream | null;
  canDelete: boolean;
  /** Leads and admins change the ticket rules; the server refuses an agent's change. */
  canSetRules: boolean;
  onClose: () => void;
  onSaved: (stream: Stream) => void;
  onDeleted: (id: number) => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [name, setName] = useState(stream?.name ?? '');
  const [queryText, setQueryText] = useState(stream?.query ?? '');
  const [rules, setRules] = useState<TicketRule[]>(() =>
    (stream?.ticketRules ?? DEFAULT_TICKET_RULES).map((rule) => ({
      ...rule,
      kinds: [...rule.kinds],
      sentiments: [...rule.sentiments],
    })),
  );
  const sources = useSources(0);
  const hints = queryHints(queryText, sources.data);
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
      const input = { name: name.trim(), query: queryText.trim(), ...(canSetRules ? { ticketRules: rules } : {}) };
      const saved = stream ? await api.updateStream(stream.id, input) : await api.createStream(input);
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
                aria-describedby={`query-help query-status${hints.length > 0 ? ' query-hints' : ''}`}
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
            {hints.length > 0 ? (
              <ul id="query-hints" className="query-hints">
                {hints.map((hint) => (
                  <li key={hint}>{hint}</li>
                ))}
              </ul>
            ) : null}
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
            <RulesEditor rules={rules} onChange={setRules} readOnly={!canSetRules} />
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

/** The fields the query language knows (src/pipeline/query.ts); anything else before a colon is text. */
const QUERY_FIELDS = ['from', 'lang', 'kind', 'sentiment', 'source', 'channel'];

/**
 * What the parser accepts but is likely a mistake: `source:` with a name no configured source has
 * (it matches nothing; `channel:` is the source's kind), and `word:value` where word is no field.
 */
export function queryHints(text: string, sources: readonly ConfiguredSource[] | null): string[] {
  const hints = new Set<string>();
  for (const match of text.matchAll(/(?:^|[\s(])-?([A-Za-z]+):([^\s()"]+)/g)) {
    const field = match[1]!.toLowerCase();
    const value = match[2]!.toLowerCase();
    if (field === 'http' || field === 'https') continue;
    if (!QUERY_FIELDS.includes(field)) {
      hints.add(
        `“${match[1]}:” is not a field, so “${match[1]}:${match[2]}” is searched as text. Fields: ${QUERY_FIELDS.join(', ')}.`,
      );
    } else if (field === 'source' && sources && !sources.some((source) => source.name.toLowerCase() === value)) {
      const kind = sources.some((source) => source.kind.toLowerCase() === value);
      hints.add(
        `No configured source is named “${match[2]}”${kind ? `; for every ${match[2]} source write channel:${value}` : ''}.`,
      );
    }
  }
  return [...hints];
}

function RulesEditor({
  rules,
  onChange,
  readOnly,
}: {
  rules: TicketRule[];
  onChange: (rules: TicketRule[]) => void;
  readOnly: boolean;
}) {
  const set = (index: number, change: Partial<TicketRule>) =>
    onChange(rules.map((rule, at) => (at === index ? { ...rule, ...change } : rule)));
  const toggle = <T extends string>(list: T[], item: T, on: boolean) =>
    on ? [...list, item] : list.filter((other) => other !== item);
  return (
    <fieldset className="rules-editor" disabled={readOnly}>
      <legend>Ticket rules</legend>
      <p className="small muted">
        Which matching posts become tickets; the first rule that fits wins. None ticked: any.
        {readOnly ? ' A lead or an admin changes them.' : ''}
      </p>
      <ol>
        {rules.map((rule, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rules are positional, their order is their meaning
          <li key={index} className="rule">
            <fieldset className="rule-set">
              <legend>Rule {index + 1}: kinds</legend>
              {POST_KINDS.map((kind) => (
                <label key={kind} className="field-inline">
                  <input
                    type="checkbox"
                    checked={rule.kinds.includes(kind)}
                    onChange={(event) => set(index, { kinds: toggle(rule.kinds, kind, event.target.checked) })}
                  />
                  <span>{kind}</span>
                </label>
              ))}
            </fieldset>
            <fieldset className="rule-set">
              <legend>Rule {index + 1}: sentiments</legend>
              {SENTIMENTS.map((sentiment) => (
                <label key={sentiment} className="field-inline">
                  <input
                    type="checkbox"
                    checked={rule.sentiments.includes(sentiment)}
                    onChange={(event) =>
                      set(index, { sentiments: toggle(rule.sentiments, sentiment, event.target.checked) })
                    }
                  />
                  <span>{sentiment}</span>
                </label>
              ))}
            </fieldset>
            <div className="rule-outcome">
              <label className="field">
                <span>Rule {index + 1}: ticket type</span>
                <select
                  value={rule.ticketType}
                  onChange={(event) => set(index, { ticketType: event.target.value as TicketRule['ticketType'] })}
                >
                  {TICKET_TYPES.map((type) => (
                    <option key={type}>{type}</option>
                  ))}
                </select>
              </label>
              <label className="field">
                <span>Rule {index + 1}: priority</span>
                <select
                  value={rule.priority}
                  onChange={(event) => set(index, { priority: event.target.value as TicketRule['priority'] })}
                >
                  {TICKET_PRIORITIES.map((priority) => (
                    <option key={priority}>{priority}</option>
                  ))}
                </select>
              </label>
              <button
                type="button"
                className="btn btn-ghost btn-small"
                onClick={() => onChange(rules.filter((_, at) => at !== index))}
              >
                Remove rule {index + 1}
              </button>
            </div>
          </li>
        ))}
      </ol>
      <button
        type="button"
        className="btn btn-small"
        disabled={rules.length >= 20}
        onClick={() => onChange([...rules, { kinds: [], sentiments: [], ticketType: 'request', priority: 'normal' }])}
      >
        Add rule
      </button>
    </fieldset>
  );
}
