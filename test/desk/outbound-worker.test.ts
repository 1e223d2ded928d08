/**
 * The outbound worker on SQLite and PostgreSQL: replies queued by the desk are sent through a
 * small real source defined here (a "courier" that, like Mastodon's Idempotency-Key, answers
 * a repeated key with the first result and records every key it saw). Rate limits and server
 * errors are retried with backoff; a bad request fails with the remote error; a worker that
 * crashed between claim and mark does not make the next one send twice.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { backends } from '../helpers/backends.js';
import type { Store } from '../../src/store/open.js';
import { InProcessBus, type Topics } from '../../src/pipeline/bus.js';
import { IngestPipeline } from '../../src/pipeline/ingest.js';
import { createAnalyzer } from '../../src/analysis/analyzer.js';
import { Desk } from '../../src/desk/desk.js';
import { OutboundWorker, idempotencyKeyFor } from '../../src/desk/outbound-worker.js';
import { SourceSupervisor } from '../../src/sources/supervisor.js';
import { createSecretBox } from '../../src/sources/secrets.js';
import { RemoteError } from '../../src/sources/retry.js';
import type { SourceDefinition } from '../../src/sources/source.js';
import { jsonCursor, type OutboundReply } from '../../src/sources/source.js';
import { insertSource } from '../../src/store/sources.js';
import { createTickets, getTicket, listOutbound } from '../../src/store/tickets.js';
import { claimDueOutbound, outboundAttempts } from '../../src/store/outbound.js';
import { createUser } from '../../src/store/users.js';
import { ensureInstall } from '../../src/store/install.js';
import type { User } from '../../src/domain/user.js';

type Answer = 'ok' | { status: number; retryAfterMs?: number };

/** The courier's remote end: a script of answers, the keys seen, and what was really posted. */
const remote = {
  script: [] as Answer[],
  calls: [] as OutboundReply[],
  posted: new Map<string, { remoteId: string; remoteUrl: string }>(),
};

const courierDefinition: SourceDefinition = {
  kind: 'courier',
  label: 'Courier (test)',
  description: 'Sends replies to an in-memory remote that honours idempotency keys.',
  capabilities: { canReplyPublicly: false, canDirectMessage: false, hasEdits: false, maxReplyLength: null },
  options: Type.Object({}, { additionalProperties: false }),
  secrets: [],
  create: (_options, environment) => ({
    kind: 'courier',
    capabilities: { canReplyPublicly: true, canDirectMessage: false, hasEdits: false, maxReplyLength: null },
    cursor: jsonCursor(Type.Null()),
    async send(reply) {
      remote.calls.push(reply);
      const seen = remote.posted.get(reply.idempotencyKey);
      if (seen) return seen;
      const answer = remote.script.shift() ?? 'ok';
      if (answer !== 'ok')
        throw new RemoteError(
          `courier: HTTP ${answer.status} {"error":"nope ${answer.status}"}`,
          answer.status,
          answer.retryAfterMs ?? null,
        );
      const remoteId = `r-${remote.posted.size + 1}`;
      const result = { remoteId, remoteUrl: `https://courier.example/${environment.name}/${remoteId}` };
      remote.posted.set(reply.idempotencyKey, result);
      return result;
    },
  }),
};

const analyzer = createAnalyzer();

