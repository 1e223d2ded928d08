/**
 * Custody reminders: a service whose credentials are overdue for rotation (or were never
 * recorded as rotated) raises a `custody` alert, one per service, refreshed while it stays
 * overdue; the alerts list, webhooks and escalation already reach people, so the reminder
 * travels the same way. Retired services are left alone.
 */
import { rotationState, type Service } from '../domain/service.js';
import type { Alert } from '../domain/alert.js';
import type { Store } from '../store/open.js';
import { raiseAlert } from '../store/alerts.js';
import { listServices } from '../store/services.js';

/** Raises or refreshes a reminder for each overdue service; returns the alerts newly opened. */
export async function remindOverdueRotations(store: Store, now: Date): Promise<Alert[]> {
  const opened: Alert[] = [];
  for (const service of await listServices(store.db)) {
    if (service.stage === 'retired' || service.stage === 'proposed') continue;
    const rotation = rotationState(service.custody, now);
    if (!rotation.overdue) continue;
    const { alert, created } = await raiseAlert(
      store.db,
      {
        type: 'custody',
        severity: rotation.daysOverdue > 30 || service.custody.lastRotatedAt === null ? 'critical' : 'warning',
        title: reminderTitle(service, rotation.daysOverdue),
        key: `custody:${service.id}`,
        evidence: {
          serviceId: service.id,
          service: service.name,
          credentialHolder: service.custody.credentialHolder,
          lastRotatedAt: service.custody.lastRotatedAt,
          dueAt: rotation.dueAt,
          daysOverdue: rotation.daysOverdue,
        },
      },
      now.toISOString(),
    );
    if (created) opened.push(alert);
  }
  return opened;
}

function reminderTitle(service: Service, daysOverdue: number): string {
  if (service.custody.lastRotatedAt === null)
    return `Credentials of ${service.name} have no recorded rotation: rotate them and record it`;
  return `Credentials of ${service.name} are ${daysOverdue} day${daysOverdue === 1 ? '' : 's'} overdue for rotation`;
}

/** Checks custody hourly (and once at start); `serve` runs it. */
export function startCustodyReminders(deps: {
  store: Store;
  clock?: () => Date;
  intervalMs?: number;
  onError?: (error: unknown) => void;
}): { stop(): void } {
  const clock = deps.clock ?? (() => new Date());
  const onError = deps.onError ?? ((error: unknown) => console.error('custody reminders:', error));
  const check = () => void remindOverdueRotations(deps.store, clock()).catch(onError);
  check();
  const timer = setInterval(check, deps.intervalMs ?? 3_600_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
