/**
 * The service report on a large store: 1,000,000 posts and 100,000 tickets (with their first
 * replies) over a year on five sources, each source a service with business hours, built
 * directly with bulk inserts into SQLite (the store's own migrations make the schema). Times
 * `buildReport` for one month — every service and all together, each against the previous month —
 * and for one service, cold (first run) and warm (median of three). Target: under 2 s.
 * The posts' text is a short placeholder: the topics read their samples for real, but counting the
 * terms of real text costs more. The volumes follow a daily rhythm (more by day than by night).
 * With EARSHOT_BENCH_DATABASE_URL the same rows are copied into PostgreSQL and the report is timed
 * there. Run alone: `npx tsx bench/reports.ts`.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { openStore } from '../src/store/open.js';
import { countPosts } from '../src/store/posts.js';
import { createService } from '../src/store/services.js';
import { buildReport } from '../src/reports/report.js';
import { mulberry32 } from '../scripts/seeded-random.js';

// A smaller store for a quick look: EARSHOT_BENCH_REPORT_POSTS=100000 (tickets stay a tenth).
const POSTS = Number(process.env.EARSHOT_BENCH_REPORT_POSTS ?? 1_000_000);
const TICKETS = Math.floor(POSTS / 10);
const SOURCES = ['mastodon', 'bluesky', 'rss', 'mail', 'forum'];
const START = Date.parse('2026-01-01T00:00:00Z');
const YEAR = 365 * 86_400_000;
const SENTIMENTS = ['negative', 'neutral', 'positive'];
const KINDS = ['outage', 'request', 'question', 'praise', 'complaint', 'other'];

export async function run(
  options: { log?: (line: string) => void } = {},
): Promise<{ coldMs: number; warmMs: number; serviceMs: number }> {
  const log = options.log ?? console.log;
  // EARSHOT_BENCH_KEEP=name keeps the store in /tmp/<name> and reuses it when it is already full:
  // building 1,000,000 posts takes minutes on a loaded machine.
  const keep = process.env.EARSHOT_BENCH_KEEP?.trim() || null;
  if (keep && !/^[a-z0-9_]+$/.test(keep)) throw new Error('EARSHOT_BENCH_KEEP: lower-case letters, digits and _ only');
  const dataDir = keep ? join(tmpdir(), keep) : mkdtempSync(join(tmpdir(), 'earshot-bench-reports-'));
  try {
    mkdirSync(dataDir, { recursive: true });
    const empty = await openStore({ databaseUrl: null, dataDir });
    const have = await countPosts(empty.db);
    await empty.close();
    if (have === 0) {
      const built = Date.now();
      fill(join(dataDir, 'earshot.sqlite'));
      log(
        `reports: built ${POSTS.toLocaleString('en')} posts, ${TICKETS.toLocaleString('en')} tickets in ${((Date.now() - built) / 1000).toFixed(1)} s`,
      );
    } else log(`reports: kept store in ${dataDir}, ${have.toLocaleString('en')} posts`);
    const postgres = process.env.EARSHOT_BENCH_DATABASE_URL?.trim() || null;
    const copy = postgres ? await copyToPostgres(join(dataDir, 'earshot.sqlite'), postgres, keep, log) : null;
    const databaseUrl = copy?.url ?? null;
    const store = await openStore({ databaseUrl, dataDir });
    try {
      const now = new Date('2026-12-10T12:00:00Z');
      if ((await store.db.selectFrom('services').select('id').execute()).length === 0)
        for (const source of SOURCES)
          await createService(
            store.db,
            {
              name: `${source} care`,
              owner: 'Lead',
              stage: 'live',
              sources: [source],
              hours: {
                timeZone: 'Europe/Amsterdam',
                weekly: ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({
                  day: day as 'mon',
                  from: '08:00',
                  to: '18:00',
                })),
                holidays: ['2026-11-26'],
              },
              targets: { firstResponseMinutes: 120, slaAttainment: 0.9 },
            },
            now.toISOString(),
          );
      const period = { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' };
      const time = async (filter: Parameters<typeof buildReport>[1]) => {
        const started = performance.now();
        await buildReport(store.db, filter, now);
        return performance.now() - started;
      };
      const coldMs = await time({ period });
      const warm = [await time({ period }), await time({ period }), await time({ period })].sort((a, b) => a - b);
      const serviceMs = await time({ period, serviceId: 1 });
      log(
        `reports (${databaseUrl ? 'PostgreSQL' : 'SQLite'}): one month, 5 services + all, each vs the previous month: cold ${coldMs.toFixed(0)} ms, warm median ${warm[1]!.toFixed(0)} ms; one service ${serviceMs.toFixed(0)} ms (target < 2000 ms)`,
      );
      return { coldMs, warmMs: warm[1]!, serviceMs };
    } finally {
      await store.close();
      await copy?.drop();
    }
  } finally {
    if (!keep) rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The SQLite store's rows copied into a PostgreSQL schema the migrations made
 * (EARSHOT_BENCH_DATABASE_URL): the same data timed on both stores. The schema is named after
 * EARSHOT_BENCH_KEEP and reused when that is set; otherwise it is the process' own, dropped after.
 */
