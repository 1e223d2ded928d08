/**
 * Services: each channel or account run as a service. Everyone on the desk sees the catalogue —
 * owner, stage, sources, targets, custody of the credentials (with rotation overdue flagged) and
 * the look-alike accounts imitating it; admins add a service from the form below.
 */
import { type FormEvent, useState } from 'react';
import { SERVICE_STAGES, type ServiceInput, type ServiceView } from '../api-types.js';
import { FormError } from '../components/form-error.js';
import { errorMessage } from '../data/resource.js';
import { servicesApi, useServices } from '../data/services.js';
import { can, useSession } from '../session.js';

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;
const list = (text: string) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
const optionalNumber = (text: string, scale = 1) => (text.trim() === '' ? undefined : Number(text) * scale);

export function ServicesView() {
  const { user } = useSession();
  const admin = can(user, 'admin');
  const { data: services, error, reload } = useServices();
  return (
    <div className="view services-view">
      <header className="view-head">
        <h1>Services</h1>
      </header>
      <FormError message={errorMessage(error, 'Could not load the services')} />
      {services === null ? (
        <p className="muted">Loading…</p>
      ) : services.length === 0 ? (
        <p className="muted">No services yet.{admin ? ' Add one below.' : ''}</p>
      ) : (
        services.map((service) => <ServiceCard key={service.id} service={service} />)
      )}
      {admin && <ServiceForm onSaved={reload} />}
    </div>
  );
}

