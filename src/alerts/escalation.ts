/**
 * Escalation: on-call schedules and escalation policies. A policy is a list of steps (notify
 * these people or whoever is on call in these schedules, then wait N minutes for an
 * acknowledgement before the next step). Schedules are plain rotations over UTC time, so nights
 * and weekends are covered like any other hour. The engine is pure and clock-driven: `start`,
 * `acknowledge` and `tick(now)` return the notifications to send; `Notifier`s send them
 * (webhook, e-mail).
 */

export interface OnCallSchedule {
  readonly id: string;
  /** People in rotation order. */
  readonly userIds: readonly number[];
  /** When the first person's first shift began (ISO). */
  readonly startsAt: string;
  readonly shiftHours: number;
  /** Temporary swaps: this person holds the schedule from..to (ISO). */
  readonly overrides?: readonly { readonly userId: number; readonly from: string; readonly to: string }[];
}

export type EscalationTarget = { readonly userId: number } | { readonly scheduleId: string };

export interface EscalationStep {
  readonly targets: readonly EscalationTarget[];
  /** Minutes to wait for an acknowledgement before the next step. */
  readonly waitMinutes: number;
}

export interface EscalationPolicy {
  readonly id: string;
  readonly steps: readonly EscalationStep[];
  /** Times to run the whole list again when nobody acknowledges (0: once). */
  readonly repeat?: number;
}

export interface Notification {
  readonly escalationId: string;
  readonly userIds: number[];
  readonly step: number;
  readonly round: number;
  readonly subject: string;
  /** True when the policy ran out with nobody acknowledging. */
  readonly exhausted: boolean;
}

interface Running {
  readonly policy: EscalationPolicy;
  readonly subject: string;
  step: number;
  round: number;
  deadline: number;
  acknowledgedBy: number | null;
}

/** Who holds a schedule at a time. */
export function onCallAt(schedule: OnCallSchedule, at: number): number | null {
  for (const override of schedule.overrides ?? []) if (Date.parse(override.from) <= at && at < Date.parse(override.to)) return override.userId;
  if (schedule.userIds.length === 0) return null;
  const shifts = Math.floor((at - Date.parse(schedule.startsAt)) / (schedule.shiftHours * 3_600_000));
  const index = ((shifts % schedule.userIds.length) + schedule.userIds.length) % schedule.userIds.length;
  return schedule.userIds[index]!;
}

export class EscalationEngine {
  readonly #schedules: Map<string, OnCallSchedule>;
  readonly #running = new Map<string, Running>();

  constructor(schedules: readonly OnCallSchedule[]) {
    this.#schedules = new Map(schedules.map((schedule) => [schedule.id, schedule]));
  }

  /** Starts escalating (e.g. `incident:7`); notifies step 1 now. A running one is left alone. */
  start(escalationId: string, policy: EscalationPolicy, subject: string, now: number): Notification[] {
    if (this.#running.has(escalationId) || policy.steps.length === 0) return [];
    const running: Running = { policy, subject, step: 0, round: 0, deadline: 0, acknowledgedBy: null };
    this.#running.set(escalationId, running);
    return [this.#notify(escalationId, running, now)];
  }

  /** Anyone notified so far (or anyone at all: several people hold authority) may acknowledge. */
  acknowledge(escalationId: string, userId: number): boolean {
    const running = this.#running.get(escalationId);
    if (!running || running.acknowledgedBy !== null) return false;
    running.acknowledgedBy = userId;
    return true;
  }

  /** Advances every unacknowledged escalation whose wait is over. */
  tick(now: number): Notification[] {
    const sent: Notification[] = [];
    for (const [id, running] of this.#running) {
      if (running.acknowledgedBy !== null) {
        this.#running.delete(id);
        continue;
      }
      while (running.acknowledgedBy === null && now >= running.deadline) {
        running.step += 1;
        if (running.step >= running.policy.steps.length) {
          running.step = 0;
          running.round += 1;
          if (running.round > (running.policy.repeat ?? 0)) {
            sent.push({ escalationId: id, userIds: [], step: running.policy.steps.length, round: running.round - 1, subject: running.subject, exhausted: true });
            this.#running.delete(id);
            break;
          }
        }
        sent.push(this.#notify(id, running, running.deadline));
      }
    }
    return sent;
  }

  state(escalationId: string): { step: number; round: number; acknowledgedBy: number | null } | null {
    const running = this.#running.get(escalationId);
    return running ? { step: running.step, round: running.round, acknowledgedBy: running.acknowledgedBy } : null;
  }

  #notify(id: string, running: Running, at: number): Notification {
    const step = running.policy.steps[running.step]!;
    running.deadline = at + step.waitMinutes * 60_000;
    const userIds = new Set<number>();
    for (const target of step.targets) {
      if ('userId' in target) userIds.add(target.userId);
      else {
        const schedule = this.#schedules.get(target.scheduleId);
        const user = schedule ? onCallAt(schedule, at) : null;
        if (user !== null) userIds.add(user);
      }
    }
    return { escalationId: id, userIds: [...userIds], step: running.step, round: running.round, subject: running.subject, exhausted: false };
  }
}

/** Sends a notification to people; implementations: webhook, e-mail. */
export interface Notifier {
  notify(notification: Notification, recipients: readonly { id: number; email?: string | null; webhookUrl?: string | null }[]): Promise<void>;
}

/** POSTs the notification as JSON to each recipient's webhook (chat, pager, phone bridge). */
export function webhookNotifier(fetcher: typeof fetch = fetch, timeoutMs = 5_000): Notifier {
  return {
    async notify(notification, recipients) {
      await Promise.all(
        recipients
          .filter((recipient) => recipient.webhookUrl)
          .map(async function postWebhook(recipient) {
            const response = await fetcher(recipient.webhookUrl!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...notification, userId: recipient.id }), signal: AbortSignal.timeout(timeoutMs) });
            if (!response.ok) throw new Error(`webhook for user ${recipient.id} answered ${response.status}`);
          }),
      );
    },
  };
}

/** The narrow mail interface e-mail notifications need (an SMTP client or a mail API fits it). */
export interface MailTransport {
  send(message: { to: string; subject: string; text: string }): Promise<void>;
}

export function emailNotifier(transport: MailTransport): Notifier {
  return {
    async notify(notification, recipients) {
      const text = notification.exhausted
        ? `Nobody acknowledged "${notification.subject}" after every escalation step.`
        : `${notification.subject}\n\nEscalation step ${notification.step + 1}, round ${notification.round + 1}. Acknowledge in Earshot to stop the escalation.`;
      await Promise.all(recipients.filter((recipient) => recipient.email).map((recipient) => transport.send({ to: recipient.email!, subject: `[Earshot] ${notification.subject}`, text })));
    },
  };
}
