/**
 * The error registry and docs/errors.md stay in step: every code is documented with its
 * status, and the page documents no code that does not exist.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES, EarshotError, type ErrorCode } from '../../src/domain/errors.js';

const page = readFileSync(join(process.cwd(), 'docs', 'errors.md'), 'utf8');
/** Rows of the page's table: `| ERR_X | 400 | … |`. */
const documented = new Map(
  [...page.matchAll(/^\|\s*`(ERR_[A-Z_]+)`\s*\|\s*(\d{3})\s*\|(.+)\|\s*$/gm)].map((m) => [
    m[1]!,
    { status: Number(m[2]), text: m[3]!.trim() },
  ]),
);

test('every error code is documented with its HTTP status and an explanation', () => {
  for (const [code, spec] of Object.entries(ERROR_CODES)) {
    const doc = documented.get(code);
    assert.ok(doc, `${code} is missing from docs/errors.md`);
    assert.equal(doc.status, spec.status, `${code}: docs say ${doc.status}, the registry ${spec.status}`);
    assert.ok(doc.text.length > 20, `${code}: explain when it happens and what to do`);
  }
});

test('docs/errors.md documents no code that the registry lacks', () => {
  for (const code of documented.keys())
    assert.ok(code in ERROR_CODES, `docs/errors.md lists ${code}, which is not in src/domain/errors.ts`);
});

test('an error renders its template and its one JSON body', () => {
  const error = new EarshotError('ERR_NOT_FOUND' satisfies ErrorCode, { what: 'Ticket', id: 7 });
  assert.equal(error.message, 'Ticket 7 not found');
  assert.deepEqual(error.toJSON(), { error: { code: 'ERR_NOT_FOUND', message: 'Ticket 7 not found', status: 404 } });
});
