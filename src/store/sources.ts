/**
 * Configured sources (name, kind, plain options, sealed secrets, enabled) and each one's
 * health (status, last post, last error, counters). Sealing and validation live in
 * `src/sources`; this file only reads and writes rows.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, SourceHealthTable, SourcesTable } from './schema.js';
import type { ConfiguredSource, SourceHealth, SourceOrigin, SourceStatus } from '../domain/source.js';
import { fromJson, toCount, toJson } from './json.js';

export interface SourceInput {
  readonly name: string;
  readonly kind: string;
  readonly options: Record<string, unknown>;
  readonly sealedSecrets: string | null;
  readonly secretsSet: readonly string[];
  readonly enabled: boolean;
  readonly origin: SourceOrigin;
}

type Executor = Kysely<Database>;

export async function listSources(db: Executor): Promise<ConfiguredSource[]> {
  return (await db.selectFrom('sources').selectAll().orderBy('name').execute()).map(toSource);
}

/**
 * Each configured source's kind by name: what a stream query's `channel:` matches. A post whose
 * source is not configured (an NDJSON import's `mastodon`) has its source name as its channel.
 */
export async function sourceKinds(db: Executor): Promise<(source: string) => string> {
  const rows = await db.selectFrom('sources').select(['name', 'kind']).execute();
  const kinds = new Map(rows.map((row) => [row.name, row.kind]));
  return (source) => kinds.get(source) ?? source;
}

export async function getSource(db: Executor, id: number): Promise<ConfiguredSource | undefined> {
  const row = await db.selectFrom('sources').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toSource(row) : undefined;
}

export async function getSourceByName(db: Executor, name: string): Promise<ConfiguredSource | undefined> {
  const row = await db.selectFrom('sources').selectAll().where('name', '=', name).executeTakeFirst();
  return row ? toSource(row) : undefined;
}

export async function insertSource(
  db: Executor,
  input: SourceInput,
  now = new Date().toISOString(),
): Promise<ConfiguredSource> {
  const row = await db
    .insertInto('sources')
    .values({ name: input.name, ...sourceColumns(input, now), created_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toSource(row);
}

/** Creates the source named so, or replaces its kind, options, secrets and enabled flag. */
export async function upsertSourceByName(
  db: Executor,
  input: SourceInput,
  now = new Date().toISOString(),
): Promise<ConfiguredSource> {
  const change = sourceColumns(input, now);
  const row = await db
    .insertInto('sources')
    .values({ name: input.name, ...change, created_at: now })
    .onConflict((oc) => oc.column('name').doUpdateSet(change))
    .returningAll()
    .executeTakeFirstOrThrow();
  return toSource(row);
}

export async function updateSource(
  db: Executor,
  id: number,
  change: {
    readonly options?: Record<string, unknown>;
    readonly sealedSecrets?: string | null;
    readonly secretsSet?: readonly string[];
    readonly enabled?: boolean;
  },
  now = new Date().toISOString(),
): Promise<ConfiguredSource | undefined> {
  const row = await db
    .updateTable('sources')
    .set({
      ...(change.options !== undefined && { options: toJson(change.options) }),
      ...(change.sealedSecrets !== undefined && { secrets: change.sealedSecrets }),
      ...(change.secretsSet !== undefined && { secret_names: toJson(change.secretsSet) }),
      ...(change.enabled !== undefined && { enabled: change.enabled ? 1 : 0 }),
      updated_at: now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row ? toSource(row) : undefined;
}

/** Deletes the source with its health; its cursor stays, so re-adding the name resumes. */
export async function deleteSource(db: Executor, id: number): Promise<ConfiguredSource | undefined> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.deleteFrom('sources').where('id', '=', id).returningAll().executeTakeFirst();
    if (row) await trx.deleteFrom('source_health').where('name', '=', row.name).execute();
    return row ? toSource(row) : undefined;
  });
}

export async function listSourceHealth(db: Executor): Promise<SourceHealth[]> {
  return (await db.selectFrom('source_health').selectAll().orderBy('name').execute()).map(toHealth);
}

export async function getSourceHealth(db: Executor, name: string): Promise<SourceHealth | undefined> {
  const row = await db.selectFrom('source_health').selectAll().where('name', '=', name).executeTakeFirst();
  return row ? toHealth(row) : undefined;
}

/** What happened to a source since the last report; counters are added, the rest replaced when given. */
export interface HealthReport {
  readonly status?: SourceStatus;
  readonly detail?: string | null;
  readonly lastPostAt?: string;
  readonly error?: string;
  readonly posts?: number;
  readonly skipped?: number;
}

export async function recordSourceHealth(
  db: Executor,
  name: string,
  report: HealthReport,
  now = new Date().toISOString(),
): Promise<void> {
  // Insert-if-missing then update: the increments read the same on SQLite and PostgreSQL.
  await db
    .insertInto('source_health')
    .values({
      name,
      status: report.status ?? 'connecting',
      detail: null,
      last_post_at: null,
      last_error: null,
      last_error_at: null,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  await db
    .updateTable('source_health')
    .set({
      ...(report.status !== undefined && { status: report.status }),
      ...(report.detail !== undefined && { detail: report.detail }),
      ...(report.lastPostAt !== undefined && { last_post_at: report.lastPostAt }),
      ...(report.error !== undefined && {
        last_error: report.error.slice(0, 2000),
        last_error_at: now,
        errors: sql<number>`errors + 1`,
      }),
      ...(report.posts && { posts: sql<number>`posts + ${report.posts}` }),
      ...(report.skipped && { skipped: sql<number>`skipped + ${report.skipped}` }),
      updated_at: now,
    })
    .where('name', '=', name)
    .execute();
}

/** The columns an insert and a replace both write (all but the name and `created_at`). */
function sourceColumns(input: SourceInput, now: string) {
  return {
    kind: input.kind,
    options: toJson(input.options),
    secrets: input.sealedSecrets,
    secret_names: toJson(input.secretsSet),
    enabled: input.enabled ? 1 : 0,
    origin: input.origin,
    updated_at: now,
  };
}

function toSource(row: Selectable<SourcesTable>): ConfiguredSource {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    options: fromJson(row.options, {}),
    sealedSecrets: row.secrets,
    secretsSet: fromJson(row.secret_names, []),
    enabled: Number(row.enabled) === 1,
    origin: row.origin,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toHealth(row: Selectable<SourceHealthTable>): SourceHealth {
  return {
    name: row.name,
    status: row.status,
    detail: row.detail,
    lastPostAt: row.last_post_at,
    lastError: row.last_error,
    lastErrorAt: row.last_error_at,
    posts: toCount(row.posts),
    skipped: toCount(row.skipped),
    errors: toCount(row.errors),
    updatedAt: row.updated_at,
  };
}
