/**
 * Services: each channel or account (one or more configured sources) run as an IT service with
 * an owner, hours, a lifecycle stage, targets the reports compare against, and custody of its
 * credentials — who holds them, whether two-factor is on, when they were last rotated and how
 * the account would be recovered. Plain data and pure functions.
 */
import type { BusinessCalendar } from './calendar.js';

/** Where a service is in its life: designed, piloted, run, wound down, gone. */
export const SERVICE_STAGES = ['proposed', 'pilot', 'live', 'retiring', 'retired'] as const;
export type ServiceStage = (typeof SERVICE_STAGES)[number];

/** What the reports hold a service to; any may be left unset. */
export interface ServiceTargets {
  /** p90 first response, in minutes (business minutes where the service has hours). */
  readonly firstResponseMinutes?: number;
  /** p90 resolution, in minutes (business minutes where the service has hours). */
  readonly resolutionMinutes?: number;
  /** Share of tickets answered within their SLA, 0–1. */
  readonly slaAttainment?: number;
  /** Share of tickets answered at all, 0–1. */
  readonly responseRate?: number;
  /** Highest acceptable negative:positive ratio of posts. */
  readonly sentimentRatio?: number;
}

export interface ServiceCustody {
  /** Who holds the account's credentials (a person or a vault entry). */
  readonly credentialHolder: string | null;
  readonly twoFactor: boolean;
  /** When the credentials were last rotated (ISO-8601). */
  readonly lastRotatedAt: string | null;
  /** How often they must be rotated, in days. */
  readonly rotationDays: number;
  readonly recoveryContact: string | null;
  readonly recoveryPlan: string | null;
}

export interface Service {
  readonly id: number;
  readonly name: string;
  readonly purpose: string;
  readonly audience: string;
  readonly owner: string;
  /** Where the monthly report goes; null: not mailed. */
  readonly ownerEmail: string | null;
  /** The team that runs it (the reports filter by team). */
  readonly team: string | null;
  readonly stage: ServiceStage;
  /** Configured source names that make up the service. */
  readonly sources: readonly string[];
  /** The official account handles it speaks as (look-alikes of these are listed under it). */
  readonly handles: readonly string[];
  /** Hours of service; null: around the clock. */
  readonly hours: BusinessCalendar | null;
  readonly targets: ServiceTargets;
  readonly custody: ServiceCustody;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export const DEFAULT_CUSTODY: ServiceCustody = Object.freeze({
  credentialHolder: null,
  twoFactor: false,
  lastRotatedAt: null,
  rotationDays: 90,
  recoveryContact: null,
  recoveryPlan: null,
});

export interface RotationState {
  /** When the next rotation is due; null when the credentials were never recorded as rotated. */
  readonly dueAt: string | null;
  /** Due date passed, or never rotated at all. */
  readonly overdue: boolean;
  /** Whole days past due (0 when not overdue or never rotated). */
  readonly daysOverdue: number;
}

export function rotationState(custody: ServiceCustody, now: Date): RotationState {
  if (custody.lastRotatedAt === null) return { dueAt: null, overdue: true, daysOverdue: 0 };
  const due = Date.parse(custody.lastRotatedAt) + custody.rotationDays * 86_400_000;
  const late = now.getTime() - due;
  return {
    dueAt: new Date(due).toISOString(),
    overdue: late > 0,
    daysOverdue: late > 0 ? Math.floor(late / 86_400_000) : 0,
  };
}

/** Improvement actions (continual service improvement): open until done or dropped. */
export const IMPROVEMENT_STATUSES = ['open', 'done', 'dropped'] as const;
export type ImprovementStatus = (typeof IMPROVEMENT_STATUSES)[number];

/** The measures an improvement action can aim to move (names as the reports compute them). */
export const IMPROVABLE_MEASURES = [
  'firstResponseP50',
  'firstResponseP90',
  'resolutionP50',
  'resolutionP90',
  'slaAttainment',
  'responseRate',
  'negativePositiveRatio',
  'backlog',
  'volumeIn',
] as const;
export type ImprovableMeasure = (typeof IMPROVABLE_MEASURES)[number];

export interface ImprovementAction {
  readonly id: number;
  readonly serviceId: number;
  readonly title: string;
  readonly owner: string;
  readonly dueAt: string;
  readonly measure: ImprovableMeasure;
  /** The measure's value when the action was recorded. */
  readonly baseline: number | null;
  /** Where it should get to. */
  readonly goal: number | null;
  readonly status: ImprovementStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
}
