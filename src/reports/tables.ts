/**
 * The report as tables: what the desk shows under each chart, what CSV exports, and what the
 * PDF prints. One list, so every table on screen can be exported and nothing printed differs.
 */
import type { Measures } from './measures.js';
import type { Report, ReportSection } from './report.js';

export type Cell = string | number | null;

export interface ReportTable {
  /** Stable name, used in the CSV export's URL (`?table=`). */
  readonly name: string;
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
}

export const TABLE_NAMES = ['summary', 'targets', 'agents', 'kinds', 'topics', 'sentiment', 'improvements'] as const;
export type TableName = (typeof TABLE_NAMES)[number];

const SUMMARY_ROWS: readonly [string, (m: Measures) => number | null][] = [
  ['Posts in', (m) => m.volumeIn],
  ['Replies out', (m) => m.volumeOut],
  ['Tickets', (m) => m.tickets],
  ['Response rate', (m) => m.responseRate],
  ['First response p50 (min)', (m) => m.firstResponse.p50],
  ['First response p90 (min)', (m) => m.firstResponse.p90],
  ['Resolution p50 (min)', (m) => m.resolution.p50],
  ['Resolution p90 (min)', (m) => m.resolution.p90],
  ['SLA attainment', (m) => m.slaAttainment],
  ['Backlog at end', (m) => m.backlog],
  ['Incidents', (m) => m.incidents.count],
  ['First public update p50 (min)', (m) => m.incidents.firstUpdate.p50],
  ['Negative:positive', (m) => m.sentiment.ratio],
  ['People answered', (m) => m.reach.people],
  ['Their followers', (m) => m.reach.followers],
  ['Alerts raised', (m) => m.alerts.raised],
  ['Time to acknowledge p50 (min)', (m) => m.alerts.timeToAcknowledge.p50],
];

/** The summary rows for one section: measure, this period, previous period. */
export function summaryRows(section: ReportSection): [string, number | null, number | null][] {
  return SUMMARY_ROWS.map(([label, pick]) => [label, round(pick(section.current)), round(pick(section.previous))]);
}

export function reportTables(report: Report): ReportTable[] {
  const sections = report.single ? report.services : [report.overall, ...report.services];
  return [
    {
      name: 'summary',
      title: 'Measures, this period and the previous one',
      columns: ['service', 'measure', 'this period', 'previous period'],
      rows: sections.flatMap((section) => summaryRows(section).map((row) => [section.title, ...row])),
    },
    {
      name: 'targets',
      title: 'Targets',
      columns: ['service', 'target', 'goal', 'actual', 'met'],
      rows: sections.flatMap((section) =>
        section.targets.map((check) => [
          section.title,
          check.label,
          check.goal,
          round(check.actual),
          check.met === null ? 'n/a' : check.met ? 'yes' : 'no',
        ]),
      ),
    },
    {
      name: 'agents',
      title: 'Replies per agent',
      columns: ['service', 'agent', 'replies'],
      rows: sections.flatMap((section) =>
        section.current.repliesPerAgent.map((row) => [section.title, row.name, row.replies]),
      ),
    },
    {
      name: 'kinds',
      title: 'Top kinds of post',
      columns: ['service', 'kind', 'posts'],
      rows: sections.flatMap((section) => section.current.topKinds.map((row) => [section.title, row.kind, row.count])),
    },
    {
      name: 'topics',
      title: 'Topics (share of posts, against the previous period)',
      columns: ['service', 'topic', 'posts', 'share %', 'previous share %'],
      rows: sections.flatMap((section) =>
        section.topics.map((topic) => [
          section.title,
          topic.term,
          topic.posts,
          Math.round(topic.share * 1000) / 10,
          Math.round(topic.previousShare * 1000) / 10,
        ]),
      ),
    },
    {
      name: 'sentiment',
      title: 'Sentiment by day',
      columns: ['service', 'day', 'positive', 'neutral', 'negative', 'negative:positive'],
      rows: sections.flatMap((section) =>
        section.current.sentimentTrend.map((row) => [
          section.title,
          row.day,
          row.positive,
          row.neutral,
          row.negative,
          round(row.ratio),
        ]),
      ),
    },
    {
      name: 'improvements',
      title: 'Improvement actions',
      columns: ['service', 'action', 'owner', 'due', 'status', 'measure', 'before', 'now', 'goal'],
      rows: sections.flatMap((section) =>
        section.improvements.map(({ action, before, now }) => [
          section.title,
          action.title,
          action.owner,
          action.dueAt.slice(0, 10),
          action.status,
          action.measure,
          round(before),
          round(now),
          round(action.goal),
        ]),
      ),
    },
  ];
}

function round(value: number | null): number | null {
  return value === null ? null : Math.round(value * 1000) / 1000;
}
