/** Wall helpers for API tests: people with tokens, and the browser's token client driven through `inject`. */
import type { App } from '../../src/server/app.js';
import type { Runtime } from '../../src/runtime.js';
import type { Role, User } from '../../src/domain/user.js';
import { createApiToken, createUser } from '../../src/store/users.js';
import { makeBatch, type AnonToken, type TokenTransport } from '../../web/src/wall/anon-client.js';

export interface Person {
  readonly user: User;
  readonly headers: { authorization: string };
}

export async function person(runtime: Runtime, role: Role, username: string, displayName = username): Promise<Person> {
  const user = await createUser(runtime.store.db, { username, displayName, role, password: 'a-long-password' });
  const { token } = await createApiToken(runtime.store.db, user.id, 'test');
  return { user, headers: { authorization: `Bearer ${token}` } };
}

/** The browser's transport: the key fetched with no credentials, the signing with the person's login. */
export function transport(
  app: App,
  headers: Record<string, string>,
  extra: Record<string, string> = {},
): TokenTransport {
  return {
    async key() {
      const response = await app.inject({ url: '/api/wall/tokens/key', headers: extra });
      if (response.statusCode !== 200) throw new Error(`key: ${response.body}`);
      return response.json();
    },
    async sign(blinded) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/wall/tokens',
        headers: { ...headers, ...extra },
        payload: { blinded },
      });
      if (response.statusCode !== 200) throw new Error(`sign: ${response.statusCode} ${response.body}`);
      return response.json();
    },
  };
}

export function batch(app: App, who: Person, count: number, extra: Record<string, string> = {}): Promise<AnonToken[]> {
  return makeBatch(transport(app, who.headers, extra), count);
}
