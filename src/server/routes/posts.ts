/** `GET /api/posts`: full-text search with filters, newest first, keyset pagination. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { POST_KINDS, SENTIMENTS } from '../../domain/post.js';
import { notFound } from '../../domain/errors.js';
import { getPost } from '../../store/posts.js';
import { searchPosts } from '../../pipeline/search.js';
import { errorResponses, IdParams, literals, PostSchema } from '../schemas.js';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';
import { presentPost } from '../present.js';

export const postRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  app.get(
    '/posts',
    endpoint('agent', ['posts'], {
      querystring: Type.Object({
        q: Type.Optional(Type.String({ maxLength: 500, description: 'The stream query language (docs/web-desk.md)' })),
        sentiment: Type.Optional(literals(SENTIMENTS)),
        kind: Type.Optional(literals(POST_KINDS)),
        stream: Type.Optional(Type.Integer({ minimum: 1 })),
        source: Type.Optional(Type.String({ maxLength: 64 })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
        before: Type.Optional(Type.Integer({ minimum: 1 })),
      }),
      response: {
        200: Type.Object({ posts: Type.Array(PostSchema), nextBefore: Type.Union([Type.Integer(), Type.Null()]) }),
        ...errorResponses,
      },
    }),
    async (request) => {
      const { q, sentiment, kind, stream, source, limit, before } = request.query;
      const page = await searchPosts(context.store, {
        q,
        sentiment,
        kind,
        streamId: stream,
        source,
        limit,
        before,
      });
      const now = context.clock();
      return { ...page, posts: page.posts.map((post) => presentPost(post, now)) };
    },
  );

  app.get(
    '/posts/:id',
    endpoint('agent', ['posts'], { params: IdParams, response: { 200: PostSchema, ...errorResponses } }),
    async (request) => {
      const post = await getPost(context.store.db, request.params.id);
      if (!post) throw notFound('Post', request.params.id);
      return presentPost(post, context.clock());
    },
  );
};
