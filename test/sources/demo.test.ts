/**
 * The demo source: a day of history with a phishing look-alike among it, under the configured
 * name, and stable ids so a restart stores nothing twice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PostDraft } from '../../src/domain/post.js';
import { createDemoSource, demoSourceDefinition } from '../../src/sources/demo.js';
import type { SourceHost } from '../../src/sources/source.js';
import { drive } from './fakes/source-context.js';

function collect(at: Date): { context: SourceHost; drafts: PostDraft[] } {
  const drafts: PostDraft[] = [];
  const context: SourceHost = {
    emit: async (batch) => void drafts.push(...batch),
    saveCursor: async () => {},
    log: { info() {}, warn() {}, error() {} },
    clock: () => at,
  };
  return { context, drafts };
}

test('backfills a day under the configured name, with a look-alike support account phishing among it', async () => {
  const source = drive(
    demoSourceDefinition.create(
      { intervalSeconds: 3600 },
      { name: 'northwind', fetch, clock: () => new Date(), allowPrivateNetwork: false },
    ),
  );
  const { context, drafts } = collect(new Date('2026-11-23T12:00:00Z'));
  await source.start(context, null);
  await source.stop();
  assert.ok(drafts.length >= 280, `${drafts.length} posts`);
  assert.ok(drafts.every((draft) => draft.source === 'northwind'));
  const scams = drafts.filter((draft) => draft.author.handle.startsWith('@northwind_it_support'));
  assert.equal(scams.length, 8, 'one every three hours');
  assert.ok(scams.every((draft) => /password/.test(draft.text) && /account-verify\.io/.test(draft.text)));
});

test('a restart at the same time yields the same ids, so nothing is stored twice', async () => {
  const at = new Date('2026-11-23T12:00:00Z');
  const first = collect(at);
  const second = collect(at);
  for (const run of [first, second]) {
    const source = drive(createDemoSource({ intervalSeconds: 3600 }));
    await source.start(run.context, null);
    await source.stop();
  }
  assert.deepEqual(
    first.drafts.map((draft) => draft.externalId),
    second.drafts.map((draft) => draft.externalId),
  );
  assert.equal(new Set(first.drafts.map((draft) => draft.externalId)).size, first.drafts.length);
});
