import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { loadConfig } from '../src/config.js';
import { createRuntime } from '../src/runtime.js';
import { createStream } from '../src/store/streams.js';
import { DEFAULT_TICKET_RULES } from '../src/domain/stream.js';
import type { PostDraft } from '../src/domain/post.js';
import { normalizePost } from '../src/pipeline/normalize.js';
import { createAnalyzer } from '../src/analysis/analyzer.js';
import { compileStreams, route } from '../src/pipeline/route.js';
import { openStore } from '../src/store/open.js';
import { insertPosts, type NewPost } from '../src/store/posts.js';
import { corpusPosts, loadCorpus } from './corpus.js';
import { freshStore } from './fresh-store.js';

const STREAMS = [
  { name: 'Outages', query: 'down OR outage OR "not working" OR kind:outage' },
  { name: 'Mentions', query: '@FC_Help OR @northwind_it OR #yycflood' },
  { name: 'Negative mail', query: 'channel:bench-mail sentiment:negative' },
];

export async function run(options: { posts?: number } = {}): Promise<void> {
  const n = options.posts ?? Number(process.argv[2] ?? 50_000);
  const corpus = loadCorpus();
  const raw = corpusPosts(corpus, n);
  const texts = raw.map((post) => post.text as string);
  const median = [...texts].map((text) => text.length).sort((a, b) => a - b)[Math.floor(n / 2)];
  console.log(`\nIngest: ${n} real posts (median ${median} characters), ${corpus.length} distinct texts`);

  const normalizeS = time(() => {
    for (const item of raw) normalizePost(item);
  });
  const drafts: PostDraft[] = raw.map((item) => normalizePost(item));
  const analyzer = createAnalyzer();
  let analysed: (PostDraft & ReturnType<typeof analyzer.analyze>)[] = [];
  const analyzeS = time(() => {
    analysed = drafts.map((draft) => ({ ...draft, ...analyzer.analyze(draft) }));
  });
  const compiled = compileStreams(
    STREAMS.map((stream, i) => ({
      id: i + 1,
      ...stream,
      ticketRules: [...DEFAULT_TICKET_RULES],
      sla: { firstResponseMinutes: { urgent: 15, high: 60, normal: 240, low: 1440 } },
      createdAt: '',
      updatedAt: '',
    })) as never,
  );
  let routed: NewPost[] = [];
  const routeS = time(() => {
    routed = route(analysed, compiled, new Date(), (source) => (source === 'bench-mail' ? 'bench-mail' : source));
  });

  const rows: [string, number | null, string][] = [];
  const sqlite = await measureBackend('sqlite', null, raw, routed);
  const limitS = await sqliteStoreLimit(routed);
  rows.push(
    [
      'SQLite end to end (subscribers settled)',
      sqlite.endToEndS,
      `${sqlite.pipelineS.toFixed(1)} s until the pipeline returned`,
    ],
    ['SQLite store alone (insertPosts, Kysely)', sqlite.storeS, ''],
    ['SQLite store limit (prepared statements)', limitS, ''],
  );
  const pgUrl = process.env.EARSHOT_BENCH_DATABASE_URL?.trim();
  let postgres: Awaited<ReturnType<typeof measureBackend>> | null = null;
  if (pgUrl) {
    postgres = await measureBackend('postgres', pgUrl, raw, routed);
    rows.push(
      [
        'PostgreSQL end to end (subscribers settled)',
        postgres.endToEndS,
        `${postgres.pipelineS.toFixed(1)} s until the pipeline returned`,
      ],
      ['PostgreSQL store alone (insertPosts)', postgres.storeS, ''],
    );
  } else {
    rows.push(['PostgreSQL', null, 'skipped: EARSHOT_BENCH_DATABASE_URL is not set']);
  }
  rows.push(
    ['normalize alone', normalizeS, ''],
    ['analyze alone (all models)', analyzeS, ''],
    ['route alone (3 streams)', routeS, ''],
  );

  console.log('stage                                          posts/s   note');
  for (const [name, seconds, note] of rows)
    console.log(
      `${name.padEnd(46)} ${seconds === null ? '       —' : String(Math.round(n / seconds)).padStart(8)}   ${note}`,
    );
  const rate = (s: number) => n / s;
  console.log(`end to end / store limit (SQLite): ${(rate(sqlite.endToEndS) / rate(limitS)).toFixed(2)}×`);
  console.log(`end to end / store alone (SQLite): ${(rate(sqlite.endToEndS) / rate(sqlite.storeS)).toFixed(2)}×`);
  if (postgres)
    console.log(`PostgreSQL / SQLite end to end: ${(rate(postgres.endToEndS) / rate(sqlite.endToEndS)).toFixed(2)}×`);
}

