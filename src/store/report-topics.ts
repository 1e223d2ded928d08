/**
 * The texts the report's topics are counted over: the newest posts of a period in scope, up to a
 * sample size, so a month of a million posts costs one index range read of a few thousand rows.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export async function periodTexts(
  db: Kysely<Database>,
  sources: readonly string[] | null,
  from: string,
  to: string,
  limit: number,
): Promise<string[]> {
  if (sources !== null && sources.length === 0) return [];
  let query = db
    .selectFrom('posts')
    .select('text')
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .orderBy('created_at', 'desc')
    .limit(limit);
  if (sources !== null) query = query.where('source', 'in', [...sources]);
  return (await query.execute()).map((row) => row.text);
}
