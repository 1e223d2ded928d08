/**
 * One hostile row never blocks an import (issue 13), on SQLite and PostgreSQL: a post with an
 * extra field nested 5,000 deep, NUL bytes in a handle or id, counts beyond 32 bits and
 * oversized names are each refused or bounded alone, by line number, and the other rows are
 * stored, through POST /api/ingest and through `earshot ingest`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backends } from '../helpers/backends.js';
import { startTestDesk, type TestDesk } from '../helpers/app.js';
import { ingestLine } from '../helpers/posts.js';
import { runCli } from '../helpers/cli.js';
import { openStore } from '../../src/store/open.js';

/** A 5,000-deep row as text (JSON.stringify itself overflows the stack on such a value). */
function deepLine(id: string): string {
  const base = JSON.stringify(ingestLine({ id }));
  return `${base.slice(0, -1)},"nested":${'{"d":'.repeat(5000)}1${'}'.repeat(5000)}}`;
}

function hostileBatch(prefix: string): string[] {
  return [
    JSON.stringify(ingestLine({ id: `${prefix}-ok-1` })),
    deepLine(`${prefix}-deep`),
    JSON.stringify(ingestLine({ id: `${prefix}-nul\u0000id` })),
    JSON.stringify(ingestLine({ id: `${prefix}-ok-2` })),
    JSON.stringify(ingestLine({ id: `${prefix}-huge`, author: { handle: '@big', name: 'n'.repeat(5_000_000) } })),
    JSON.stringify(ingestLine({ id: `${prefix}-long-name`, author: { handle: '@long', name: 'n'.repeat(300_000) } })),
    JSON.stringify(ingestLine({ id: `${prefix}-ok-3`, extra: { blob: 'x'.repeat(200_000) } })),
    JSON.stringify(
      ingestLine({
        id: `${prefix}-counts`,
        author: { handle: '@ev\u0000il\u202Euser\u200B', name: 'Nice\u001B[31m \u202EName', followers: 2 ** 40 },
        metrics: { likes: 2 ** 33, reposts: 0, replies: 0 },
      }),
    ),
  ];
}

for (const backend of await backends()) {
  describe(`security: hostile rows (${backend.name})`, { skip: backend.skip ?? false }, () => {
    let opened: Awaited<ReturnType<typeof backend.open>>;
    let desk: TestDesk;
    let agent: string;
    before(async () => {
      opened = await backend.open();
      desk = await startTestDesk({ databaseUrl: opened.databaseUrl });
      agent = await desk.tokenFor('agent');
    });
    after(async () => {
      await desk?.close();
      await opened?.dispose();
    });

    test('POST /api/ingest: each hostile row is rejected alone by line; the others are stored', async () => {
      const response = await desk.app.inject({
        method: 'POST',
        url: '/api/ingest',
        headers: { authorization: `Bearer ${agent}`, 'content-type': 'application/x-ndjson' },
        payload: hostileBatch('api').join('\n'),
      });
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json();
      assert.equal(body.new, 4, response.body);
      assert.deepEqual(
        body.rejected.map((r: { line: number }) => r.line),
        [2, 3, 5, 7],
      );
      assert.match(body.rejected[0].message, /nested at most 32/);
      assert.match(body.rejected[1].message, /id must not hold control characters/);
      assert.match(body.rejected[2].message, /line is \d+ bytes/);
      assert.match(body.rejected[3].message, /at most 65536 bytes/);
      const long = await desk.runtime.store.db
        .selectFrom('authors')
        .select('name')
        .where('handle', '=', '@long')
        .executeTakeFirstOrThrow();
      assert.equal(long.name?.length, 256, 'a long display name is cut to 256 characters');
    });

    test('counts beyond 32 bits are clamped; names lose NUL, ESC, bidi overrides and zero-width characters', async () => {
      const post = await desk.runtime.store.db
        .selectFrom('posts')
        .selectAll()
        .where('external_id', '=', 'api-counts')
        .executeTakeFirstOrThrow();
      const row = post as unknown as Record<string, unknown>;
      assert.equal(Number(row.likes), 268_435_455);
      const author = await desk.app.inject({
        method: 'GET',
        url: `/api/posts/${row.id}`,
        headers: { authorization: `Bearer ${agent}` },
      });
      assert.equal(author.statusCode, 200, author.body);
      const shown = author.json().author;
      assert.equal(shown.handle, '@evil' + 'user');
      assert.equal(shown.name, 'Nice[31m Name');
      assert.equal(shown.followers, 2_147_483_647);
    });

    test('a JSON array holding a 5,000-deep post is refused for that post only', async () => {
      const batch = `[${JSON.stringify(ingestLine({ id: 'arr-ok' }))},${deepLine('arr-deep')}]`;
      const response = await desk.app.inject({
        method: 'POST',
        url: '/api/ingest',
        headers: { authorization: `Bearer ${agent}`, 'content-type': 'application/json' },
        payload: batch,
      });
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.json().new, 1);
      assert.equal(response.json().rejected[0].line, 2);
    });

    test('`earshot ingest` stores the good rows of a file with hostile ones, and again on re-run', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'earshot-hostile-'));
      try {
        const file = join(dir, 'hostile.ndjson');
        const lines = [];
        for (let i = 0; i < 1500; i++) lines.push(JSON.stringify(ingestLine({ id: `cli-${i}` })));
        lines.splice(700, 0, deepLine('cli-deep'));
        writeFileSync(file, lines.join('\n'));
        const dataDir = join(dir, 'data');
        const env: Record<string, string> = { EARSHOT_DATA_DIR: dataDir, EARSHOT_ADMIN_PASSWORD: 'cli-admin-password' };
        if (opened.databaseUrl) env.EARSHOT_DATABASE_URL = opened.databaseUrl;
        for (const run of [1, 2]) {
          const result = await runCli(['ingest', '--quiet', file], env);
          assert.equal(result.code, 3, result.stderr);
          assert.match(result.stderr, /hostile\.ndjson:701: .*nested at most 32/);
          assert.match(result.stdout, run === 1 ? /new 1500/ : /duplicate 1500/, `run ${run}: ${result.stdout}`);
        }
        const store = await openStore({ databaseUrl: opened.databaseUrl, dataDir });
        try {
          const count = await store.db
            .selectFrom('posts')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('external_id', 'like', 'cli-%')
            .executeTakeFirstOrThrow();
          assert.equal(Number(count.n), 1500);
        } finally {
          await store.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