async function measureBackend(
  name: 'sqlite' | 'postgres',
  url: string | null,
  raw: readonly Record<string, unknown>[],
  routed: readonly NewPost[],
): Promise<{ endToEndS: number; pipelineS: number; storeS: number }> {
  const e2e = await freshStore(url);
  const runtime = await createRuntime(
    loadConfig({
      EARSHOT_DATA_DIR: e2e.dataDir,
      EARSHOT_ADMIN_PASSWORD: 'bench-password',
      EARSHOT_LOG_LEVEL: 'silent',
      ...(e2e.url ? { EARSHOT_DATABASE_URL: e2e.url } : {}),
    }),
  );
  for (const stream of STREAMS)
    await createStream(runtime.store.db, { ...stream, ticketRules: [...DEFAULT_TICKET_RULES] });
  const started = performance.now();
  for (let start = 0; start < raw.length; start += 1000)
    await runtime.pipeline.ingest(raw.slice(start, start + 1000).map((value) => ({ value })));
  const pipelineS = (performance.now() - started) / 1000;
  await runtime.pipeline.settled();
  const endToEndS = (performance.now() - started) / 1000;
  await runtime.close();
  await e2e.dispose();

  const alone = await freshStore(url);
  const store = await openStore({ databaseUrl: alone.url, dataDir: alone.dataDir });
  for (const stream of STREAMS) await createStream(store.db, stream);
  const storeStarted = performance.now();
  for (let start = 0; start < routed.length; start += 1000)
    await insertPosts(store.db, routed.slice(start, start + 1000));
  const storeS = (performance.now() - storeStarted) / 1000;
  await store.close();
  await alone.dispose();
  void name;
  return { endToEndS, pipelineS, storeS };
}

/** The same rows through better-sqlite3 prepared statements, 1,000 per transaction, on a migrated store. */
async function sqliteStoreLimit(routed: readonly NewPost[]): Promise<number> {
  const fresh = await freshStore(null);
  const store = await openStore({ databaseUrl: null, dataDir: fresh.dataDir });
  await store.close();
  const db = new SQLite(join(fresh.dataDir, 'earshot.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const author = db.prepare(
    `insert into authors (source, handle, name, followers, following, first_seen_at, last_seen_at, post_count)
     values (?, ?, ?, ?, ?, ?, ?, 0)
     on conflict (source, handle) do update set last_seen_at = excluded.last_seen_at, post_count = post_count + 1
     returning id`,
  );
  const post = db.prepare(
    `insert into posts (source, external_id, author_id, author_handle, text, url, created_at, ingested_at, in_reply_to,
       likes, reposts, replies, sentiment, sentiment_score, kind, lang, models, extra, flags)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing returning id`,
  );
  const link = db.prepare('insert into post_streams (post_id, stream_id) values (?, ?)');
  const now = new Date().toISOString();
  const write = db.transaction((chunk: readonly NewPost[]) => {
    for (const p of chunk) {
      const { id: authorId } = author.get(
        p.source,
        p.author.handle,
        p.author.name,
        p.author.followers,
        p.author.following,
        now,
        now,
      ) as {
        id: number;
      };
      const row = post.get(
        p.source,
        p.externalId,
        authorId,
        p.author.handle,
        p.text,
        p.url,
        p.createdAt,
        now,
        p.inReplyTo,
        p.metrics.likes,
        p.metrics.reposts,
        p.metrics.replies,
        p.sentiment,
        p.sentimentScore,
        p.kind,
        p.lang,
        JSON.stringify(p.models),
        JSON.stringify(p.extra),
        JSON.stringify(p.flags ?? []),
      ) as { id: number } | undefined;
      if (row) for (const streamId of p.streamIds) link.run(row.id, streamId);
    }
  });
  db.exec(
    "insert into streams (id, name, query, ticket_rules, sla, created_at, updated_at) values (1,'a','a','[]','{}','',''),(2,'b','b','[]','{}','',''),(3,'c','c','[]','{}','','')",
  );
  const started = performance.now();
  for (let start = 0; start < routed.length; start += 1000) write(routed.slice(start, start + 1000));
  const seconds = (performance.now() - started) / 1000;
  db.close();
  await fresh.dispose();
  return seconds;
}

function time(fn: () => void): number {
  const started = performance.now();
  fn();
  return (performance.now() - started) / 1000;
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
