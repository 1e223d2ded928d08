/**
 * The distributed mode's throughput and latency: N `earshot serve --role worker` processes over
 * the machine's NATS JetStream and PostgreSQL, fed real tweets (../shared complaints-social-media,
 * cycled with distinct ids) through JetStream as an ingest node would. Reports, for 1, 2 and 4
 * workers in one run: posts/s stored, posts/s per busy core (the machine's cores are the limit, so
 * efficiency per core says more than totals), and publish → stored latency (p50/p99, measured
 * with the `posts.stored` events the workers put on the bus) at a steady, sub-saturating rate.
 *
 * Run: `EARSHOT_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/scale.ts`
 * (NATS with JetStream on 127.0.0.1:4222). Options: BENCH_POSTS (default 20,000), BENCH_WORKERS
 * (default 1,2,4).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { complaintsCsv, parseCsv } from './support-kinds.js';
import { connectNats, type NatsLink } from '../src/pipeline/nats.js';
import { DraftPublisher } from '../src/pipeline/draft-queue.js';
import type { PostDraft } from '../src/domain/post.js';
import { clusterEnv, clusterSkip, freePort, type ClusterEnv } from '../test/helpers/cluster.js';

const BIN = fileURLToPath(new URL('../bin/earshot.js', import.meta.url));
function realTexts(): string[] {
  return parseCsv(readFileSync(complaintsCsv(), 'utf8'))
    .map((row) => row[1] ?? '')
    .filter(Boolean);
}

function drafts(texts: readonly string[], from: number, count: number, run: string): PostDraft[] {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return {
      source: 'bench',
      externalId: `${run}-${i}`,
      author: { handle: `@u${i % 4000}`, name: null, followers: (i * 37) % 5000, following: 100 },
      text: texts[i % texts.length]!,
      url: null,
      createdAt: new Date(Date.UTC(2026, 10, 1) + i * 200).toISOString(),
      inReplyTo: null,
      metrics: { likes: i % 11, reposts: i % 3, replies: 0 },
      extra: {},
    };
  });
}

async function startWorker(cluster: ClusterEnv, dataDir: string): Promise<ChildProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'serve', '--role', 'worker', '--port', String(port)], {
    env: {
      ...process.env,
      ...cluster.env,
      EARSHOT_DATA_DIR: dataDir,
      EARSHOT_LOG_LEVEL: 'silent',
      EARSHOT_ADMIN_PASSWORD: 'bench-admin-password',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${port}/api/health`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return child;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  child.kill('SIGKILL');
  throw new Error('a worker did not start within 180 s');
}

async function countPosts(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ n: string }>('select count(*) as n from posts');
  return Number(rows[0]!.n);
}

/** CPU seconds used by these processes so far (Linux /proc), for efficiency per core. */
function cpuSeconds(children: readonly ChildProcess[]): number {
  const ticks = 100;
  let total = 0;
  for (const child of children) {
    try {
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / ticks;
    } catch {
      // exited
    }
  }
  return total;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

interface Row {
  workers: number;
  posts: number;
  seconds: number;
  perSecond: number;
  cpu: number;
  perCoreSecond: number;
  p50: number;
  p99: number;
}

async function measure(workers: number, posts: number, texts: readonly string[]): Promise<Row> {
  const cluster = await clusterEnv();
  const dataDirs = Array.from({ length: workers }, () => mkdtempSync(join(tmpdir(), 'earshot-bench-')));
  const link: NatsLink = await connectNats(cluster.env.EARSHOT_NATS_URL!, cluster.prefix);
  const client = new pg.Client({ connectionString: cluster.databaseUrl });
  const children: ChildProcess[] = [];
  try {
    // The first worker migrates the schema; the others find it done.
    children.push(await startWorker(cluster, dataDirs[0]!));
    children.push(...(await Promise.all(dataDirs.slice(1).map((dir) => startWorker(cluster, dir)))));
    await client.connect();
    const publisher = new DraftPublisher(link);

    // Throughput: everything queued at once, then time until all stored.
    const cpuBefore = cpuSeconds(children);
    const started = performance.now();
    const all = drafts(texts, 0, posts, 'load');
    for (let i = 0; i < posts; i += 2000) await publisher.ingestDrafts(all.slice(i, i + 2000));
    while ((await countPosts(client)) < posts) await new Promise((resolve) => setTimeout(resolve, 100));
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuSeconds(children) - cpuBefore;

    // Latency: small batches at a steady rate well under saturation; stored when the bus says so.
    const publishedAt = new Map<string, number>();
    const latencies: number[] = [];
    const subscription = link.connection.subscribe(link.names.busSubject('posts.stored'));
    const listening = (async () => {
      for await (const message of subscription) {
        const { message: body } = message.json<{ message: { posts: { externalId: string }[] } }>();
        const now = performance.now();
        for (const post of body.posts) {
          const at = publishedAt.get(post.externalId);
          if (at !== undefined) latencies.push(now - at);
        }
      }
    })();
    const probes = 400;
    for (let i = 0; i < probes; i += 10) {
      const batch = drafts(texts, posts + i, 10, 'latency');
      const now = performance.now();
      for (const draft of batch) publishedAt.set(draft.externalId, now);
      await publisher.ingestDrafts(batch);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const deadline = Date.now() + 30_000;
    while (latencies.length < probes && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    subscription.unsubscribe();
    await listening;
    return {
      workers,
      posts,
      seconds,
      perSecond: posts / seconds,
      cpu,
      perCoreSecond: posts / cpu,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
    };
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await client.end().catch(() => {});
    await link.close();
    await cluster.dispose();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const skip = await clusterSkip().catch((error: Error) => error.message);
  if (skip) {
    console.log(`scale: skipped (${skip})`);
    return;
  }
  const posts = Number(process.env.BENCH_POSTS ?? 20_000);
  const counts = (process.env.BENCH_WORKERS ?? '1,2,4').split(',').map(Number);
  const texts = realTexts();
  console.log(`scale: ${posts} real tweets per run through JetStream, ${availableParallelism()} cores on this machine`);
  console.log('workers | posts/s stored | worker CPU-s | posts per worker CPU-s | publish→stored p50 | p99');
  for (const workers of counts) {
    const row = await measure(workers, posts, texts);
    console.log(
      `${row.workers} | ${row.perSecond.toFixed(0)} | ${row.cpu.toFixed(1)} | ${row.perCoreSecond.toFixed(0)} | ${row.p50.toFixed(0)} ms | ${row.p99.toFixed(0)} ms`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
