/**
 * The source supervisor on SQLite and PostgreSQL, with small real sources defined here (not a
 * mock of the supervisor): a polling "ledger" source that pages through an in-memory remote
 * by cursor, and a stream that fails to open. A restart resumes from the durable cursor
 * without losing or doubling posts; an unreadable cursor is reported and the source starts
 * fresh; a crashing source is restarted and its health shows why.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { backends } from '../helpers/backends.js';
import type { Store } from '../../src/store/open.js';
import { InProcessBus } from '../../src/pipeline/bus.js';
import { IngestPipeline } from '../../src/pipeline/ingest.js';
import { createAnalyzer } from '../../src/analysis/analyzer.js';
import { SourceSupervisor } from '../../src/sources/supervisor.js';
import { createSecretBox } from '../../src/sources/secrets.js';
import type { SourceDefinition, SourceEnvironment } from '../../src/sources/source.js';
import { jsonCursor, type Source } from '../../src/sources/source.js';
import { getSourceHealth, insertSource } from '../../src/store/sources.js';
import { loadCursor, saveCursor } from '../../src/store/cursors.js';
import { searchPosts } from '../../src/store/post-search.js';
import { EarshotError } from '../../src/domain/errors.js';

/** The "remote" the ledger source reads: a list of posts per feed, and what each run emitted. */
const remotes = new Map<
  string,
  {
    items: string[];
    emitted: string[][];
    /** `network`: every poll fails as an unreachable peer would; `refused-once`: the next poll is refused (fatal). */
    down?: 'network' | 'refused-once' | null;
    /** When each poll started (ms). */
    polls?: number[];
    failedPolls?: number;
  }
>();

const LedgerOptions = Type.Object(
  { feed: Type.String(), token: Type.String({ minLength: 8 }), pollMs: Type.Optional(Type.Integer({ minimum: 1 })) },
  { additionalProperties: false },
);

/** Polls its feed from the cursor (an index), emits what is new, then saves the new cursor. */
const ledgerDefinition: SourceDefinition<typeof LedgerOptions> = {
  kind: 'ledger',
  label: 'Ledger (test)',
  description: 'Pages through an in-memory feed by index.',
  capabilities: { canReplyPublicly: false, canDirectMessage: false, hasEdits: false, maxReplyLength: null },
  options: LedgerOptions,
  secrets: ['token'],
  create(options: Static<typeof LedgerOptions>, environment: SourceEnvironment): Source<number> {
    const remote = remotes.get(options.feed)!;
    const run: string[] = [];
    remote.emitted.push(run);
    assert.equal(options.token, 'ledger-token-1', 'the sealed secret reaches the source');
    return {
      kind: 'ledger',
      capabilities: { canReplyPublicly: false, canDirectMessage: false, hasEdits: false, maxReplyLength: null },
      cursor: jsonCursor(Type.Integer({ minimum: 0 })),
      pollIntervalMs: options.pollMs ?? 5,
      async poll(cursor, context) {
        remote.polls?.push(performance.now());
        if (remote.down === 'network') {
          remote.failedPolls = (remote.failedPolls ?? 0) + 1;
          throw new Error('connect ECONNREFUSED 127.0.0.1:9 (ledger down)');
        }
        if (remote.down === 'refused-once') {
          remote.down = null;
          throw new EarshotError('ERR_SOURCE_AUTH_FAILED', {
            name: environment.name,
            remote: 'the ledger',
            detail: 'token revoked',
          });
        }
        const at = cursor ?? 0;
        const fresh = remote.items.slice(at);
        run.push(...fresh);
        context.reportStatus?.('polling', `${environment.name} at ${at + fresh.length}`);
        return {
          drafts: fresh.map((id) => ({
            source: 'ledger',
            externalId: id,
            author: { handle: '@feed@example.org', name: null, followers: null, following: null },
            text: `ledger post ${id}`,
            url: null,
            createdAt: new Date().toISOString(),
            inReplyTo: null,
            metrics: { likes: 0, reposts: 0, replies: 0 },
            extra: {},
          })),
          next: at + fresh.length,
        };
      },
    };
  },
};

/** A stream that fails to open its first `failures` times, then runs. */
let startsLeft = 0;
let startCalls = 0;
const FlakyOptions = Type.Object({ failures: Type.Integer() }, { additionalProperties: false });
const flakyDefinition: SourceDefinition<typeof FlakyOptions> = {
  kind: 'flaky',
  label: 'Flaky (test)',
  description: 'Fails to open a few times.',
  capabilities: { canReplyPublicly: false, canDirectMessage: false, hasEdits: false, maxReplyLength: null },
  options: FlakyOptions,
  secrets: [],
  create: () => ({
    kind: 'flaky',
    capabilities: { canReplyPublicly: false, canDirectMessage: false, hasEdits: false, maxReplyLength: null },
    cursor: jsonCursor(Type.Null()),
    async stream(_cursor, context) {
      startCalls += 1;
      if (startsLeft > 0) {
        startsLeft -= 1;
        throw new Error(`upstream refused (start ${startCalls})`);
      }
      context.reportStatus?.('connected');
    },
  }),
};

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const analyzer = createAnalyzer();
const box = createSecretBox(randomBytes(32));

