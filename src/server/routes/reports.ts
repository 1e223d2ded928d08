/**
 * Service reports: the report as JSON (the desk's Reports view), each of its tables as CSV, and
 * the whole as a PDF printed server-side from the same data. Filters: period, service, team,
 * agent (`src/reports/filter.ts`).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { notFound } from '../../domain/errors.js';
import { toCsv } from '../../reports/csv.js';
import { reportFilter } from '../../reports/filter.js';
import { reportHtml } from '../../reports/html.js';
import { printPdf } from '../../reports/pdf.js';
import { buildReport, type Report } from '../../reports/report.js';
import { reportTables, TABLE_NAMES } from '../../reports/tables.js';
import { getService } from '../../store/services.js';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';
import { errorResponses, literals } from '../schemas.js';
import { ReportQuerySchema, ReportSchema, type ReportQuery } from '../service-schemas.js';

export const reportRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  const db = context.store.db;

  const report = async (query: ReportQuery): Promise<Report> => {
    const now = context.clock();
    const filter = reportFilter(query, now);
    if (filter.serviceId !== undefined && !(await getService(db, filter.serviceId)))
      throw notFound('Service', filter.serviceId);
    return buildReport(db, filter, now);
  };
  const fileName = (report: Report, ext: string, table?: string) =>
    `earshot-report-${report.period.from.slice(0, 10)}-${report.period.to.slice(0, 10)}${table ? `-${table}` : ''}.${ext}`;

  app.get(
    '/reports',
    endpoint('agent', ['reports'], {
      querystring: ReportQuerySchema,
      response: { 200: ReportSchema, ...errorResponses },
    }),
    async (request) => {
      const built = await report(request.query);
      return { ...built, tables: reportTables(built) };
    },
  );

  app.get(
    '/reports/csv',
    endpoint('agent', ['reports'], {
      querystring: Type.Object(
        { ...ReportQuerySchema.properties, table: literals(TABLE_NAMES) },
        { additionalProperties: false },
      ),
      response: { 200: Type.String(), ...errorResponses },
    }),
    async (request, reply) => {
      const { table: name, ...query } = request.query;
      const built = await report(query);
      const table = reportTables(built).find((candidate) => candidate.name === name)!;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${fileName(built, 'csv', name)}"`)
        .send(toCsv(table));
    },
  );

  app.get(
    '/reports/pdf',
    endpoint('agent', ['reports'], {
      querystring: ReportQuerySchema,
      response: { 200: Type.Unknown(), ...errorResponses },
    }),
    async (request, reply) => {
      const built = await report(request.query);
      const pdf = await printPdf(reportHtml(built), context.config.chromiumPath);
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="${fileName(built, 'pdf')}"`)
        .send(pdf);
    },
  );
};
