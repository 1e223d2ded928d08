/**
 * After anonymous posts, nothing stored or logged links a post to its author: the whole database
 * (every row of every table; on SQLite also the raw file and its WAL) and the server's log are
 * searched for the author's user id, name, session and API token (and their hashes), IP address,
 * user agent and the exact times they posted. Runs on SQLite and PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { backends } from '../helpers/backends.js';
import { loadConfig } from '../../src/config.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { build, type App } from '../../src/server/app.js';
import { createSession } from '../../src/store/users.js';
import { SESSION_TTL_MS } from '../../src/server/auth.js';
import { batch, person, type Person } from '../helpers/wall.js';
import { makeAskerKey } from '../../web/src/wall/anon-client.js';

const IP = '198.51.100.73';
const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) EarshotAnonProbe/7.31';
// The author logs in, takes tokens, and posts at these exact moments (injected clock).
const LOGIN_AT = new Date('2026-12-03T08:05:13.371Z');
const POSTS_AT = [new Date('2026-12-03T10:17:42.123Z'), new Date('2026-12-03T10:44:09.808Z')];

for (const backend of await backends()) {
  describe(`${backend.name}: anonymous posts leave no link to their author`, { skip: backend.skip ?? false }, () => {
    let runtime: Runtime;
    let app: App;
    let dataDir: string;
    let dispose: () => Promise<void>;
    let now = LOGIN_AT;
    const log: string[] = [];
    let author: Person;
    let session: string;
    const anonymousIds: string[] = [];
    const anonymousTexts = [
      'Is the Lisbon office closing?',
      'I heard the helpdesk moves abroad',
      'asker follow-up text',
    ];

    before(async () => {
      const opened = await backend.open();
      // The runtime opens its own store on the same database; the backend's is only for disposal.
      await opened.store.close();
      dataDir = mkdtempSync(join(tmpdir(), 'earshot-anon-'));
      dispose = async () => {
        rmSync(dataDir, { recursive: true, force: true });
        await opened.dispose().catch(() => {});
      };
      const config = loadConfig({
        EARSHOT_DATA_DIR: backend.name === 'sqlite' ? opened.dataDir : dataDir,
        EARSHOT_ADMIN_PASSWORD: 'admin-password-for-tests',
        EARSHOT_LOG_LEVEL: 'trace',
        ...(opened.databaseUrl ? { EARSHOT_DATABASE_URL: opened.databaseUrl } : {}),
      });
      runtime = await createRuntime(config, { clock: () => now, escalationTickMs: 0, wallTickMs: 0 });
      const stream = new Writable({
        write(chunk, _encoding, done) {
          log.push(String(chunk));
          done();
        },
      });
      app = await build(
        runtime.config,
        {
          store: runtime.store,
          bus: runtime.bus,
          pipeline: runtime.pipeline,
          secrets: runtime.sources.secrets,
          desk: runtime.desk,
          incidents: runtime.incidents,
          wall: runtime.wall,
          clock: () => now,
        },
        { logger: { level: 'trace', stream } },
      );
      const admin = await person(runtime, 'admin', 'root');
      const team = await person(runtime, 'employee', 'tina', 'Tina Team');
      author = await person(runtime, 'employee', 'zoe.anonymous.author', 'Zoe Q. Author');
      session = (await createSession(runtime.store.db, author.user.id, SESSION_TTL_MS, now)).token;
      const space = await app.inject({
        method: 'POST',
        url: '/api/wall/spaces',
        headers: admin.headers,
        payload: {
          name: 'Workplace',
          description: '',
          slaHours: 24,
          team: [team.user.id],
          leadership: [],
          audience: null,
        },
      });
      const spaceId = space.json().id as number;
      // Tokens taken with the session cookie, from the author's address and browser.
      now = new Date('2026-12-03T09:02:31.555Z');
      const browser = { 'user-agent': USER_AGENT, 'x-forwarded-for': IP };
      const tokens = await batch(
        app,
        { user: author.user, headers: { cookie: `earshot_session=${session}` } as never },
        3,
        browser,
      );
      const asker = await makeAskerKey();
      for (const [i, at] of POSTS_AT.entries()) {
        now = at;
        const before = log.length;
        const response = await app.inject({
          method: 'POST',
          url: '/api/wall/anonymous/threads',
          remoteAddress: IP,
          headers: browser,
          payload: {
            token: tokens[i],
            spaceId,
            askerKey: asker.publicJwk,
            kind: 'question',
            title: anonymousTexts[i],
            body: 'details',
          },
        });
        assert.equal(response.statusCode, 201, response.body);
        anonymousIds.push(response.json().id);
        assert.equal(log.length, before, 'an anonymous post writes no log line');
      }
      // The team answers with their name, at an exact time: that is theirs to keep.
      now = new Date('2026-12-03T11:30:00.000Z');
      await app.inject({
        method: 'POST',
        url: `/api/wall/threads/${anonymousIds[0]}/replies`,
        headers: team.headers,
        payload: { body: 'No, it stays.', official: true },
      });
    });
    after(async () => {
      await app?.close();
      await runtime?.close();
      await dispose?.();
    });

    /** What identifies the author, or pins the moment they posted. */
    function identities(): string[] {
      const exact = POSTS_AT.flatMap((at) => [at.toISOString().slice(0, 16), String(at.getTime()).slice(0, 10)]);
      return [
        author.user.username,
        'Zoe Q. Author',
        session,
        createHash('sha256').update(session).digest('hex'),
        author.headers.authorization.slice(7),
        createHash('sha256').update(author.headers.authorization.slice(7)).digest('hex'),
        IP,
        USER_AGENT,
        'EarshotAnonProbe',
        ...exact,
      ];
    }

    test('no row that holds an anonymous post holds anything of its author', async () => {
      const tables = await tableNames(runtime);
      assert.ok(tables.includes('wall_threads') && tables.includes('sessions'));
      let anonymousRows = 0;
      for (const table of tables) {
        const rows = (await sql`select * from ${sql.table(table)}`.execute(runtime.store.db)).rows as Record<
          string,
          unknown
        >[];
        for (const row of rows) {
          const text = JSON.stringify(row);
          const holdsAnonymous =
            anonymousIds.some((id) => text.includes(id)) || anonymousTexts.some((t) => text.includes(t));
          if (holdsAnonymous) {
            anonymousRows += 1;
            for (const marker of identities())
              assert.ok(!text.includes(marker), `${table} row holds ${marker}: ${text}`);
            if ('author_id' in row && Number(row.anonymous ?? 1) === 1)
              assert.equal(row.author_id, null, `${table}.author_id`);
            // Its own time is the hour only (an answer's time is the answerer's).
            if (typeof row.created_at === 'string' && Number(row.anonymous ?? 1) === 1)
              assert.match(row.created_at, /T\d\d:00:00\.000Z$/, `${table} keeps only the hour of an anonymous post`);
          }
          // Nothing anywhere records the address, the browser or the exact posting minutes.
          for (const marker of [IP, USER_AGENT, ...POSTS_AT.map((at) => at.toISOString().slice(0, 16))])
            assert.ok(!text.includes(marker), `${table} holds ${marker}`);
        }
      }
      assert.ok(anonymousRows >= 3, `found ${anonymousRows} rows of anonymous posts`);
    });

    test('the raw database file and its WAL hold no address, browser or posting time', {
      skip: backend.name !== 'sqlite',
    }, () => {
      const file = join(runtime.config.dataDir, 'earshot.sqlite');
      const bytes = [file, `${file}-wal`].filter(existsSync).map((path) => readFileSync(path).toString('latin1'));
      assert.ok(bytes.length >= 1);
      assert.ok(bytes.join('').includes(anonymousTexts[0]!), 'the search reads the posts themselves');
      for (const marker of [IP, USER_AGENT, ...POSTS_AT.map((at) => at.toISOString().slice(0, 16))])
        assert.ok(!bytes.some((text) => text.includes(marker)), `raw store holds ${marker}`);
    });

    test('the server log holds nothing of the anonymous requests', () => {
      const text = log.join('');
      assert.ok(text.includes('/api/wall/tokens'), 'the log is written (token issuance is logged)');
      assert.ok(!text.includes('/api/wall/anonymous'), 'no anonymous request is logged');
      // The team's named answer is logged with the thread's id; no such line carries the author's traces.
      for (const line of log.filter((entry) => anonymousIds.some((id) => entry.includes(id))))
        for (const marker of identities()) assert.ok(!line.includes(marker), `a log line links the post to ${marker}`);
      for (const marker of [USER_AGENT, ...anonymousTexts])
        assert.ok(!text.includes(marker), `the log holds ${marker}`);
    });
  });
}

async function tableNames(runtime: Runtime): Promise<string[]> {
  if (runtime.store.dialect === 'sqlite') {
    const rows = await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(
      runtime.store.db,
    );
    return rows.rows.map((row) => row.name).filter((name) => !name.startsWith('sqlite_'));
  }
  const rows = await sql<{ table_name: string }>`
    select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(
    runtime.store.db,
  );
  return rows.rows.map((row) => row.table_name);
}
