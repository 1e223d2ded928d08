/**
 * A report request's filter from its query: the period defaults to the last 30 whole days up to
 * the end of today (UTC); a period must run forwards and span at most a year and a day.
 */
import { invalid } from '../domain/errors.js';
import type { ReportFilter } from './report.js';

const DAY = 86_400_000;
const LONGEST = 367 * DAY;

export interface FilterQuery {
  readonly from?: string;
  readonly to?: string;
  readonly service?: number;
  readonly team?: string;
  readonly agent?: number;
}

export function reportFilter(query: FilterQuery, now: Date): ReportFilter {
  const endOfToday = Math.floor(now.getTime() / DAY) * DAY + DAY;
  const to = query.to ? Date.parse(query.to) : endOfToday;
  const from = query.from ? Date.parse(query.from) : to - 30 * DAY;
  if (!(to > from)) throw invalid('the period must end after it starts');
  if (to - from > LONGEST) throw invalid('a report covers at most 367 days');
  return {
    period: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
    ...(query.service !== undefined && { serviceId: query.service }),
    ...(query.team !== undefined && { team: query.team }),
    ...(query.agent !== undefined && { agentId: query.agent }),
  };
}
