/**
 * The monthly report, mailed to each service owner: once the month has turned, every service
 * with an owner's address (and not retired) gets last month's report — a short text summary with
 * the PDF attached — exactly once. The month is claimed in the store before sending, so two
 * processes or a restart never mail twice; a failed send gives the claim back for the next run.
 * Checked hourly: a missed hour (a restart) only delays the mail.
 */
import type { Store } from '../store/open.js';
import type { MailTransport } from '../alerts/notify-email.js';
import { claimReportDelivery, listServices, releaseReportDelivery } from '../store/services.js';
import { reportHtml } from './html.js';
import { buildReport } from './report.js';
import { summaryRows } from './tables.js';

export interface MonthlyReportsDeps {
  readonly store: Store;
  readonly mail: Pick<MailTransport, 'send'>;
  /** Prints the PDF; when it fails the mail goes without it. */
  readonly print: (html: string) => Promise<Buffer>;
  readonly clock?: () => Date;
  readonly intervalMs?: number;
  readonly onError?: (error: unknown) => void;
}

export interface MonthlyReports {
  /** Sends what is due now; resolves with the services mailed (tests and `earshot` call it). */
  run(): Promise<string[]>;
  stop(): void;
}

export function startMonthlyReports(deps: MonthlyReportsDeps): MonthlyReports {
  const clock = deps.clock ?? (() => new Date());
  const onError = deps.onError ?? ((error: unknown) => console.error('monthly reports:', error));
  let running: Promise<string[]> | null = null;

  async function sendDue(): Promise<string[]> {
    const now = clock();
    const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
    const month = from.toISOString().slice(0, 7);
    const mailed: string[] = [];
    for (const service of await listServices(deps.store.db)) {
      if (!service.ownerEmail || service.stage === 'retired') continue;
      if (!(await claimReportDelivery(deps.store.db, service.id, month, now.toISOString()))) continue;
      try {
        const report = await buildReport(
          deps.store.db,
          { period: { from: from.toISOString(), to: to.toISOString() }, serviceId: service.id },
          now,
        );
        const pdf = await deps.print(reportHtml(report)).catch((error: unknown) => {
          onError(error);
          return null;
        });
        const section = report.services[0]!;
        const lines = summaryRows(section).map(
          ([label, value, before]) => `${label}: ${value ?? 'n/a'} (previous month ${before ?? 'n/a'})`,
        );
        const targets = section.targets.map(
          (check) =>
            `${check.label}: ${check.actual ?? 'n/a'} against ${check.goal} (${check.met === null ? 'n/a' : check.met ? 'met' : 'missed'})`,
        );
        await deps.mail.send({
          to: service.ownerEmail,
          subject: `[Earshot] ${service.name}: service report for ${month}`,
          text: [
            `Service report for ${service.name}, ${month}.`,
            '',
            ...lines,
            ...(targets.length ? ['', 'Targets:', ...targets] : []),
            '',
            pdf
              ? 'The full report is attached as a PDF.'
              : 'The PDF could not be printed this time; the desk has the full report.',
          ].join('\n'),
          ...(pdf && {
            attachments: [
              {
                filename: `earshot-${service.name.replace(/[^\w.-]+/g, '-')}-${month}.pdf`,
                content: pdf,
                contentType: 'application/pdf',
              },
            ],
          }),
        });
        mailed.push(service.name);
      } catch (error) {
        await releaseReportDelivery(deps.store.db, service.id, month);
        onError(error);
      }
    }
    return mailed;
  }

  const run = () => {
    running ??= sendDue().finally(() => {
      running = null;
    });
    return running;
  };
  const timer = setInterval(() => void run().catch(onError), deps.intervalMs ?? 3_600_000);
  timer.unref();
  return { run, stop: () => clearInterval(timer) };
}
