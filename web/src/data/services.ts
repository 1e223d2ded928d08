/**
 * The service catalogue and reports for the desk: API calls and the hooks the Services and
 * Reports views load through (`useResource`), kept beside the other resources' file.
 */
import { query, request } from '../api.js';
import type { Improvement, Report, ReportTable, ServiceInput, ServiceView } from '../api-types.js';
import { useResource, type Resource } from './resource.js';

export interface ReportParams {
  readonly from?: string;
  readonly to?: string;
  readonly service?: number;
  readonly team?: string;
  readonly agent?: number;
}

export type ReportWithTables = Report & { tables: ReportTable[] };

export const servicesApi = {
  list: (signal?: AbortSignal) => request<{ services: ServiceView[] }>('GET', '/services', undefined, signal),
  create: (input: ServiceInput) => request<ServiceView>('POST', '/services', input),
  update: (id: number, input: Partial<ServiceInput>) => request<ServiceView>('PATCH', `/services/${id}`, input),
  addImprovement: (serviceId: number, input: Record<string, unknown>) =>
    request<Improvement>('POST', `/services/${serviceId}/improvements`, input),
  report: (params: ReportParams, signal?: AbortSignal) =>
    request<ReportWithTables>('GET', `/reports${query({ ...params })}`, undefined, signal),
};

/** The report's CSV (one table) and PDF addresses, for download links. */
export const reportUrl = (kind: 'csv' | 'pdf', params: ReportParams, table?: string): string =>
  `/api/reports/${kind}${query({ ...params, table })}`;

export function useServices(): Resource<ServiceView[]> {
  return useResource('services', (signal) => servicesApi.list(signal).then(({ services }) => services));
}

export function useReport(params: ReportParams): Resource<ReportWithTables> {
  return useResource(`report${query({ ...params })}`, (signal) => servicesApi.report(params, signal));
}
