/**
 * The knowledge base as people use it: write and improve articles (each save of the text a new
 * version, any two comparable), find them by their words, read them (counted), say whether one
 * helped, see which are overdue for review, and turn a resolved ticket into a draft article in
 * one click. Who may read what: public, published articles are for everyone (the `/kb/<slug>`
 * page); internal ones and drafts only for people logged in to the desk.
 */
import { EarshotError, invalid, notFound } from '../domain/errors.js';
import type { Article, ArticleStatus, ArticleVersion, ArticleVisibility } from '../domain/knowledge.js';
import type { User } from '../domain/user.js';
import type { Store } from '../store/open.js';
import {
  type ArticleInput,
  addArticleVote,
  articleLinks,
  createArticle,
  getArticle,
  getArticleBySlug,
  listArticles,
  listArticleVersions,
  recordArticleView,
  searchArticles,
  updateArticle,
} from '../store/articles.js';
import { getTicket, listTicketEvents } from '../store/tickets.js';
import { getPost } from '../store/posts.js';
import { type DiffLine, lineDiff } from './line-diff.js';

export const MAX_ARTICLE_CHARS = 100_000;

export interface KnowledgeBaseOptions {
  readonly store: Store;
  readonly clock?: () => Date;
}

export class KnowledgeBase {
  readonly #store: Store;
  readonly #clock: () => Date;

  constructor(options: KnowledgeBaseOptions) {
    this.#store = options.store;
    this.#clock = options.clock ?? (() => new Date());
  }

  async create(input: ArticleInput, author: User): Promise<Article> {
    return createArticle(this.#store.db, checked(input), author.id, this.#now());
  }

  async update(id: number, input: Partial<ArticleInput>, author: User): Promise<Article> {
    const article = await updateArticle(this.#store.db, id, checked(input), author.id, this.#now());
    if (!article) throw notFound('Article', id);
    return article;
  }

  async get(id: number): Promise<Article> {
    const article = await getArticle(this.#store.db, id);
    if (!article) throw notFound('Article', id);
    return article;
  }

  /** An article by its slug for a reader: `reader` null means anonymous, who sees only public, published ones. */
  async read(slug: string, reader: User | null): Promise<Article> {
    const article = await getArticleBySlug(this.#store.db, slug);
    if (!article || (reader === null && !isPublic(article))) throw notFound('Article', slug);
    await recordArticleView(this.#store.db, article.id);
    return { ...article, views: article.views + 1 };
  }

  list(filter: { tag?: string; visibility?: ArticleVisibility; status?: ArticleStatus; authorId?: number } = {}) {
    return listArticles(this.#store.db, filter);
  }

  search(q: string, reader: User | null, limit = 20): Promise<Article[]> {
    return searchArticles(
      this.#store.db,
      q,
      reader === null ? { visibility: 'public', status: 'published', limit } : { limit },
    );
  }

  /** Articles whose review date has passed, oldest first. */
  async overdue(): Promise<Article[]> {
    const articles = await listArticles(this.#store.db, { reviewBefore: this.#now() });
    return articles.sort((a, b) => (a.reviewDue ?? '').localeCompare(b.reviewDue ?? ''));
  }

  versions(id: number): Promise<ArticleVersion[]> {
    return listArticleVersions(this.#store.db, id);
  }

  /** Line diff of the body between two versions (title changes shown as the first line). */
  async diff(id: number, from: number, to: number): Promise<DiffLine[]> {
    const versions = await this.versions(id);
    const a = versions.find((version) => version.version === from);
    const b = versions.find((version) => version.version === to);
    if (!a) throw notFound(`Version of article ${id}`, from);
    if (!b) throw notFound(`Version of article ${id}`, to);
    return lineDiff(`# ${a.title}\n${a.body}`, `# ${b.title}\n${b.body}`);
  }

  links(id: number) {
    return articleLinks(this.#store.db, id);
  }

  async vote(slug: string, helped: boolean, reader: User | null): Promise<Article> {
    const article = await getArticleBySlug(this.#store.db, slug);
    if (!article || (reader === null && !isPublic(article))) throw notFound('Article', slug);
    await addArticleVote(this.#store.db, article.id, helped, reader?.id ?? null, this.#now());
    return (await getArticle(this.#store.db, article.id))!;
  }

  /**
   * A draft article from a resolved ticket: the question (the post that raised it) and the
   * answers given (its replies), for the agent to edit and publish.
   */
  async draftFromTicket(ticketId: number, author: User): Promise<Article> {
    const ticket = await getTicket(this.#store.db, ticketId);
    if (!ticket) throw notFound('Ticket', ticketId);
    if (ticket.status !== 'resolved' && ticket.status !== 'closed')
      throw new EarshotError('ERR_CONFLICT', { detail: `Ticket ${ticketId} is ${ticket.status}; resolve it first` });
    const post = ticket.postId !== null ? await getPost(this.#store.db, ticket.postId) : undefined;
    const replies = (await listTicketEvents(this.#store.db, ticketId)).filter((event) => event.type === 'reply');
    const body = [
      '## The question',
      '',
      ...(post ? post.text.split('\n').map((line) => `> ${line}`) : [`> ${ticket.subject}`]),
      '',
      '## The answer',
      '',
      ...(replies.length > 0 ? replies.map((reply) => reply.body ?? '') : ['(write the answer here)']),
    ].join('\n');
    return createArticle(
      this.#store.db,
      { title: ticket.subject.slice(0, 200) || `Ticket ${ticketId}`, body, status: 'draft', sourceTicketId: ticketId },
      author.id,
      this.#now(),
    );
  }

  #now(): string {
    return this.#clock().toISOString();
  }
}

export function isPublic(article: Pick<Article, 'visibility' | 'status'>): boolean {
  return article.visibility === 'public' && article.status === 'published';
}

function checked<T extends Partial<ArticleInput>>(input: T): T {
  if (input.title !== undefined && input.title.trim() === '') throw invalid('An article needs a title');
  if (input.body !== undefined && input.body.length > MAX_ARTICLE_CHARS)
    throw invalid(`An article is at most ${MAX_ARTICLE_CHARS} characters`);
  if (input.reviewDue && Number.isNaN(Date.parse(input.reviewDue))) throw invalid('reviewDue is not a date');
  return input.title !== undefined ? { ...input, title: input.title.trim() } : input;
}
