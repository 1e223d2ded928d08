/**
 * Local hardening (issue 13): the SQLite data is the owner's alone, and the feed HTML cleaner
 * runs in linear time on hostile markup. The property checks (fast-check) for the cleaner,
 * normalize and the private-address guard are in `properties.test.ts`.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/open.js';
import { htmlToText } from '../../src/sources/html-text.js';
import { ingestLine } from '../helpers/posts.js';

describe('security: data files', { skip: process.platform === 'win32' }, () => {
  test('the SQLite folder is 0700 and its files 0600', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'earshot-perm-'));
    const dataDir = join(parent, 'data');
    try {
      const store = await openStore({ databaseUrl: null, dataDir });
      await store.db.selectFrom('posts').select('id').limit(1).execute();
      try {
        assert.equal(statSync(dataDir).mode & 0o777, 0o700);
        for (const name of ['earshot.sqlite', 'earshot.sqlite-wal', 'earshot.sqlite-shm']) {
          const path = join(dataDir, name);
          assert.equal(statSync(path).mode & 0o777, 0o600, name);
        }
      } finally {
        await store.close();
      }
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe('security: feed HTML cleaner', () => {
  test('160 KB of `<a x` takes well under a second (it was quadratic: 8.8 s)', () => {
    for (const hostile of [
      '<a x'.repeat(40_000),
      '<a x="'.repeat(27_000),
      "<a x='y".repeat(23_000),
      '<!--'.repeat(40_000),
    ]) {
      const started = performance.now();
      htmlToText(hostile);
      const took = performance.now() - started;
      assert.ok(took < 500, `${hostile.slice(0, 8)}…: ${took.toFixed(0)} ms`);
    }
  });

  test('time grows linearly: 4× the input takes well under 16× the time', () => {
    const time = (n: number) => {
      const input = '<a x'.repeat(n);
      const started = performance.now();
      for (let i = 0; i < 3; i++) htmlToText(input);
      return performance.now() - started;
    };
    time(5_000);
    const small = time(10_000);
    const large = time(40_000);
    assert.ok(large < Math.max(small, 5) * 10, `${small.toFixed(1)} ms → ${large.toFixed(1)} ms`);
  });
});

describe('security: a large import does not freeze the event loop', () => {
  test('normalize and analyze yield: timers keep firing while 10,000 posts are ingested', async () => {
    const { startTestDesk } = await import('../helpers/app.js');
    const desk = await startTestDesk();
    try {
      const items = Array.from({ length: 10_000 }, (_, i) => ({
        value: ingestLine({ id: `loop-${i}`, text: `Campus wifi is down again in building ${i}, so annoying` }),
        line: i + 1,
      }));
      let last = performance.now();
      let maxGap = 0;
      let ticks = 0;
      const timer = setInterval(() => {
        const now = performance.now();
        maxGap = Math.max(maxGap, now - last);
        last = now;
        ticks += 1;
      }, 5);
      const result = await desk.runtime.pipeline.ingest(items);
      clearInterval(timer);
      assert.equal(result.new, 10_000);
      // Before: not one tick in the whole import (several seconds).
      assert.ok(ticks >= 5, `${ticks} ticks`);
      assert.ok(maxGap < 1_500, `the longest stall was ${maxGap.toFixed(0)} ms`);
    } finally {
      await desk.close();
    }
  });
});
