/**
 * The reply guidelines, versioned: every save is a new row, so a proposal records the version
 * it was checked against and an admin can see (and roll back to) what the rules were.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { DEFAULT_GUIDELINE_RULES, type GuidelineRules } from '../domain/guideline.js';
import { fromJson, toJson } from './json.js';

/** The rules in force: the latest saved version, or the built-in defaults (version 0). */
export async function currentGuidelineRules(db: Kysely<Database>): Promise<GuidelineRules> {
  const row = await db
    .selectFrom('guideline_versions')
    .selectAll()
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row
    ? {
        ...DEFAULT_GUIDELINE_RULES,
        ...fromJson(row.rules, {}),
        version: row.version,
        policyVersionId: row.policy_version_id,
      }
    : DEFAULT_GUIDELINE_RULES;
}

/** Saves the rules as the next version and returns them with it. */
export async function saveGuidelineRules(
  db: Kysely<Database>,
  rules: Omit<GuidelineRules, 'version'>,
  authorId: number | null,
  now = new Date().toISOString(),
): Promise<GuidelineRules> {
  return db.transaction().execute(async (trx) => {
    const last = await trx
      .selectFrom('guideline_versions')
      .select('version')
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    const version = (last?.version ?? 0) + 1;
    const { version: _ignored, policyVersionId = null, ...body } = rules as GuidelineRules;
    await trx
      .insertInto('guideline_versions')
      .values({
        version,
        rules: toJson(body),
        author_id: authorId,
        created_at: now,
        policy_version_id: policyVersionId,
      })
      .execute();
    return { ...body, version, policyVersionId };
  });
}

export interface GuidelineVersionInfo {
  readonly version: number;
  readonly authorId: number | null;
  readonly createdAt: string;
  /** The policy version the rules name, if any. */
  readonly policyVersionId: number | null;
  /** The rules changed without a policy change: no policy version, or the same one as the version before. */
  readonly unbacked: boolean;
}

export async function listGuidelineVersions(db: Kysely<Database>): Promise<GuidelineVersionInfo[]> {
  const rows = await db
    .selectFrom('guideline_versions')
    .select(['version', 'author_id', 'created_at', 'policy_version_id'])
    .orderBy('version', 'asc')
    .execute();
  let previous: number | null = null;
  const out: GuidelineVersionInfo[] = [];
  for (const row of rows) {
    const policyVersionId = row.policy_version_id ?? null;
    out.push({
      version: row.version,
      authorId: row.author_id,
      createdAt: row.created_at,
      policyVersionId,
      unbacked: policyVersionId === null || policyVersionId === previous,
    });
    previous = policyVersionId;
  }
  return out.reverse();
}

/** The rules as saved at one version (0: the built-in defaults). */
export async function guidelineRulesAt(db: Kysely<Database>, version: number): Promise<GuidelineRules | undefined> {
  if (version === 0) return DEFAULT_GUIDELINE_RULES;
  const row = await db.selectFrom('guideline_versions').selectAll().where('version', '=', version).executeTakeFirst();
  return row
    ? {
        ...DEFAULT_GUIDELINE_RULES,
        ...fromJson(row.rules, {}),
        version: row.version,
        policyVersionId: row.policy_version_id,
      }
    : undefined;
}
