/**
 * The delivery log of webhook subscriptions: every send (an event or a test from the settings)
 * with whether it arrived, the receiver's error and how long it took, newest first. Kept to the
 * last `KEEP` per subscription, so a busy hook cannot grow the table without bound.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

const KEEP = 200;

export interface WebhookDelivery {
  readonly id: number;
  readonly webhookId: number;
  readonly event: string;
  readonly test: boolean;
  readonly ok: boolean;
  readonly error: string | null;
  readonly durationMs: number;
  readonly createdAt: string;
}

export async function recordWebhookDelivery(
  db: Kysely<Database>,
  delivery: Omit<WebhookDelivery, 'id'>,
): Promise<void> {
  await db
    .insertInto('webhook_deliveries')
    .values({
      webhook_id: delivery.webhookId,
      event: delivery.event,
      test: delivery.test ? 1 : 0,
      ok: delivery.ok ? 1 : 0,
      error: delivery.error?.slice(0, 500) ?? null,
      duration_ms: Math.round(delivery.durationMs),
      created_at: delivery.createdAt,
    })
    .execute();
  const cutoff = await db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('webhook_id', '=', delivery.webhookId)
    .orderBy('id', 'desc')
    .offset(KEEP)
    .limit(1)
    .executeTakeFirst();
  if (cutoff)
    await db
      .deleteFrom('webhook_deliveries')
      .where('webhook_id', '=', delivery.webhookId)
      .where('id', '<=', cutoff.id)
      .execute();
}

export async function listWebhookDeliveries(
  db: Kysely<Database>,
  webhookId: number,
  limit = 50,
): Promise<WebhookDelivery[]> {
  const rows = await db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('webhook_id', '=', webhookId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    webhookId: row.webhook_id,
    event: row.event,
    test: row.test === 1,
    ok: row.ok === 1,
    error: row.error,
    durationMs: row.duration_ms,
    createdAt: row.created_at,
  }));
}
