/**
 * The look-alike accounts under each service: the impersonation watch raises one alert per
 * imitating author and names the official handle it imitates (`evidence.official`); an alert
 * belongs to the service that speaks as that handle. Matching is on the handle as configured,
 * case-insensitively, with or without its leading `@`.
 */
import type { Kysely } from 'kysely';
import type { Service } from '../domain/service.js';
import type { Database } from '../store/schema.js';
import { fromJson } from '../store/json.js';

export interface Lookalike {
  readonly alertId: number;
  readonly handle: string;
  readonly name: string | null;
  readonly source: string | null;
  readonly official: string;
  readonly technique: string | null;
  readonly status: string;
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
}

/** How many impersonation alerts are looked at, newest first: a long campaign stays bounded. */
const WINDOW = 2000;

export async function lookalikesOf(
  db: Kysely<Database>,
  services: readonly Service[],
): Promise<Map<number, Lookalike[]>> {
  const byHandle = new Map<string, number[]>();
  for (const service of services)
    for (const handle of service.handles) {
      const key = normalise(handle);
      byHandle.set(key, [...(byHandle.get(key) ?? []), service.id]);
    }
  const result = new Map<number, Lookalike[]>(services.map((service) => [service.id, []]));
  if (byHandle.size === 0) return result;
  const rows = await db
    .selectFrom('alerts')
    .select(['id', 'status', 'evidence', 'created_at', 'updated_at'])
    .where('type', '=', 'impersonation')
    .orderBy('id', 'desc')
    .limit(WINDOW)
    .execute();
  for (const row of rows) {
    const evidence = fromJson<Record<string, unknown>>(row.evidence, {});
    if (typeof evidence.official !== 'string' || typeof evidence.handle !== 'string') continue;
    for (const serviceId of byHandle.get(normalise(evidence.official)) ?? []) {
      result.get(serviceId)!.push({
        alertId: row.id,
        handle: evidence.handle,
        name: typeof evidence.name === 'string' ? evidence.name : null,
        source: typeof evidence.source === 'string' ? evidence.source : null,
        official: evidence.official,
        technique: typeof evidence.technique === 'string' ? evidence.technique : null,
        status: row.status,
        firstSeenAt: row.created_at,
        lastSeenAt: row.updated_at,
      });
    }
  }
  return result;
}

function normalise(handle: string): string {
  return handle.trim().replace(/^@/, '').toLowerCase();
}
