/**
 * Policies: versioned documents with an owner and a review cycle. Publishing a version asks
 * everyone in its audience to acknowledge it (one `policy_acks` row each, open until they do),
 * so "who has not" is a plain query and reminders are counted on the same row.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Policy, PolicyVersion } from '../domain/knowledge.js';
import { ROLE_RANK, ROLES, type Role } from '../domain/user.js';
import type { Database, PoliciesTable, PolicyVersionsTable } from './schema.js';

type Db = Kysely<Database>;

export async function createPolicy(
  db: Db,
  input: { title: string; ownerId: number | null; audience: Role; reviewEveryDays: number },
  now: string,
): Promise<Policy> {
  const row = await db
    .insertInto('policies')
    .values({
      title: input.title,
      owner_id: input.ownerId,
      audience: input.audience,
      review_every_days: input.reviewEveryDays,
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return (await getPolicy(db, row.id))!;
}

export async function getPolicy(db: Db, id: number): Promise<Policy | undefined> {
  const row = await db.selectFrom('policies').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toPolicy(row, await latestVersion(db, id)) : undefined;
}

export async function listPolicies(db: Db): Promise<Policy[]> {
  const rows = await db.selectFrom('policies').selectAll().orderBy('title').execute();
  return Promise.all(rows.map(async (row) => toPolicy(row, await latestVersion(db, row.id))));
}

export async function listPolicyVersions(db: Db, policyId: number): Promise<PolicyVersion[]> {
  const rows = await db
    .selectFrom('policy_versions')
    .selectAll()
    .where('policy_id', '=', policyId)
    .orderBy('version', 'desc')
    .execute();
  return rows.map(toVersion);
}

export async function getPolicyVersion(db: Db, id: number): Promise<PolicyVersion | undefined> {
  const row = await db.selectFrom('policy_versions').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toVersion(row) : undefined;
}

/** Publishes the next version and opens an acknowledgement for every user in the audience. */
export async function publishPolicyVersion(
  db: Db,
  policyId: number,
  body: string,
  authorId: number | null,
  now: string,
): Promise<{ version: PolicyVersion; asked: number[] }> {
  return db.transaction().execute(async (trx) => {
    const policy = await trx.selectFrom('policies').selectAll().where('id', '=', policyId).executeTakeFirstOrThrow();
    const last = await latestVersion(trx, policyId);
    const row = await trx
      .insertInto('policy_versions')
      .values({ policy_id: policyId, version: (last?.version ?? 0) + 1, body, author_id: authorId, published_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    const audience = await trx
      .selectFrom('users')
      .select('id')
      .where('role', 'in', rolesFrom(policy.audience))
      .orderBy('id')
      .execute();
    if (audience.length > 0)
      await trx
        .insertInto('policy_acks')
        .values(
          audience.map((user) => ({
            policy_version_id: row.id,
            user_id: user.id,
            acknowledged_at: null,
            reminded_at: null,
          })),
        )
        .execute();
    return { version: toVersion(row), asked: audience.map((user) => user.id) };
  });
}

/** Records the acknowledgement; false when this person was not asked or had already acknowledged. */
export async function acknowledgePolicyVersion(
  db: Db,
  versionId: number,
  userId: number,
  now: string,
): Promise<boolean> {
  const result = await db
    .updateTable('policy_acks')
    .set({ acknowledged_at: now })
    .where('policy_version_id', '=', versionId)
    .where('user_id', '=', userId)
    .where('acknowledged_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export interface AckRow {
  readonly userId: number;
  readonly username: string;
  readonly displayName: string;
  readonly acknowledgedAt: string | null;
  readonly reminders: number;
  readonly remindedAt: string | null;
}

/** Everyone asked to acknowledge a version, with whether and when they did. */
export async function acknowledgementReport(db: Db, versionId: number): Promise<AckRow[]> {
  const rows = await db
    .selectFrom('policy_acks')
    .innerJoin('users', 'users.id', 'policy_acks.user_id')
    .select([
      'users.id as userId',
      'users.username',
      'users.display_name as displayName',
      'policy_acks.acknowledged_at as acknowledgedAt',
      'policy_acks.reminders',
      'policy_acks.reminded_at as remindedAt',
    ])
    .where('policy_acks.policy_version_id', '=', versionId)
    .orderBy('users.username')
    .execute();
  return rows.map((row) => ({ ...row, reminders: Number(row.reminders) }));
}

/** Counts a reminder to everyone who has not acknowledged yet; returns who was reminded. */
export async function remindPending(db: Db, versionId: number, now: string): Promise<number[]> {
  const pending = await db
    .selectFrom('policy_acks')
    .select('user_id')
    .where('policy_version_id', '=', versionId)
    .where('acknowledged_at', 'is', null)
    .execute();
  if (pending.length === 0) return [];
  await db
    .updateTable('policy_acks')
    .set((eb) => ({ reminders: eb('reminders', '+', 1), reminded_at: now }))
    .where('policy_version_id', '=', versionId)
    .where('acknowledged_at', 'is', null)
    .execute();
  return pending.map((row) => row.user_id);
}

/** The current policy versions this person has been asked to acknowledge and has not. */
export async function pendingAcknowledgements(
  db: Db,
  userId: number,
): Promise<{ policy: Policy; version: PolicyVersion; remindedAt: string | null; reminders: number }[]> {
  const rows = await db
    .selectFrom('policy_acks')
    .innerJoin('policy_versions', 'policy_versions.id', 'policy_acks.policy_version_id')
    .select(['policy_versions.id', 'policy_versions.policy_id', 'policy_acks.reminded_at', 'policy_acks.reminders'])
    .where('policy_acks.user_id', '=', userId)
    .where('policy_acks.acknowledged_at', 'is', null)
    .execute();
  const out = [];
  for (const row of rows) {
    const policy = (await getPolicy(db, row.policy_id))!;
    // Only the current version counts: a newer one supersedes an older request.
    if (policy.current?.id !== row.id) continue;
    out.push({ policy, version: policy.current, remindedAt: row.reminded_at, reminders: Number(row.reminders) });
  }
  return out;
}

function rolesFrom(audience: Role): Role[] {
  return ROLES.filter((role) => ROLE_RANK[role] >= ROLE_RANK[audience]);
}

async function latestVersion(db: Db, policyId: number): Promise<PolicyVersion | null> {
  const row = await db
    .selectFrom('policy_versions')
    .selectAll()
    .where('policy_id', '=', policyId)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? toVersion(row) : null;
}

function toPolicy(row: Selectable<PoliciesTable>, current: PolicyVersion | null): Policy {
  return {
    id: row.id,
    title: row.title,
    ownerId: row.owner_id,
    audience: row.audience,
    reviewEveryDays: row.review_every_days,
    createdAt: row.created_at,
    current,
    reviewDue: current
      ? new Date(Date.parse(current.publishedAt) + row.review_every_days * 24 * 3600 * 1000).toISOString()
      : null,
  };
}

function toVersion(row: Selectable<PolicyVersionsTable>): PolicyVersion {
  return {
    id: row.id,
    policyId: row.policy_id,
    version: row.version,
    body: row.body,
    authorId: row.author_id,
    publishedAt: row.published_at,
  };
}
