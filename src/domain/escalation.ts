/**
 * Escalation: on-call schedules (plain rotations over UTC time, with temporary swaps), policies
 * (steps of people or schedules to notify, each waiting for an acknowledgement), running
 * escalations, people's contacts and outgoing webhook subscriptions. The engine that walks a
 * policy is `src/alerts/escalation.ts`; the store keeps these rows.
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

export const ESCALATION_STATUSES = ['running', 'acknowledged', 'exhausted', 'stopped'] as const;
export type EscalationStatus = (typeof ESCALATION_STATUSES)[number];

export const WEBHOOK_EVENTS = ['alert', 'ticket'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface Contact {
  readonly userId: number;
  readonly email: string | null;
  readonly webhookUrl: string | null;
  readonly webhookSecret: string | null;
}

export interface StoredPolicy extends EscalationPolicy {
  readonly name: string;
  readonly isDefault: boolean;
}

export interface StoredSchedule extends OnCallSchedule {
  readonly name: string;
}

export interface Escalation {
  readonly id: string;
  readonly policyId: string;
  readonly policy: EscalationPolicy;
  readonly incidentId: number | null;
  readonly subject: string;
  readonly status: EscalationStatus;
  readonly step: number;
  readonly round: number;
  readonly deadline: string;
  readonly notified: number[];
  readonly acknowledgedBy: number | null;
  readonly acknowledgedAt: string | null;
  readonly createdAt: string;
}

export interface WebhookSubscription {
  readonly id: number;
  readonly url: string;
  readonly secret: string;
  readonly events: WebhookEvent[];
  readonly createdAt: string;
}
