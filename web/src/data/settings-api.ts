/**
 * The settings screens' calls: business-hours calendars, SLA policies (on streams), escalation
 * (schedules, policies, contacts), the reply guidelines, webhooks and the settings audit. Kept
 * apart from `api.ts`, which the working views share, and typed by hand after the routes'
 * schemas (src/server/routes/settings.ts, escalation.ts, guidelines.ts, webhooks.ts).
 */
import { query, request } from '../api.js';
import type { CheckResult, PersonalDataKind, Stream, WebhookEvent, Weekday } from '../api-types.js';

export interface OpeningHours {
  day: Weekday;
  from: string;
  to: string;
}
export interface CalendarInput {
  name: string;
  timeZone: string;
  weekly: OpeningHours[];
  holidays: string[];
}
export interface Calendar extends CalendarInput {
  id: number;
  createdAt: string;
  updatedAt: string;
}
export type Sla = Stream['sla'];
export interface Schedule {
  id: string;
  name: string;
  userIds: number[];
  startsAt: string;
  shiftHours: number;
  overrides: { userId: number; from: string; to: string }[];
}
export type Target = { userId: number } | { scheduleId: string };
export interface Policy {
  id: string;
  name: string;
  steps: { targets: Target[]; waitMinutes: number }[];
  repeat?: number;
  isDefault: boolean;
}
export interface Contact {
  userId: number;
  email: string | null;
  webhookUrl: string | null;
}
export interface GuidelineRules {
  version: number;
  blockedWords: string[];
  profanity: string[];
  maxLength: Record<string, number>;
  maxCapsShare: number;
  personalData: PersonalDataKind[];
  policyVersionId?: number | null;
}
export interface GuidelineVersion {
  version: number;
  authorId: number | null;
  createdAt: string;
  policyVersionId: number | null;
  unbacked: boolean;
}
export interface Webhook {
  id: number;
  url: string;
  events: WebhookEvent[];
  createdAt: string;
}
export interface WebhookDelivery {
  id: number;
  event: string;
  test: boolean;
  ok: boolean;
  error: string | null;
  durationMs: number;
  createdAt: string;
}
export interface AuditEntry {
  id: number;
  actorId: number | null;
  area: string;
  change: string;
  subject: string;
  createdAt: string;
}

export const settingsApi = {
  calendars: (signal?: AbortSignal) =>
    request<{ calendars: Calendar[] }>('GET', '/calendars', undefined, signal).then((r) => r.calendars),
  createCalendar: (input: CalendarInput) => request<Calendar>('POST', '/calendars', input),
  updateCalendar: (id: number, input: CalendarInput) => request<Calendar>('PUT', `/calendars/${id}`, input),
  deleteCalendar: (id: number) => request<void>('DELETE', `/calendars/${id}`),
  setStream: (id: number, input: { sla?: Sla; ticketRules?: Stream['ticketRules'] }) =>
    request<Stream>('PATCH', `/streams/${id}`, input),
  schedules: (signal?: AbortSignal) =>
    request<{ schedules: Schedule[] }>('GET', '/escalation/schedules', undefined, signal).then((r) => r.schedules),
  saveSchedule: (schedule: Omit<Schedule, 'overrides'>) => {
    const { id, ...body } = schedule;
    return request<Schedule>('PUT', `/escalation/schedules/${encodeURIComponent(id)}`, body);
  },
  deleteSchedule: (id: string) => request<void>('DELETE', `/escalation/schedules/${encodeURIComponent(id)}`),
  policies: (signal?: AbortSignal) =>
    request<{ policies: Policy[] }>('GET', '/escalation/policies', undefined, signal).then((r) => r.policies),
  savePolicy: (policy: Policy) => {
    const { id, ...body } = policy;
    return request<Policy>('PUT', `/escalation/policies/${encodeURIComponent(id)}`, body);
  },
  deletePolicy: (id: string) => request<void>('DELETE', `/escalation/policies/${encodeURIComponent(id)}`),
  contacts: (signal?: AbortSignal) =>
    request<{ contacts: Contact[] }>('GET', '/escalation/contacts', undefined, signal).then((r) => r.contacts),
  saveContact: (userId: number, contact: { email: string | null; webhookUrl: string | null }) =>
    request<Contact>('PUT', `/users/${userId}/contact`, contact),
  deleteContact: (userId: number) => request<void>('DELETE', `/users/${userId}/contact`),
  guidelines: (signal?: AbortSignal) =>
    request<{ rules: GuidelineRules; versions: GuidelineVersion[] }>('GET', '/guidelines', undefined, signal),
  guidelineVersion: (version: number) => request<GuidelineRules>('GET', `/guidelines/${version}`),
  saveGuidelines: (rules: Omit<GuidelineRules, 'version'>) => request<GuidelineRules>('PUT', '/guidelines', rules),
  checkText: (body: string, channel: string, visibility: 'public' | 'private') =>
    request<CheckResult>('POST', '/guidelines/check', { body, channel, visibility }),
  webhooks: (signal?: AbortSignal) =>
    request<{ webhooks: Webhook[] }>('GET', '/webhooks', undefined, signal).then((r) => r.webhooks),
  createWebhook: (input: { url: string; events: WebhookEvent[] }) =>
    request<Webhook & { secret: string }>('POST', '/webhooks', input),
  updateWebhook: (id: number, input: { url: string; events: WebhookEvent[] }) =>
    request<Webhook>('PATCH', `/webhooks/${id}`, input),
  deleteWebhook: (id: number) => request<void>('DELETE', `/webhooks/${id}`),
  testWebhook: (id: number) =>
    request<{ ok: boolean; error: string | null; durationMs: number }>('POST', `/webhooks/${id}/test`),
  deliveries: (id: number, signal?: AbortSignal) =>
    request<{ deliveries: WebhookDelivery[] }>('GET', `/webhooks/${id}/deliveries`, undefined, signal).then(
      (r) => r.deliveries,
    ),
  audit: (limit: number, signal?: AbortSignal) =>
    request<{ entries: AuditEntry[] }>('GET', `/settings/audit${query({ limit })}`, undefined, signal).then(
      (r) => r.entries,
    ),
};
