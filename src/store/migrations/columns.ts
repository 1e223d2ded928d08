/**
 * Column helpers the migrations share. Frozen like them: a change here changes what every
 * migration that uses it creates, so never edit one; add a new helper instead. Imports only kysely.
 */
import { type CreateTableBuilder, type Kysely, SqliteAdapter } from 'kysely';

export function isSqlite(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

/** The table with an integer `id` primary key the database numbers (autoincrement, identity). */
export function withId<T extends string>(
  db: Kysely<any>,
  table: CreateTableBuilder<T, never>,
): CreateTableBuilder<T, 'id'> {
  return isSqlite(db)
    ? table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity());
}

/** `created_at` and `updated_at`, both required ISO-8601 text; for `.$call(timestamps)`. */
export function timestamps<T extends string, C extends string>(
  table: CreateTableBuilder<T, C>,
): CreateTableBuilder<T, C | 'created_at' | 'updated_at'> {
  return table.addColumn('created_at', 'text', (c) => c.notNull()).addColumn('updated_at', 'text', (c) => c.notNull());
}
