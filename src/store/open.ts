/**
 * Opens the store: an embedded SQLite file by default, PostgreSQL when a URL is given.
 * Migrations run on every open, so a fresh data folder or database just works.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type MigrationProvider } from 'kysely';
import { MIGRATIONS } from './migrations/index.js';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /** Where it lives, without credentials: a file path or host/database. */
  readonly location: string;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** `postgres://…`; when null the SQLite file below is used. */
  readonly databaseUrl: string | null;
  /** Folder for `earshot.sqlite`; `:memory:` for a throwaway in-memory store. */
  readonly dataDir: string;
}

const provider: MigrationProvider = { getMigrations: async () => ({ ...MIGRATIONS }) };

export async function openStore(options: StoreOptions): Promise<Store> {
  const store = options.databaseUrl ? await openPostgres(options.databaseUrl) : openSqlite(options.dataDir);
  try {
    await migrate(store.db);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

export async function migrate(db: Kysely<Database>): Promise<void> {
  const { error } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) throw error;
}

function openSqlite(dataDir: string): Store {
  let file = ':memory:';
  if (dataDir !== ':memory:') {
    mkdirSync(dataDir, { recursive: true });
    file = join(dataDir, 'earshot.sqlite');
  }
  const database = new SQLite(file);
  // WAL lets the desk read while ingest writes; NORMAL sync is safe with WAL (a crash loses at
  // most the last transactions, never corrupts), and the busy timeout rides out a second process.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return { db, dialect: 'sqlite', location: file, close: () => db.destroy() };
}

async function openPostgres(url: string): Promise<Store> {
  // pg is loaded only for PostgreSQL: the embedded default never needs it.
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const parsed = new URL(url);
  return { db, dialect: 'postgres', location: `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`, close: () => db.destroy() };
}
