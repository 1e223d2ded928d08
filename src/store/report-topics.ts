/**
 * The posts the report's topics are counted over: the newest posts of a period in scope, up to a
 * sample size, so a month of a million posts costs one index range read of a few thousand rows.
 * Newest first, the id breaking ties of time, so the sample is the same on every read.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface SampledPost {
  readonly id: number;
  readonly createdAt: string;
  readonly text: string;
}

export async function periodPosts(
  db: Kysely<Database>,
  sources: readonly string[] | null,
  from: string,
  to: string,
  limit: number,
): Promise<SampledPost[]> {
  if (sources !== null && sources.length === 0) return [];
  let query = db
    .selectFrom('posts')
    .select(['id', 'created_at as createdAt', 'text'])
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit);
  if (sources !== null) query = query.where('source', 'in', [...sources]);
  return await query.execute();
}
