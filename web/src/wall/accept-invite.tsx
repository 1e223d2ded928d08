/**
 * The page an invitation link opens (`/invite#<token>`): the token is read from the fragment, which
 * browsers never send, checked, and exchanged for the person's own password; then they sign in.
 */
import { type FormEvent, useEffect, useState } from 'react';
import { FormError } from '../components/form-error.js';
import { wallApi } from './wall-api.js';

export default function AcceptInvite() {
  const token = location.hash.slice(1);
  const [who, setWho] = useState<{ displayName: string; username: string } | null>(null);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  useEffect(() => {
    if (!token) setError('This link has no invitation in it.');
    else
      wallApi
        .checkInvitation(token)
        .then(setWho, () => setError('This invitation was used, has expired, or is unknown.'));
  }, [token]);

  async function accept(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      const { username } = await wallApi.acceptInvitation(token, password);
      setWho(null);
      setDone(username);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : 'That did not work');
    }
  }

  return (
    <main className="login">
      <form className="login-card" onSubmit={(event) => void accept(event)} aria-labelledby="accept-title">
        <h1 id="accept-title">Welcome{who ? `, ${who.displayName}` : ''}</h1>
        {who ? (
          <>
            <p>
              Your username is <strong>{who.username}</strong>. Choose a password (at least 10 characters).
            </p>
            <label className="field">
              New password
              <input
                type="password"
                autoComplete="new-password"
                value={password}
                onChange={(event) => setPassword(event.target.value)}
                minLength={10}
                required
              />
            </label>
            <button type="submit" className="btn btn-primary">
              Set my password
            </button>
          </>
        ) : null}
        {done ? (
          <p role="status">
            Your password is set. <a href="/login">Sign in as {done}</a>
          </p>
        ) : null}
        <FormError message={error} />
      </form>
    </main>
  );
}
