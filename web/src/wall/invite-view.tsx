/**
 * Inviting employees (admins): one person by e-mail, or many from a CSV file (`email,name[,username]`).
 * Lines the server refuses are listed with their numbers; the others are invited all the same.
 * Where no mail could go out, the one-time link is shown to pass on by hand.
 */
import { type FormEvent, useState } from 'react';
import { FormError } from '../components/form-error.js';
import { type Invited, wallApi } from './wall-api.js';

export function InviteView() {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [invited, setInvited] = useState<Invited[]>([]);
  const [problems, setProblems] = useState<{ line: number; message: string }[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : 'The invitation failed');
    } finally {
      setBusy(false);
    }
  }

  function inviteOne(event: FormEvent) {
    event.preventDefault();
    void run(async () => {
      const one = await wallApi.invite({ email, name });
      setInvited([one]);
      setProblems([]);
      setEmail('');
      setName('');
    });
  }

  function upload(file: File | undefined) {
    if (!file) return;
    void run(async () => {
      const result = await wallApi.importCsv(await file.text());
      setInvited(result.invited);
      setProblems(result.problems);
    });
  }

  return (
    <section className="wall">
      <h1>Invite employees</h1>
      <p className="muted">
        Employees see only the wall and the rooms. Each gets an e-mail with a link (valid 14 days) to choose a password.
      </p>
      <div className="wall-invite-grid">
        <form className="card" onSubmit={inviteOne} aria-labelledby="invite-one-title">
          <h2 id="invite-one-title">One person</h2>
          <label className="field">
            E-mail address
            <input type="email" value={email} onChange={(event) => setEmail(event.target.value)} required />
          </label>
          <label className="field">
            Name
            <input value={name} onChange={(event) => setName(event.target.value)} required maxLength={100} />
          </label>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            Send the invitation
          </button>
        </form>
        <div className="card">
          <h2 id="invite-csv-title">Many from a CSV file</h2>
          <p className="muted small">
            One person a line: <code>email,name</code> or <code>email,name,username</code>; a header line is fine.
          </p>
          <label className="field">
            CSV file
            <input
              type="file"
              accept=".csv,text/csv,text/plain"
              disabled={busy}
              onChange={(event) => upload(event.target.files?.[0])}
            />
          </label>
        </div>
      </div>
      <FormError message={error} />
      {invited.length > 0 ? (
        <section aria-labelledby="invited-title">
          <h2 id="invited-title">Invited ({invited.length})</h2>
          <ul>
            {invited.map((one) => (
              <li key={one.user.id}>
                {one.user.displayName} &lt;{one.email}&gt; as <code>{one.user.username}</code>:{' '}
                {one.mailed ? (
                  'mailed'
                ) : (
                  <>
                    not mailed; pass on this link: <code>{one.link}</code>
                  </>
                )}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {problems.length > 0 ? (
        <section aria-labelledby="problems-title">
          <h2 id="problems-title">Lines not imported ({problems.length})</h2>
          <ul className="wall-problems">
            {problems.map((problem) => (
              <li key={problem.line}>
                Line {problem.line}: {problem.message}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </section>
  );
}
