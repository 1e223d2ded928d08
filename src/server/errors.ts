/**
 * One error handler, one body: `{ error: { code, message, status } }`. User errors say what
 * was wrong; unexpected ones are logged with their stack and answered with a bare 500, never
 * their message (it may hold SQL or paths).
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { EarshotError, isEarshotError } from '../domain/errors.js';

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(function handleError(error: FastifyError | EarshotError | Error, request, reply) {
    const known = toEarshotError(error);
    if (known.status >= 500) request.log.error({ err: error }, 'unexpected error');
    if (known.code === 'ERR_RATE_LIMITED')
      void reply.header('retry-after', String(known.params.retryAfterSeconds ?? 60));
    return reply.status(known.status).send(known.toJSON());
  });
  app.setNotFoundHandler(function notFoundHandler(request, reply) {
    const error = new EarshotError('ERR_NOT_FOUND', {
      what: 'Route',
      id: `${request.method} ${request.url.split('?')[0]}`,
    });
    return reply.status(404).send(error.toJSON());
  });
}

function toEarshotError(error: FastifyError | EarshotError | Error): EarshotError {
  if (isEarshotError(error)) return error;
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const context = fastifyError.validationContext ?? 'request';
    const first = fastifyError.validation[0];
    const field = first?.instancePath ? `${context}${first.instancePath.replace(/\//g, '.')}` : context;
    const detail = first ? `${field} ${problemOf(first)}` : fastifyError.message;
    return new EarshotError('ERR_INPUT_INVALID', { detail });
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new EarshotError('ERR_INPUT_TOO_LARGE', { limit: 'the configured' });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new EarshotError('ERR_INPUT_INVALID', { detail: fastifyError.message });
    default:
      break;
  }
  if (fastifyError.statusCode === 429)
    return new EarshotError('ERR_RATE_LIMITED', { retryAfter: 'a minute', retryAfterSeconds: 60 });
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new EarshotError('ERR_INPUT_INVALID', { detail: fastifyError.message });
  }
  return new EarshotError('ERR_INTERNAL', {}, { cause: error });
}

type ValidationProblem = NonNullable<FastifyError['validation']>[number];

/** What was wrong with one field; an unknown field is named, so the caller knows which to drop. */
function problemOf(problem: ValidationProblem): string {
  const extra = (problem.params as { additionalProperty?: unknown } | undefined)?.additionalProperty;
  if (problem.keyword === 'additionalProperties' && typeof extra === 'string')
    return `has an unknown field "${extra.slice(0, 60)}"`;
  return problem.message ?? 'is invalid';
}
