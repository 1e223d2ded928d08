/**
 * Eight clients posting real posts to `POST /api/ingest` over HTTP at once, for five minutes, on
 * PostgreSQL: a real listening server, batches sharing authors in shuffled orders (what made the
 * author upsert deadlock before issue 15). Counts answers by status, PostgreSQL's own deadlock
 * counter for the database before and after, and checks every accepted post is stored once.
 * Run: `EARSHOT_BENCH_DATABASE_URL=postgres://… npx tsx bench/concurrent-ingest.ts`
 * (EARSHOT_BENCH_SECONDS, default 300; EARSHOT_BENCH_CLIENTS, default 8).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.js';
import { buildApp, createRuntime } from '../src/runtime.js';
import { countPosts } from '../src/store/posts.js';
import { createApiToken, createUser } from '../src/store/users.js';
import { mulberry32 } from '../scripts/seeded-random.js';
import { corpusPosts, loadCorpus } from './corpus.js';
import { freshStore } from './fresh-store.js';

const BATCH = 100;
const AUTHORS = 200;

export interface ConcurrentIngestResult {
  readonly seconds: number;
  readonly requests: number;
  readonly byStatus: Record<string, number>;
  readonly posts: number;
  readonly stored: number;
  readonly deadlocks: number;
}

export async function run(
  options: { seconds?: number; clients?: number; log?: (line: string) => void } = {},
): Promise<ConcurrentIngestResult | null> {
  const log = options.log ?? console.log;
  const url = process.env.EARSHOT_BENCH_DATABASE_URL?.trim();
  if (!url) {
    log('concurrent ingest: skipped (set EARSHOT_BENCH_DATABASE_URL to a PostgreSQL database)');
    return null;
  }
  const seconds = options.seconds ?? Number(process.env.EARSHOT_BENCH_SECONDS ?? 300);
  const clients = options.clients ?? Number(process.env.EARSHOT_BENCH_CLIENTS ?? 8);
  const fresh = await freshStore(url);
  const dataDir = mkdtempSync(join(tmpdir(), 'earshot-bench-concurrent-'));
  const config = loadConfig({
    EARSHOT_DATA_DIR: dataDir,
    EARSHOT_DATABASE_URL: fresh.url!,
    EARSHOT_ADMIN_PASSWORD: 'bench-admin-password',
    EARSHOT_LOG_LEVEL: 'error',
  });
  const runtime = await createRuntime(config, {});
  const app = await buildApp(runtime);
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const user = await createUser(runtime.store.db, { username: 'bench', role: 'admin', password: 'a-long-password' });
    const { token } = await createApiToken(runtime.store.db, user.id, 'bench');
    const deadlocks = async () => {
      const { rows } = await sql<{
        n: string;
      }>`select deadlocks as n from pg_stat_database where datname = current_database()`.execute(runtime.store.db);
      return Number(rows[0]?.n ?? 0);
    };
    const deadlocksBefore = await deadlocks();
    const corpus = loadCorpus();
    const byStatus: Record<string, number> = {};
    const latencies: number[] = [];
    let accepted = 0;
    let requests = 0;
    const started = performance.now();
    const until = started + seconds * 1000;
    await Promise.all(
      Array.from({ length: clients }, async (_, client) => {
        const random = mulberry32(100 + client);
        for (let round = 0; performance.now() < until; round++) {
          const batch = corpusPosts(corpus, BATCH, {
            prefix: `c${client}-r${round}-`,
            start: Date.now() - 3600e3,
            spanMs: 3600e3,
          }).map((post) => {
            const author = Math.floor(random() * AUTHORS);
            return {
              ...post,
              author: {
                handle: `@shared${author}@uni.social`,
                name: `Shared ${author}`,
                followers: author,
                following: 1,
              },
            };
          });
          const t = performance.now();
          let status: string;
          try {
            const response = await fetch(`http://127.0.0.1:${port}/api/ingest`, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: JSON.stringify(batch),
            });
            status = String(response.status);
            const body = await response.text();
            if (response.status === 200) accepted += batch.length;
            else if (response.status >= 500)
              log(`concurrent ingest: client ${client} got ${response.status}: ${body.slice(0, 200)}`);
          } catch (error) {
            status = `error: ${(error as Error).message}`;
          }
          latencies.push(performance.now() - t);
          requests += 1;
          byStatus[status] = (byStatus[status] ?? 0) + 1;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const stored = await countPosts(runtime.store.db);
    const result = {
      seconds: elapsed,
      requests,
      byStatus,
      posts: accepted,
      stored,
      deadlocks: (await deadlocks()) - deadlocksBefore,
    };
    latencies.sort((a, b) => a - b);
    const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(0);
    log(
      `concurrent ingest: ${clients} clients × ${BATCH}-post batches for ${elapsed.toFixed(0)} s: ${requests} requests ${JSON.stringify(byStatus)}, ` +
        `${accepted} posts accepted (${(accepted / elapsed).toFixed(0)}/s), ${stored} stored; request p50 ${p(0.5)} ms, p99 ${p(0.99)} ms; ` +
        `deadlocks in the database during the run: ${result.deadlocks}`,
    );
    return result;
  } finally {
    await app.close();
    await runtime.close();
    await fresh.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