async function copyToPostgres(
  path: string,
  url: string,
  keep: string | null,
  log: (line: string) => void,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = keep ?? `bench_reports_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`create schema if not exists ${schema}`);
  } finally {
    await admin.end();
  }
  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  const drop = async () => {
    if (keep) return;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`drop schema ${schema} cascade`).finally(() => client.end());
  };
  const migrated = await openStore({ databaseUrl: scoped.toString(), dataDir: tmpdir() });
  const have = await countPosts(migrated.db);
  await migrated.close();
  if (have > 0) {
    log(`reports: kept PostgreSQL schema ${schema}, ${have.toLocaleString('en')} posts`);
    return { url: scoped.toString(), drop };
  }
  const started = Date.now();
  const source = new SQLite(path, { readonly: true });
  const client = new pg.Client({ connectionString: scoped.toString() });
  await client.connect();
  try {
    for (const table of [
      'users',
      'authors',
      'posts',
      'tickets',
      'ticket_events',
      'post_source_rollups',
      'post_source_day_rollups',
    ]) {
      const { rows: target } = await client.query<{ column_name: string }>(
        "select column_name from information_schema.columns where table_schema = $1 and table_name = $2 and is_generated = 'NEVER'",
        [schema, table],
      );
      const wanted = new Set(target.map((row) => row.column_name));
      const columns = (source.pragma(`table_info(${table})`) as { name: string }[])
        .map((column) => column.name)
        .filter((name) => wanted.has(name));
      const batch = Math.floor(30_000 / columns.length);
      let rows: unknown[][] = [];
      const flush = async () => {
        if (rows.length === 0) return;
        const values = rows
          .map((_, r) => `(${columns.map((__, c) => `$${r * columns.length + c + 1}`).join(', ')})`)
          .join(', ');
        await client.query(`insert into ${table} (${columns.join(', ')}) values ${values}`, rows.flat());
        rows = [];
      };
      for (const row of source
        .prepare(`select ${columns.join(', ')} from ${table}`)
        .raw()
        .iterate() as Iterable<unknown[]>) {
        rows.push(row);
        if (rows.length === batch) await flush();
      }
      await flush();
      if (columns.includes('id'))
        await client.query(`select setval(pg_get_serial_sequence('${table}', 'id'), (select max(id) from ${table}))`);
    }
    await client.query('analyze');
  } finally {
    await client.end();
    source.close();
  }
  log(`reports: copied the store into PostgreSQL schema ${schema} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { url: scoped.toString(), drop };
}

function fill(path: string): void {
  const random = mulberry32(19);
  const db = new SQLite(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  /** An instant in the year, weighted to daytime (a post at night is kept half the time). */
  const when = (): number => {
    for (;;) {
      const t = START + Math.floor(random() * YEAR);
      const hour = new Date(t).getUTCHours();
      if (hour >= 7 && hour <= 20) return t;
      if (random() < 0.5) return t;
    }
  };
  const iso = (t: number) => new Date(t).toISOString();
  db.transaction(() => {
    db.prepare(
      "insert into users (username, display_name, role, password_hash, created_at) values ('agent', 'Agent', 'agent', 'x', ?)",
    ).run(iso(START));
    const author = db.prepare(
      'insert into authors (source, handle, name, followers, following, account_created_at, first_seen_at, last_seen_at, post_count) values (?, ?, null, ?, 10, null, ?, ?, 20)',
    );
    for (let i = 0; i < 50_000; i++)
      author.run(SOURCES[i % SOURCES.length], `@user${i}`, Math.floor(random() * 5000), iso(START), iso(START));
    const post = db.prepare(
      "insert into posts (source, external_id, author_id, author_handle, text, url, created_at, ingested_at, in_reply_to, likes, reposts, replies, sentiment, sentiment_score, kind, lang, models, extra) values (?, ?, ?, ?, 'post', null, ?, ?, null, 0, 0, 0, ?, 0, ?, 'en', '[]', '{}')",
    );
    const ticket = db.prepare(
      "insert into tickets (type, status, priority, subject, post_id, stream_id, source, assignee_id, created_at, updated_at, sla_due_at, first_responded_at, resolved_at) values ('question', ?, 'normal', 'ticket', ?, null, ?, 1, ?, ?, ?, ?, ?)",
    );
    const reply = db.prepare(
      "insert into ticket_events (ticket_id, type, actor_id, body, data, created_at) values (?, 'reply', 1, 'reply', '{}', ?)",
    );
    const ticketEvery = POSTS / TICKETS;
    for (let i = 0; i < POSTS; i++) {
      const authorId = 1 + Math.floor(random() * 50_000);
      const source = SOURCES[(authorId - 1) % SOURCES.length]!;
      const created = when();
      const sentiment = SENTIMENTS[Math.floor(random() * 3)]!;
      const { lastInsertRowid } = post.run(
        source,
        `p${i}`,
        authorId,
        `@user${authorId - 1}`,
        iso(created),
        iso(created),
        sentiment,
        KINDS[Math.floor(random() * KINDS.length)],
      );
      if (i % ticketEvery !== 0) continue;
      const answered = random() < 0.85 ? created + Math.floor(random() * 8 * 3_600_000) : null;
      const resolved = answered && random() < 0.7 ? answered + Math.floor(random() * 48 * 3_600_000) : null;
      const { lastInsertRowid: ticketId } = ticket.run(
        resolved ? 'resolved' : 'open',
        lastInsertRowid,
        source,
        iso(created),
        iso(resolved ?? answered ?? created),
        iso(created + 3_600_000),
        answered ? iso(answered) : null,
        resolved ? iso(resolved) : null,
      );
      if (answered) reply.run(ticketId, iso(answered));
    }
  })();
  // The posts went in beside the app, not through ingest: count them into the hourly source
  // rollups the report reads, as ingest would have (and as migration 2026-12-04g backfills).
  db.exec(`insert into post_source_rollups (source, hour, sentiment, kind, count)
    select source, substr(created_at, 1, 13), sentiment, kind, count(*) from posts
    group by source, substr(created_at, 1, 13), sentiment, kind`);
  db.close();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
