/**
 * Whatever a caller puts in a URL or a body, the store never answers with a 500 (issue 13), on
 * SQLite and PostgreSQL: every route of the API (read from its own OpenAPI description, so a new
 * route is covered the day it is added) is called with ids beyond 2^31-1, counts beyond 32 bits,
 * negative and fractional numbers, and strings holding NUL bytes, as an admin. PostgreSQL refuses
 * NUL in text and integers beyond 32 bits, which used to surface as 500s.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../helpers/backends.js';
import { startTestDesk, type TestDesk } from '../helpers/app.js';

interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query';
  readonly schema?: { type?: string };
}
interface Operation {
  readonly parameters?: Parameter[];
  readonly requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, { type?: string }> } }> };
}

const HOSTILE_NUMBERS = ['2147483648', '99999999999', '-1', '1.5', '1e309'];
const HOSTILE_STRINGS = ['a\u0000b', '\u0000', `x${'\u0000'.repeat(10)}`];

for (const backend of await backends()) {
  describe(`security: hostile URLs and bodies (${backend.name})`, { skip: backend.skip ?? false }, () => {
    let opened: Awaited<ReturnType<typeof backend.open>>;
    let desk: TestDesk;
    let admin: string;
    let paths: Record<string, Record<string, Operation>>;
    before(async () => {
      opened = await backend.open();
      desk = await startTestDesk({ databaseUrl: opened.databaseUrl });
      admin = await desk.tokenFor('admin');
      paths = (await desk.app.inject({ method: 'GET', url: '/api/docs/json' })).json().paths;
    });
    after(async () => {
      await desk?.close();
      await opened?.dispose();
    });

    const call = (method: string, url: string, payload?: unknown) =>
      desk.app.inject({
        method: method.toUpperCase() as 'GET',
        url,
        headers: { authorization: `Bearer ${admin}` },
        ...(payload === undefined ? {} : { payload: payload as object }),
      });

    test('ids and counts beyond 32 bits, and NUL bytes, in any path or query parameter are never a 500', async () => {
      const failures: string[] = [];
      let calls = 0;
      for (const [template, operations] of Object.entries(paths)) {
        if (template.startsWith('/api/docs') || template === '/api/live') continue;
        for (const [method, operation] of Object.entries(operations)) {
          const parameters = operation.parameters ?? [];
          const pathParams = parameters.filter((p) => p.in === 'path');
          const queryParams = parameters.filter((p) => p.in === 'query');
          const values = (p: Parameter) =>
            p.schema?.type === 'integer' || p.schema?.type === 'number' ? HOSTILE_NUMBERS : HOSTILE_STRINGS;
          const fill = (value: (p: Parameter) => string) =>
            pathParams.reduce((url, p) => url.replace(`{${p.name}}`, encodeURIComponent(value(p))), template);
          const urls: string[] = [];
          // Each path parameter hostile in turn (the others a plausible 1 / "x").
          for (const target of pathParams)
            for (const hostile of values(target))
              urls.push(fill((p) => (p === target ? hostile : p.schema?.type === 'integer' ? '1' : 'x')));
          for (const target of queryParams)
            for (const hostile of [...values(target), ...HOSTILE_STRINGS])
              urls.push(
                `${fill((p) => (p.schema?.type === 'integer' ? '1' : 'x'))}?${target.name}=${encodeURIComponent(hostile)}`,
              );
          for (const url of urls) {
            calls += 1;
            const body = method === 'get' || method === 'delete' ? undefined : {};
            const response = await call(method, url, body);
            if (response.statusCode >= 500)
              failures.push(`${method.toUpperCase()} ${url} → ${response.statusCode} ${response.body.slice(0, 120)}`);
          }
        }
      }
      assert.ok(calls > 100, `only ${calls} calls: is /api/docs/json describing the routes?`);
      assert.deepEqual(failures, []);
    });

    test('NUL bytes and huge numbers in the string and number fields of any JSON body are never a 500', async () => {
      const failures: string[] = [];
      for (const [template, operations] of Object.entries(paths)) {
        if (template.startsWith('/api/docs') || template.includes('{')) continue;
        for (const [method, operation] of Object.entries(operations)) {
          const properties = operation.requestBody?.content?.['application/json']?.schema?.properties;
          if (!properties || template === '/api/auth/logout') continue;
          for (const [strings, numbers] of [
            ['a\u0000b', 2147483648],
            ['\u0000', 99999999999],
          ] as const) {
            const body = Object.fromEntries(
              Object.entries(properties).map(([name, field]) => [
                name,
                field.type === 'integer' || field.type === 'number'
                  ? numbers
                  : field.type === 'array'
                    ? [strings]
                    : strings,
              ]),
            );
            const response = await call(method, template, body);
            if (response.statusCode >= 500)
              failures.push(
                `${method.toUpperCase()} ${template} → ${response.statusCode} ${response.body.slice(0, 120)}`,
              );
          }
        }
      }
      assert.deepEqual(failures, []);
    });
  });
}
