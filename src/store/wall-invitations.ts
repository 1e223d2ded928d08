/**
 * Invitations to the wall: a hash of the one-time token mailed to a new employee, whose account
 * it opens, until when, and whether it was used. The token itself is never stored.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { hashPassword } from './users.js';

type Executor = Kysely<Database>;

export async function insertInvitation(
  db: Executor,
  input: { tokenHash: string; userId: number; expiresAt: string },
  now: string,
): Promise<void> {
  await db
    .insertInto('wall_invitations')
    .values({
      token_hash: input.tokenHash,
      user_id: input.userId,
      expires_at: input.expiresAt,
      accepted_at: null,
      created_at: now,
    })
    .execute();
}

export async function getInvitation(
  db: Executor,
  tokenHash: string,
): Promise<{ userId: number; expiresAt: string; acceptedAt: string | null } | undefined> {
  const row = await db
    .selectFrom('wall_invitations')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  return row ? { userId: row.user_id, expiresAt: row.expires_at, acceptedAt: row.accepted_at } : undefined;
}

/** Sets the person's own password and uses the invitation up, together or not at all. */
export async function acceptInvitation(db: Executor, tokenHash: string, password: string, now: string): Promise<void> {
  const passwordHash = await hashPassword(password);
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('wall_invitations')
      .set({ accepted_at: now })
      .where('token_hash', '=', tokenHash)
      .where('accepted_at', 'is', null)
      .returning('user_id')
      .executeTakeFirstOrThrow();
    await trx.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', row.user_id).execute();
  });
}

/** Lower-cased e-mail addresses already on file, among `emails`. */
export async function knownEmails(db: Executor, emails: readonly string[]): Promise<Set<string>> {
  if (emails.length === 0) return new Set();
  const rows = await db.selectFrom('user_contacts').select('email').where('email', 'is not', null).execute();
  const wanted = new Set(emails.map((email) => email.toLowerCase()));
  return new Set(rows.map((row) => row.email!.toLowerCase()).filter((email) => wanted.has(email)));
}

export async function usernameTaken(db: Executor, username: string): Promise<boolean> {
  return (await db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst()) !== undefined;
}
