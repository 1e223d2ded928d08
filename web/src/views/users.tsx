/** People (admins only): who can use the desk, and adding someone. */
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api.js';
import type { Role, User } from '../api-types.js';
import { NO_USERS, useUsers } from '../data/resources.js';
import { Avatar } from '../components/avatar.js';

export function UsersView() {
  const people = useUsers({ fresh: true });
  const users = people.data ?? NO_USERS;
  const [form, setForm] = useState({ username: '', displayName: '', role: 'agent' as Role, password: '' });
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  async function add(event: FormEvent) {
    event.preventDefault();
    setMessage(null);
    const response = await fetch('/api/users', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...form, displayName: form.displayName || undefined }),
    });
    const data = (await response.json()) as User | { error: { message: string } };
    if (!response.ok || 'error' in data) {
      setMessage({
        ok: false,
        text: 'error' in data ? data.error.message : new ApiError(response.status, 'ERR_HTTP', 'Failed').message,
      });
      return;
    }
    setMessage({ ok: true, text: `Added ${data.displayName}` });
    setForm({ username: '', displayName: '', role: 'agent', password: '' });
    await people.reload();
  }

  return (
    <div className="view users-view">
      <header className="view-head">
        <h1>People</h1>
      </header>
      <div className="users-grid">
        <section className="card">
          <h2 className="card-title">On the desk</h2>
          <ul className="user-list">
            {users.map((user) => (
              <li key={user.id}>
                <Avatar name={user.displayName} size={32} />
                <span>
                  <strong>{user.displayName}</strong>
                  <span className="muted small"> @{user.username}</span>
                </span>
                <span className={`badge role-${user.role}`}>{user.role}</span>
              </li>
            ))}
          </ul>
        </section>
        <form className="card" onSubmit={(event) => void add(event)} aria-labelledby="add-user-title">
          <h2 className="card-title" id="add-user-title">
            Add someone
          </h2>
          <label className="field">
            <span>Username</span>
            <input
              required
              minLength={2}
              pattern="[A-Za-z0-9._\-]+"
              value={form.username}
              onChange={(event) => setForm({ ...form, username: event.target.value })}
            />
          </label>
          <label className="field">
            <span>Display name</span>
            <input
              value={form.displayName}
              onChange={(event) => setForm({ ...form, displayName: event.target.value })}
            />
          </label>
          <label className="field">
            <span>Role</span>
            <select value={form.role} onChange={(event) => setForm({ ...form, role: event.target.value as Role })}>
              <option value="agent">agent — works streams and tickets</option>
              <option value="lead">lead — also sets SLAs, rules, escalation, guidelines and webhooks</option>
              <option value="admin">admin — also manages people and streams</option>
              <option value="employee">employee — no desk access</option>
            </select>
          </label>
          <label className="field">
            <span>Password (10+ characters)</span>
            <input
              type="password"
              required
              minLength={10}
              autoComplete="new-password"
              value={form.password}
              onChange={(event) => setForm({ ...form, password: event.target.value })}
            />
          </label>
          {message ? (
            <p className={message.ok ? 'notice' : 'form-error'} role={message.ok ? 'status' : 'alert'}>
              {message.text}
            </p>
          ) : null}
          <button type="submit" className="btn btn-primary">
            Add
          </button>
        </form>
      </div>
    </div>
  );
}
