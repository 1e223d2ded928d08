/**
 * Users, login sessions and API tokens. Only hashes of secrets are stored: passwords with
 * scrypt, session and API tokens with SHA-256 (they are long random strings already).
 */
import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Kysely, Selectable } from 'kysely';
import type { Role, User } from '../domain/user.js';
import type { Database, UsersTable } from './schema.js';
import { toCount } from './json.js';

const scrypt = promisify(scryptCallback) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, 32);
  return `scrypt$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length);
  return timingSafeEqual(actual, expected);
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newToken(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}

export async function createUser(
  db: Kysely<Database>,
  input: { username: string; displayName?: string; role: Role; password: string },
  now = new Date().toISOString(),
): Promise<User> {
  const row = await db
    .insertInto('users')
    .values({
      username: input.username,
      display_name: input.displayName ?? input.username,
      role: input.role,
      password_hash: await hashPassword(input.password),
      created_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toUser(row);
}

export async function countUsers(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return toCount(row.n);
}

export async function listUsers(db: Kysely<Database>): Promise<User[]> {
  return (await db.selectFrom('users').selectAll().orderBy('id').execute()).map(toUser);
}

export async function getUser(db: Kysely<Database>, id: number): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toUser(row) : undefined;
}

/** The user, if the password is right; undefined otherwise (same time either way, roughly). */
export async function authenticate(
  db: Kysely<Database>,
  username: string,
  password: string,
): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
  return row && ok ? toUser(row) : undefined;
}

export async function createSession(
  db: Kysely<Database>,
  userId: number,
  ttlMs: number,
  now = new Date(),
): Promise<{ token: string; expiresAt: string }> {
  const token = newToken('ess');
  const expiresAt = new Date(now.getTime() + ttlMs).toISOString();
  await db
    .insertInto('sessions')
    .values({ token_hash: hashToken(token), user_id: userId, created_at: now.toISOString(), expires_at: expiresAt })
    .execute();
  return { token, expiresAt };
}

export async function userForSession(
  db: Kysely<Database>,
  token: string,
  now = new Date().toISOString(),
): Promise<User | undefined> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .where('sessions.token_hash', '=', hashToken(token))
    .where('sessions.expires_at', '>', now)
    .executeTakeFirst();
  return row ? toUser(row) : undefined;
}

export async function deleteSession(db: Kysely<Database>, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', hashToken(token)).execute();
}

export async function createApiToken(
  db: Kysely<Database>,
  userId: number,
  name: string,
  now = new Date().toISOString(),
): Promise<{ id: number; token: string }> {
  const token = newToken('est');
  const row = await db
    .insertInto('api_tokens')
    .values({ name, token_hash: hashToken(token), user_id: userId, created_at: now, last_used_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, token };
}

export async function userForApiToken(
  db: Kysely<Database>,
  token: string,
  now = new Date(),
): Promise<User | undefined> {
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .selectAll('users')
    .select(['api_tokens.id as tokenId', 'api_tokens.last_used_at as tokenLastUsedAt'])
    .where('api_tokens.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row) return undefined;
  // When a token was last used, to the minute: enough to spot a forgotten or stolen one,
  // without a write on every request.
  const last = row.tokenLastUsedAt ? Date.parse(row.tokenLastUsedAt) : 0;
  if (now.getTime() - last >= TOKEN_USE_RESOLUTION_MS)
    await db.updateTable('api_tokens').set({ last_used_at: now.toISOString() }).where('id', '=', row.tokenId).execute();
  return toUser(row);
}

const TOKEN_USE_RESOLUTION_MS = 60_000;

// Verifying against a fixed hash when the user is unknown keeps timing from telling who exists.
const DUMMY_HASH = 'scrypt$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    createdAt: row.created_at,
  };
}
