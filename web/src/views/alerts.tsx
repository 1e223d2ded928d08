/**
 * Alerts: what needs a person now (bursts of negative posts, impersonators…), newest first,
 * to acknowledge or close; escalations waiting for someone to take them. New alerts arrive
 * live; the navigation's badge counts the open ones (a visual cue, never a sound).
 */
import { useState } from 'react';
import { api } from '../api.js';
import type { Alert, EscalationSummary } from '../api-types.js';
import { errorMessage } from '../data/resource.js';
import { useAlerts, useEscalations } from '../data/resources.js';
import { useLive } from '../live.js';
import { linkHandler } from '../router.js';
import { absoluteTime, relativeTime } from '../format.js';
import { useNow } from '../components/clock.js';
import { alertsChanged } from '../components/alert-cue.js';
import { FormError } from '../components/form-error.js';
import { AlertLinks } from '../components/alert-links.js';

type Tab = 'open' | 'acknowledged' | 'closed';

export function AlertsView() {
  const [tab, setTab] = useState<Tab>('open');
  const alerts = useAlerts(tab);
  const escalations = useEscalations('running');
  // A failed action says so until the next load, as a failed load does.
  const [actionError, setActionError] = useState<string | null>(null);
  const [fresh, setFresh] = useState<Set<number>>(new Set());
  const now = useNow();
  const error = actionError ?? errorMessage(alerts.error, 'Could not load alerts');

  function reload() {
    setActionError(null);
    void alerts.reload();
    void escalations.reload();
  }
  useLive(
    'alert',
    (alert) => {
      if (tab !== 'open') return;
      alerts.mutate((current) => [alert, ...(current ?? []).filter((known) => known.id !== alert.id)]);
      setFresh((current) => new Set([...current, alert.id]));
    },
    [tab],
  );
  useLive('escalation', () => reload(), [tab]);

  async function setStatus(alert: Alert, status: 'acknowledged' | 'closed') {
    setActionError(null);
    try {
      await api.setAlertStatus(alert.id, status);
      alertsChanged();
      reload();
    } catch (caught) {
      setActionError(caught instanceof Error ? caught.message : 'The change failed');
    }
  }

  async function acknowledge(escalation: EscalationSummary) {
    try {
      await api.ackEscalation(escalation.id);
      reload();
    } catch (caught) {
      setActionError(caught instanceof Error ? caught.message : 'Could not acknowledge');
    }
  }

  return (
    <section className="view alerts-view" aria-labelledby="alerts-title">
      <header className="view-head">
        <h1 id="alerts-title">Alerts</h1>
        <div className="tabs" role="tablist" aria-label="Alert status">
          {(['open', 'acknowledged', 'closed'] as const).map((candidate) => (
            <button
              key={candidate}
              type="button"
              role="tab"
              aria-selected={tab === candidate}
              className={`tab${tab === candidate ? ' active' : ''}`}
              onClick={() => {
                setActionError(null);
                setTab(candidate);
              }}
            >
              {candidate[0]!.toUpperCase() + candidate.slice(1)}
            </button>
          ))}
        </div>
      </header>
      <div className="alerts-body">
        <FormError message={error} />
        {escalations.data?.length ? (
          <section className="card escalations-waiting" aria-label="Escalations waiting">
            <h2 className="timeline-label">Escalations waiting for someone</h2>
            <ul className="plain-list">
              {escalations.data.map((escalation) => (
                <li key={escalation.id} className="escalation-row">
                  <span className="alert-pulse" aria-hidden="true" />
                  {escalation.incidentId ? (
                    <a
                      href={`/incidents/${escalation.incidentId}`}
                      onClick={linkHandler(`/incidents/${escalation.incidentId}`)}
                    >
                      {escalation.subject ?? escalation.id}
                    </a>
                  ) : (
                    <span>{escalation.subject ?? escalation.id}</span>
                  )}
                  <span className="muted small"> · step {escalation.step + 1}</span>
                  <span className="spacer" />
                  <button
                    type="button"
                    className="btn btn-small btn-primary"
                    onClick={() => void acknowledge(escalation)}
                  >
                    Acknowledge
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        {alerts.data === null ? (
          <p className="muted pad" aria-busy="true">
            Loading alerts…
          </p>
        ) : alerts.data.length === 0 ? (
          <div className="empty-state">
            <p>{tab === 'open' ? 'No open alerts. All quiet.' : `No ${tab} alerts.`}</p>
          </div>
        ) : (
          <ul className="alert-list" aria-label={`${tab} alerts`}>
            {alerts.data.map((alert) => (
              <li
                key={alert.id}
                className={`alert-row alert-${alert.severity}${fresh.has(alert.id) ? ' alert-fresh' : ''}`}
              >
                <span className={`badge severity severity-${alert.severity}`}>{alert.severity}</span>
                <div className="alert-text">
                  <strong>{alert.title}</strong>
                  <span className="muted small">
                    {alert.type} ·{' '}
                    <time dateTime={alert.createdAt} title={absoluteTime(alert.createdAt)}>
                      {relativeTime(alert.createdAt, now)}
                    </time>
                  </span>
                  <AlertLinks alert={alert} />
                </div>
                <span className="spacer" />
                {alert.status === 'open' ? (
                  <button type="button" className="btn btn-small" onClick={() => void setStatus(alert, 'acknowledged')}>
                    Acknowledge
                  </button>
                ) : null}
                {alert.status !== 'closed' ? (
                  <button
                    type="button"
                    className="btn btn-small btn-ghost"
                    onClick={() => void setStatus(alert, 'closed')}
                  >
                    Close
                  </button>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
