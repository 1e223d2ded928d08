/**
 * Settings → Webhooks: URLs that receive alerts and new tickets as signed JSON. Make one (its
 * signing secret is shown once), change its URL or events, send it a test and see at once
 * whether it arrived, read its delivery log (each send, test or real, with the receiver's error),
 * or delete it.
 */
import { type FormEvent, useState } from 'react';
import { WEBHOOK_EVENTS, type WebhookEvent } from '../api-types.js';
import { useResource } from '../data/resource.js';
import { type Webhook, settingsApi } from '../data/settings-api.js';
import { FormError } from '../components/form-error.js';
import { absoluteTime, relativeTime } from '../format.js';
import { SettingsHead, useAction } from './settings.js';

const EVENT_LABEL: Readonly<Record<WebhookEvent, string>> = { alert: 'alerts', ticket: 'new tickets' };

export function WebhookSettings() {
  const hooks = useResource('webhooks', (signal) => settingsApi.webhooks(signal));
  const [editing, setEditing] = useState<Webhook | 'new' | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  return (
    <section className="settings-section">
      <SettingsHead title="Webhooks">
        Alerts and new tickets posted as signed JSON to chat, a pager or your own service.
      </SettingsHead>
      {secret ? (
        <section className="card" aria-labelledby="secret-title">
          <h2 className="card-title" id="secret-title">
            Signing secret
          </h2>
          <p>Copy it now: it is shown only once. Receivers check X-Earshot-Signature with it.</p>
          <input className="token-secret" readOnly value={secret} aria-label="Signing secret" />
          <button type="button" className="btn btn-ghost btn-small" onClick={() => setSecret(null)}>
            Done
          </button>
        </section>
      ) : null}
      {hooks.data === null ? (
        <p className="muted">Loading…</p>
      ) : hooks.data.length === 0 ? (
        <p className="muted">No webhooks yet.</p>
      ) : (
        <ul className="settings-cards">
          {hooks.data.map((hook) => (
            <HookCard key={hook.id} hook={hook} onEdit={() => setEditing(hook)} onDeleted={() => void hooks.reload()} />
          ))}
        </ul>
      )}
      {editing ? (
        <HookForm
          key={editing === 'new' ? 'new' : editing.id}
          hook={editing === 'new' ? null : editing}
          onDone={(made) => {
            setEditing(null);
            if (made) setSecret(made);
            void hooks.reload();
          }}
        />
      ) : (
        <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
          New webhook
        </button>
      )}
    </section>
  );
}

function HookCard({ hook, onEdit, onDeleted }: { hook: Webhook; onEdit: () => void; onDeleted: () => void }) {
  const deliveries = useResource(`deliveries/${hook.id}`, (signal) => settingsApi.deliveries(hook.id, signal));
  const [outcome, setOutcome] = useState<string | null>(null);
  const action = useAction();
  async function test() {
    setOutcome(null);
    await action.run(async () => {
      const result = await settingsApi.testWebhook(hook.id);
      setOutcome(result.ok ? `Test delivered in ${Math.round(result.durationMs)} ms` : `Test failed: ${result.error}`);
      await deliveries.reload();
    });
  }
  async function remove() {
    if (!window.confirm(`Delete the webhook to ${hook.url}?`)) return;
    if (await action.run(() => settingsApi.deleteWebhook(hook.id))) onDeleted();
  }
  const log = deliveries.data ?? [];
  return (
    <li className="card webhook-card">
      <h2 className="card-title mono">{hook.url}</h2>
      <p className="small">Sends {hook.events.map((event) => EVENT_LABEL[event]).join(' and ')}</p>
      <div className="settings-actions">
        <button type="button" className="btn btn-small" onClick={() => void test()} disabled={action.busy}>
          Send test<span className="sr-only"> to {hook.url}</span>
        </button>
        <button type="button" className="btn btn-small" onClick={onEdit}>
          Edit<span className="sr-only"> {hook.url}</span>
        </button>
        <button type="button" className="btn btn-danger-ghost btn-small" onClick={() => void remove()}>
          Delete<span className="sr-only"> {hook.url}</span>
        </button>
      </div>
      <FormError message={action.problem} />
      {outcome ? (
        <p className={outcome.startsWith('Test failed') ? 'form-error' : 'query-ok'} role="status">
          {outcome}
        </p>
      ) : null}
      <details className="delivery-log">
        <summary>Delivery log ({log.length})</summary>
        {log.length === 0 ? (
          <p className="muted small">Nothing sent yet.</p>
        ) : (
          <table className="settings-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {log.map((delivery) => (
                <tr key={delivery.id}>
                  <td title={absoluteTime(delivery.createdAt)}>{relativeTime(delivery.createdAt)}</td>
                  <td>{delivery.test ? 'test' : delivery.event}</td>
                  <td className={delivery.ok ? undefined : 'delivery-failed'}>
                    {delivery.ok ? `delivered, ${delivery.durationMs} ms` : `failed: ${delivery.error}`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </details>
    </li>
  );
}

function HookForm({ hook, onDone }: { hook: Webhook | null; onDone: (secret: string | null) => void }) {
  const [url, setUrl] = useState(hook?.url ?? '');
  const [events, setEvents] = useState<WebhookEvent[]>(hook?.events ?? ['alert']);
  const action = useAction();
  const title = hook ? 'Edit webhook' : 'New webhook';
  async function save(event: FormEvent) {
    event.preventDefault();
    if (events.length === 0) {
      action.setProblem('Choose at least one thing to send');
      return;
    }
    let secret: string | null = null;
    const done = await action.run(async () => {
      if (hook) await settingsApi.updateWebhook(hook.id, { url: url.trim(), events });
      else secret = (await settingsApi.createWebhook({ url: url.trim(), events })).secret;
    });
    if (done) onDone(secret);
  }
  return (
    <form className="card" aria-label={title} onSubmit={(event) => void save(event)}>
      <h2 className="card-title">{title}</h2>
      <label className="field">
        <span>URL</span>
        <input
          type="url"
          required
          maxLength={2000}
          value={url}
          onChange={(event) => setUrl(event.target.value)}
          placeholder="https://chat.example.org/hooks/…"
        />
      </label>
      <fieldset className="field">
        <legend>Send</legend>
        {WEBHOOK_EVENTS.map((kind) => (
          <label key={kind} className="field-inline">
            <input
              type="checkbox"
              checked={events.includes(kind)}
              onChange={(event) =>
                setEvents(event.target.checked ? [...events, kind] : events.filter((other) => other !== kind))
              }
            />
            <span>{EVENT_LABEL[kind]}</span>
          </label>
        ))}
      </fieldset>
      <FormError message={action.problem} />
      <div className="settings-actions">
        <button type="submit" className="btn btn-primary" disabled={action.busy}>
          {hook ? 'Save webhook' : 'Create webhook'}
        </button>
        <button type="button" className="btn" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
