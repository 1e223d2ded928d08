/**
 * Opens the store: an embedded SQLite file by default, PostgreSQL when a URL is given.
 * Migrations run on every open, so a fresh data folder or database just works.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type MigrationProvider } from 'kysely';
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
    await migrate(store.db, store.dialect);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

export async function migrate(db: Kysely<Database>, dialect: Dialect): Promise<void> {
  // On PostgreSQL the migrator's "does the lock table exist" check looks in every schema, so a
  // second Earshot (or test run) in another schema of the same database fooled it into skipping
  // the table it then failed to read. Naming our own schema keeps each install to itself.
  const migrationTableSchema = dialect === 'postgres' ? await currentSchema(db) : undefined;
  const { error } = await new Migrator({ db, provider, migrationTableSchema }).migrateToLatest();
  if (error) throw error;
}

async function currentSchema(db: Kysely<Database>): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  if (!schema) throw new Error('PostgreSQL has no current schema: set search_path in the database URL or for the user');
  return schema;
}

/**
 * The data folder is the owner's alone (0700) and so is the database (0600): posts, sessions and
 * sealed credentials are in it. SQLite gives its -wal and -shm files the database file's mode.
 */
function protectDataFiles(dataDir: string, file: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  closeSync(openSync(file, 'a', 0o600));
  for (const path of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(path)) chmodSync(path, 0o600);
}

function openSqlite(dataDir: string): Store {
  let file = ':memory:';
  if (dataDir !== ':memory:') {
    file = join(dataDir, 'earshot.sqlite');
    protectDataFiles(dataDir, file);
  }
  const database = new SQLite(file);
  // WAL lets the desk read while ingest writes; NORMAL sync is safe with WAL (a crash loses at
  // most the last transactions, never corrupts), and the busy timeout rides out a second process.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  return { db, dialect: 'sqlite', location: file, close: () => db.destroy() };
}

/** Distinct SQL texts kept prepared; the hot ones (a full 500-row INSERT, the search shapes) are few. */
const STATEMENT_CACHE = 256;

/**
 * Kysely prepares every statement it runs again; a 500-row INSERT costs more to prepare than to
 * run. The database handed to Kysely keeps the most recently used statements prepared, by their SQL.
 */
function withStatementCache(database: SQLite.Database): { close(): void; prepare(sql: string): SQLite.Statement } {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => {
      cache.clear();
      database.close();
    },
    prepare(sql) {
      let statement = cache.get(sql);
      if (statement) {
        // Most recently used last: a Map iterates in insertion order, so the first key is the oldest.
        cache.delete(sql);
      } else {
        statement = database.prepare(sql);
        if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, statement);
      return statement;
    },
  };
}

async function openPostgres(url: string): Promise<Store> {
  // pg is loaded only for PostgreSQL: the embedded default never needs it.
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const parsed = new URL(url);
  return {
    db,
    dialect: 'postgres',
    location: `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`,
    close: () => db.destroy(),
  };
}
