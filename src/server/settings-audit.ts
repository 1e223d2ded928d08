/**
 * One audit trail entry per settings change, in the audit the store already keeps (the
 * `knowledge_audit` table, action `settings.changed`), so who changed an SLA, a calendar, a
 * rule, an escalation policy, the guidelines or a webhook — and when — is answered in one place.
 */
import type { FastifyRequest } from 'fastify';
import { addKnowledgeAudit, listKnowledgeAudit } from '../store/ladder.js';
import type { RouteContext } from './context.js';

export const SETTINGS_AREAS = [
  'calendar',
  'stream',
  'sla',
  'ticket-rules',
  'schedule',
  'policy',
  'contact',
  'guidelines',
  'webhook',
  'saved-view',
] as const;
export type SettingsArea = (typeof SETTINGS_AREAS)[number];
export type SettingsChange = 'created' | 'updated' | 'deleted' | 'tested';

export interface SettingsAuditEntry {
  readonly id: number;
  readonly actorId: number | null;
  readonly area: string;
  readonly change: string;
  readonly subject: string;
  readonly detail: Record<string, unknown>;
  readonly createdAt: string;
}

export async function auditSetting(
  context: RouteContext,
  request: FastifyRequest,
  entry: { area: SettingsArea; change: SettingsChange; subject: string; detail?: Record<string, unknown> },
): Promise<void> {
  await addKnowledgeAudit(
    context.store.db,
    {
      actorId: request.user?.id ?? null,
      action: 'settings.changed',
      data: { area: entry.area, change: entry.change, subject: entry.subject, detail: entry.detail ?? {} },
    },
    context.clock().toISOString(),
  );
}

export async function listSettingsAudit(context: RouteContext, limit: number): Promise<SettingsAuditEntry[]> {
  const entries = await listKnowledgeAudit(context.store.db, { action: 'settings.changed', limit });
  return entries.map((entry) => ({
    id: entry.id,
    actorId: entry.actorId,
    area: String(entry.data.area ?? ''),
    change: String(entry.data.change ?? ''),
    subject: String(entry.data.subject ?? ''),
    detail: (entry.data.detail as Record<string, unknown> | undefined) ?? {},
    createdAt: entry.createdAt,
  }));
}
