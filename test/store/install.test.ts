/**
 * The install's identity: a random id made when the store is created, the same on every later
 * open and every read, on SQLite and PostgreSQL; two stores never share one.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../helpers/backends.js';
import { openStore } from '../../src/store/open.js';
import { ensureInstall } from '../../src/store/install.js';

for (const backend of await backends()) {
  describe(`install id (${backend.name})`, { skip: backend.skip ?? false }, () => {
    test('made once with the store, kept across opens, different for another store', async () => {
      const first = await backend.open();
      const other = await backend.open();
      try {
        const install = await ensureInstall(first.store.db, () => 'never-used');
        assert.match(install.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        assert.equal(install.legacyOutboundMax, 0, 'a new store has no replies from before');
        assert.deepEqual(await ensureInstall(first.store.db, () => 'never-used'), install);
        const again = await openStore({ databaseUrl: first.databaseUrl, dataDir: first.dataDir });
        try {
          assert.equal((await ensureInstall(again.db, () => 'never-used')).id, install.id);
        } finally {
          await again.close();
        }
        assert.notEqual((await ensureInstall(other.store.db, () => 'never-used')).id, install.id);
      } finally {
        await other.dispose();
        await first.dispose();
      }
    });
  });
}
