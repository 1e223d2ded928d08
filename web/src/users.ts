/** The desk's people, fetched once and shared (names for assignees and event actors). */
import { useEffect, useState } from 'react';
import { api } from './api.js';
import type { User } from './api-types.js';

let cached: Promise<User[]> | null = null;

export function loadUsers(refresh = false): Promise<User[]> {
  if (!cached || refresh) cached = api.users().then(({ users }) => users, () => []);
  return cached;
}

export function useUsers(): User[] {
  const [users, setUsers] = useState<User[]>([]);
  useEffect(() => {
    let alive = true;
    void loadUsers().then((list) => {
      if (alive) setUsers(list);
    });
    return () => {
      alive = false;
    };
  }, []);
  return users;
}
