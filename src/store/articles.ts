/**
 * Knowledge-base articles: the current version in `articles`, every version in
 * `article_versions` (so any two can be compared), links between articles, views and
 * "did this help?" votes. Full-text search differs by database and sits side by side here:
 * SQLite keeps an FTS5 table in step on every save; PostgreSQL matches a tsvector expression
 * with a GIN index over it.
 */
import { type Kysely, type Selectable, SqliteAdapter, sql } from 'kysely';
import type { Article, ArticleStatus, ArticleVersion, ArticleVisibility } from '../domain/knowledge.js';
import { linkedSlugs, slugOf } from '../domain/knowledge.js';
import type { ArticlesTable, Database } from './schema.js';
import { fromJson, toCount, toJson } from './json.js';

type Db = Kysely<Database>;

export interface ArticleInput {
  readonly title: string;
  readonly body: string;
  readonly tags?: readonly string[];
  readonly visibility?: ArticleVisibility;
  readonly status?: ArticleStatus;
  readonly ownerId?: number | null;
  readonly reviewDue?: string | null;
  readonly sourceTicketId?: number | null;
  /** What changed, for the version history. */
  readonly note?: string | null;
}

export async function createArticle(
  db: Db,
  input: ArticleInput,
  authorId: number | null,
  now: string,
): Promise<Article> {
  return db.transaction().execute(async (trx) => {
    const slug = await freeSlug(trx, slugOf(input.title));
    const row = await trx
      .insertInto('articles')
      .values({
        slug,
        title: input.title,
        body: input.body,
        tags: toJson(normaliseTags(input.tags ?? [])),
        visibility: input.visibility ?? 'internal',
        status: input.status ?? 'published',
        version: 1,
        author_id: authorId,
        owner_id: input.ownerId ?? authorId,
        review_due: input.reviewDue ?? null,
        source_ticket_id: input.sourceTicketId ?? null,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await addVersion(trx, row.id, 1, input, authorId, now);
    await syncIndexAndLinks(trx, row.id);
    return (await getArticle(trx, row.id))!;
  });
}

/** Saves changes; a changed title or body is a new version. Undefined when there is no such article. */
export async function updateArticle(
  db: Db,
  id: number,
  input: Partial<ArticleInput>,
  authorId: number | null,
  now: string,
): Promise<Article | undefined> {
  return db.transaction().execute(async (trx) => {
    const current = await trx.selectFrom('articles').selectAll().where('id', '=', id).executeTakeFirst();
    if (!current) return undefined;
    const title = input.title ?? current.title;
    const body = input.body ?? current.body;
    const changed = title !== current.title || body !== current.body;
    const version = changed ? current.version + 1 : current.version;
    await trx
      .updateTable('articles')
      .set({
        title,
        body,
        version,
        ...(input.tags !== undefined ? { tags: toJson(normaliseTags(input.tags)) } : {}),
        ...(input.visibility !== undefined ? { visibility: input.visibility } : {}),
        ...(input.status !== undefined ? { status: input.status } : {}),
        ...(input.ownerId !== undefined ? { owner_id: input.ownerId } : {}),
        ...(input.reviewDue !== undefined ? { review_due: input.reviewDue } : {}),
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
    if (changed) await addVersion(trx, id, version, { title, body, note: input.note ?? null }, authorId, now);
    await syncIndexAndLinks(trx, id);
    return getArticle(trx, id);
  });
}

export async function getArticle(db: Db, id: number): Promise<Article | undefined> {
  const row = await withVotes(db).where('articles.id', '=', id).executeTakeFirst();
  return row ? toArticle(row) : undefined;
}

export async function getArticleBySlug(db: Db, slug: string): Promise<Article | undefined> {
  const row = await withVotes(db).where('articles.slug', '=', slug).executeTakeFirst();
  return row ? toArticle(row) : undefined;
}

export interface ArticleFilter {
  readonly tag?: string;
  readonly visibility?: ArticleVisibility;
  readonly status?: ArticleStatus;
  readonly authorId?: number;
  /** Review date before this instant. */
  readonly reviewBefore?: string;
  readonly limit?: number;
}

export async function listArticles(db: Db, filter: ArticleFilter = {}): Promise<Article[]> {
  let query = withVotes(db);
  if (filter.visibility) query = query.where('articles.visibility', '=', filter.visibility);
  if (filter.status) query = query.where('articles.status', '=', filter.status);
  if (filter.authorId !== undefined) query = query.where('articles.author_id', '=', filter.authorId);
  if (filter.reviewBefore) query = query.where('articles.review_due', '<', filter.reviewBefore);
  const rows = await query
    .orderBy('articles.updated_at', 'desc')
    .limit(filter.limit ?? 200)
    .execute();
  const articles = rows.map(toArticle);
  return filter.tag ? articles.filter((article) => article.tags.includes(filter.tag!)) : articles;
}

/** Articles matching the words of `q`, best first. */
export async function searchArticles(
  db: Db,
  q: string,
  filter: { visibility?: ArticleVisibility; status?: ArticleStatus; limit?: number } = {},
): Promise<Article[]> {
  const limit = filter.limit ?? 20;
  let ids: number[];
  if (isSqlite(db)) {
    // FTS5 has its own query language; each word is quoted so user text is only ever words.
    const words = (q.match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 12);
    if (words.length === 0) return [];
    const match = words.map((word) => `"${word}"*`).join(' ');
    const { rows } = await sql<{
      id: number;
    }>`select rowid as id from article_fts where article_fts match ${match} order by bm25(article_fts, 5.0, 1.0, 2.0) limit 200`.execute(
      db,
    );
    ids = rows.map((row) => Number(row.id));
  } else {
    if (q.trim() === '') return [];
    const { rows } = await sql<{
      id: number;
    }>`select id from articles, websearch_to_tsquery('english', ${q}) query where to_tsvector('english', title || ' ' || body || ' ' || tags) @@ query order by ts_rank(to_tsvector('english', title || ' ' || body || ' ' || tags), query) desc limit 200`.execute(
      db,
    );
    ids = rows.map((row) => Number(row.id));
  }
  if (ids.length === 0) return [];
  const order = new Map(ids.map((id, i) => [id, i]));
  let query = withVotes(db).where('articles.id', 'in', ids);
  if (filter.visibility) query = query.where('articles.visibility', '=', filter.visibility);
  if (filter.status) query = query.where('articles.status', '=', filter.status);
  const rows = await query.execute();
  return rows
    .map(toArticle)
    .sort((a, b) => order.get(a.id)! - order.get(b.id)!)
    .slice(0, limit);
}

export async function listArticleVersions(db: Db, id: number): Promise<ArticleVersion[]> {
  const rows = await db
    .selectFrom('article_versions')
    .selectAll()
    .where('article_id', '=', id)
    .orderBy('version', 'desc')
    .execute();
  return rows.map((row) => ({
    version: row.version,
    title: row.title,
    body: row.body,
    authorId: row.author_id,
    note: row.note,
    createdAt: row.created_at,
  }));
}

/** Articles this one links to and those linking to it. */
export async function articleLinks(
  db: Db,
  id: number,
): Promise<{ to: { id: number; slug: string; title: string }[]; from: { id: number; slug: string; title: string }[] }> {
  const to = await db
    .selectFrom('article_links')
    .innerJoin('articles', 'articles.id', 'article_links.to_id')
    .select(['articles.id', 'articles.slug', 'articles.title'])
    .where('article_links.from_id', '=', id)
    .orderBy('articles.title')
    .execute();
  const from = await db
    .selectFrom('article_links')
    .innerJoin('articles', 'articles.id', 'article_links.from_id')
    .select(['articles.id', 'articles.slug', 'articles.title'])
    .where('article_links.to_id', '=', id)
    .orderBy('articles.title')
    .execute();
  return { to, from };
}

export async function recordArticleView(db: Db, id: number): Promise<void> {
  await db
    .updateTable('articles')
    .set((eb) => ({ views: eb('views', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

export async function addArticleVote(
  db: Db,
  id: number,
  helped: boolean,
  userId: number | null,
  now: string,
): Promise<void> {
  await db
    .insertInto('article_votes')
    .values({ article_id: id, helped: helped ? 1 : 0, user_id: userId, created_at: now })
    .execute();
}

/** Per author: what they wrote, improved, how it was read and voted, and how often replies linked it. */
export interface ContributionCounts {
  readonly written: number;
  readonly improved: number;
  readonly views: number;
  readonly helped: number;
  readonly linkedReplies: number;
}

export async function contributionCounts(
  db: Db,
  userId: number,
  range: { from?: string; to?: string } = {},
): Promise<ContributionCounts> {
  const own = await withVotes(db).where('articles.author_id', '=', userId).execute();
  const ownInRange = own.filter(
    (row) => (!range.from || row.created_at >= range.from) && (!range.to || row.created_at < range.to),
  );
  let improvedQuery = db
    .selectFrom('article_versions')
    .innerJoin('articles', 'articles.id', 'article_versions.article_id')
    .select((eb) => eb.fn.count<number>('article_versions.id').distinct().as('n'))
    .where('article_versions.author_id', '=', userId)
    .where('article_versions.version', '>', 1);
  if (range.from) improvedQuery = improvedQuery.where('article_versions.created_at', '>=', range.from);
  if (range.to) improvedQuery = improvedQuery.where('article_versions.created_at', '<', range.to);
  const improved = await improvedQuery.executeTakeFirstOrThrow();
  let helped = 0;
  if (own.length > 0) {
    let votes = db
      .selectFrom('article_votes')
      .select((eb) => eb.fn.countAll().as('n'))
      .where(
        'article_id',
        'in',
        own.map((row) => row.id),
      )
      .where('helped', '=', 1);
    if (range.from) votes = votes.where('created_at', '>=', range.from);
    if (range.to) votes = votes.where('created_at', '<', range.to);
    helped = toCount((await votes.executeTakeFirstOrThrow()).n);
  }
  const linkedReplies = await repliesLinking(
    db,
    own.map((row) => row.slug),
    range,
  );
  return {
    written: range.from || range.to ? ownInRange.length : own.length,
    improved: toCount(improved.n),
    views: own.reduce((sum, row) => sum + row.views, 0),
    helped,
    linkedReplies,
  };
}

/** Replies on tickets whose text links one of these articles (`/kb/<slug>`). */
async function repliesLinking(
  db: Db,
  slugs: readonly string[],
  range: { from?: string; to?: string },
): Promise<number> {
  if (slugs.length === 0) return 0;
  let query = db
    .selectFrom('ticket_events')
    .select(['body'])
    .where('type', '=', 'reply')
    .where('body', 'like', '%/kb/%');
  if (range.from) query = query.where('created_at', '>=', range.from);
  if (range.to) query = query.where('created_at', '<', range.to);
  const wanted = new Set(slugs);
  const rows = await query.execute();
  return rows.filter((row) => linkedSlugs(row.body ?? '').some((slug) => wanted.has(slug))).length;
}

/** Everyone who authored an article or a version, for the leaderboard. */
export async function contributorIds(db: Db): Promise<number[]> {
  const rows = await db
    .selectFrom('article_versions')
    .select('author_id')
    .distinct()
    .where('author_id', 'is not', null)
    .execute();
  return rows.map((row) => row.author_id!);
}

async function addVersion(
  db: Db,
  articleId: number,
  version: number,
  input: { title: string; body: string; note?: string | null },
  authorId: number | null,
  now: string,
): Promise<void> {
  await db
    .insertInto('article_versions')
    .values({
      article_id: articleId,
      version,
      title: input.title,
      body: input.body,
      author_id: authorId,
      note: input.note ?? null,
      created_at: now,
    })
    .execute();
}

/** Keeps the SQLite FTS row and the article's outgoing links in step with its text. */
async function syncIndexAndLinks(db: Db, id: number): Promise<void> {
  const row = (await db.selectFrom('articles').selectAll().where('id', '=', id).executeTakeFirst())!;
  if (isSqlite(db)) {
    await sql`delete from article_fts where rowid = ${id}`.execute(db);
    await sql`insert into article_fts (rowid, title, body, tags) values (${id}, ${row.title}, ${row.body}, ${fromJson(row.tags, []).join(' ')})`.execute(
      db,
    );
  }
  await db.deleteFrom('article_links').where('from_id', '=', id).execute();
  const slugs = linkedSlugs(row.body).filter((slug) => slug !== row.slug);
  if (slugs.length === 0) return;
  const targets = await db.selectFrom('articles').select('id').where('slug', 'in', slugs).execute();
  if (targets.length > 0)
    await db
      .insertInto('article_links')
      .values(targets.map((target) => ({ from_id: id, to_id: target.id })))
      .execute();
}

async function freeSlug(db: Db, base: string): Promise<string> {
  const taken = new Set(
    (
      await db
        .selectFrom('articles')
        .select('slug')
        .where((eb) => eb.or([eb('slug', '=', base), eb('slug', 'like', `${base}-%`)]))
        .execute()
    ).map((row) => row.slug),
  );
  if (!taken.has(base)) return base;
  for (let n = 2; ; n += 1) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

function normaliseTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((tag) => tag.trim().toLowerCase()).filter(Boolean))].slice(0, 20);
}

function isSqlite(db: Db): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

function withVotes(db: Db) {
  return db
    .selectFrom('articles')
    .selectAll('articles')
    .select((eb) => [
      eb
        .selectFrom('article_votes')
        .select((v) => v.fn.countAll().as('n'))
        .whereRef('article_votes.article_id', '=', 'articles.id')
        .where('article_votes.helped', '=', 1)
        .as('helped'),
      eb
        .selectFrom('article_votes')
        .select((v) => v.fn.countAll().as('n'))
        .whereRef('article_votes.article_id', '=', 'articles.id')
        .where('article_votes.helped', '=', 0)
        .as('not_helped'),
    ]);
}

function toArticle(row: Selectable<ArticlesTable> & { helped: unknown; not_helped: unknown }): Article {
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    body: row.body,
    tags: fromJson(row.tags, []),
    visibility: row.visibility,
    status: row.status,
    version: row.version,
    authorId: row.author_id,
    ownerId: row.owner_id,
    reviewDue: row.review_due,
    sourceTicketId: row.source_ticket_id,
    views: toCount(row.views),
    helped: toCount(row.helped),
    notHelped: toCount(row.not_helped),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
