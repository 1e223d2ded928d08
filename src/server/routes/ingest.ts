/**
 * `POST /api/ingest`: one post as JSON, an array of them, or an NDJSON batch
 * (`Content-Type: application/x-ndjson`). Valid posts are stored; invalid ones are reported by
 * line and never half-stored. A request with nothing valid in it is a 400.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { EarshotError, invalid } from '../../domain/errors.js';
import { collectNdjson, type NdjsonLine } from '../../pipeline/ndjson.js';
import type { RawItem } from '../../pipeline/ingest.js';
import { errorResponses } from '../schemas.js';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';

/** One line of NDJSON may be at most this long; a post's text is capped well below it anyway. */
export const MAX_LINE_BYTES = 1024 * 1024;
const MAX_BATCH = 50_000;

/** An NDJSON body, read line by line as it arrived (a class, so no JSON body can pass for one). */
class NdjsonBody {
  constructor(readonly lines: NdjsonLine[]) {}
}

const IngestResponse = Type.Object({
  read: Type.Integer(),
  new: Type.Integer(),
  duplicate: Type.Integer(),
  rejected: Type.Array(
    Type.Object({
      line: Type.Union([Type.Integer(), Type.Null()]),
      index: Type.Integer(),
      code: Type.String(),
      message: Type.String(),
    }),
  ),
  postIds: Type.Array(Type.Integer()),
  ticketIds: Type.Array(Type.Integer()),
});

export const ingestRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  // Read as a stream, not as one string: see collectNdjson. Fastify leaves the body limit of a
  // streaming parser to the parser, so it is checked here, before and while reading.
  app.addContentTypeParser(
    ['application/x-ndjson', 'application/jsonl'],
    async (request: FastifyRequest, payload: IncomingMessage) => {
      const maxBytes = request.routeOptions.bodyLimit ?? context.config.bodyLimit;
      const declared = Number(request.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes)
        throw new EarshotError('ERR_INPUT_TOO_LARGE', { limit: String(maxBytes) });
      const lines = await collectNdjson(payload, { maxLineBytes: MAX_LINE_BYTES, maxBytes, maxLines: MAX_BATCH });
      return new NdjsonBody(lines);
    },
  );

  app.post(
    '/ingest',
    {
      // The one route with a large body; auth runs in onRequest, so only a known agent gets here.
      bodyLimit: context.config.ingestBodyLimit,
      ...endpoint(
        'agent',
        ['ingest'],
        {
          description: 'One post (JSON object), an array of posts, or NDJSON lines. Unknown fields are kept.',
          body: Type.Unknown(),
          response: { 200: IngestResponse, 413: errorResponses[400], ...errorResponses },
        },
        { scope: 'ingest' },
      ),
    },
    async (request) => {
      const items = toItems(request.body);
      const single =
        !(request.body instanceof NdjsonBody) && !Array.isArray(request.body) && typeof request.body === 'object';
      const result = await context.pipeline.ingest(items.valid);
      // The pipeline has moved on; this request answers once its alerts and live events exist.
      await result.delivered;
      const rejected = [
        ...items.rejected,
        ...result.rejected.map((rejection) => ({ ...rejection, line: items.valid[rejection.index]?.line ?? null })),
      ].sort((a, b) => (a.line ?? a.index) - (b.line ?? b.index));
      const read = items.valid.length + items.rejected.length;
      if (read > 0 && result.new + result.duplicate === 0 && rejected.length > 0) {
        const first = rejected[0]!;
        if (single) throw invalid(first.message);
        throw new EarshotError('ERR_INGEST_MALFORMED', {
          line: first.line ?? first.index + 1,
          detail: `${first.message} (and ${rejected.length - 1} more rejected, nothing stored)`,
        });
      }
      return {
        read,
        new: result.new,
        duplicate: result.duplicate,
        rejected,
        postIds: result.posts.map((post) => post.id),
        ticketIds: result.tickets.map((ticket) => ticket.id),
      };
    },
  );
};

function toItems(body: unknown): {
  valid: RawItem[];
  rejected: { line: number | null; index: number; code: string; message: string }[];
} {
  if (body instanceof NdjsonBody) {
    const { lines } = body;
    const valid: RawItem[] = [];
    const rejected = [];
    for (const [index, line] of lines.entries()) {
      if (line.ok) valid.push({ value: line.value, line: line.line });
      else
        rejected.push({
          line: line.line,
          index,
          code: 'ERR_INGEST_MALFORMED',
          message: `Line ${line.line}: ${line.error}`,
        });
    }
    return { valid, rejected };
  }
  if (Array.isArray(body)) {
    if (body.length > MAX_BATCH)
      throw invalid(`A batch holds at most ${MAX_BATCH} posts; send more in several requests`);
    return { valid: body.map((value, index) => ({ value, line: index + 1 })), rejected: [] };
  }
  if (body === null || typeof body !== 'object')
    throw invalid('The body must be a post (JSON object), an array of posts, or NDJSON');
  return { valid: [{ value: body }], rejected: [] };
}
