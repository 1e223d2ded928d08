/**
 * `npm start`'s demo opens no major incident from its everyday traffic: a day of repeated how-to
 * questions ("how do I connect to eduroam?") and requests ("please reset my password") from the
 * same dozen people is clustered, but never pages on-call.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { listIncidents } from '../../src/store/incidents.js';
import { countPosts } from '../../src/store/posts.js';

let runtime: Runtime | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'earshot-demo-incidents-'));
after(async () => {
  await runtime?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('a day of demo history opens no major incident from how-to questions and requests', async () => {
  const config = loadConfig({
    EARSHOT_DATA_DIR: dataDir,
    EARSHOT_ADMIN_PASSWORD: 'pw-demo-123456',
    EARSHOT_LOG_LEVEL: 'warn',
  });
  // Two days of history: the everyday posts repeat, each text from most of the twelve demo people.
  runtime = await createRuntime(config, { demo: { intervalSeconds: 3600, backfillHours: 48 } });
  const deadline = Date.now() + 60_000;
  while ((await countPosts(runtime.store.db)) < 500 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 200));
  assert.ok((await countPosts(runtime.store.db)) >= 500, 'the demo backfilled its history');
  await new Promise((r) => setTimeout(r, 500));
  const incidents = await listIncidents(runtime.store.db);
  assert.deepEqual(
    incidents.map((incident) => incident.title),
    [],
  );
});
