/** Who is logged in, shared by the whole desk. */
import { createContext, useContext } from 'react';
import type { Role, User } from './api-types.js';

export interface Session {
  readonly user: User;
  logout(): Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a logged-in desk');
  return session;
}

const RANK: Record<Role, number> = { admin: 3, agent: 2, employee: 1 };
export function can(user: Pick<User, 'role'>, needed: Role): boolean {
  return RANK[user.role] >= RANK[needed];
}
