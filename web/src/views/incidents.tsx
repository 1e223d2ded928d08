/**
 * Major incidents: the open ones first (severity, reporters, how long), resolved ones on a tab.
 * New incidents and new reports arrive over the live connection.
 */
import { useState } from 'react';
import { errorMessage } from '../data/resource.js';
import { useIncidents } from '../data/resources.js';
import { useLive } from '../live.js';
import { linkHandler } from '../router.js';
import { absoluteTime, relativeTime } from '../format.js';
import { useNow } from '../components/clock.js';
import { FormError } from '../components/form-error.js';

type Tab = 'open' | 'resolved';

export function IncidentsView() {
  const [tab, setTab] = useState<Tab>('open');
  const { data: incidents, error, reload } = useIncidents(tab);
  const now = useNow();

  useLive('incident', () => void reload(), [reload]);

  return (
    <section className="view incidents-view" aria-labelledby="incidents-title">
      <header className="view-head">
        <h1 id="incidents-title">Incidents</h1>
        <div className="tabs" role="tablist" aria-label="Incident status">
          {(['open', 'resolved'] as const).map((candidate) => (
            <button
              key={candidate}
              type="button"
              role="tab"
              aria-selected={tab === candidate}
              className={`tab${tab === candidate ? ' active' : ''}`}
              onClick={() => setTab(candidate)}
            >
              {candidate === 'open' ? 'Open' : 'Resolved'}
            </button>
          ))}
        </div>
      </header>
      <div className="incidents-body">
        <FormError message={errorMessage(error, 'Could not load incidents')} />
        {incidents === null ? (
          <p className="muted pad" aria-busy="true">
            Loading incidents…
          </p>
        ) : incidents.length === 0 ? (
          <div className="empty-state">
            <p>
              {tab === 'open'
                ? 'No open incidents. When many people report the same problem, it shows up here.'
                : 'No resolved incidents yet.'}
            </p>
          </div>
        ) : (
          <ul className="incident-list">
            {incidents.map((incident) => (
              <li key={incident.id} className={`incident-row severity-${incident.severity}`}>
                <a
                  href={`/incidents/${incident.id}`}
                  onClick={linkHandler(`/incidents/${incident.id}`)}
                  className="incident-link"
                >
                  <span className={`badge severity severity-${incident.severity}`}>{incident.severity}</span>
                  {incident.idle ? (
                    <span className="badge idle" title="No new report for a while: resolve it?">
                      idle
                    </span>
                  ) : null}
                  <span className="incident-title">{incident.title}</span>
                  <span className="muted small">
                    {incident.postCount ?? 0} reports · {incident.responders.length} responders · opened{' '}
                    <time dateTime={incident.createdAt} title={absoluteTime(incident.createdAt)}>
                      {relativeTime(incident.createdAt, now)}
                    </time>{' '}
                    ago
                  </span>
                </a>
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
