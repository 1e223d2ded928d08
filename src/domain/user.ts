/**
 * People who use the desk, and machines that call the API.
 */

/**
 * From most to least trusted. A `lead` runs a team: on top of an agent's work they set the desk's
 * rules (SLA targets and calendars, ticket rules, escalation, guidelines, webhooks, shared saved
 * views), but never manage people, other people's tokens, sources or their credentials: those stay
 * with `admin` (docs/security.md lists each area).
 */
export const ROLES = ['admin', 'lead', 'agent', 'employee'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** What each role may do includes everything the roles after it may do. */
export const ROLE_RANK: Readonly<Record<Role, number>> = Object.freeze({ admin: 4, lead: 3, agent: 2, employee: 1 });

export interface User {
  readonly id: number;
  readonly username: string;
  readonly displayName: string;
  readonly role: Role;
  readonly createdAt: string;
}

export function hasRole(user: Pick<User, 'role'>, needed: Role): boolean {
  return ROLE_RANK[user.role] >= ROLE_RANK[needed];
}

/**
 * What an API token may do, on top of its user's role (a token never does more than its user):
 * `read` is GET and HEAD, `ingest` is `POST /api/ingest`, `write` every other change, `admin`
 * routes that need the admin role (users, tokens, sources, webhooks).
 */
export const TOKEN_SCOPES = ['read', 'write', 'ingest', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export function isTokenScope(value: unknown): value is TokenScope {
  return typeof value === 'string' && (TOKEN_SCOPES as readonly string[]).includes(value);
}

/** An API token as it is listed (never its secret). */
export interface ApiToken {
  readonly id: number;
  readonly name: string;
  readonly userId: number;
  readonly username: string;
  readonly scopes: TokenScope[];
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}
