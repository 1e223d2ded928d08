/**
 * Streams CRUD, and a preview that runs a query over recent posts before it is saved.
 * A query that does not parse is refused with the position of the mistake.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { EarshotError, notFound } from '../../domain/errors.js';
import { DEFAULT_TICKET_RULES } from '../../domain/stream.js';
import { compileQuery, matchablePost } from '../../pipeline/query.js';
import { searchPosts } from '../../store/post-search.js';
import { sourceKinds } from '../../store/sources.js';
import {
  backfillStream,
  createStream,
  deleteStream,
  getStream,
  getStreamByName,
  listStreams,
  updateStream,
} from '../../store/streams.js';
import { errorResponses, IdParams, PostSchema, StreamInputSchema, StreamSchema } from '../schemas.js';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';
import { presentPost } from '../present.js';

const PREVIEW_WINDOW = 500;

export const streamRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  const { store, bus } = context;
  const changed = (streamId: number | null) => bus.publish('streams.changed', { streamId });

  app.get(
    '/streams',
    endpoint('agent', ['streams'], {
      response: { 200: Type.Object({ streams: Type.Array(StreamSchema) }), ...errorResponses },
    }),
    async () => ({
      streams: await listStreams(store.db),
    }),
  );

  app.get(
    '/streams/:id',
    endpoint('agent', ['streams'], { params: IdParams, response: { 200: StreamSchema, ...errorResponses } }),
    async (request) => {
      const stream = await getStream(store.db, request.params.id);
      if (!stream) throw notFound('Stream', request.params.id);
      return stream;
    },
  );

  app.post(
    '/streams',
    endpoint('agent', ['streams'], {
      body: StreamInputSchema,
      response: { 201: StreamSchema, 409: errorResponses[400], ...errorResponses },
    }),
    async (request, reply) => {
      const matches = compileQuery(request.body.query);
      if (await getStreamByName(store.db, request.body.name))
        throw new EarshotError('ERR_CONFLICT', { detail: `A stream named "${request.body.name}" exists already` });
      const stream = await createStream(
        store.db,
        { ...request.body, ticketRules: request.body.ticketRules ?? DEFAULT_TICKET_RULES },
        context.clock().toISOString(),
      );
      await backfillStream(store.db, stream.id, matches);
      await changed(stream.id);
      return reply.status(201).send(stream);
    },
  );

  app.patch(
    '/streams/:id',
    endpoint('agent', ['streams'], {
      params: IdParams,
      body: Type.Partial(StreamInputSchema),
      response: { 200: StreamSchema, 409: errorResponses[400], ...errorResponses },
    }),
    async (request) => {
      const matches = request.body.query !== undefined ? compileQuery(request.body.query) : null;
      if (request.body.name !== undefined) {
        const same = await getStreamByName(store.db, request.body.name);
        if (same && same.id !== request.params.id)
          throw new EarshotError('ERR_CONFLICT', { detail: `A stream named "${request.body.name}" exists already` });
      }
      const stream = await updateStream(store.db, request.params.id, request.body, context.clock().toISOString());
      if (!stream) throw notFound('Stream', request.params.id);
      if (matches) await backfillStream(store.db, stream.id, matches);
      await changed(stream.id);
      return stream;
    },
  );

  app.delete(
    '/streams/:id',
    endpoint('admin', ['streams'], { params: IdParams, response: { 204: Type.Null(), ...errorResponses } }),
    async (request, reply) => {
      if (!(await deleteStream(store.db, request.params.id))) throw notFound('Stream', request.params.id);
      await changed(request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/streams/preview',
    endpoint('agent', ['streams'], {
      body: Type.Object(
        {
          query: Type.String({ minLength: 1, maxLength: 2000 }),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
        },
        { additionalProperties: false },
      ),
      response: {
        200: Type.Object({ posts: Type.Array(PostSchema), scanned: Type.Integer(), matched: Type.Integer() }),
        ...errorResponses,
      },
    }),
    async (request) => {
      const matches = compileQuery(request.body.query);
      const { posts } = await searchPosts(store.db, store.dialect, { limit: PREVIEW_WINDOW });
      const channelOf = await sourceKinds(store.db);
      const hits = posts.filter((post) => matches(matchablePost(post, channelOf)));
      const now = context.clock();
      return {
        posts: hits.slice(0, request.body.limit ?? 20).map((post) => presentPost(post, now)),
        scanned: posts.length,
        matched: hits.length,
      };
    },
  );
};
