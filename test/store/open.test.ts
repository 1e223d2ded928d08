/**
 * Opening the store: on PostgreSQL each install keeps its migrations to its own schema, so
 * two installs (or two test runs) in one database never confuse each other's migration tables.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../helpers/backends.js';
import { countUsers } from '../../src/store/users.js';

const postgres = (await backends()).find((backend) => backend.name === 'postgres')!;

test('postgres: a second store in another schema of the same database migrates its own tables', {
  skip: postgres.skip ?? false,
}, async () => {
  const first = await postgres.open();
  try {
    // The first store's migration tables exist while the second one opens.
    const second = await postgres.open();
    try {
      assert.equal(await countUsers(second.store.db), 0);
      assert.equal(await countUsers(first.store.db), 0);
    } finally {
      await second.dispose();
    }
  } finally {
    await first.dispose();
  }
});