function ServiceCard({ service }: { service: ServiceView }) {
  const { custody, targets, rotation } = service;
  return (
    <section className="card service-card" aria-label={`Service ${service.name}`}>
      <h2 className="card-title">
        {service.name} <span className={`stage stage-${service.stage}`}>{service.stage}</span>
      </h2>
      <p>{service.purpose}</p>
      <dl className="service-facts">
        <dt>Owner</dt>
        <dd>
          {service.owner}
          {service.ownerEmail ? ` <${service.ownerEmail}>` : ''}
        </dd>
        <dt>Audience</dt>
        <dd>{service.audience || '—'}</dd>
        <dt>Team</dt>
        <dd>{service.team ?? '—'}</dd>
        <dt>Sources</dt>
        <dd>{service.sources.join(', ') || '—'}</dd>
        <dt>Hours</dt>
        <dd>
          {service.hours
            ? `${service.hours.weekly.map((h) => `${h.day} ${h.from}–${h.to}`).join(', ')} (${service.hours.timeZone})`
            : 'Around the clock'}
        </dd>
        <dt>Targets</dt>
        <dd>
          {[
            targets.firstResponseMinutes !== undefined && `first response p90 ≤ ${targets.firstResponseMinutes} min`,
            targets.resolutionMinutes !== undefined && `resolution p90 ≤ ${targets.resolutionMinutes} min`,
            targets.slaAttainment !== undefined && `SLA ≥ ${Math.round(targets.slaAttainment * 100)}%`,
            targets.responseRate !== undefined && `response rate ≥ ${Math.round(targets.responseRate * 100)}%`,
            targets.sentimentRatio !== undefined && `negative:positive ≤ ${targets.sentimentRatio}`,
          ]
            .filter(Boolean)
            .join('; ') || 'None set'}
        </dd>
        <dt>Credentials</dt>
        <dd>
          {custody.credentialHolder ?? 'Holder not recorded'}; two-factor {custody.twoFactor ? 'on' : 'OFF'};{' '}
          <span className={rotation.overdue ? 'overdue' : ''}>
            {custody.lastRotatedAt
              ? `rotated ${custody.lastRotatedAt.slice(0, 10)}${rotation.overdue ? `, ${rotation.daysOverdue} days overdue` : `, next by ${rotation.dueAt?.slice(0, 10)}`}`
              : 'never recorded as rotated'}
          </span>
        </dd>
        <dt>Recovery</dt>
        <dd>
          {custody.recoveryContact ?? 'No contact'}
          {custody.recoveryPlan ? ` — ${custody.recoveryPlan}` : ''}
        </dd>
      </dl>
      {service.lookalikes.length > 0 && (
        <>
          <h3>Look-alike accounts</h3>
          <ul className="lookalikes">
            {service.lookalikes.map((lookalike) => (
              <li key={lookalike.alertId}>
                {lookalike.handle} imitating {lookalike.official}
                {lookalike.technique ? ` (${lookalike.technique})` : ''} — {lookalike.status}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function ServiceForm({ onSaved }: { onSaved: () => void }) {
  const [problem, setProblem] = useState<string | null>(null);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const field = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value;
    const checked = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).checked;
    const from = field('open');
    const to = field('close');
    const input: ServiceInput = {
      name: field('name'),
      purpose: field('purpose'),
      audience: field('audience'),
      owner: field('owner'),
      ownerEmail: field('ownerEmail') || null,
      team: field('team') || null,
      stage: field('stage') as ServiceInput['stage'],
      sources: list(field('sources')),
      handles: list(field('handles')),
      hours: field('timeZone')
        ? {
            timeZone: field('timeZone'),
            weekly: WEEKDAYS.map((day) => ({ day, from, to })),
            holidays: list(field('holidays')),
          }
        : null,
      targets: Object.fromEntries(
        Object.entries({
          firstResponseMinutes: optionalNumber(field('firstResponseMinutes')),
          resolutionMinutes: optionalNumber(field('resolutionMinutes')),
          slaAttainment: optionalNumber(field('slaAttainment'), 0.01),
          responseRate: optionalNumber(field('responseRate'), 0.01),
          sentimentRatio: optionalNumber(field('sentimentRatio')),
        }).filter(([, value]) => value !== undefined),
      ),
      custody: {
        credentialHolder: field('credentialHolder') || null,
        twoFactor: checked('twoFactor'),
        lastRotatedAt: field('lastRotatedAt') ? new Date(`${field('lastRotatedAt')}T00:00:00Z`).toISOString() : null,
        recoveryContact: field('recoveryContact') || null,
        recoveryPlan: field('recoveryPlan') || null,
      },
    };
    try {
      await servicesApi.create(input);
      setProblem(null);
      form.reset();
      onSaved();
    } catch (caught) {
      setProblem((caught as Error).message);
    }
  }
  const text = (name: string, label: string, props: Record<string, unknown> = {}) => (
    <label>
      {label}
      <input name={name} {...props} />
    </label>
  );
  return (
    <section className="card" aria-labelledby="service-form-title">
      <h2 className="card-title" id="service-form-title">
        Add a service
      </h2>
      <form className="service-form" onSubmit={submit}>
        <fieldset>
          <legend>Service</legend>
          {text('name', 'Name', { required: true })}
          {text('purpose', 'Purpose')}
          {text('audience', 'Audience')}
          {text('owner', 'Owner', { required: true })}
          {text('ownerEmail', 'Owner e-mail', { type: 'email' })}
          {text('team', 'Team')}
          <label>
            Stage
            <select name="stage" defaultValue="live">
              {SERVICE_STAGES.map((stage) => (
                <option key={stage}>{stage}</option>
              ))}
            </select>
          </label>
          {text('sources', 'Sources (comma-separated)')}
          {text('handles', 'Official handles (comma-separated)')}
        </fieldset>
        <fieldset>
          <legend>Hours of service (Mon–Fri; leave the zone empty for around the clock)</legend>
          {text('timeZone', 'Time zone', { placeholder: 'Europe/Amsterdam' })}
          {text('open', 'Opens', { defaultValue: '09:00', pattern: '\\d{2}:\\d{2}' })}
          {text('close', 'Closes', { defaultValue: '17:00', pattern: '\\d{2}:\\d{2}' })}
          {text('holidays', 'Holidays (YYYY-MM-DD, comma-separated)')}
        </fieldset>
        <fieldset>
          <legend>Targets</legend>
          {text('firstResponseMinutes', 'First response p90 (minutes)', { type: 'number', min: 0 })}
          {text('resolutionMinutes', 'Resolution p90 (minutes)', { type: 'number', min: 0 })}
          {text('slaAttainment', 'SLA attainment (%)', { type: 'number', min: 0, max: 100 })}
          {text('responseRate', 'Response rate (%)', { type: 'number', min: 0, max: 100 })}
          {text('sentimentRatio', 'Negative:positive at most', { type: 'number', min: 0, step: 'any' })}
        </fieldset>
        <fieldset>
          <legend>Custody</legend>
          {text('credentialHolder', 'Credential holder')}
          <label className="inline">
            <input name="twoFactor" type="checkbox" /> Two-factor on
          </label>
          {text('lastRotatedAt', 'Last rotated', { type: 'date' })}
          {text('recoveryContact', 'Recovery contact')}
          {text('recoveryPlan', 'Recovery plan')}
        </fieldset>
        <FormError message={problem} />
        <button type="submit" className="primary">
          Add service
        </button>
      </form>
    </section>
  );
}
