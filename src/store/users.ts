/**
 * Users, login sessions and API tokens. Only hashes of secrets are stored: passwords with
 * Argon2id (its parameters in the PHC string, so they can be raised later and old hashes
 * recognised), session and API tokens with SHA-256 (they are long random strings already).
 * Hashes from before Argon2id (scrypt at N=2^14) still verify and are replaced at the next login.
 */
import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { hash as argon2Hash, parseOptions as argon2Options, verify as argon2Verify } from '@node-rs/argon2';
import type { Algorithm, Options as Argon2Options } from '@node-rs/argon2';
import type { Kysely, Selectable } from 'kysely';
import { MIN_PASSWORD_CHARS } from '../config.js';
import { EarshotError } from '../domain/errors.js';
import {
  hasRole,
  TOKEN_SCOPES,
  type ApiToken,
  type Role,
  type TokenScope,
  type User,
  isTokenScope,
} from '../domain/user.js';
import type { Database, UsersTable } from './schema.js';
import { fromJson, toCount, toJson } from './json.js';

const scrypt = promisify(scryptCallback) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

/**
 * OWASP's first Argon2id choice (19 MiB, 2 passes, 1 lane): about 30 ms a login on one core,
 * and 19 MiB for each login in flight, which the per-address login limit keeps few.
 */
export const ARGON2_PARAMETERS = Object.freeze({
  // Argon2id; the package's enum is a const enum, which isolated modules cannot read.
  algorithm: 2 as Algorithm,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
}) satisfies Argon2Options;

/** Refuses a password shorter than MIN_PASSWORD_CHARS, wherever one is set (API, CLI, first admin). */
export function assertPasswordStrongEnough(password: string): void {
  if ([...password].length < MIN_PASSWORD_CHARS)
    throw new EarshotError('ERR_INPUT_INVALID', {
      detail: `a password needs at least ${MIN_PASSWORD_CHARS} characters`,
    });
}

export async function hashPassword(password: string): Promise<string> {
  return argon2Hash(password, ARGON2_PARAMETERS);
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (stored.startsWith('$argon2')) {
    try {
      return await argon2Verify(stored, password);
    } catch {
      return false;
    }
  }
  const [scheme, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length);
  return timingSafeEqual(actual, expected);
}

/** Whether a stored hash is weaker than today's parameters (scrypt, or Argon2 with less memory or passes). */
export function needsRehash(stored: string): boolean {
  if (!stored.startsWith('$argon2id$')) return true;
  try {
    const used = argon2Options(stored);
    return (
      used.memoryCost < ARGON2_PARAMETERS.memoryCost ||
      used.timeCost < ARGON2_PARAMETERS.timeCost ||
      used.parallelism < ARGON2_PARAMETERS.parallelism
    );
  } catch {
    return true;
  }
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
  assertPasswordStrongEnough(input.password);
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
  const ok = await verifyPassword(password, row?.password_hash ?? (await dummyHash()));
  if (!row || !ok) return undefined;
  // The one moment the password is known: move an old hash to today's parameters.
  if (needsRehash(row.password_hash))
    await db
      .updateTable('users')
      .set({ password_hash: await hashPassword(password) })
      .where('id', '=', row.id)
      .execute();
  return toUser(row);
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

/** The scopes a token gets when none are named: everything its user's role allows. */
export function defaultScopes(role: Role): TokenScope[] {
  return TOKEN_SCOPES.filter((scope) => scope !== 'admin' || role === 'admin');
}

export async function createApiToken(
  db: Kysely<Database>,
  userId: number,
  name: string,
  now = new Date().toISOString(),
  options: { scopes?: readonly TokenScope[]; expiresAt?: string | null } = {},
): Promise<{ id: number; token: string; scopes: TokenScope[]; expiresAt: string | null }> {
  const token = newToken('est');
  const scopes = options.scopes ? TOKEN_SCOPES.filter((scope) => options.scopes!.includes(scope)) : [...TOKEN_SCOPES];
  const expiresAt = options.expiresAt ?? null;
  const row = await db
    .insertInto('api_tokens')
    .values({
      name,
      token_hash: hashToken(token),
      user_id: userId,
      created_at: now,
      last_used_at: null,
      scopes: toJson(scopes),
      expires_at: expiresAt,
      revoked_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, token, scopes, expiresAt };
}

/** Who a bearer token acts as, and what it may do; undefined when unknown, expired or revoked. */
export async function userForApiToken(
  db: Kysely<Database>,
  token: string,
  now = new Date(),
): Promise<{ user: User; scopes: TokenScope[]; tokenId: number } | undefined> {
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .selectAll('users')
    .select([
      'api_tokens.id as tokenId',
      'api_tokens.last_used_at as tokenLastUsedAt',
      'api_tokens.scopes as tokenScopes',
      'api_tokens.expires_at as tokenExpiresAt',
      'api_tokens.revoked_at as tokenRevokedAt',
    ])
    .where('api_tokens.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row || row.tokenRevokedAt !== null) return undefined;
  if (row.tokenExpiresAt !== null && row.tokenExpiresAt <= now.toISOString()) return undefined;
  // When a token was last used, to the minute: enough to spot a forgotten or stolen one,
  // without a write on every request.
  const last = row.tokenLastUsedAt ? Date.parse(row.tokenLastUsedAt) : 0;
  if (now.getTime() - last >= TOKEN_USE_RESOLUTION_MS)
    await db.updateTable('api_tokens').set({ last_used_at: now.toISOString() }).where('id', '=', row.tokenId).execute();
  const user = toUser(row);
  // A token never does more than its user may: `admin` means nothing without the admin role.
  const scopes = fromJson(row.tokenScopes, [] as TokenScope[])
    .filter(isTokenScope)
    .filter((scope) => scope !== 'admin' || hasRole(user, 'admin'));
  return { user, scopes, tokenId: row.tokenId };
}

/** Tokens, newest first: every user's (`userId` undefined) or one user's. */
export async function listApiTokens(db: Kysely<Database>, userId?: number): Promise<ApiToken[]> {
  let query = db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select([
      'api_tokens.id',
      'api_tokens.name',
      'api_tokens.user_id',
      'users.username',
      'api_tokens.scopes',
      'api_tokens.created_at',
      'api_tokens.expires_at',
      'api_tokens.last_used_at',
      'api_tokens.revoked_at',
    ])
    .orderBy('api_tokens.id', 'desc');
  if (userId !== undefined) query = query.where('api_tokens.user_id', '=', userId);
  return (await query.execute()).map((row) => ({
    id: row.id,
    name: row.name,
    userId: row.user_id,
    username: row.username,
    scopes: fromJson(row.scopes, [] as TokenScope[]).filter(isTokenScope),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  }));
}

/** Revokes a token (kept in the list, marked, so its history stays); false when there is none to revoke. */
export async function revokeApiToken(
  db: Kysely<Database>,
  id: number,
  now: string,
  ownerId?: number,
): Promise<boolean> {
  let query = db
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null);
  if (ownerId !== undefined) query = query.where('user_id', '=', ownerId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

const TOKEN_USE_RESOLUTION_MS = 60_000;

// Verifying against a real hash when the user is unknown keeps timing from telling who exists.
let dummy: Promise<string> | null = null;
function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString('base64'));
  return dummy;
}

function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    createdAt: row.created_at,
  };
}
