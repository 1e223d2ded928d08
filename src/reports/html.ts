/**
 * The printable report as one HTML document: page one is the summary for management (each
 * service's headline measures against the previous period and its targets, in plain words),
 * then the detail tables (the same `reportTables` the CSV export gives). Everything from the
 * store is escaped: service names and agents' names are user input.
 */
import type { Report, ReportSection } from './report.js';
import { type Cell, reportTables } from './tables.js';

export function reportHtml(report: Report): string {
  const period = `${report.period.from.slice(0, 10)} to ${dayBefore(report.period.to)}`;
  const sections = report.single ? report.services : [report.overall, ...report.services];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Earshot service report ${escapeHtml(period)}</title>
<style>
  @page { size: A4; margin: 14mm; }
  body { font: 10pt/1.35 system-ui, sans-serif; color: #111; }
  h1 { font-size: 17pt; margin: 0 0 2mm; } h2 { font-size: 12pt; margin: 5mm 0 1mm; }
  .summary { page-break-after: always; }
  .lead { color: #444; margin: 0 0 4mm; }
  table { border-collapse: collapse; width: 100%; margin: 1mm 0 3mm; }
  th, td { border-bottom: 1px solid #ccc; padding: 1mm 2mm; text-align: left; }
  td.n { text-align: right; font-variant-numeric: tabular-nums; }
  .met { color: #1a7f37; } .missed { color: #b42318; }
</style></head>
<body>
<section class="summary">
  <h1>Management summary</h1>
  <p class="lead">Social channels run as services, ${escapeHtml(period)}, compared with ${escapeHtml(report.previousPeriod.from.slice(0, 10))} to ${escapeHtml(dayBefore(report.previousPeriod.to))}. Generated ${escapeHtml(report.generatedAt.slice(0, 16).replace('T', ' '))} UTC.</p>
  ${sections.map(summaryOf).join('\n')}
</section>
<section>
  <h1>Detail</h1>
  ${reportTables(report)
    .filter((table) => table.rows.length > 0)
    .map(
      (table) => `<h2>${escapeHtml(table.title)}</h2>
  <table><thead><tr>${table.columns.map((column) => `<th>${escapeHtml(column)}</th>`).join('')}</tr></thead>
  <tbody>${table.rows.map((row) => `<tr>${row.map(cell).join('')}</tr>`).join('')}</tbody></table>`,
    )
    .join('\n')}
</section>
</body></html>`;
}

function summaryOf(section: ReportSection): string {
  const m = section.current;
  const p = section.previous;
  const lines = [
    `${m.volumeIn} posts in (${change(m.volumeIn, p.volumeIn)}), ${m.volumeOut} replies out, ${m.tickets} tickets.`,
    `Response rate ${percent(m.responseRate)} (was ${percent(p.responseRate)}); SLA attained ${percent(m.slaAttainment)} (was ${percent(p.slaAttainment)}).`,
    `First response p50 ${minutes(m.firstResponse.p50)}, p90 ${minutes(m.firstResponse.p90)}; resolution p90 ${minutes(m.resolution.p90)}${m.businessHours ? ' (business hours)' : ''}.`,
    `Backlog at the end ${m.backlog} (was ${p.backlog}); ${m.incidents.count} incidents; negative:positive ${ratio(m.sentiment.ratio)} (was ${ratio(p.sentiment.ratio)}).`,
  ];
  const targets = section.targets.length
    ? `<ul>${section.targets
        .map(
          (check) =>
            `<li class="${check.met === false ? 'missed' : check.met ? 'met' : ''}">${escapeHtml(check.label)}: ${escapeHtml(String(round(check.actual) ?? 'n/a'))} against ${escapeHtml(String(check.goal))} — ${check.met === null ? 'nothing to judge' : check.met ? 'met' : 'missed'}</li>`,
        )
        .join('')}</ul>`
    : '';
  return `<h2>${escapeHtml(section.title)}${section.service ? ` <small>(${escapeHtml(section.service.stage)}, owner ${escapeHtml(section.service.owner)})</small>` : ''}</h2>
  <p>${lines.map(escapeHtml).join('<br>')}</p>${targets}`;
}

function cell(value: Cell): string {
  return typeof value === 'number' ? `<td class="n">${value}</td>` : `<td>${escapeHtml(value ?? '')}</td>`;
}

function change(now: number, before: number): string {
  if (before === 0) return now === 0 ? 'no change' : 'none before';
  const delta = Math.round(((now - before) / before) * 100);
  return `${delta >= 0 ? '+' : ''}${delta}% on the previous period`;
}

const percent = (value: number | null) => (value === null ? 'n/a' : `${Math.round(value * 1000) / 10}%`);
const minutes = (value: number | null) => (value === null ? 'n/a' : `${Math.round(value)} min`);
const ratio = (value: number | null) => (value === null ? 'n/a' : (Math.round(value * 100) / 100).toFixed(2));
const round = (value: number | null) => (value === null ? null : Math.round(value * 1000) / 1000);

function dayBefore(iso: string): string {
  return new Date(Date.parse(iso) - 1).toISOString().slice(0, 10);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
