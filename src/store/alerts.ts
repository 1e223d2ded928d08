/**
 * Alerts, de-duplicated by key: raising an alert whose key is already open updates that one.
 */
import { type Kysely, type Selectable, sql } from 'kysely';
import type { Alert, AlertSeverity, AlertStatus } from '../domain/alert.js';
import type { AlertsTable, Database } from './schema.js';
import { fromJson, toJson } from './json.js';

export interface AlertInput {
  readonly type: string;
  readonly severity: AlertSeverity;
  readonly title: string;
  readonly key: string;
  readonly evidence: Record<string, unknown>;
}

/** Opens an alert, or refreshes the open one with the same key. Returns it and whether it is new. */
export async function raiseAlert(
  db: Kysely<Database>,
  input: AlertInput,
  now = new Date().toISOString(),
): Promise<{ alert: Alert; created: boolean }> {
  return db.transaction().execute(async (trx) => {
    const open = await trx
      .selectFrom('alerts')
      .selectAll()
      .where('key', '=', input.key)
      .where('status', '!=', 'closed')
      .executeTakeFirst();
    if (open) {
      const row = await trx
        .updateTable('alerts')
        .set({ severity: input.severity, title: input.title, evidence: toJson(input.evidence), updated_at: now })
        .where('id', '=', open.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { alert: toAlert(row), created: false };
    }
    const row = await trx
      .insertInto('alerts')
      .values({
        type: input.type,
        severity: input.severity,
        status: 'open',
        title: input.title,
        key: input.key,
        evidence: toJson(input.evidence),
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { alert: toAlert(row), created: true };
  });
}

/** The newest alert with this key, whatever its status (a watch taking over asks what is already raised). */
export async function latestAlertWithKey(db: Kysely<Database>, key: string): Promise<Alert | undefined> {
  const row = await db
    .selectFrom('alerts')
    .selectAll()
    .where('key', '=', key)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? toAlert(row) : undefined;
}

export async function listAlerts(
  db: Kysely<Database>,
  filter: { status?: AlertStatus; limit?: number } = {},
): Promise<Alert[]> {
  let query = db.selectFrom('alerts').selectAll();
  if (filter.status) query = query.where('status', '=', filter.status);
  return (
    await query
      .orderBy('id', 'desc')
      .limit(Math.min(filter.limit ?? 100, 500))
      .execute()
  ).map(toAlert);
}

export async function setAlertStatus(
  db: Kysely<Database>,
  id: number,
  status: AlertStatus,
  now = new Date().toISOString(),
): Promise<Alert | undefined> {
  const row = await db
    .updateTable('alerts')
    // The first acknowledgement is kept: the reports measure how fast alerts were taken on.
    .set({
      status,
      updated_at: now,
      ...(status !== 'open' && { acknowledged_at: sql<string>`coalesce(acknowledged_at, ${now})` }),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row ? toAlert(row) : undefined;
}

function toAlert(row: Selectable<AlertsTable>): Alert {
  return {
    id: row.id,
    type: row.type,
    severity: row.severity,
    status: row.status,
    title: row.title,
    key: row.key,
    evidence: fromJson(row.evidence, {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
