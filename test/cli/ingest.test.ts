/**
 * `earshot ingest`: summary counts, bad lines reported by number, and crash safety — killed
 * with SIGKILL mid-file and run again, it stores exactly the file's distinct posts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { collect, runCli, startCli } from '../helpers/cli.js';
import { ingestLine } from '../helpers/posts.js';
import { sharedPath, sharedSkip } from '../helpers/shared.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-cli-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function countStored(dataDir: string): number {
  try {
    const db = new SQLite(join(dataDir, 'earshot.sqlite'), { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('select count(*) as n from posts').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

test('ingest reports read/new/duplicate/rejected and names bad lines', async () => {
  const dataDir = join(dir, 'summary');
  const file = join(dir, 'mixed.ndjson');
  const good = ingestLine({ id: 'sum-1' });
  writeFileSync(
    file,
    [
      JSON.stringify(good),
      JSON.stringify(good),
      '{not json',
      JSON.stringify(ingestLine({ id: 'sum-2', metrics: { likes: -1 } })),
      '',
      JSON.stringify(ingestLine({ id: 'sum-3', text: '<script>alert(1)</script>' })),
    ].join('\n'),
  );
  const result = await runCli(['ingest', '--quiet', file], {
    EARSHOT_DATA_DIR: dataDir,
    EARSHOT_ADMIN_PASSWORD: 'cli-admin-password',
  });
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stdout, /read 5, new 2, duplicate 1, rejected 2/);
  assert.match(result.stderr, /mixed\.ndjson:3: /);
  assert.match(result.stderr, /mixed\.ndjson:4: .*metrics\.likes/);
  assert.equal(countStored(dataDir), 2);
});

test('a SIGKILL mid-file loses nothing and doubles nothing on re-run', async () => {
  const dataDir = join(dir, 'crash');
  const file = join(dir, 'big.ndjson');
  const distinct = 40_000;
  const lines: string[] = [];
  for (let i = 0; i < distinct; i += 1) {
    lines.push(
      JSON.stringify(
        ingestLine({
          id: `crash-${i}`,
          text: `Crash test post ${i}: the wifi is ${i % 3 === 0 ? 'down again' : 'fine'} #campus`,
        }),
      ),
    );
    if (i % 10 === 0) lines.push(lines[lines.length - 1]!); // repeats inside the file too
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  const env = { EARSHOT_DATA_DIR: dataDir, EARSHOT_ADMIN_PASSWORD: 'cli-admin-password' };

  const child = startCli(['ingest', '--quiet', file], env);
  const finished = collect(child);
  // Kill once some, but not all, of the file is stored.
  const deadline = Date.now() + 60_000;
  let stored = 0;
  while (Date.now() < deadline) {
    stored = countStored(dataDir);
    if (stored > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill('SIGKILL');
  const killed = await finished;
  assert.equal(killed.signal, 'SIGKILL');
  const afterKill = countStored(dataDir);
  assert.ok(afterKill > 0 && afterKill < distinct, `killed mid-file (stored ${afterKill} of ${distinct})`);

  const rerun = await runCli(['ingest', '--quiet', file], env);
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.equal(countStored(dataDir), distinct);
  const match = /new (\d+), duplicate (\d+)/.exec(rerun.stdout);
  assert.equal(Number(match![1]), distinct - afterKill);
});

test('ingest of a real crisis timeline leaves its burst as a historical alert in the desk', {
  skip: sharedSkip('data/crisis-timelines'),
}, async () => {
  const dataDir = join(dir, 'timeline');
  const file = sharedPath('data/crisis-timelines/2012_Costa_Rica_earthquake.ndjson');
  const result = await runCli(['ingest', file], {
    EARSHOT_DATA_DIR: dataDir,
    EARSHOT_ADMIN_PASSWORD: 'cli-test-password',
  });
  assert.equal(result.code, 0, result.stderr);
  const db = new SQLite(join(dataDir, 'earshot.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const alerts = db.prepare("select key, title from alerts where type = 'burst'").all() as {
      key: string;
      title: string;
    }[];
    assert.ok(alerts.length > 0, 'the timeline raised no burst alert');
    for (const alert of alerts) assert.match(alert.title, /^Historical/, alert.key);
  } finally {
    db.close();
  }
});