for (const backend of await backends()) {
  describe(`${backend.name}: outbound worker`, { skip: backend.skip ?? false }, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    let bus: InProcessBus;
    let pipeline: IngestPipeline;
    let desk: Desk;
    let supervisor: SourceSupervisor;
    let agent: User;
    let now = new Date('2026-11-24T10:00:00Z');
    const clock = () => now;
    const advance = (ms: number) => (now = new Date(now.getTime() + ms));
    const published: Topics['outbound.updated'][] = [];
    let serial = 0;

    before(async () => {
      const opened = await backend.open();
      store = opened.store;
      dispose = opened.dispose;
      bus = new InProcessBus();
      bus.subscribe('outbound.updated', (message) => void published.push(message));
      pipeline = new IngestPipeline({ store, analyzer, bus, clock });
      desk = new Desk({ store, bus, clock });
      supervisor = new SourceSupervisor({
        store,
        bus,
        pipeline,
        secrets: createSecretBox(randomBytes(32)),
        definitions: [courierDefinition],
        clock,
        log: { info() {}, warn() {}, error() {} },
      });
      await insertSource(store.db, {
        name: 'courier-1',
        kind: 'courier',
        options: {},
        sealedSecrets: null,
        secretsSet: [],
        enabled: true,
        origin: 'api',
      });
      await supervisor.startAll();
      agent = (await createUser(store.db, { username: 'agent', role: 'agent', password: 'a-long-password' })) as User;
    });
    after(async () => {
      await supervisor?.close();
      await dispose?.();
    });
    beforeEach(() => {
      remote.script = [];
      remote.calls = [];
      remote.posted.clear();
      published.length = 0;
    });

    /** A post from `source`, a ticket for it, and an agent's reply queued on it. */
    async function queueReply(source = 'courier-1'): Promise<number> {
      return (await queueReplyOnTicket(source)).outboundId;
    }
    async function queueReplyOnTicket(source = 'courier-1'): Promise<{ outboundId: number; ticketId: number }> {
      serial += 1;
      const result = await pipeline.ingestDrafts([
        {
          source,
          externalId: `p-${serial}`,
          author: { handle: '@ana@example.social', name: 'Ana', followers: 1, following: 1 },
          text: `my laptop will not start ${serial}`,
          url: `https://example.social/@ana/p-${serial}`,
          createdAt: now.toISOString(),
          inReplyTo: null,
          metrics: { likes: 0, reposts: 0, replies: 0 },
          extra: { cid: `cid-${serial}` },
        },
      ]);
      const [ticket] = await createTickets(
        store.db,
        [
          {
            type: 'request',
            priority: 'normal',
            subject: 'laptop',
            postId: result.posts[0]!.id,
            streamId: null,
            source,
            slaDueAt: null,
          },
        ],
        now.toISOString(),
      );
      const { outbound } = await desk.reply(
        ticket!.id,
        { body: `Sorry to hear that, Ana (${serial})`, visibility: 'public' },
        agent,
      );
      return { outboundId: outbound.id, ticketId: ticket!.id };
    }
    const outboundRow = async (id: number) => (await listOutbound(store.db, {})).find((message) => message.id === id)!;
    const worker = (options: Partial<ConstructorParameters<typeof OutboundWorker>[0]> = {}) =>
      new OutboundWorker({
        store,
        bus,
        senders: supervisor,
        clock,
        intervalMs: 0,
        baseDelayMs: 1000,
        leaseMs: 60_000,
        ...options,
      });

    test('queued → sent with the remote id and URL, threaded on the post, with a stable idempotency key', async () => {
      const id = await queueReply();
      assert.equal((await outboundRow(id)).status, 'queued');
      assert.deepEqual(await worker().runOnce(), { sent: 1, retried: 0, failed: 0 });
      const sent = await outboundRow(id);
      assert.equal(sent.status, 'sent');
      assert.equal(sent.remoteId, 'r-1');
      assert.equal(sent.remoteUrl, 'https://courier.example/courier-1/r-1');
      assert.equal(sent.error, null);
      const [call] = remote.calls;
      const install = await ensureInstall(store.db, () => 'not-made-here');
      assert.equal(call!.idempotencyKey, idempotencyKeyFor(id, install));
      assert.match(install.id, /^[0-9a-f-]{36}$/, 'the migration made a random install id');
      assert.equal(call!.idempotencyKey, `earshot-${install.id}-outbound-${id}`);
      assert.equal(call!.target?.externalId, call!.inReplyTo);
      assert.equal(call!.target?.authorHandle, '@ana@example.social');
      assert.match(call!.target?.url ?? '', /^https:\/\/example\.social\/@ana\/p-/);
      assert.equal(typeof call!.target?.extra.cid, 'string');
      assert.deepEqual(
        published.map((message) => message.message.status),
        ['sent'],
      );
      assert.deepEqual(
        await worker().runOnce(),
        { sent: 0, retried: 0, failed: 0 },
        'a sent message is not sent again',
      );
    });

    test('a 429 (honouring Retry-After) and a 503 are retried with backoff, then sent', async () => {
      const id = await queueReply();
      remote.script = [{ status: 429, retryAfterMs: 30_000 }, { status: 503 }];
      const sender = worker();
      assert.deepEqual(await sender.runOnce(), { sent: 0, retried: 1, failed: 0 });
      const waiting = await outboundRow(id);
      assert.equal(waiting.status, 'queued');
      assert.match(waiting.error ?? '', /HTTP 429/);
      assert.equal(
        Date.parse((await outboundAttempts(store.db, id))!.nextAttemptAt!) - now.getTime(),
        30_000,
        'Retry-After is the floor',
      );
      assert.deepEqual(await sender.runOnce(), { sent: 0, retried: 0, failed: 0 }, 'not due yet');
      advance(30_000);
      assert.deepEqual(await sender.runOnce(), { sent: 0, retried: 1, failed: 0 });
      assert.match((await outboundRow(id)).error ?? '', /HTTP 503/);
      advance(2_000);
      assert.deepEqual(await sender.runOnce(), { sent: 1, retried: 0, failed: 0 });
      const sent = await outboundRow(id);
      assert.equal(sent.status, 'sent');
      assert.equal(sent.error, null);
      assert.equal((await outboundAttempts(store.db, id))!.attempts, 3);
      assert.equal(remote.posted.size, 1);
    });

    test('a non-retryable error fails at once with the remote error', async () => {
      const id = await queueReply();
      remote.script = [{ status: 422 }];
      assert.deepEqual(await worker().runOnce(), { sent: 0, retried: 0, failed: 1 });
      const failed = await outboundRow(id);
      assert.equal(failed.status, 'failed');
      assert.equal(failed.error, 'courier: HTTP 422 {"error":"nope 422"}');
      assert.equal(remote.posted.size, 0);
    });

    test('retryable failures give up after the last attempt', async () => {
      const id = await queueReply();
      remote.script = [{ status: 500 }, { status: 502 }];
      const sender = worker({ maxAttempts: 2 });
      await sender.runOnce();
      advance(1_000);
      assert.deepEqual(await sender.runOnce(), { sent: 0, retried: 0, failed: 1 });
      assert.match((await outboundRow(id)).error ?? '', /HTTP 502 .*gave up after 2 attempts/);
    });

    test('a crash between claim and mark does not send twice: the next worker reuses the idempotency key', async () => {
      const id = await queueReply();
      // Worker A claims the message and gets it to the channel, then dies before marking it.
      const [claim] = await claimDueOutbound(store.db, {
        now: now.toISOString(),
        leaseUntil: new Date(now.getTime() + 60_000).toISOString(),
        token: 'worker-a',
        limit: 10,
      });
      assert.equal(claim?.id, id);
      const sender = await supervisor.sender('courier-1');
      assert.ok(sender.ok);
      const install = await ensureInstall(store.db, () => 'not-made-here');
      const first = await sender.source.send({
        idempotencyKey: idempotencyKeyFor(id, install),
        inReplyTo: claim!.inReplyTo,
        visibility: 'public',
        body: claim!.body,
      });

      const workerB = worker();
      assert.deepEqual(await workerB.runOnce(), { sent: 0, retried: 0, failed: 0 }, 'A’s lease still holds');
      advance(61_000);
      assert.deepEqual(await workerB.runOnce(), { sent: 1, retried: 0, failed: 0 });
      const sent = await outboundRow(id);
      assert.equal(sent.status, 'sent');
      assert.equal(sent.remoteId, first.remoteId, 'the channel recognised the key and returned the first post');
      assert.deepEqual(
        remote.calls.map((call) => call.idempotencyKey),
        [idempotencyKeyFor(id, install), idempotencyKeyFor(id, install)],
      );
      assert.equal(remote.posted.size, 1, 'posted once');
      assert.equal((await outboundAttempts(store.db, id))!.attempts, 2);
    });

    test('two workers racing for the same messages send each once', async () => {
      const ids = [await queueReply(), await queueReply(), await queueReply()];
      const [a, b] = await Promise.all([worker().runOnce(), worker().runOnce()]);
      assert.equal(a.sent + b.sent, 3);
      assert.equal(remote.calls.length, 3);
      for (const id of ids) assert.equal((await outboundRow(id)).status, 'sent');
    });

    test('a reply whose source is not configured fails with a clear reason', async () => {
      const id = await queueReply('gone-source');
      assert.deepEqual(await worker().runOnce(), { sent: 0, retried: 0, failed: 1 });
      assert.equal((await outboundRow(id)).error, 'no configured source named "gone-source"');
    });

    test('a ticket is answered only once a reply is delivered; a failed reply is retried and then answers it', async () => {
      const { outboundId, ticketId } = await queueReplyOnTicket();
      const queued = (await getTicket(store.db, ticketId))!;
      assert.equal(queued.status, 'open', 'the reply opens the ticket');
      assert.equal(queued.firstRespondedAt, null, 'a queued reply does not answer the ticket');
      remote.script = [{ status: 422 }];
      assert.deepEqual(await worker().runOnce(), { sent: 0, retried: 0, failed: 1 });
      assert.equal((await getTicket(store.db, ticketId))!.firstRespondedAt, null, 'a failed reply does not either');
      await assert.rejects(desk.retryReply(ticketId, outboundId + 1000), { code: 'ERR_NOT_FOUND' });
      const again = await desk.retryReply(ticketId, outboundId);
      assert.equal(again.status, 'queued');
      assert.equal(again.error, 'courier: HTTP 422 {"error":"nope 422"}', 'the last error stays until it is sent');
      await assert.rejects(desk.retryReply(ticketId, outboundId), { code: 'ERR_CONFLICT' }, 'only a failed reply');
      advance(5_000);
      assert.deepEqual(await worker().runOnce(), { sent: 1, retried: 0, failed: 0 });
      assert.equal((await outboundRow(outboundId)).status, 'sent');
      assert.equal(
        (await getTicket(store.db, ticketId))!.firstRespondedAt,
        now.toISOString(),
        'the delivered reply is the first response, at the time it was sent',
      );
    });
  });
}
