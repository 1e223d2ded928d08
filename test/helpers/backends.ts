/**
 * Runs a suite once per store backend: SQLite (always) and PostgreSQL (from
 * EARSHOT_TEST_DATABASE_URL). Each run gets a fresh database: a temp folder for SQLite,
 * a new schema for PostgreSQL, dropped afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/open.js';
import { scratchSchema } from './scratch-schema.js';

export interface Backend {
  readonly name: 'sqlite' | 'postgres';
  /** Why this backend is skipped, or null when it runs. */
  readonly skip: string | null;
  /** A fresh, migrated store; call `dispose` when done. */
  open(): Promise<{ store: Store; databaseUrl: string | null; dataDir: string; dispose(): Promise<void> }>;
}

const postgresUrl = process.env.EARSHOT_TEST_DATABASE_URL?.trim() || null;
const underCi = process.env.CI === 'true';

export async function backends(): Promise<Backend[]> {
  return [sqliteBackend(), await postgresBackend()];
}

function sqliteBackend(): Backend {
  return {
    name: 'sqlite',
    skip: null,
    async open() {
      const dataDir = mkdtempSync(join(tmpdir(), 'earshot-test-'));
      const store = await openStore({ databaseUrl: null, dataDir });
      return {
        store,
        databaseUrl: null,
        dataDir,
        dispose: async () => {
          await store.close();
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
  };
}

async function postgresBackend(): Promise<Backend> {
  let skip: string | null = null;
  if (!postgresUrl) skip = 'EARSHOT_TEST_DATABASE_URL is not set';
  else {
    const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('select 1');
    } catch (error) {
      skip = `PostgreSQL at EARSHOT_TEST_DATABASE_URL is unreachable: ${(error as Error).message}`;
    } finally {
      await client.end().catch(() => {});
    }
  }
  // On CI a missing PostgreSQL is a broken setup, never a reason to skip the suite.
  if (skip && underCi) throw new Error(`PostgreSQL store suite cannot run under CI=true: ${skip}`);
  return {
    name: 'postgres',
    skip,
    async open() {
      const scratch = await scratchSchema(postgresUrl!, 'earshot_test');
      const databaseUrl = scratch.url;
      const dataDir = mkdtempSync(join(tmpdir(), 'earshot-test-'));
      const store = await openStore({ databaseUrl, dataDir });
      return {
        store,
        databaseUrl,
        dataDir,
        async dispose() {
          await store.close();
          await scratch.drop();
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
  };
}
