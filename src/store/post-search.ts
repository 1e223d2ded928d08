/**
 * Post search: a condition tree (the query language lowered by src/pipeline/search.ts) and the
 * page filters, run as one SQL statement with its order and limit inside, newest first, keyset
 * paginated. Text terms go to the full-text index (FTS5 on SQLite, the `search` tsvector on
 * PostgreSQL) as a superset of what the query matches; the caller's `accept` (the stream matcher)
 * then decides, so search and streams give one query one meaning.
 */
import { sql, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import type { Post, PostKind, Sentiment } from '../domain/post.js';
import type { Database, PostsTable } from './schema.js';
import type { Dialect } from './open.js';
import { withStreamIds } from './posts.js';

export type PostCondition =
  | { readonly op: 'and' | 'or'; readonly children: readonly PostCondition[] }
  | { readonly op: 'not'; readonly child: PostCondition }
  /** Whole words in this order, next to each other; the last one a prefix when `prefix`. */
  | { readonly op: 'text'; readonly words: readonly string[]; readonly prefix: boolean }
  | { readonly op: 'equals'; readonly column: 'sentiment' | 'kind'; readonly value: string }
  /** The column lowercased is one of `values` (ASCII values only: SQLite's lower() folds ASCII alone). */
  | {
      readonly op: 'lower-in';
      readonly column: 'lang' | 'source' | 'author_handle';
      readonly values: readonly string[];
    }
  /** Posts of configured sources of this kind, or of a source named so. */
  | { readonly op: 'channel'; readonly value: string };

/** What `accept` sees of a candidate row. */
export interface CandidatePost {
  readonly text: string;
  readonly author: { readonly handle: string };
  readonly lang: string;
  readonly kind: string;
  readonly sentiment: string;
  readonly source: string;
}

export interface PostFilter {
  /** Rows must satisfy this in SQL (a superset when `accept` is given). */
  readonly where?: PostCondition;
  /** The exact test a candidate must pass; SQL only narrows the candidates. */
  readonly accept?: (post: CandidatePost) => boolean;
  readonly sentiment?: Sentiment;
  readonly kind?: PostKind;
  readonly streamId?: number;
  readonly source?: string;
  /** Posts with an id below this one (keyset pagination, newest first). */
  readonly before?: number;
  readonly limit?: number;
}

export interface PostPage {
  readonly posts: Post[];
  /** Pass as `before` for the next page; null on the last page. */
  readonly nextBefore: number | null;
}

/**
 * Candidates read per round grow from `limit + 1` to this; after `MAX_ROUNDS` a short page comes
 * back with `nextBefore` set, so a query the index cannot narrow never scans the whole table at once.
 */
const MAX_BATCH = 4000;
const MAX_ROUNDS = 6;

export async function searchPosts(db: Kysely<Database>, dialect: Dialect, filter: PostFilter): Promise<PostPage> {
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
  const accepted: Selectable<PostsTable>[] = [];
  let before = filter.before;
  let exhausted = false;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const batch = filter.accept ? Math.min(MAX_BATCH, (limit + 1) * 2 ** round) : limit + 1;
    const rows = await candidateRows(db, dialect, filter, before, batch);
    for (const row of rows) {
      if (!filter.accept || filter.accept(candidateOf(row))) accepted.push(row);
      if (accepted.length > limit) break;
    }
    if (rows.length < batch) exhausted = true;
    if (accepted.length > limit || exhausted) break;
    before = rows[rows.length - 1]!.id;
  }
  const page = accepted.slice(0, limit);
  const posts = await withStreamIds(db, page);
  // A short page that did not reach the end carries on from the last row it read.
  const nextBefore = accepted.length > limit ? page[page.length - 1]!.id : exhausted ? null : (before ?? null);
  return { posts, nextBefore };
}

/** The SQL a search runs, for its plan (test/store/query-plans.test.ts) and for the benchmark. */
export function searchSql(
  dialect: Dialect,
  filter: Omit<PostFilter, 'accept' | 'limit'>,
  before: number | undefined,
  batch: number,
): RawBuilder<Selectable<PostsTable>> {
  const { match, rest } = splitFullText(dialect, filter.where);
  const conditions: RawBuilder<unknown>[] = [];
  if (filter.sentiment) conditions.push(sql`p.sentiment = ${filter.sentiment}`);
  if (filter.kind) conditions.push(sql`p.kind = ${filter.kind}`);
  if (filter.source) conditions.push(sql`p.source = ${filter.source}`);
  if (rest) conditions.push(toSql(dialect, rest));
  const stream =
    filter.streamId !== undefined
      ? sql`join post_streams ps on ps.post_id = p.id and ps.stream_id = ${filter.streamId}`
      : sql``;
  if (dialect === 'sqlite' && match !== null) {
    // FTS5 walks its rowids newest first and stops at the limit: order and limit stay inside the index.
    if (before !== undefined) conditions.push(sql`posts_fts.rowid < ${before}`);
    return sql<Selectable<PostsTable>>`select p.* from posts_fts join posts p on p.id = posts_fts.rowid ${stream}
      where posts_fts match ${match} ${andAll(conditions)} order by posts_fts.rowid desc limit ${batch}`;
  }
  if (match !== null) conditions.push(sql`p.search @@ to_tsquery('simple', ${match})`);
  // In a stream, walk the stream's own key (stream_id, post_id) newest first rather than the whole table.
  const key = filter.streamId !== undefined ? sql`ps.post_id` : sql`p.id`;
  if (before !== undefined) conditions.push(sql`${key} < ${before}`);
  return sql<Selectable<PostsTable>>`select p.* from posts p ${stream}
    where true ${andAll(conditions)} order by ${key} desc limit ${batch}`;
}

