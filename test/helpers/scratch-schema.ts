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

/**
 * Drops every schema whose name contains `fragment` (the @atproto/dev-env network names its PDS and
 * AppView schemas after the one it is given, so a test that hands it one drops them all after).
 */
export async function dropSchemasNamed(url: string, fragment: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      'SELECT schema_name AS name FROM information_schema.schemata WHERE strpos(schema_name, $1) > 0',
      [fragment],
    );
    for (const { name } of rows) await client.query(`DROP SCHEMA "${name}" CASCADE`);
  } finally {
    await client.end();
  }
}
