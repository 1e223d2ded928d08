/**
 * The intranet hosts panel in the Sources view (admins): the host names, addresses and networks
 * sources may reach although they are private — an IT department's own status feed, mail server
 * or Mastodon. One entry a line; saving applies at once (the server restarts running sources).
 * The lists set in EARSHOT_ALLOWED_PRIVATE_HOSTS and earshot.config.yaml are shown read-only,
 * with the last changes made here.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api.js';
import type { SourceSettings } from '../api-types.js';
import { absoluteTime, relativeTime } from '../format.js';
import { FormError } from './form-error.js';

export function IntranetHostsPanel({ onSaved }: { onSaved: () => Promise<void> }) {
  const [settings, setSettings] = useState<SourceSettings | null>(null);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    api
      .sourceSettings(controller.signal)
      .then((loaded) => {
        setSettings(loaded);
        setText(loaded.allowedPrivateHosts.join('\n'));
      })
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setMessage({ ok: false, text: (error as Error).message });
      });
    return () => controller.abort();
  }, []);

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      const entries = text
        .split(/[\n,]/)
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '');
      const saved = await api.saveSourceSettings({ allowedPrivateHosts: entries });
      setSettings(saved);
      setText(saved.allowedPrivateHosts.join('\n'));
      setMessage({ ok: true, text: 'Saved; the sources were restarted under the new list.' });
      await onSaved();
    } catch (error) {
      setMessage({ ok: false, text: (error as Error).message });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card intranet-hosts" onSubmit={(event) => void save(event)} aria-labelledby="intranet-title">
      <h2 className="card-title" id="intranet-title">
        Intranet hosts
      </h2>
      <p className="muted small">
        Sources may not reach loopback or private addresses unless they are listed here: host names and addresses
        (exactly), or networks such as <code>10.20.0.0/16</code>. Names are resolved and checked at every connect.
      </p>
      <label className="field">
        <span>Allowed hosts and networks, one a line</span>
        <textarea
          rows={4}
          value={text}
          spellCheck={false}
          placeholder={'status.intranet.example\n10.20.0.0/16'}
          onChange={(event) => setText(event.target.value)}
        />
      </label>
      {settings && settings.environment.length > 0 ? (
        <p className="small" data-origin="environment">
          Also allowed by <code>EARSHOT_ALLOWED_PRIVATE_HOSTS</code>: {settings.environment.join(', ')}
        </p>
      ) : null}
      {settings && settings.configFile.length > 0 ? (
        <p className="small" data-origin="config-file">
          Also allowed by <code>earshot.config.yaml</code>: {settings.configFile.join(', ')}
        </p>
      ) : null}
      {message?.ok ? (
        <p className="small" role="status">
          {message.text}
        </p>
      ) : (
        <FormError message={message?.text} />
      )}
      <button type="submit" className="btn btn-primary" disabled={busy || settings === null}>
        Save
      </button>
      {settings && settings.audit.length > 0 ? (
        <details className="small">
          <summary>Changes</summary>
          <ul>
            {settings.audit.slice(0, 10).map((entry) => (
              <li key={entry.id}>
                <time dateTime={entry.at} title={absoluteTime(entry.at)}>
                  {relativeTime(entry.at)}
                </time>{' '}
                {entry.username}: {JSON.stringify(entry.before)} → {JSON.stringify(entry.after)}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </form>
  );
}
