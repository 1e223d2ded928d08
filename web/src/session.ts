/** Who is logged in, shared by the whole desk. */
import { createContext, useContext } from 'react';
import { ROLE_RANK, type Role, type User } from './api-types.js';

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

/** The server's own ranking (src/domain/user.ts): the desk hides what the server would refuse. */
export function can(user: Pick<User, 'role'>, needed: Role): boolean {
  return ROLE_RANK[user.role] >= ROLE_RANK[needed];
}