async function candidateRows(
  db: Kysely<Database>,
  dialect: Dialect,
  filter: PostFilter,
  before: number | undefined,
  batch: number,
): Promise<Selectable<PostsTable>[]> {
  const { rows } = await searchSql(dialect, filter, before, batch).execute(db);
  return rows;
}

function candidateOf(row: Selectable<PostsTable>): CandidatePost {
  return {
    text: row.text,
    author: { handle: row.author_handle },
    lang: row.lang,
    kind: row.kind,
    sentiment: row.sentiment,
    source: row.source,
  };
}

function andAll(conditions: readonly RawBuilder<unknown>[]): RawBuilder<unknown> {
  return conditions.length === 0 ? sql`` : sql` and ${sql.join(conditions, sql` and `)}`;
}

/**
 * The top-level conjuncts made only of text (and, or, words) become one full-text expression
 * the index answers with the order inside; the rest stays in WHERE.
 */
function splitFullText(
  dialect: Dialect,
  where: PostCondition | undefined,
): { match: string | null; rest: PostCondition | null } {
  if (!where) return { match: null, rest: null };
  const conjuncts = where.op === 'and' ? where.children : [where];
  const text = conjuncts.filter(isTextOnly);
  const rest = conjuncts.filter((c) => !isTextOnly(c));
  const match =
    text.length === 0 ? null : text.map((c) => fullText(dialect, c)).join(dialect === 'sqlite' ? ' AND ' : ' & ');
  return { match, rest: rest.length === 0 ? null : rest.length === 1 ? rest[0]! : { op: 'and', children: rest } };
}

function isTextOnly(condition: PostCondition): boolean {
  if (condition.op === 'text') return true;
  if (condition.op === 'and' || condition.op === 'or') return condition.children.every(isTextOnly);
  return false;
}

/** A text-only condition as an FTS5 or tsquery expression; every word quoted, so input never becomes syntax. */
function fullText(dialect: Dialect, condition: PostCondition): string {
  switch (condition.op) {
    case 'text':
      if (dialect === 'sqlite')
        return `"${condition.words.join(' ').replace(/"/g, '""')}"${condition.prefix ? '*' : ''}`;
      return `(${condition.words
        .map(
          (word, i) =>
            `'${word.replace(/\\/g, '\\\\').replace(/'/g, "''")}'${condition.prefix && i === condition.words.length - 1 ? ':*' : ''}`,
        )
        .join(' <-> ')})`;
    case 'and':
    case 'or': {
      const glue =
        condition.op === 'and' ? (dialect === 'sqlite' ? ' AND ' : ' & ') : dialect === 'sqlite' ? ' OR ' : ' | ';
      return `(${condition.children.map((child) => fullText(dialect, child)).join(glue)})`;
    }
    default:
      throw new Error(`not a text condition: ${condition.op}`);
  }
}

function toSql(dialect: Dialect, condition: PostCondition): RawBuilder<unknown> {
  switch (condition.op) {
    case 'and':
    case 'or':
      return sql`(${sql.join(
        condition.children.map((child) => toSql(dialect, child)),
        condition.op === 'and' ? sql` and ` : sql` or `,
      )})`;
    case 'not':
      return sql`not (${toSql(dialect, condition.child)})`;
    case 'text': {
      const match = fullText(dialect, condition);
      return dialect === 'sqlite'
        ? sql`p.id in (select rowid from posts_fts where posts_fts match ${match})`
        : sql`p.search @@ to_tsquery('simple', ${match})`;
    }
    case 'equals':
      return sql`${sql.ref(`p.${condition.column}`)} = ${condition.value}`;
    case 'lower-in':
      return sql`lower(${sql.ref(`p.${condition.column}`)}) in (${sql.join(condition.values.map((value) => sql`${value}`))})`;
    case 'channel':
      return sql`(p.source in (select name from sources where lower(kind) = ${condition.value}) or lower(p.source) = ${condition.value})`;
  }
}
