/**
 * A fresh PostgreSQL schema in the given database, and the URL that makes it the search path:
 * each test run or benchmark gets its own tables beside the others' in one shared database.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface ScratchSchema {
  readonly schema: string;
  /** `url` with `search_path` set to the new schema. */
  readonly url: string;
  drop(): Promise<void>;
}

export async function scratchSchema(url: string, prefix: string): Promise<ScratchSchema> {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  await run(url, `create schema ${schema}`);
  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  return { schema, url: scoped.toString(), drop: () => run(url, `drop schema ${schema} cascade`) };
}

async function run(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
