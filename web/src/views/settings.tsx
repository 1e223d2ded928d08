/**
 * Settings: one entry in the navigation, a page per area. Leads and admins (who run the desk)
 * set SLA targets and the business-hours calendars they count in, escalation, the reply
 * guidelines and webhooks, and read the audit trail of every change; everyone on the desk
 * manages their own API tokens here. People and sources stay in their own admin-only views. Each
 * form shows what the server refused right where it was typed.
 */
import { type ReactElement, type ReactNode, useCallback, useEffect, useState } from 'react';
import { linkHandler, navigate } from '../router.js';
import { can, useSession } from '../session.js';
import type { User } from '../api-types.js';
import { useResource } from '../data/resource.js';
import { settingsApi } from '../data/settings-api.js';
import { useUsers } from '../data/resources.js';
import { absoluteTime, relativeTime } from '../format.js';
import { FormError } from '../components/form-error.js';
import { TokensView } from './tokens.js';
import { SlaSettings } from './settings-sla.js';
import { CalendarSettings } from './settings-calendars.js';
import { EscalationSettings } from './settings-escalation.js';
import { GuidelineSettings } from './settings-guidelines.js';
import { WebhookSettings } from './settings-webhooks.js';

interface Page {
  readonly slug: string;
  readonly label: string;
  readonly role: User['role'];
  readonly view: () => ReactElement;
}

const PAGES: readonly Page[] = [
  { slug: 'sla', label: 'SLA targets', role: 'lead', view: () => <SlaSettings /> },
  { slug: 'calendars', label: 'Business hours', role: 'lead', view: () => <CalendarSettings /> },
  { slug: 'escalation', label: 'Escalation', role: 'lead', view: () => <EscalationSettings /> },
  { slug: 'guidelines', label: 'Guidelines', role: 'lead', view: () => <GuidelineSettings /> },
  { slug: 'webhooks', label: 'Webhooks', role: 'lead', view: () => <WebhookSettings /> },
  { slug: 'tokens', label: 'API tokens', role: 'agent', view: () => <TokensView /> },
  { slug: 'audit', label: 'Audit trail', role: 'lead', view: () => <AuditTrail /> },
];

export function SettingsView({ path }: { path: string }) {
  const { user } = useSession();
  const pages = PAGES.filter((page) => can(user, page.role));
  const slug = path.split('/')[2] ?? '';
  const page = pages.find((candidate) => candidate.slug === slug);
  useEffect(() => {
    if (!page && pages[0]) navigate(`/settings/${pages[0].slug}`, { replace: true });
  }, [page, pages]);
  return (
    <div className="settings">
      <nav className="settings-nav" aria-label="Settings">
        <p className="settings-title">Settings</p>
        <ul>
          {pages.map((candidate) => (
            <li key={candidate.slug}>
              <a
                href={`/settings/${candidate.slug}`}
                onClick={linkHandler(`/settings/${candidate.slug}`)}
                aria-current={candidate === page ? 'page' : undefined}
              >
                {candidate.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div className="settings-page">{page ? page.view() : null}</div>
    </div>
  );
}

/** An action's state for a form: busy while it runs, and the server's refusal to show in place. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const run = useCallback(async (action: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setProblem(null);
    try {
      await action();
      return true;
    } catch (caught) {
      setProblem(caught instanceof Error ? caught.message : String(caught));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, problem, setProblem, run };
}

/** The heading of one settings page: its h1 (the settings menu is navigation, not a heading). */
export function SettingsHead({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="settings-head">
      <h1>{title}</h1>
      {children ? <p className="muted">{children}</p> : null}
    </header>
  );
}

function AuditTrail() {
  const entries = useResource('settings-audit', (signal) => settingsApi.audit(200, signal));
  const users = useUsers();
  const name = (id: number | null) =>
    id === null ? 'the system' : (users.data?.find((user) => user.id === id)?.displayName ?? `user ${id}`);
  return (
    <section className="settings-section" aria-labelledby="audit-title">
      <header className="settings-head">
        <h1 id="audit-title">Audit trail</h1>
        <p className="muted">Every change to these settings: who, what and when, newest first.</p>
      </header>
      <FormError message={entries.error ? (entries.error as Error).message : null} />
      {entries.data === null ? (
        <p className="muted">Loading…</p>
      ) : entries.data.length === 0 ? (
        <p className="muted">No settings have been changed yet.</p>
      ) : (
        <div className="table-scroll">
          <table className="settings-table audit-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
              </tr>
            </thead>
            <tbody>
              {entries.data.map((entry) => (
                <tr key={entry.id}>
                  <td title={absoluteTime(entry.createdAt)}>{relativeTime(entry.createdAt)}</td>
                  <td>{name(entry.actorId)}</td>
                  <td>
                    {AREA_LABEL[entry.area] ?? entry.area} “{entry.subject}” {entry.change}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

const AREA_LABEL: Readonly<Record<string, string>> = {
  calendar: 'Business-hours calendar',
  stream: 'Stream',
  sla: 'SLA of',
  'ticket-rules': 'Ticket rules of',
  schedule: 'On-call schedule',
  policy: 'Escalation policy',
  contact: 'Contact of',
  guidelines: 'Guidelines',
  webhook: 'Webhook',
  'saved-view': 'Shared view',
};
