/**
 * People who use the desk, and machines that call the API.
 */

export const ROLES = ['admin', 'agent', 'employee'] as const;
export type Role = (typeof ROLES)[number];

/** What each role may do includes everything the roles after it may do. */
export const ROLE_RANK: Readonly<Record<Role, number>> = Object.freeze({ admin: 3, agent: 2, employee: 1 });

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
