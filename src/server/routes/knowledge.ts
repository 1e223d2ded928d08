/**
 * The knowledge base over HTTP: agents write, improve, search and compare articles, turn a
 * resolved ticket into a draft, see overdue reviews, contributors' pages and the monthly
 * leaderboard; anyone reads a public article at `/kb/<slug>` (a plain, read-only HTML page
 * with strict security headers: no script, no frames) and says whether it helped.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ARTICLE_STATUSES, ARTICLE_VISIBILITIES, type Article } from '../../domain/knowledge.js';
import type { EarshotError } from '../../domain/errors.js';
import { escapeHtml, renderMarkdown } from '../../knowledge/markdown.js';
import { contributorPage, monthlyLeaderboard } from '../../knowledge/recognition.js';
import { getUser } from '../../store/users.js';
import { errorResponses, IdParams, literals } from '../schemas.js';
import {
  ArticleSchema,
  ArticleVersionSchema,
  ContributionCountsSchema,
  ContributorSchema,
} from '../knowledge-schemas.js';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';

const ArticleFields = {
  title: Type.String({ minLength: 1, maxLength: 200 }),
  body: Type.String({ maxLength: 100_000 }),
  tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { maxItems: 20 })),
  visibility: Type.Optional(literals(ARTICLE_VISIBILITIES)),
  status: Type.Optional(literals(ARTICLE_STATUSES)),
  ownerId: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
  reviewDue: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
  note: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
};
const SlugParams = Type.Object({ slug: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,79}$' }) });

export const knowledgeRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  const parts = context.knowledge;
  if (!parts) return;
  const { base, ladder } = parts;
  const tags = ['knowledge'];
  const plain = (article: Article) => ({ ...article, tags: [...article.tags] });

  app.get(
    '/articles',
    endpoint('agent', tags, {
      querystring: Type.Object({
        q: Type.Optional(Type.String({ maxLength: 200 })),
        tag: Type.Optional(Type.String({ maxLength: 40 })),
        visibility: Type.Optional(literals(ARTICLE_VISIBILITIES)),
        status: Type.Optional(literals(ARTICLE_STATUSES)),
        overdue: Type.Optional(Type.Boolean()),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
      }),
      response: { 200: Type.Object({ articles: Type.Array(ArticleSchema) }), ...errorResponses },
    }),
    async (request) => {
      const { q, tag, visibility, status, overdue, limit } = request.query;
      let articles = overdue
        ? await base.overdue()
        : q?.trim()
          ? await base.search(q, request.user, limit)
          : await base.list({ tag, visibility, status });
      if (tag) articles = articles.filter((article) => article.tags.includes(tag));
      if (visibility) articles = articles.filter((article) => article.visibility === visibility);
      if (status) articles = articles.filter((article) => article.status === status);
      return { articles: articles.slice(0, limit).map(plain) };
    },
  );

  app.post(
    '/articles',
    endpoint('agent', tags, {
      body: Type.Object(ArticleFields, { additionalProperties: false }),
      response: { 201: ArticleSchema, ...errorResponses },
    }),
    async (request, reply) => reply.status(201).send(plain(await base.create(request.body, request.user!))),
  );

  app.get(
    '/articles/:id',
    endpoint('agent', tags, {
      params: IdParams,
      response: {
        200: Type.Object({
          article: ArticleSchema,
          html: Type.String({ description: 'The body rendered to safe HTML' }),
          versions: Type.Array(ArticleVersionSchema),
          linksTo: Type.Array(Type.Object({ id: Type.Integer(), slug: Type.String(), title: Type.String() })),
          linkedFrom: Type.Array(Type.Object({ id: Type.Integer(), slug: Type.String(), title: Type.String() })),
        }),
        ...errorResponses,
      },
    }),
    async (request) => {
      const article = await base.get(request.params.id);
      const links = await base.links(article.id);
      return {
        article: plain(article),
        html: renderMarkdown(article.body),
        versions: await base.versions(article.id),
        linksTo: links.to,
        linkedFrom: links.from,
      };
    },
  );

  app.patch(
    '/articles/:id',
    endpoint('agent', tags, {
      description: 'Saves changes; a changed title or body becomes a new version.',
      params: IdParams,
      body: Type.Partial(Type.Object(ArticleFields), { additionalProperties: false, minProperties: 1 }),
      response: { 200: ArticleSchema, ...errorResponses },
    }),
    async (request) => plain(await base.update(request.params.id, request.body, request.user!)),
  );

  app.get(
    '/articles/:id/diff',
    endpoint('agent', tags, {
      params: IdParams,
      querystring: Type.Object({ from: Type.Integer({ minimum: 1 }), to: Type.Integer({ minimum: 1 }) }),
      response: {
        200: Type.Object({
          lines: Type.Array(Type.Object({ op: literals(['same', 'add', 'del'] as const), text: Type.String() })),
        }),
        ...errorResponses,
      },
    }),
    async (request) => ({ lines: await base.diff(request.params.id, request.query.from, request.query.to) }),
  );

  app.post(
    '/tickets/:id/article',
    endpoint('agent', ['tickets', ...tags], {
      description: 'Turns a resolved ticket into a draft article (the question and the answers given).',
      params: IdParams,
      response: { 201: ArticleSchema, 409: errorResponses[400], ...errorResponses },
    }),
    async (request, reply) =>
      reply.status(201).send(plain(await base.draftFromTicket(request.params.id, request.user!))),
  );

  app.get(
    '/contributors/:id',
    endpoint('agent', tags, {
      description: 'A contributor’s page: what they wrote and improved, its views and votes, badges.',
      params: IdParams,
      response: { 200: ContributorSchema, ...errorResponses },
    }),
    async (request) => {
      const page = await contributorPage(context.store, request.params.id);
      const rank = await ladder.rankOf(page.user.id);
      return { ...page, articles: page.articles.map(plain), belt: { rank, name: await ladder.nameOf(rank) } };
    },
  );

  app.get(
    '/leaderboard',
    endpoint('agent', tags, {
      querystring: Type.Object({ month: Type.Optional(Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$' })) }),
      response: {
        200: Type.Object({
          month: Type.String(),
          rows: Type.Array(
            Type.Object({
              userId: Type.Integer(),
              displayName: Type.String(),
              score: Type.Integer(),
              counts: ContributionCountsSchema,
            }),
          ),
        }),
        ...errorResponses,
      },
    }),
    async (request) => {
      const month = request.query.month ?? context.clock().toISOString().slice(0, 7);
      return { month, rows: await monthlyLeaderboard(context.store, month) };
    },
  );
};

/** The public page: no login, read-only, no script. Registered without the /api prefix. */
export const knowledgePageRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (page, { context }) => {
  const parts = context.knowledge;
  if (!parts) return;
  const { base } = parts;
  page.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );
  page.addHook('onSend', async (_request, reply) => {
    void reply.header(
      'content-security-policy',
      "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    );
    void reply.header('cache-control', 'no-store');
  });

  page.get(
    '/kb/:slug',
    endpoint('public', ['knowledge'], {
      params: SlugParams,
      querystring: Type.Object({ voted: Type.Optional(Type.String({ maxLength: 10 })) }),
    }),
    async (request, reply) => {
      let article: Article;
      try {
        article = await base.read(request.params.slug, request.user);
      } catch (error) {
        if ((error as EarshotError).code !== 'ERR_NOT_FOUND') throw error;
        return reply
          .status(404)
          .type('text/html; charset=utf-8')
          .send(pageHtml('Not found', '<p>There is no such article.</p>'));
      }
      const author = article.authorId ? await getUser(context.store.db, article.authorId) : undefined;
      const voted = request.query.voted !== undefined;
      const body = [
        `<article><h1>${escapeHtml(article.title)}</h1>`,
        author
          ? `<p class="meta">By ${escapeHtml(author.displayName)} · version ${article.version} · updated ${escapeHtml(article.updatedAt.slice(0, 10))}</p>`
          : '',
        renderMarkdown(article.body),
        '</article>',
        voted
          ? '<p class="thanks" role="status">Thank you for telling us.</p>'
          : `<form method="post" action="/kb/${article.slug}/vote" class="vote"><span>Did this help?</span> <button name="helped" value="yes">Yes</button> <button name="helped" value="no">No</button></form>`,
      ].join('\n');
      return reply.type('text/html; charset=utf-8').send(pageHtml(article.title, body));
    },
  );

  page.post(
    '/kb/:slug/vote',
    endpoint('public', ['knowledge'], {
      params: SlugParams,
      body: Type.Object({ helped: literals(['yes', 'no'] as const) }, { additionalProperties: false }),
    }),
    async (request, reply) => {
      await base.vote(request.params.slug, request.body.helped === 'yes', request.user);
      // Back to the page, as the browser expects after a form (and a reload does not vote twice).
      return reply.redirect(`/kb/${request.params.slug}?voted=1`, 303);
    },
  );
};

function pageHtml(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font:16px/1.6 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#1d2430}
.meta{color:#5b6473;font-size:.9rem}pre{background:#f3f5f8;padding:.75rem;overflow:auto}
blockquote{border-left:3px solid #c9d1dc;margin:0;padding-left:1rem;color:#3a4250}
.vote{margin-top:2rem;padding:1rem;border:1px solid #dde2e8;border-radius:8px}
button{font:inherit;padding:.3rem .9rem;margin-left:.3rem}</style></head>
<body>${body}</body></html>`;
}
