/**
 * Reports: each service's measures for a period beside the previous period and its targets,
 * for all services together and one by one, with a uPlot chart of daily sentiment, every table
 * exportable as CSV, the whole as a PDF printed by the server, and each service's improvement
 * actions (before and now) with a form to add one.
 */
import { type FormEvent, useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { IMPROVABLE_MEASURES, type ReportSection, type ReportTable } from '../api-types.js';
import { FormError } from '../components/form-error.js';
import { SENTIMENT_COLOURS } from '../components/volume-chart.js';
import { errorMessage } from '../data/resource.js';
import { type ReportParams, reportUrl, servicesApi, useReport, useServices } from '../data/services.js';
import { useUsers } from '../data/resources.js';
import { can, useSession } from '../session.js';

const DAY = 86_400_000;
const today = () => new Date(Math.floor(Date.now() / DAY) * DAY);
const dateOnly = (date: Date) => date.toISOString().slice(0, 10);

export function ReportsView() {
  const { user } = useSession();
  const admin = can(user, 'admin');
  const [from, setFrom] = useState(dateOnly(new Date(today().getTime() - 29 * DAY)));
  const [to, setTo] = useState(dateOnly(today()));
  const [service, setService] = useState('');
  const [team, setTeam] = useState('');
  const [agent, setAgent] = useState('');
  const services = useServices().data ?? [];
  const agents = useUsers().data ?? [];
  const params: ReportParams = {
    from: `${from}T00:00:00.000Z`,
    to: new Date(Date.parse(`${to}T00:00:00.000Z`) + DAY).toISOString(),
    ...(service && { service: Number(service) }),
    ...(team && { team }),
    ...(agent && { agent: Number(agent) }),
  };
  const { data: report, error, reload } = useReport(params);
  const teams = [...new Set(services.map((s) => s.team).filter((t): t is string => !!t))];
  const sections = report ? (report.single ? report.services : [report.overall, ...report.services]) : [];

  return (
    <div className="view reports-view">
      <header className="view-head">
        <h1>Reports</h1>
        <a className="button" href={reportUrl('pdf', params)} download>
          Download PDF
        </a>
      </header>
      <form className="report-filters" onSubmit={(event) => event.preventDefault()} aria-label="Report filters">
        <label>
          From
          <input type="date" name="from" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          To
          <input type="date" name="to" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <label>
          Service
          <select name="service" value={service} onChange={(e) => setService(e.target.value)}>
            <option value="">All</option>
            {services.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Team
          <select name="team" value={team} onChange={(e) => setTeam(e.target.value)}>
            <option value="">All</option>
            {teams.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Agent
          <select name="agent" value={agent} onChange={(e) => setAgent(e.target.value)}>
            <option value="">All</option>
            {agents.map((a) => (
              <option key={a.id} value={a.id}>
                {a.displayName}
              </option>
            ))}
          </select>
        </label>
      </form>
      <FormError message={errorMessage(error, 'Could not load the report')} />
      {report === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <>
          {sections.map((section) => (
            <Section key={section.service?.id ?? 'all'} section={section} admin={admin} onChanged={reload} />
          ))}
          <section className="card" aria-labelledby="report-tables-title">
            <h2 className="card-title" id="report-tables-title">
              Tables
            </h2>
            {report.tables.map((table) => (
              <Table key={table.name} table={table} href={reportUrl('csv', params, table.name)} />
            ))}
          </section>
        </>
      )}
    </div>
  );
}

const figure = (value: number | null, unit = '') => (value === null ? '—' : `${Math.round(value * 100) / 100}${unit}`);
const percent = (value: number | null) => (value === null ? '—' : `${Math.round(value * 1000) / 10}%`);

function Section({ section, admin, onChanged }: { section: ReportSection; admin: boolean; onChanged: () => void }) {
  const m = section.current;
  const p = section.previous;
  const tiles: [string, string, string][] = [
    ['Posts in', figure(m.volumeIn), figure(p.volumeIn)],
    ['Replies out', figure(m.volumeOut), figure(p.volumeOut)],
    ['Response rate', percent(m.responseRate), percent(p.responseRate)],
    ['First response p50', figure(m.firstResponse.p50, ' min'), figure(p.firstResponse.p50, ' min')],
    ['First response p90', figure(m.firstResponse.p90, ' min'), figure(p.firstResponse.p90, ' min')],
    ['Resolution p90', figure(m.resolution.p90, ' min'), figure(p.resolution.p90, ' min')],
    ['SLA attainment', percent(m.slaAttainment), percent(p.slaAttainment)],
    ['Backlog', figure(m.backlog), figure(p.backlog)],
    ['Incidents', figure(m.incidents.count), figure(p.incidents.count)],
    ['Negative:positive', figure(m.sentiment.ratio), figure(p.sentiment.ratio)],
    ['People answered', figure(m.reach.people), figure(p.reach.people)],
    ['Alerts', figure(m.alerts.raised), figure(p.alerts.raised)],
  ];
  return (
    <section className="card report-section" aria-label={`Report for ${section.title}`}>
      <h2 className="card-title">
        {section.title}
        {m.businessHours && <small> (business hours)</small>}
      </h2>
      <div className="report-tiles">
        {tiles.map(([label, now, before]) => (
          <div key={label} className="report-tile">
            <span className="tile-label">{label}</span>
            <strong>{now}</strong>
            <span className="muted">was {before}</span>
          </div>
        ))}
      </div>
      {section.targets.length > 0 && (
        <ul className="report-targets">
          {section.targets.map((check) => (
            <li key={check.target} className={check.met === false ? 'missed' : check.met ? 'met' : ''}>
              {check.label}: {figure(check.actual)} against {check.goal} —{' '}
              {check.met === null ? 'nothing to judge' : check.met ? 'met' : 'missed'}
            </li>
          ))}
        </ul>
      )}
      <TrendChart section={section} />
      {section.service && (
        <Improvements section={section} admin={admin} serviceId={section.service.id} onChanged={onChanged} />
      )}
    </section>
  );
}

function TrendChart({ section }: { section: ReportSection }) {
  const holder = useRef<HTMLDivElement>(null);
  const trend = section.current.sentimentTrend;
  useEffect(() => {
    const element = holder.current;
    if (!element || trend.length === 0) return;
    const line = (label: string, stroke: string): uPlot.Series => ({ label, stroke, width: 2 });
    const plot = new uPlot(
      {
        width: Math.max(280, element.clientWidth),
        height: 200,
        series: [
          {},
          line('Negative', SENTIMENT_COLOURS.negative),
          line('Neutral', SENTIMENT_COLOURS.neutral),
          line('Positive', SENTIMENT_COLOURS.positive),
        ],
      },
      [
        trend.map((day) => Date.parse(`${day.day}T00:00:00Z`) / 1000),
        trend.map((day) => day.negative),
        trend.map((day) => day.neutral),
        trend.map((day) => day.positive),
      ],
      element,
    );
    return () => plot.destroy();
  }, [trend]);
  return trend.length === 0 ? null : (
    <div ref={holder} className="chart" role="img" aria-label={`Posts by sentiment per day, ${section.title}`} />
  );
}

function Improvements({
  section,
  admin,
  serviceId,
  onChanged,
}: {
  section: ReportSection;
  admin: boolean;
  serviceId: number;
  onChanged: () => void;
}) {
  const [problem, setProblem] = useState<string | null>(null);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const field = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value;
    try {
      await servicesApi.addImprovement(serviceId, {
        title: field('title'),
        owner: field('owner'),
        dueAt: new Date(`${field('dueAt')}T00:00:00Z`).toISOString(),
        measure: field('measure'),
        ...(field('goal') !== '' && { goal: Number(field('goal')) }),
      });
      setProblem(null);
      form.reset();
      onChanged();
    } catch (caught) {
      setProblem((caught as Error).message);
    }
  }
  return (
    <div className="improvements">
      <h3>Improvement actions</h3>
      {section.improvements.length === 0 ? (
        <p className="muted">None yet.</p>
      ) : (
        <ul>
          {section.improvements.map(({ action, before, now }) => (
            <li key={action.id}>
              {action.title} ({action.owner}, due {action.dueAt.slice(0, 10)}, {action.status}): {action.measure} before{' '}
              {figure(before)}, now {figure(now)}
              {action.goal !== null ? `, goal ${figure(action.goal)}` : ''}
            </li>
          ))}
        </ul>
      )}
      {admin && (
        <form
          className="improvement-form"
          onSubmit={submit}
          aria-label={`Add an improvement action to ${section.title}`}
        >
          <input name="title" placeholder="Action" required />
          <input name="owner" placeholder="Owner" required />
          <input name="dueAt" type="date" required aria-label="Due" />
          <select name="measure" aria-label="Measure">
            {IMPROVABLE_MEASURES.map((measure) => (
              <option key={measure}>{measure}</option>
            ))}
          </select>
          <input name="goal" type="number" step="any" placeholder="Goal" />
          <button type="submit">Add action</button>
          <FormError message={problem} />
        </form>
      )}
    </div>
  );
}

function Table({ table, href }: { table: ReportTable; href: string }) {
  return (
    <div className="report-table">
      <h3>
        {table.title}{' '}
        <a href={href} download className="export">
          Export CSV
        </a>
      </h3>
      {table.rows.length === 0 ? (
        <p className="muted">Nothing in this period.</p>
      ) : (
        // Focusable and named: a table wider than a phone scrolls, and the keyboard must reach it too.
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take the focus to scroll by keyboard
        <section className="table-scroll" tabIndex={0} aria-label={`${table.title} (scrolls sideways)`}>
          <table>
            <thead>
              <tr>
                {table.columns.map((column) => (
                  <th key={column}>{column}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.rows.map((row, index) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place in the table
                <tr key={index}>
                  {row.map((cell, column) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: cells are positional
                    <td key={column}>{cell ?? '—'}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}
