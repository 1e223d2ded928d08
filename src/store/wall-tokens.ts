/**
 * The rows behind anonymous posting: one RSA key pair per day, how many tokens each person took
 * that day (the only row naming a person, and it names no token), the hashes of spent tokens with
 * their key's day, and blocked batches. Nothing here holds a time finer than a day.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

type Executor = Kysely<Database>;

export async function getTokenKey(
  db: Executor,
  day: string,
): Promise<{ day: string; publicSpki: string; privatePkcs8: string } | undefined> {
  const row = await db.selectFrom('wall_token_keys').selectAll().where('day', '=', day).executeTakeFirst();
  return row ? { day: row.day, publicSpki: row.public_spki, privatePkcs8: row.private_pkcs8 } : undefined;
}

/** Saves a day's key unless one exists; returns the day's key either way (two servers agree on one). */
export async function putTokenKey(
  db: Executor,
  key: { day: string; publicSpki: string; privatePkcs8: string },
): Promise<{ day: string; publicSpki: string; privatePkcs8: string }> {
  await db
    .insertInto('wall_token_keys')
    .values({ day: key.day, public_spki: key.publicSpki, private_pkcs8: key.privatePkcs8 })
    .onConflict((oc) => oc.column('day').doNothing())
    .execute();
  return (await getTokenKey(db, key.day))!;
}

/** Forgets keys (and the spent tokens under them) older than `before`: their tokens can no longer be spent. */
export async function dropTokenKeysBefore(db: Executor, before: string): Promise<void> {
  await db.deleteFrom('wall_spent_tokens').where('day', '<', before).execute();
  await db.deleteFrom('wall_token_keys').where('day', '<', before).execute();
  await db.deleteFrom('wall_token_issues').where('day', '<', before).execute();
}

/**
 * Counts `count` more tokens for a person on a day, if that keeps them within `limit`; false when
 * it would not (nothing counted). One statement, so two tabs asking at once cannot both pass.
 */
export async function takeTokenAllowance(
  db: Executor,
  userId: number,
  day: string,
  count: number,
  limit: number,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto('wall_token_issues')
      .values({ user_id: userId, day, count: 0 })
      .onConflict((oc) => oc.columns(['user_id', 'day']).doNothing())
      .execute();
    const result = await trx
      .updateTable('wall_token_issues')
      .set((eb) => ({ count: eb('count', '+', count) }))
      .where('user_id', '=', userId)
      .where('day', '=', day)
      .where('count', '<=', limit - count)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  });
}

/** Records a token as spent; false when it already was. */
export async function spendToken(db: Executor, tokenHash: string, day: string): Promise<boolean> {
  const result = await db
    .insertInto('wall_spent_tokens')
    .values({ token_hash: tokenHash, day })
    .onConflict((oc) => oc.column('token_hash').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export async function isBatchBlocked(db: Executor, batchId: string): Promise<boolean> {
  const row = await db
    .selectFrom('wall_blocked_batches')
    .select('batch_id')
    .where('batch_id', '=', batchId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function blockBatch(
  db: Executor,
  batchId: string,
  reason: string,
  blockedBy: number,
  now: string,
): Promise<void> {
  await db
    .insertInto('wall_blocked_batches')
    .values({ batch_id: batchId, reason, blocked_by: blockedBy, created_at: now })
    .onConflict((oc) => oc.column('batch_id').doNothing())
    .execute();
}
