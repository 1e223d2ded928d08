/**
 * The service report: for the services a filter picks (one, a team's, or all), each service's
 * measures for the period beside the previous period and its targets, the same for all of them
 * together, and its improvement actions with the measure before (the baseline) and now. The
 * desk view, the CSV tables, the PDF and the monthly mail are all drawn from this one object.
 */
import type { Kysely } from 'kysely';
import type { ImprovableMeasure, ImprovementAction, Service, ServiceTargets } from '../domain/service.js';
import type { Database } from '../store/schema.js';
import { listImprovements, listServices } from '../store/services.js';
import { factsOf, type PeriodRows, periodRows } from '../store/report-facts.js';
import { type MeasureOptions, type Measures, measuresFrom, type Period, previousPeriod } from './measures.js';
import { scopeTopics, type Topic } from './topics.js';

export interface ReportFilter {
  readonly period: Period;
  readonly serviceId?: number;
  readonly team?: string;
  readonly agentId?: number;
}

export interface TargetCheck {
  readonly target: keyof ServiceTargets;
  readonly label: string;
  readonly goal: number;
  readonly actual: number | null;
  /** null when there is nothing to judge yet. */
  readonly met: boolean | null;
}

export interface ImprovementProgress {
  readonly action: ImprovementAction;
  readonly before: number | null;
  readonly now: number | null;
}

export interface ReportSection {
  /** null for the section covering every service the filter picked. */
  readonly service: Service | null;
  readonly title: string;
  readonly current: Measures;
  readonly previous: Measures;
  readonly targets: readonly TargetCheck[];
  readonly improvements: readonly ImprovementProgress[];
  /** What the period's posts were about, against the period before. */
  readonly topics: readonly Topic[];
}

export interface Report {
  readonly period: Period;
  readonly previousPeriod: Period;
  readonly filter: ReportFilter;
  readonly generatedAt: string;
  readonly overall: ReportSection;
  readonly services: readonly ReportSection[];
  /** The filter picked one service: `overall` is that service again, and tables show it once. */
  readonly single: boolean;
}

export async function buildReport(db: Kysely<Database>, filter: ReportFilter, now: Date): Promise<Report> {
  const [all, actions] = await Promise.all([listServices(db), listImprovements(db)]);
  const chosen = all.filter(
    (service) =>
      (filter.serviceId === undefined || service.id === filter.serviceId) &&
      (filter.team === undefined || service.team === filter.team),
  );
  const previous = previousPeriod(filter.period);
  const asOf = now.toISOString();
  // Everything (no filter), or the union of the chosen services' sources. Without one calendar
  // for all, times here are wall-clock.
  const narrowed = filter.serviceId !== undefined || filter.team !== undefined;
  const sources = narrowed ? [...new Set(chosen.flatMap((service) => service.sources))] : null;
  const single = chosen.length === 1 && narrowed ? chosen[0]! : null;

  // Each period is read once for every section: the union's rows, narrowed per service in memory.
  const scope = { sources, agentId: filter.agentId };
  const topicScopes = single ? [single.sources] : [...chosen.map((service) => service.sources), sources];
  const readNow = periodRows(db, scope, filter.period.from, filter.period.to);
  const readBefore = periodRows(db, scope, previous.from, previous.to);
  const sourcesWithPosts = async (rows: Promise<PeriodRows>) => [
    ...new Set((await rows).postCounts.map((row) => row.source)),
  ];
  const [rowsNow, rowsBefore, topics] = await Promise.all([
    readNow,
    readBefore,
    scopeTopics(db, topicScopes, filter.period, previous, 10, {
      period: sourcesWithPosts(readNow),
      previous: sourcesWithPosts(readBefore),
    }),
  ]);
  const measured = (rows: PeriodRows, period: Period, sourcesOf: readonly string[] | null, options: MeasureOptions) =>
    measuresFrom(factsOf(rows, sourcesOf), period, options);

  const sections: ReportSection[] = chosen.map((service, index) => {
    const options = { scope: { sources: service.sources, agentId: filter.agentId }, calendar: service.hours, asOf };
    const current = measured(rowsNow, filter.period, service.sources, options);
    return {
      service,
      title: service.name,
      current,
      previous: measured(rowsBefore, previous, service.sources, options),
      targets: checkTargets(service.targets, current),
      improvements: actions
        .filter((action) => action.serviceId === service.id)
        .map((action) => ({ action, before: action.baseline, now: measureValue(current, action.measure) })),
      topics: topics[index]!,
    };
  });
  // One service chosen: the overall section is that service's own (same sources, same calendar).
  const overallOptions = { scope, calendar: null, asOf };
  const current = single ? sections[0]!.current : measured(rowsNow, filter.period, sources, overallOptions);
  const before = single ? sections[0]!.previous : measured(rowsBefore, previous, sources, overallOptions);
  return {
    period: filter.period,
    previousPeriod: previous,
    filter,
    generatedAt: asOf,
    overall: {
      service: null,
      title: single ? single.name : filter.team ? `Team ${filter.team}` : 'All channels',
      current,
      previous: before,
      targets: single ? checkTargets(single.targets, current) : [],
      improvements: [],
      topics: single ? sections[0]!.topics : topics[chosen.length]!,
    },
    services: sections,
    single: single !== null,
  };
}

/** The value of a measure an improvement action aims at. */
export function measureValue(measures: Measures, name: ImprovableMeasure): number | null {
  switch (name) {
    case 'firstResponseP50':
      return measures.firstResponse.p50;
    case 'firstResponseP90':
      return measures.firstResponse.p90;
    case 'resolutionP50':
      return measures.resolution.p50;
    case 'resolutionP90':
      return measures.resolution.p90;
    case 'slaAttainment':
      return measures.slaAttainment;
    case 'responseRate':
      return measures.responseRate;
    case 'negativePositiveRatio':
      return measures.sentiment.ratio;
    case 'backlog':
      return measures.backlog;
    case 'volumeIn':
      return measures.volumeIn;
  }
}

export function checkTargets(targets: ServiceTargets, measures: Measures): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const atMost = (target: keyof ServiceTargets, label: string, actual: number | null) => {
    const goal = targets[target];
    if (goal !== undefined) checks.push({ target, label, goal, actual, met: actual === null ? null : actual <= goal });
  };
  const atLeast = (target: keyof ServiceTargets, label: string, actual: number | null) => {
    const goal = targets[target];
    if (goal !== undefined) checks.push({ target, label, goal, actual, met: actual === null ? null : actual >= goal });
  };
  atMost('firstResponseMinutes', 'First response p90 (min)', measures.firstResponse.p90);
  atMost('resolutionMinutes', 'Resolution p90 (min)', measures.resolution.p90);
  atLeast('slaAttainment', 'SLA attainment', measures.slaAttainment);
  atLeast('responseRate', 'Response rate', measures.responseRate);
  atMost('sentimentRatio', 'Negative:positive', measures.sentiment.ratio);
  return checks;
}