for (const backend of await backends()) {
  describe(`${backend.name}: source supervisor`, { skip: backend.skip ?? false }, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    before(async () => {
      const opened = await backend.open();
      store = opened.store;
      dispose = opened.dispose;
    });
    after(async () => dispose?.());

    function supervisor(): SourceSupervisor {
      const bus = new InProcessBus();
      return new SourceSupervisor({
        store,
        bus,
        pipeline: new IngestPipeline({ store, analyzer, bus }),
        secrets: box,
        definitions: [ledgerDefinition, flakyDefinition],
        restartBaseMs: 20,
        restartMaxMs: 100,
        log: { info() {}, warn() {}, error() {} },
      });
    }
    const postsOf = async (source: string) =>
      (await searchPosts(store.db, store.dialect, { limit: 500 })).posts.filter((post) => post.source === source);

    test('a restarted source resumes from its durable cursor, losing and doubling nothing', async () => {
      const feed = `feed-${backend.name}`;
      remotes.set(feed, { items: ['a1', 'a2', 'a3', 'a4', 'a5'], emitted: [] });
      await insertSource(store.db, {
        name: 'city-ledger',
        kind: 'ledger',
        options: { feed },
        sealedSecrets: box.seal('city-ledger', { token: 'ledger-token-1' }),
        secretsSet: ['token'],
        enabled: true,
        origin: 'api',
      });
      const first = supervisor();
      await first.startAll();
      await until('5 posts', async () => (await postsOf('city-ledger')).length === 5);
      await first.close();
      assert.equal(await loadCursor(store.db, 'city-ledger'), '5');

      // While Earshot is down the channel moves on.
      remotes.get(feed)!.items.push('a6', 'a7', 'a8', 'a9', 'a10');
      const second = supervisor();
      await second.startAll();
      await until('10 posts', async () => (await postsOf('city-ledger')).length === 10);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await second.close();

      const [run1, run2] = remotes.get(feed)!.emitted;
      assert.deepEqual(run1, ['a1', 'a2', 'a3', 'a4', 'a5']);
      assert.deepEqual(run2, ['a6', 'a7', 'a8', 'a9', 'a10'], 'the second run starts where the first stopped');
      const stored = (await postsOf('city-ledger')).map((post) => post.externalId).sort();
      assert.deepEqual(stored, ['a1', 'a10', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9']);
      const health = await getSourceHealth(store.db, 'city-ledger');
      assert.equal(health?.posts, 10);
      assert.ok(health?.lastPostAt);
      assert.equal(health?.errors, 0);
    });

    test('an unreadable saved cursor is reported and the source starts fresh instead of crashing', async () => {
      const feed = `garbled-${backend.name}`;
      remotes.set(feed, { items: ['g1', 'g2'], emitted: [] });
      await insertSource(store.db, {
        name: 'garbled-ledger',
        kind: 'ledger',
        options: { feed },
        sealedSecrets: box.seal('garbled-ledger', { token: 'ledger-token-1' }),
        secretsSet: ['token'],
        enabled: true,
        origin: 'api',
      });
      await saveCursor(store.db, 'garbled-ledger', '{"v":9, not json', new Date().toISOString());
      const running = supervisor();
      await running.reconcile('garbled-ledger');
      await until('2 posts', async () => (await postsOf('garbled-ledger')).length === 2);
      await running.settled();
      await running.close();
      assert.equal(await loadCursor(store.db, 'garbled-ledger'), '2', 'a fresh cursor replaced the unreadable one');
      const health = (await getSourceHealth(store.db, 'garbled-ledger'))!;
      assert.ok(health.skipped >= 1, 'the unreadable cursor was counted');
      assert.deepEqual(remotes.get(feed)!.emitted[0]!.slice(0, 2), ['g1', 'g2']);
    });

    test('a source that throws is restarted with backoff and its health shows the error', async () => {
      startsLeft = 2;
      startCalls = 0;
      await insertSource(store.db, {
        name: 'flaky-one',
        kind: 'flaky',
        options: { failures: 2 },
        sealedSecrets: null,
        secretsSet: [],
        enabled: true,
        origin: 'api',
      });
      const running = supervisor();
      await running.startAll();
      await until(
        'connected after two crashes',
        async () => (await getSourceHealth(store.db, 'flaky-one'))?.status === 'connected',
      );
      await running.settled();
      const health = (await getSourceHealth(store.db, 'flaky-one'))!;
      assert.equal(startCalls, 3);
      assert.equal(health.errors, 2);
      assert.match(health.lastError ?? '', /upstream refused \(start 2\)/);
      assert.ok(health.lastErrorAt);
      assert.equal((await running.sender('flaky-one')).ok, false, 'a source without send cannot send');
      await running.close();
    });

    test('health is honest: failed polls are counted with the last error, waits grow, and it recovers', async () => {
      const feed = `outage-${backend.name}`;
      const remote = {
        items: ['o1'],
        emitted: [] as string[][],
        down: null as 'network' | 'refused-once' | null,
        polls: [] as number[],
        failedPolls: 0,
      };
      remotes.set(feed, remote);
      await insertSource(store.db, {
        name: 'outage-ledger',
        kind: 'ledger',
        options: { feed, pollMs: 25 },
        sealedSecrets: box.seal('outage-ledger', { token: 'ledger-token-1' }),
        secretsSet: ['token'],
        enabled: true,
        origin: 'api',
      });
      const running = supervisor();
      await running.reconcile('outage-ledger');
      await until('1 post', async () => (await postsOf('outage-ledger')).length === 1);
      await running.settled();
      assert.equal((await getSourceHealth(store.db, 'outage-ledger'))!.errors, 0);

      // The peer goes away: every poll fails.
      remote.down = 'network';
      const failedFrom = remote.polls.length;
      await until('4 failed polls', async () => remote.polls.length >= failedFrom + 5);
      await running.settled();
      const down = (await getSourceHealth(store.db, 'outage-ledger'))!;
      assert.equal(down.status, 'backing-off');
      assert.ok(down.errors >= 4, `errors ${down.errors}`);
      assert.match(down.lastError ?? '', /ECONNREFUSED/);
      assert.match(down.lastError ?? '', /in a row/);
      assert.ok(down.lastErrorAt);
      // Waits after failures: 50, 100, 200, 400 ms (the 25-ms interval doubling): they grow across polls.
      const gaps = remote.polls.slice(failedFrom).map((at, index, all) => (index === 0 ? 0 : at - all[index - 1]!));
      assert.ok(gaps[4]! > gaps[2]! * 1.5 && gaps[4]! >= 350, `gaps ${gaps.map(Math.round).join(', ')}`);

      // The peer is back: the next poll succeeds, the state says so and the wait is the interval again.
      remote.items.push('o2');
      remote.down = null;
      await until('recovered', async () => (await getSourceHealth(store.db, 'outage-ledger'))?.status === 'polling');
      await until('2 posts', async () => (await postsOf('outage-ledger')).length === 2);
      const recoveredAt = remote.polls.length;
      await until('polls at the interval again', async () => remote.polls.length >= recoveredAt + 3, 2000);
      const after = remote.polls.slice(-3);
      assert.ok(after[2]! - after[1]! < 200, 'back to the interval after a success');
      await running.settled();
      const up = (await getSourceHealth(store.db, 'outage-ledger'))!;
      assert.equal(up.errors, remote.failedPolls, 'one error per failed poll, none after the recovery');
      assert.match(up.lastError ?? '', /ECONNREFUSED/, 'the last error stays on record, with its time');

      // A refused poll (fatal) on the schedule is one error, not two.
      const before = up.errors;
      remote.down = 'refused-once';
      await until('restarted after the refusal', async () => {
        const health = await getSourceHealth(store.db, 'outage-ledger');
        return health?.lastError?.includes('token revoked') === true && health.status !== 'backing-off';
      });
      await running.settled();
      const refused = (await getSourceHealth(store.db, 'outage-ledger'))!;
      assert.equal(refused.errors, before + 1, 'the refusal was counted once');
      await running.close();
    });

    test('an unreadable secret keeps the source down with a clear error, retried with backoff', async () => {
      const otherBox = createSecretBox(randomBytes(32));
      await insertSource(store.db, {
        name: 'wrong-key',
        kind: 'ledger',
        options: { feed: 'none' },
        sealedSecrets: otherBox.seal('wrong-key', { token: 'ledger-token-1' }),
        secretsSet: ['token'],
        enabled: true,
        origin: 'api',
      });
      const running = supervisor();
      await running.reconcile('wrong-key');
      await running.settled();
      const health = (await getSourceHealth(store.db, 'wrong-key'))!;
      assert.equal(health.status, 'backing-off');
      assert.match(health.lastError ?? '', /Cannot decrypt the secrets of source wrong-key: wrong EARSHOT_SECRET_KEY/);
      assert.doesNotMatch(health.lastError ?? '', /ledger-token-1/);
      const sender = await running.sender('wrong-key');
      assert.ok(!sender.ok && sender.retryable);
      await running.close();
    });

    test('sender explains sources that are missing or disabled', async () => {
      await insertSource(store.db, {
        name: 'off',
        kind: 'flaky',
        options: { failures: 0 },
        sealedSecrets: null,
        secretsSet: [],
        enabled: false,
        origin: 'api',
      });
      const running = supervisor();
      await running.startAll();
      const missing = await running.sender('nowhere');
      const disabled = await running.sender('off');
      assert.deepEqual(missing, { ok: false, retryable: false, reason: 'no configured source named "nowhere"' });
      assert.deepEqual(disabled, { ok: false, retryable: false, reason: 'source "off" is disabled' });
      await running.close();
    });
  });
}
