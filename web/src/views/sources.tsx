/**
 * Sources: where Earshot listens. Everyone on the desk sees each source's health (a status dot
 * with its word, last post, errors, counters), refreshed every few seconds; admins also add a
 * source from a form generated from the kind's option schema, and enable, restart or remove
 * one. Credentials are password fields that are never pre-filled: the server never returns them.
 */
import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { api, ApiError } from '../api.js';
import type { ConfiguredSource, JsonSchemaField, JsonSchemaObject, SourceDefinitionInfo } from '../api-types.js';
import { errorMessage } from '../data/resource.js';
import { useSourceDefinitions, useSources } from '../data/resources.js';
import { FormError } from '../components/form-error.js';
import { Options } from '../components/options.js';
import { absoluteTime, compactNumber, relativeTime } from '../format.js';
import { can, useSession } from '../session.js';
import { ClusterPanel } from '../components/cluster-panel.js';
import { IntranetHostsPanel } from '../components/intranet-hosts.js';

const REFRESH_MS = 3000;
const GOOD = new Set(['connected', 'polling']);
const BAD = new Set(['failed', 'backing-off', 'disconnected']);

export function SourcesView() {
  const { user } = useSession();
  const admin = can(user, 'admin');
  const { data: sources, error, reload: refresh } = useSources(REFRESH_MS);
  const definitions = useSourceDefinitions().data ?? [];
  // An action's failure shows until the next refresh succeeds, as a failed refresh does.
  const [actionError, setActionError] = useState<{ message: string; shownWith: unknown } | null>(null);
  const problem =
    actionError && actionError.shownWith === sources
      ? actionError.message
      : errorMessage(error, 'Could not load the sources');

  async function act(action: () => Promise<unknown>) {
    try {
      await action();
      await refresh();
    } catch (caught) {
      setActionError({ message: (caught as Error).message, shownWith: sources });
    }
  }

  return (
    <div className="view sources-view">
      <header className="view-head">
        <h1>Sources</h1>
      </header>
      <FormError message={problem} />
      <section className="card" aria-labelledby="sources-health-title">
        <h2 className="card-title" id="sources-health-title">
          Health
        </h2>
        {sources === null ? (
          <p className="muted">Loading…</p>
        ) : sources.length === 0 ? (
          <p className="muted">No sources yet.{admin ? ' Add one below.' : ' Ask an admin to add one.'}</p>
        ) : (
          <div className="table-scroll">
            <table className="sources-table">
              <thead>
                <tr>
                  <th scope="col">Source</th>
                  <th scope="col">Status</th>
                  <th scope="col">Last post</th>
                  <th scope="col">Posts</th>
                  <th scope="col">Skipped</th>
                  <th scope="col">Errors</th>
                  {admin ? <th scope="col">Actions</th> : null}
                </tr>
              </thead>
              <tbody>
                {sources.map((source) => (
                  <SourceRow key={source.id} source={source} admin={admin} act={act} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {admin && definitions.length > 0 ? <AddSourceForm definitions={definitions} onAdded={refresh} /> : null}
      {admin ? <IntranetHostsPanel onSaved={refresh} /> : null}
      {admin ? <ClusterPanel /> : null}
    </div>
  );
}

function SourceRow({
  source,
  admin,
  act,
}: {
  source: ConfiguredSource;
  admin: boolean;
  act: (action: () => Promise<unknown>) => Promise<void>;
}) {
  const health = source.health;
  const status = !source.enabled ? 'disabled' : (health?.status ?? 'not started');
  const tone = GOOD.has(status) ? 'good' : BAD.has(status) ? 'bad' : status === 'disabled' ? 'off' : 'pending';
  return (
    <tr data-source={source.name}>
      <th scope="row">
        <strong>{source.name}</strong>
        <span className="muted small"> {source.label}</span>
        {source.secretsSet.length > 0 ? (
          <span className="muted small source-secrets"> · credentials set: {source.secretsSet.join(', ')}</span>
        ) : null}
      </th>
      <td>
        <span className={`source-status source-${tone}`} data-status={status}>
          <span className="source-dot" aria-hidden="true" />
          {status}
        </span>
        {health?.detail ? <span className="muted small source-detail">{health.detail}</span> : null}
      </td>
      <td>
        {health?.lastPostAt ? (
          <time dateTime={health.lastPostAt} title={absoluteTime(health.lastPostAt)}>
            {relativeTime(health.lastPostAt)}
          </time>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td className="num">{compactNumber(health?.posts ?? 0)}</td>
      <td className="num">{compactNumber(health?.skipped ?? 0)}</td>
      <td className="source-errors">
        <span className="num">{compactNumber(health?.errors ?? 0)}</span>
        {health?.lastError ? (
          <span
            className="small source-last-error"
            title={health.lastErrorAt ? absoluteTime(health.lastErrorAt) : undefined}
          >
            {health.lastError}
            {health.lastErrorAt ? (
              <>
                {' · '}
                <time dateTime={health.lastErrorAt}>{relativeTime(health.lastErrorAt)}</time>
              </>
            ) : null}
          </span>
        ) : null}
      </td>
      {admin ? (
        <td className="source-actions">
          <button
            type="button"
            className="btn btn-ghost btn-small"
            onClick={() => void act(() => api.updateSource(source.id, { enabled: !source.enabled }))}
          >
            {source.enabled ? 'Disable' : 'Enable'}
          </button>
          <button
            type="button"
            className="btn btn-ghost btn-small"
            disabled={!source.enabled}
            onClick={() => void act(() => api.restartSource(source.id))}
          >
            Restart
          </button>
          <button
            type="button"
            className="btn btn-danger-ghost btn-small"
            onClick={() => {
              if (confirm(`Remove the source "${source.name}"? Its posts stay.`))
                void act(() => api.deleteSource(source.id));
            }}
          >
            Remove
          </button>
        </td>
      ) : null}
    </tr>
  );
}

/**
 * An example value for a JSON field, from its schema: a list of objects shows one object with its
 * fields (a feed's `{"url": "https://…"}`), so nobody has to guess the shape.
 */
function jsonExample(field: JsonSchemaField): string {
  const sample = (schema: JsonSchemaField | undefined, depth: number): unknown => {
    if (!schema || depth > 3) return null;
    if (schema.default !== undefined) return schema.default;
    const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
    const properties = (schema as JsonSchemaObject).properties;
    if (type === 'array') return [sample(schema.items, depth + 1)];
    if (type === 'object' || properties) {
      const required = (schema as JsonSchemaObject).required;
      const names = Object.keys(properties ?? {}).filter((name) => !required || required.includes(name));
      return Object.fromEntries(names.map((name) => [name, sample(properties![name], depth + 1)]));
    }
    if (type === 'integer' || type === 'number') return schema.minimum ?? 1;
    if (type === 'boolean') return true;
    if (schema.format === 'uri') return 'https://example.org/feed.xml';
    return '…';
  };
  return JSON.stringify(sample(field, 0));
}

function jsonError(text: string): string | null {
  try {
    JSON.parse(text);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : 'cannot be read';
  }
}

type FieldKind = 'text' | 'secret' | 'number' | 'integer' | 'boolean' | 'choice' | 'lines' | 'json';

function fieldKind(name: string, field: JsonSchemaField, secrets: readonly string[]): FieldKind {
  if (secrets.includes(name)) return 'secret';
  if (field.enum || field.anyOf?.every((option) => option.const !== undefined)) return 'choice';
  const type = Array.isArray(field.type) ? field.type[0] : field.type;
  if (type === 'number') return 'number';
  if (type === 'integer') return 'integer';
  if (type === 'boolean') return 'boolean';
  if (type === 'array' && field.items?.type === 'string') return 'lines';
  if (type === 'array' || type === 'object') return 'json';
  return 'text';
}

/** The form's text values, turned into the option types the schema asks for; blanks are left out. */
function toOptions(definition: SourceDefinitionInfo, values: Record<string, string>): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(definition.options.properties ?? {})) {
    const raw = values[name] ?? '';
    const kind = fieldKind(name, field, definition.secrets);
    if (kind === 'boolean') {
      if (raw !== '') options[name] = raw === 'true';
      continue;
    }
    if (raw.trim() === '') continue;
    if (kind === 'number' || kind === 'integer') options[name] = Number(raw);
    else if (kind === 'lines')
      options[name] = raw
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean);
    else if (kind === 'json') options[name] = JSON.parse(raw) as unknown;
    else options[name] = raw;
  }
  return options;
}

function AddSourceForm({
  definitions,
  onAdded,
}: {
  definitions: SourceDefinitionInfo[];
  onAdded: () => Promise<void>;
}) {
  const [kind, setKind] = useState(definitions[0]!.kind);
  const [name, setName] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [check, setCheck] = useState(true);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const definition = useMemo(
    () => definitions.find((candidate) => candidate.kind === kind) ?? definitions[0]!,
    [definitions, kind],
  );
  const required = new Set(definition.options.required ?? []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      const created = await api.createSource({
        name,
        kind: definition.kind,
        options: toOptions(definition, values),
        skipCheck: definition.canCheck ? !check : undefined,
      });
      setMessage({ ok: true, text: `Added ${created.name}` });
      setName('');
      setValues({});
      await onAdded();
    } catch (error) {
      setMessage({
        ok: false,
        text: error instanceof ApiError || error instanceof SyntaxError ? error.message : 'Could not add the source',
      });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="card source-form"
      onSubmit={(event) => void submit(event)}
      aria-labelledby="add-source-title"
      autoComplete="off"
    >
      <h2 className="card-title" id="add-source-title">
        Add a source
      </h2>
      <label className="field">
        <span>Kind</span>
        <select
          value={definition.kind}
          onChange={(event) => {
            setKind(event.target.value);
            setValues({});
          }}
        >
          <Options items={definitions} value={(candidate) => candidate.kind} label={(candidate) => candidate.label} />
        </select>
      </label>
      <p className="muted small">{definition.description}</p>
      <label className="field">
        <span>Name</span>
        <input
          required
          pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,63}"
          placeholder={`e.g. ${definition.kind}-main`}
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
      </label>
      {Object.entries(definition.options.properties ?? {}).map(([field, schema]) => (
        <OptionField
          key={`${definition.kind}.${field}`}
          name={field}
          schema={schema}
          kind={fieldKind(field, schema, definition.secrets)}
          required={required.has(field)}
          value={values[field] ?? ''}
          onChange={(value) => setValues({ ...values, [field]: value })}
        />
      ))}
      {definition.canCheck ? (
        <label className="field-inline">
          <input type="checkbox" checked={check} onChange={(event) => setCheck(event.target.checked)} /> Check the
          connection before saving
        </label>
      ) : null}
      {message ? (
        <p className={message.ok ? 'notice' : 'form-error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      ) : null}
      <button type="submit" className="btn btn-primary" disabled={busy}>
        {busy ? 'Adding…' : 'Add source'}
      </button>
    </form>
  );
}

function OptionField({
  name,
  schema,
  kind,
  required,
  value,
  onChange,
}: {
  name: string;
  schema: JsonSchemaField;
  kind: FieldKind;
  required: boolean;
  value: string;
  onChange: (value: string) => void;
}) {
  const label = schema.title ?? name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (first) => first.toUpperCase());
  const hint = [
    schema.description,
    schema.default !== undefined ? `default ${JSON.stringify(schema.default)}` : null,
    kind === 'lines' ? 'one per line' : null,
    kind === 'json' ? `JSON, e.g. ${jsonExample(schema)}` : null,
  ]
    .filter(Boolean)
    .join(' · ');
  let input: ReactNode;
  if (kind === 'secret') {
    // Never pre-filled; the browser must not offer to save it either.
    input = (
      <input
        type="password"
        name={name}
        required={required}
        autoComplete="new-password"
        value={value}
        onChange={(event) => onChange(event.target.value)}
      />
    );
  } else if (kind === 'boolean') {
    input = (
      <select name={name} value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">{schema.default !== undefined ? `default (${String(schema.default)})` : '—'}</option>
        <option value="true">yes</option>
        <option value="false">no</option>
      </select>
    );
  } else if (kind === 'choice') {
    const choices = schema.enum ?? schema.anyOf?.map((option) => option.const) ?? [];
    input = (
      <select name={name} required={required} value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">—</option>
        {choices.map((choice) => (
          <option key={String(choice)} value={String(choice)}>
            {String(choice)}
          </option>
        ))}
      </select>
    );
  } else if (kind === 'lines' || kind === 'json') {
    const invalid = kind === 'json' && value.trim() !== '' ? jsonError(value) : null;
    input = (
      <>
        <textarea
          name={name}
          required={required}
          rows={3}
          value={value}
          placeholder={kind === 'json' ? jsonExample(schema) : undefined}
          aria-invalid={invalid !== null}
          className={kind === 'json' ? 'mono' : undefined}
          onChange={(event) => onChange(event.target.value)}
        />
        {invalid ? <span className="form-error small">Not valid JSON yet: {invalid}</span> : null}
      </>
    );
  } else {
    const numeric = kind === 'number' || kind === 'integer';
    input = (
      <input
        name={name}
        type={numeric ? 'number' : schema.format === 'uri' ? 'url' : 'text'}
        step={kind === 'integer' ? 1 : numeric ? 'any' : undefined}
        min={schema.minimum}
        max={schema.maximum}
        required={required}
        value={value}
        onChange={(event) => onChange(event.target.value)}
      />
    );
  }
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is `input` above, chosen by the field's kind
    <label className="field">
      <span>
        {label}
        {required ? '' : ' (optional)'}
      </span>
      {input}
      {hint ? <span className="muted small">{hint}</span> : null}
    </label>
  );
}
