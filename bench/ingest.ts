/**
 * End-to-end ingest on SQLite (raw JSON → normalized, analysed, routed, stored), with each
 * stage alone beside it in the same run, so the ratios say where the time goes.
 * Run: `npx tsx bench/ingest.ts` (or `npm run bench`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { createRuntime } from '../src/runtime.js';
import { createStream } from '../src/store/streams.js';
import { DEFAULT_TICKET_RULES } from '../src/domain/stream.js';
import { normalizePost } from '../src/pipeline/normalize.js';
import { earshotSentiment } from '../src/analysis/sentiment-model.js';
import { createAnalyzer } from '../src/analysis/analyzer.js';

const TEXTS = [
  'The student portal is down again, cannot log in :( @acme_it',
  'Thanks @acme_it for the quick fix on my laptop!',
  'How do I reset my password? #AcmeIT',
  'Please add the stats package to lab B12 @acme_it',
  'Worst support ever, nobody answers the phone',
  'Lovely weather on campus today',
];

export async function run(options: { posts?: number } = {}): Promise<void> {
  const n = options.posts ?? 20_000;
  const raw = Array.from({ length: n }, (_, i) => ({
    source: 'bench',
    id: `b${i}`,
    author: { handle: `@u${i % 500}@example.org`, name: 'U', followers: i % 1000, following: 10 },
    text: `${TEXTS[i % TEXTS.length]} ${i}`,
    url: null,
    createdAt: new Date(Date.UTC(2026, 10, 20) + i * 1000).toISOString(),
    inReplyTo: null,
    metrics: { likes: i % 7, reposts: 0, replies: 0 },
  }));
  const time = (fn: () => void | Promise<void>) => async () => {
    const t = performance.now();
    await fn();
    return (performance.now() - t) / 1000;
  };

  const normalizeS = await time(() => {
    for (const item of raw) normalizePost(item);
  })();
  const sentimentS = await time(() => {
    for (const item of raw) earshotSentiment.score(item.text);
  })();
  const analyzer = createAnalyzer();
  const analyzeS = await time(() => {
    for (const item of raw) analyzer.analyze(item);
  })();

  const dataDir = mkdtempSync(join(tmpdir(), 'earshot-bench-'));
  const runtime = await createRuntime(
    loadConfig({ EARSHOT_DATA_DIR: dataDir, EARSHOT_ADMIN_PASSWORD: 'bench-password', EARSHOT_LOG_LEVEL: 'silent' }),
  );
  await createStream(runtime.store.db, {
    name: 'Mentions',
    query: '@acme_it OR #AcmeIT',
    ticketRules: [...DEFAULT_TICKET_RULES],
  });
  const endToEndS = await time(async () => {
    for (let start = 0; start < raw.length; start += 1000)
      await runtime.pipeline.ingest(raw.slice(start, start + 1000).map((value) => ({ value })));
  })();
  await runtime.close();
  rmSync(dataDir, { recursive: true, force: true });

  const rate = (s: number) => Math.round(n / s);
  console.log(`\nIngest (${n} posts, SQLite, batches of 1000)`);
  console.log('stage                     posts/s    share of end-to-end time');
  for (const [name, s] of [
    ['end to end', endToEndS],
    ['normalize alone', normalizeS],
    ['sentiment alone', sentimentS],
    ['analyze (all models)', analyzeS],
  ] as const) {
    console.log(`${name.padEnd(24)} ${String(rate(s)).padStart(8)}    ${((s / endToEndS) * 100).toFixed(1)}%`);
  }
  console.log(
    `store + route + dedupe ≈ ${(((endToEndS - normalizeS - analyzeS) / endToEndS) * 100).toFixed(1)}% of end-to-end time`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
