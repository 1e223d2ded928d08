/**
 * What the database can hold, enforced at the door for every route: PostgreSQL refuses NUL in
 * text and integers beyond 32 bits (`integer` columns), and used to answer such input with a
 * 500. Every integer a request schema declares (path, query, body) without its own bounds gets
 * the 32-bit range, every number a finite one (checked again after validation, which lets a
 * coerced "1e309" through as Infinity); a NUL byte anywhere in the path, the query or a
 * JSON body is a 400. `POST /api/ingest` is exempt from the NUL check: normalize cleans and
 * reports each post alone, so one bad row never fails the batch.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { EarshotError } from '../domain/errors.js';

export const INT32_MAX = 2_147_483_647;
const INT32_MIN = -2_147_483_648;
/** How many values of a body are looked at for NUL before giving up looking (bodies are 1 MiB at most). */
const MAX_VALUES_SCANNED = 200_000;

export function boundInputs(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const schema = route.schema as Record<string, unknown> | undefined;
    if (!schema) return;
    for (const part of ['params', 'querystring', 'body'] as const) boundNumbers(schema[part], new Set());
  });
  app.addHook('preValidation', async (request) => {
    const where = nulIn(request);
    if (where)
      throw new EarshotError('ERR_INPUT_INVALID', { detail: `${where} holds a NUL byte, which cannot be stored` });
  });
  // Ajv coerces "1e309" in a path or query to Infinity and lets it past `maximum`: refuse it here.
  app.addHook('preHandler', async (request) => {
    for (const [part, values] of [
      ['path parameter', request.params],
      ['query field', request.query],
    ] as const)
      for (const [name, value] of Object.entries((values ?? {}) as Record<string, unknown>))
        if ([value].flat().some((item) => typeof item === 'number' && !Number.isFinite(item)))
          throw new EarshotError('ERR_INPUT_INVALID', { detail: `${part} ${name} must be a finite number` });
  });
}

function boundNumbers(schema: unknown, seen: Set<object>): void {
  if (!schema || typeof schema !== 'object' || seen.has(schema)) return;
  seen.add(schema);
  const node = schema as Record<string, unknown>;
  if (node.type === 'integer') {
    node.maximum ??= INT32_MAX;
    node.minimum ??= INT32_MIN;
  } else if (node.type === 'number') {
    node.maximum ??= Number.MAX_VALUE;
    node.minimum ??= -Number.MAX_VALUE;
  }
  if (node.properties && typeof node.properties === 'object')
    for (const child of Object.values(node.properties)) boundNumbers(child, seen);
  for (const key of ['items', 'additionalProperties', 'not'] as const) boundNumbers(node[key], seen);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const)
    if (Array.isArray(node[key])) for (const child of node[key] as unknown[]) boundNumbers(child, seen);
}

/** Where a NUL byte is (`the path`, `query field x`, `the body`), or null. Iterative: bodies may nest deep. */
function nulIn(request: FastifyRequest): string | null {
  if (request.url.includes('%00') || request.url.includes('\u0000')) {
    const query = request.query as Record<string, unknown> | undefined;
    for (const [name, value] of Object.entries(query ?? {})) if (holdsNul(value)) return `query field ${name}`;
    return 'the path';
  }
  if (request.routeOptions.config.scope === 'ingest') return null;
  const stack: unknown[] = [request.body];
  for (let scanned = 0; stack.length > 0 && scanned < MAX_VALUES_SCANNED; scanned++) {
    const value = stack.pop();
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return 'the body';
    } else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (key.includes('\u0000')) return 'the body';
        stack.push(child);
      }
    }
  }
  return null;
}

function holdsNul(value: unknown): boolean {
  return typeof value === 'string' ? value.includes('\u0000') : Array.isArray(value) && value.some(holdsNul);
}
