import { openStore, type Store } from '../src/store/open.js';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { countPosts, insertPosts, postStats, type NewPost } from '../src/store/posts.js';
import { createStream } from '../src/store/streams.js';
import { createAnalyzer } from '../src/analysis/analyzer.js';
import { normalizePost } from '../src/pipeline/normalize.js';
import { compileStreams, route } from '../src/pipeline/route.js';
import { searchPosts } from '../src/pipeline/search.js';
import { listStreams } from '../src/store/streams.js';
import { corpusPosts, loadCorpus } from './corpus.js';
import { freshStore } from './fresh-store.js';

const SPAN_DAYS = 30;
const RUNS = 40;

export async function run(options: { posts?: number } = {}): Promise<void> {
  const n = options.posts ?? Number(process.argv[2] ?? 1_000_000);
  const pgUrl = process.env.EARSHOT_BENCH_DATABASE_URL?.trim();
  // EARSHOT_BENCH_POSTGRES_ONLY=1 skips SQLite, to build or measure the two stores in separate runs.
  const backends: [string, string | null][] = process.env.EARSHOT_BENCH_POSTGRES_ONLY === '1' ? [] : [['SQLite', null]];
  if (pgUrl) backends.push(['PostgreSQL', pgUrl]);
  // EARSHOT_BENCH_KEEP=name keeps the store (SQLite: /tmp/<name>; PostgreSQL: schema <name>) and
  // reuses it when it already holds the posts: a 1M-post store takes many minutes to build.
  const keep = process.env.EARSHOT_BENCH_KEEP?.trim() || null;
  for (const [name, url] of backends) {
    const fresh = keep ? await keptStore(url, keep) : await freshStore(url);
    const store = await openStore({ databaseUrl: fresh.url, dataDir: fresh.dataDir });
    const have = await countPosts(store.db);
    const buildS = have >= n ? null : await build(store, n);
    console.log(
      `\nSearch at ${n.toLocaleString('en')} posts, ${name} (${buildS === null ? `kept store, ${have.toLocaleString('en')} posts` : `built in ${buildS.toFixed(0)} s`}), ${RUNS} runs each`,
    );
    await measure(store);
    await store.close();
    await fresh.dispose();
  }
}

/** A store that outlives the run: a fixed folder under the temp dir, or a fixed PostgreSQL schema. */
async function keptStore(url: string | null, keep: string) {
  if (!/^[a-z0-9_]+$/.test(keep)) throw new Error('EARSHOT_BENCH_KEEP: lower-case letters, digits and _ only');
  const dataDir = join(tmpdir(), keep);
  mkdirSync(dataDir, { recursive: true });
  if (!url) return { url: null, dataDir, dispose: async () => {} };
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`create schema if not exists ${keep}`).finally(() => client.end());
  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${keep}`);
  return { url: scoped.toString(), dataDir, dispose: async () => {} };
}

async function build(store: Store, n: number): Promise<number> {
  const started = performance.now();
  await createStream(store.db, { name: 'Outages', query: 'down OR outage OR "not working" OR kind:outage' });
  await createStream(store.db, { name: 'Mentions', query: '@FC_Help OR #yycflood OR rt' });
  await createStream(store.db, { name: 'Mail', query: 'channel:bench-mail' });
  const streams = compileStreams(await listStreams(store.db));
  const corpus = loadCorpus();
  // Each distinct text analysed once by Earshot's analyzer; the N posts cycle through them.
  const analyzer = createAnalyzer();
  const analysed = corpusPosts(corpus, Math.min(corpus.length, n)).map((item) => analyzer.analyze(normalizePost(item)));
  const now = new Date();
  const start = now.getTime() - SPAN_DAYS * 86_400e3;
  const CHUNK = 5000;
  for (let offset = 0; offset < n; offset += CHUNK) {
    const raw = corpusPosts(corpus, Math.min(CHUNK, n - offset), {
      prefix: `s${offset}-`,
      start,
      spanMs: SPAN_DAYS * 86_400e3,
    });
    const drafts = raw.map((item, i) => {
      const draft = normalizePost({
        ...item,
        createdAt: new Date(start + Math.floor(((offset + i) / n) * SPAN_DAYS * 86_400e3)).toISOString(),
        text: corpus[(offset + i) % analysed.length]!.text,
      });
      return { ...draft, ...analysed[(offset + i) % analysed.length]! };
    });
    const routed: NewPost[] = route(drafts, streams, now, (source) => source);
    await insertPosts(store.db, routed);
  }
  return (performance.now() - started) / 1000;
}

async function measure(store: Store): Promise<void> {
  const [outages, mentions] = (await listStreams(store.db)).map((stream) => stream.id);
  const newest = (await searchPosts(store, { limit: 1 })).posts[0]!.id;
  const shapes: [string, () => Promise<unknown>][] = [
    ['newest 50', () => searchPosts(store, {})],
    ['page far back (before = half)', () => searchPosts(store, { before: Math.floor(newest / 2) })],
    ['sentiment filter', () => searchPosts(store, { sentiment: 'negative' })],
    ['kind filter', () => searchPosts(store, { kind: 'outage' })],
    ['stream column (large)', () => searchPosts(store, { streamId: outages })],
    ['stream column (mentions)', () => searchPosts(store, { streamId: mentions })],
    ['word: q=flood', () => searchPosts(store, { q: 'flood' })],
    ['words: q=train crash', () => searchPosts(store, { q: 'train crash' })],
    ['boolean: q=vpn OR portal', () => searchPosts(store, { q: 'vpn OR portal' })],
    ['boolean: q=(flood OR fire) -rt', () => searchPosts(store, { q: '(flood OR fire) -rt' })],
    ['phrase: q="not working"', () => searchPosts(store, { q: '"not working"' })],
    ['rare word: q=earthquake', () => searchPosts(store, { q: 'earthquake' })],
    ['fields: q=kind:outage sentiment:negative', () => searchPosts(store, { q: 'kind:outage sentiment:negative' })],
    ['word within stream', () => searchPosts(store, { q: 'help', streamId: outages })],
    ['word + sentiment filter', () => searchPosts(store, { q: 'help', sentiment: 'negative' })],
    ...(['1h', '24h', '7d', '30d'] as const).map(
      (window) => [`stats ${window}`, () => stats(store, window, undefined)] as [string, () => Promise<unknown>],
    ),
    ['stats 30d, one stream', () => stats(store, '30d', outages)],
  ];
  console.log('shape                                          p50 ms    p95 ms');
  for (const [name, query] of shapes) {
    await query();
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      await query();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1);
    console.log(`${name.padEnd(46)} ${p(0.5).padStart(7)}   ${p(0.95).padStart(7)}`);
  }
}

function stats(store: Store, window: '1h' | '24h' | '7d' | '30d', streamId: number | undefined) {
  const span = { '1h': 3600e3, '24h': 86_400e3, '7d': 7 * 86_400e3, '30d': 30 * 86_400e3 }[window];
  const now = Date.now();
  return postStats(store.db, {
    since: new Date(now - span).toISOString(),
    until: new Date(now + 60e3).toISOString(),
    ...(streamId !== undefined ? { streamId } : {}),
    bucket: span <= 6 * 3600e3 ? 'minute' : span <= 7 * 86_400e3 ? 'hour' : 'day',
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
