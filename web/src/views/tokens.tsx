/**
 * Settings → API tokens: the tokens machines use to call Earshot. Everyone on the desk sees and
 * revokes their own (admins everyone's), and makes one with chosen scopes and an expiry; the
 * token is shown once, right after it is made, and never again (the server keeps only a hash).
 */
import { useState, type FormEvent } from 'react';
import { api } from '../api.js';
import { TOKEN_SCOPES, type ApiTokenView, type TokenScope } from '../api-types.js';
import { errorMessage } from '../data/resource.js';
import { useApiTokens } from '../data/resources.js';
import { FormError } from '../components/form-error.js';
import { absoluteTime, relativeTime } from '../format.js';
import { can, useSession } from '../session.js';

const SCOPE_HELP: Readonly<Record<TokenScope, string>> = {
  read: 'read — look at posts, tickets, streams',
  write: 'write — change tickets, streams, replies',
  ingest: 'ingest — send posts to POST /api/ingest',
  admin: 'admin — users, tokens, sources, webhooks',
};
const EXPIRIES = [
  { days: 30, label: '30 days' },
  { days: 90, label: '90 days' },
  { days: 365, label: '1 year' },
  { days: null, label: 'Never' },
] as const;

export function TokensView() {
  const { user } = useSession();
  const admin = can(user, 'admin');
  const tokens = useApiTokens();
  const allowed = TOKEN_SCOPES.filter((scope) => scope !== 'admin' || admin);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<TokenScope[]>(['read']);
  const [days, setDays] = useState<number | null>(90);
  const [made, setMade] = useState<{ name: string; token: string } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function create(event: FormEvent) {
    event.preventDefault();
    setProblem(null);
    setBusy(true);
    try {
      const created = await api.createToken({ name: name.trim(), scopes, expiresInDays: days });
      setMade({ name: name.trim(), token: created.token });
      setName('');
      await tokens.reload();
    } catch (caught) {
      setProblem((caught as Error).message);
    } finally {
      setBusy(false);
    }
  }

  async function revoke(token: ApiTokenView) {
    if (!window.confirm(`Revoke “${token.name}”? Whatever uses it stops working at once.`)) return;
    setProblem(null);
    try {
      await api.revokeToken(token.id);
      await tokens.reload();
    } catch (caught) {
      setProblem((caught as Error).message);
    }
  }

  const list = tokens.data;
  return (
    <div className="view tokens-view">
      <header className="view-head">
        <h1>API tokens</h1>
      </header>
      <FormError message={problem ?? errorMessage(tokens.error, 'Could not load the tokens')} />
      {made ? (
        <section className="card token-made" aria-labelledby="token-made-title">
          <h2 className="card-title" id="token-made-title">
            Token “{made.name}” made
          </h2>
          <p>Copy it now: it is shown only once.</p>
          <input
            className="token-secret"
            readOnly
            value={made.token}
            aria-label="Your new token"
            onFocus={(e) => e.target.select()}
          />
          <button type="button" className="btn btn-ghost btn-small" onClick={() => setMade(null)}>
            Done
          </button>
        </section>
      ) : null}
      <div className="tokens-grid">
        <section className="card" aria-labelledby="tokens-title">
          <h2 className="card-title" id="tokens-title">
            {admin ? 'Every token' : 'Your tokens'}
          </h2>
          {list === null ? (
            <p className="muted">Loading…</p>
          ) : list.length === 0 ? (
            <p className="muted">No tokens yet.</p>
          ) : (
            <div className="table-scroll">
              <table className="tokens-table">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    {admin ? <th scope="col">User</th> : null}
                    <th scope="col">Scopes</th>
                    <th scope="col">Expires</th>
                    <th scope="col">Last used</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((token) => (
                    <TokenRow key={token.id} token={token} showUser={admin} onRevoke={() => void revoke(token)} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <form className="card" onSubmit={(event) => void create(event)} aria-labelledby="new-token-title">
          <h2 className="card-title" id="new-token-title">
            New token
          </h2>
          <label className="field">
            <span>What it is for</span>
            <input required maxLength={100} value={name} onChange={(event) => setName(event.target.value)} />
          </label>
          <fieldset className="field token-scopes">
            <legend>Scopes</legend>
            {allowed.map((scope) => (
              <label key={scope} className="field-inline">
                <input
                  type="checkbox"
                  checked={scopes.includes(scope)}
                  onChange={(event) =>
                    setScopes(
                      event.target.checked ? [...scopes, scope] : scopes.filter((candidate) => candidate !== scope),
                    )
                  }
                />
                <span>{SCOPE_HELP[scope]}</span>
              </label>
            ))}
          </fieldset>
          <label className="field">
            <span>Expires after</span>
            <select
              value={days === null ? 'never' : String(days)}
              onChange={(event) => setDays(event.target.value === 'never' ? null : Number(event.target.value))}
            >
              {EXPIRIES.map((choice) => (
                <option key={choice.label} value={choice.days === null ? 'never' : String(choice.days)}>
                  {choice.label}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="btn btn-primary" disabled={busy || scopes.length === 0}>
            Make token
          </button>
        </form>
      </div>
    </div>
  );
}

function TokenRow({ token, showUser, onRevoke }: { token: ApiTokenView; showUser: boolean; onRevoke: () => void }) {
  const expired = token.expiresAt !== null && Date.parse(token.expiresAt) <= Date.now();
  const state = token.revokedAt ? 'revoked' : expired ? 'expired' : null;
  return (
    <tr className={state ? 'token-dead' : undefined}>
      <th scope="row">
        {token.name}
        {state ? <span className="badge token-state"> {state}</span> : null}
      </th>
      {showUser ? <td>@{token.username}</td> : null}
      <td>{token.scopes.join(', ')}</td>
      <td title={token.expiresAt ? absoluteTime(token.expiresAt) : undefined}>
        {token.expiresAt ? absoluteTime(token.expiresAt) : 'never'}
      </td>
      <td title={token.lastUsedAt ? absoluteTime(token.lastUsedAt) : undefined}>
        {token.lastUsedAt ? relativeTime(token.lastUsedAt) : 'never'}
      </td>
      <td className="token-actions">
        {token.revokedAt ? null : (
          <button type="button" className="btn btn-danger-ghost btn-small" onClick={onRevoke}>
            Revoke<span className="sr-only"> {token.name}</span>
          </button>
        )}
      </td>
    </tr>
  );
}
