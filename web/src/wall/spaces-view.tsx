/** The wall's first page: the spaces the person can read, each with its team's answer deadline. */
import { errorMessage, useResource } from '../data/resource.js';
import { FormError } from '../components/form-error.js';
import { linkHandler } from '../router.js';
import { can, useSession } from '../session.js';
import { wallApi } from './wall-api.js';

export function SpacesView() {
  const { user } = useSession();
  const spaces = useResource('wall:spaces', (signal) => wallApi.spaces(signal));
  return (
    <section className="wall">
      <header className="wall-head">
        <h1>Wall</h1>
        {can(user, 'admin') ? (
          <a className="btn" href="/wall/invite" onClick={linkHandler('/wall/invite')}>
            Invite employees
          </a>
        ) : null}
      </header>
      <p className="muted">
        Ask the programme teams anything, with your name or anonymously. Every question gets an answer by its deadline.
      </p>
      <FormError message={errorMessage(spaces.error, 'The spaces could not be loaded')} />
      <ul className="wall-spaces" aria-label="Spaces">
        {(spaces.data?.spaces ?? []).map((space) => (
          <li key={space.id} className="card">
            <h2>
              <a href={`/wall/spaces/${space.id}`} onClick={linkHandler(`/wall/spaces/${space.id}`)}>
                {space.name}
              </a>
            </h2>
            <p>{space.description}</p>
            <p className="muted small">
              Questions answered within {space.slaHours} h{space.moderator ? ' · you are on the team' : ''}
            </p>
          </li>
        ))}
      </ul>
      {spaces.data && spaces.data.spaces.length === 0 ? <p className="empty-state">No spaces yet.</p> : null}
    </section>
  );
}
