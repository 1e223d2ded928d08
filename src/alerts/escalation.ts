/**
 * Escalation: on-call schedules and escalation policies. A policy is a list of steps (notify
 * these people or whoever is on call in these schedules, then wait N minutes for an
 * acknowledgement before the next step). Schedules are plain rotations over UTC time, so nights
 * and weekends are covered like any other hour. The engine is pure and clock-driven: `start`,
 * `acknowledge` and `tick(now)` return the notifications to send; `Notifier`s send them
 * (webhook, e-mail). Schedules and policies themselves are `src/domain/escalation.ts`.
 */
import type { EscalationPolicy, OnCallSchedule } from '../domain/escalation.js';

export interface Notification {
  readonly escalationId: string;
  readonly userIds: number[];
  readonly step: number;
  readonly round: number;
  readonly subject: string;
  /** True when the policy ran out with nobody acknowledging. */
  readonly exhausted: boolean;
}

/** Where an escalation stands: the step notified last, the round, and when its wait ends. */
export interface EscalationState {
  readonly step: number;
  readonly round: number;
  /** Epoch ms. */
  readonly deadline: number;
}

/** Who holds a schedule at a time. */
export function onCallAt(schedule: OnCallSchedule, at: number): number | null {
  for (const override of schedule.overrides ?? [])
    if (Date.parse(override.from) <= at && at < Date.parse(override.to)) return override.userId;
  if (schedule.userIds.length === 0) return null;
  const shifts = Math.floor((at - Date.parse(schedule.startsAt)) / (schedule.shiftHours * 3_600_000));
  const index = ((shifts % schedule.userIds.length) + schedule.userIds.length) % schedule.userIds.length;
  return schedule.userIds[index]!;
}

/** Step 1, now. Pure: the caller keeps the state (in memory or in the store). */
export function startEscalation(
  escalationId: string,
  policy: EscalationPolicy,
  subject: string,
  now: number,
  schedules: ReadonlyMap<string, OnCallSchedule>,
): { state: EscalationState; notification: Notification } | null {
  if (policy.steps.length === 0) return null;
  return notifyStep(escalationId, policy, subject, { step: 0, round: 0 }, now, schedules);
}

/**
 * Advances an unacknowledged escalation to `now`: every step whose wait is over notifies the
 * next (a missed tick catches up, each step timed from the one before). `state` null: it ran out.
 */
export function advanceEscalation(
  escalationId: string,
  policy: EscalationPolicy,
  subject: string,
  from: EscalationState,
  now: number,
  schedules: ReadonlyMap<string, OnCallSchedule>,
): { state: EscalationState | null; notifications: Notification[] } {
  const notifications: Notification[] = [];
  let state: EscalationState = from;
  while (now >= state.deadline) {
    let step = state.step + 1;
    let round = state.round;
    if (step >= policy.steps.length) {
      step = 0;
      round += 1;
      if (round > (policy.repeat ?? 0)) {
        notifications.push({
          escalationId,
          userIds: [],
          step: policy.steps.length,
          round: round - 1,
          subject,
          exhausted: true,
        });
        return { state: null, notifications };
      }
    }
    const next = notifyStep(escalationId, policy, subject, { step, round }, state.deadline, schedules);
    notifications.push(next.notification);
    state = next.state;
  }
  return { state, notifications };
}

function notifyStep(
  id: string,
  policy: EscalationPolicy,
  subject: string,
  at: { step: number; round: number },
  time: number,
  schedules: ReadonlyMap<string, OnCallSchedule>,
): { state: EscalationState; notification: Notification } {
  const step = policy.steps[at.step]!;
  const userIds = new Set<number>();
  for (const target of step.targets) {
    if ('userId' in target) userIds.add(target.userId);
    else {
      const schedule = schedules.get(target.scheduleId);
      const user = schedule ? onCallAt(schedule, time) : null;
      if (user !== null) userIds.add(user);
    }
  }
  return {
    state: { step: at.step, round: at.round, deadline: time + step.waitMinutes * 60_000 },
    notification: {
      escalationId: id,
      userIds: [...userIds],
      step: at.step,
      round: at.round,
      subject,
      exhausted: false,
    },
  };
}

interface Running {
  readonly policy: EscalationPolicy;
  readonly subject: string;
  state: EscalationState;
  acknowledgedBy: number | null;
}

/** The engine in memory, for one process; `src/alerts/escalation-runner.ts` keeps the same state in the store. */
export class EscalationEngine {
  readonly #schedules: Map<string, OnCallSchedule>;
  readonly #running = new Map<string, Running>();

  constructor(schedules: readonly OnCallSchedule[]) {
    this.#schedules = new Map(schedules.map((schedule) => [schedule.id, schedule]));
  }

  /** Starts escalating (e.g. `incident:7`); notifies step 1 now. A running one is left alone. */
  start(escalationId: string, policy: EscalationPolicy, subject: string, now: number): Notification[] {
    if (this.#running.has(escalationId)) return [];
    const started = startEscalation(escalationId, policy, subject, now, this.#schedules);
    if (!started) return [];
    this.#running.set(escalationId, { policy, subject, state: started.state, acknowledgedBy: null });
    return [started.notification];
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
      const { state, notifications } = advanceEscalation(
        id,
        running.policy,
        running.subject,
        running.state,
        now,
        this.#schedules,
      );
      sent.push(...notifications);
      if (state) running.state = state;
      else this.#running.delete(id);
    }
    return sent;
  }

  state(escalationId: string): { step: number; round: number; acknowledgedBy: number | null } | null {
    const running = this.#running.get(escalationId);
    return running
      ? { step: running.state.step, round: running.state.round, acknowledgedBy: running.acknowledgedBy }
      : null;
  }
}

/** Someone to notify, with the ways to reach them. */
export interface Recipient {
  readonly id: number;
  readonly name?: string;
  readonly email?: string | null;
  readonly webhookUrl?: string | null;
  readonly webhookSecret?: string | null;
  /** A link that acknowledges the escalation as this person. */
  readonly ackUrl?: string | null;
}

/** Sends a notification to people; implementations: `notify-webhook.ts`, `notify-email.ts`. */
export interface Notifier {
  notify(notification: Notification, recipients: readonly Recipient[]): Promise<void>;
}

/** The notification in words, for e-mail and chat. */
export function describeNotification(notification: Notification, recipient: Recipient): string {
  if (notification.exhausted) return `Nobody acknowledged "${notification.subject}" after every escalation step.`;
  const ack = recipient.ackUrl ? `Acknowledge: ${recipient.ackUrl}` : 'Acknowledge in Earshot to stop the escalation.';
  return `${notification.subject}\n\nEscalation step ${notification.step + 1}, round ${notification.round + 1}. ${ack}`;
}
