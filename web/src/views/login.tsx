/** The login page. */
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.js';
import type { User } from '../api-types.js';
import { BrandMark } from '../components/avatar.js';

export function LoginView({ onLogin }: { onLogin: (user: User) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { user } = await api.login(username.trim(), password);
      onLogin(user);
    } catch (caught) {
      setError(
        caught instanceof ApiError && caught.status === 401
          ? 'That username and password do not match.'
          : caught instanceof Error
            ? caught.message
            : 'Could not log in.',
      );
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <form className="login-card" onSubmit={(event) => void submit(event)} aria-labelledby="login-title">
        <div className="brand brand-large">
          <BrandMark />
          <span className="brand-name">Earshot</span>
        </div>
        <h1 id="login-title">Sign in to the desk</h1>
        <label className="field">
          <span>Username</span>
          <input
            name="username"
            autoComplete="username"
            // biome-ignore lint/a11y/noAutofocus: the login page has one task, and the username field is where it starts
            autoFocus
            required
            value={username}
            onChange={(event) => setUsername(event.target.value)}
          />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
        <button className="btn btn-primary btn-block" type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="hint">
          First start? The admin password was printed in the terminal, or set it with EARSHOT_ADMIN_PASSWORD.
        </p>
      </form>
    </main>
  );
}
