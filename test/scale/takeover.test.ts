/**
 * What runs once in a cluster survives its node's SIGKILL, proven with real `earshot serve`
 * processes over the machine's NATS JetStream and PostgreSQL:
 * - the crisis watch: a burst under way when the `watches` holder is killed is alerted exactly
 *   once (the alert already raised is kept, one still building is raised by the node that takes
 *   over, from the windows it rebuilt out of the stored posts);
 * - the outbound replies: replies queued when the `sources` holder is killed reach the channel
 *   (the Mastodon protocol fake, counting what it receives) each exactly once, and are all `sent`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { clusterEnv, clusterSkip, type ClusterEnv } from '../helpers/cluster.js';
import { ADMIN_PASSWORD, alive, killHard, leaseHolder, nodes, waitFor } from '../helpers/cluster-nodes.js';
import { startTestDesk, type TestDesk } from '../helpers/app.js';
import { FIXTURES_DIR, sharedSkip } from '../helpers/shared.js';
import { ingestLine, newPost } from '../helpers/posts.js';
import { startFakeMastodon, type FakeMastodon } from '../sources/fakes/mastodon-server.js';
import { connectNats, type NatsLink } from '../../src/pipeline/nats.js';
import { DraftPublisher } from '../../src/pipeline/draft-queue.js';
import { openStore } from '../../src/store/open.js';
import { insertPosts, type NewPost } from '../../src/store/posts.js';
import { createStream } from '../../src/store/streams.js';
import type { PostDraft } from '../../src/domain/post.js';

const skip = await clusterSkip();
const MINUTE = 60_000;
const LOGS = { EARSHOT_LOG_LEVEL: 'info' };

async function query<T extends pg.QueryResultRow>(databaseUrl: string, text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

describe('distributed mode: the crisis watch across a SIGKILL', { skip: skip ?? false, timeout: 600_000 }, () => {
  let cluster: ClusterEnv;
  let link: NatsLink;
  const running = nodes();
  before(async () => {
    cluster = await clusterEnv();
    link = await connectNats(cluster.env.EARSHOT_NATS_URL!, cluster.prefix);
  });
  after(async () => {
    await running.stopAll();
    await link?.close();
    await cluster?.dispose();
  });

  test('a burst under way when the watches holder is killed raises exactly one alert', async () => {
    // Forty minutes of ordinary traffic on two streams, stored before the workers start: the
    // watch's windows are warm from its first minute (it rebuilds them when it takes the lease).
    const store = await openStore({ databaseUrl: cluster.databaseUrl, dataDir: running.tempDir('earshot-seed-') });
    const wifi = (await createStream(store.db, { name: 'Wifi', query: 'wifi' })).id;
    const vpn = (await createStream(store.db, { name: 'VPN', query: 'vpn' })).id;
    const start = Date.now() - 40 * MINUTE;
    for (let minute = 0; minute < 40; minute += 1) {
      const storedAt = start + minute * MINUTE;
      const posts: NewPost[] = [];
      for (const [streamId, text] of [
        [wifi, 'the wifi in the library is fine'],
        [vpn, 'how do I set up the vpn at home'],
      ] as const)
        for (let i = 0; i < 2; i += 1)
          posts.push(
            newPost({
              source: 'seed',
              text,
              streamIds: [streamId],
              createdAt: new Date(storedAt - 5000).toISOString(),
            }),
          );
      await insertPosts(store.db, posts, new Date(storedAt).toISOString());
    }
    await store.close();

    const workers = await Promise.all([0, 1, 2].map(() => running.start(cluster, ['--role', 'worker'], LOGS)));
    const holder = await leaseHolder(workers, 'watches');
    await waitFor(
      async () => /windows rebuilt from 160 stored post/.test(holder.stderr),
      30_000,
      () => `the watch did not rebuild its windows: ${holder.stderr}`,
    );
    const publisher = new DraftPublisher(link);
    let serial = 0;
    const burst = (count: number, text: string): PostDraft[] =>
      Array.from({ length: count }, () => {
        serial += 1;
        return {
          source: 'campus-social',
          externalId: `burst-${serial}`,
          author: { handle: `@student${serial}`, name: null, followers: 40, following: 80 },
          text: `${text} (${serial})`,
          url: null,
          createdAt: new Date().toISOString(),
          inReplyTo: null,
          metrics: { likes: 0, reposts: 0, replies: 0 },
          extra: {},
        };
      });
    const alertsFor = (streamId: number) =>
      query<{ id: number; status: string; created_at: string }>(
        cluster.databaseUrl,
        'select id, status, created_at from alerts where key = $1 order by id',
        [`burst:stream:${streamId}`],
      );
    const storedCount = async () =>
      Number((await query<{ n: string }>(cluster.databaseUrl, 'select count(*) as n from posts'))[0]!.n);

    // The wifi burst is alerted before the kill; the VPN one has only begun (too few posts to alert).
    await publisher.ingestDrafts([...burst(60, 'the wifi is down across campus'), ...burst(6, 'vpn keeps dropping')]);
    await waitFor(
      async () => (await alertsFor(wifi)).length > 0,
      60_000,
      () => `the wifi burst was not alerted: ${holder.stderr.slice(-2000)}`,
    );
    await waitFor(
      async () => (await storedCount()) === 160 + 66,
      60_000,
      () => 'the burst was not stored',
    );
    const [wifiAlert] = await alertsFor(wifi);
    assert.deepEqual(await alertsFor(vpn), [], 'the VPN burst has not alerted yet');

    // Killed mid-burst; the rest of the VPN burst is stored while no node may hold the watch yet.
    await killHard(holder);
    await publisher.ingestDrafts([...burst(40, 'vpn keeps dropping'), ...burst(20, 'the wifi is down across campus')]);
    const survivors = workers.filter(alive);
    const next = await leaseHolder(survivors, 'watches');
    await waitFor(
      async () => (await alertsFor(vpn)).length > 0,
      60_000,
      () => `the VPN burst was lost across the kill: ${next.stderr.slice(-2000)}`,
    );
    await waitFor(
      async () => (await storedCount()) === 160 + 126,
      60_000,
      () => 'the second part of the burst was not stored',
    );
    // Time for a second alert to appear, were one going to.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const wifiAlerts = await alertsFor(wifi);
    const vpnAlerts = await alertsFor(vpn);
    assert.equal(wifiAlerts.length, 1, 'the wifi burst: one alert across the kill');
    assert.equal(wifiAlerts[0]!.id, wifiAlert!.id, 'the alert raised before the kill is the one kept');
    assert.equal(wifiAlerts[0]!.status, 'open');
    assert.equal(vpnAlerts.length, 1, 'the VPN burst: raised once, by the node that took over');
    assert.equal(vpnAlerts[0]!.status, 'open');
  });
});

/**
 * An HTTP relay in front of the Mastodon fake that holds each new status for `delayMs` before
 * passing it on: a channel that takes its time, so a kill lands while replies are going out.
 */
async function slowRelay(target: string, delayMs: number): Promise<{ origin: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const server = http.createServer((request, response) => {
    const forward = () => {
      const outgoing = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: request.method,
          path: request.url,
          headers: request.headers,
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      outgoing.on('error', () => response.destroy());
      request.pipe(outgoing);
    };
    if (request.method === 'POST' && request.url?.startsWith('/api/v1/statuses')) setTimeout(forward, delayMs);
    else forward();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('distributed mode: queued replies across a SIGKILL', {
  skip: skip ?? sharedSkip('data/protocol-fixtures/mastodon'),
  timeout: 600_000,
}, () => {
  let cluster: ClusterEnv;
  let fake: FakeMastodon;
  let relay: Awaited<ReturnType<typeof slowRelay>>;
  let desk: TestDesk;
  const running = nodes();
  before(async () => {
    cluster = await clusterEnv();
    fake = await startFakeMastodon(FIXTURES_DIR);
    relay = await slowRelay(fake.origin, 150);
  });
  after(async () => {
    await running.stopAll();
    await desk?.close();
    await relay?.close();
    await fake?.close();
    await cluster?.dispose();
  });

  test('50 replies queued when the sources holder is killed are each sent once', async (t) => {
    const configFile = join(running.tempDir('earshot-config-'), 'earshot.config.yaml');
    writeFileSync(
      configFile,
      [
        'allowedPrivateHosts: [127.0.0.1]',
        'sources:',
        '  - name: campus-mastodon',
        '    kind: mastodon',
        '    options:',
        `      instanceUrl: ${relay.origin}`,
        `      accessToken: \${MASTODON_TOKEN}`,
        '      hashtags: [CampusIT]',
        '      mentions: false',
      ].join('\n'),
    );
    const env = { ...LOGS, EARSHOT_CONFIG: configFile, MASTODON_TOKEN: fake.token };
    // The desk (an API node of the same install, in this process) stores 50 customer posts,
    // each raising a ticket, and queues a reply to each.
    const [ingest, started] = await Promise.all([
      Promise.all([0, 1].map(() => running.start(cluster, ['--role', 'ingest'], env))),
      startTestDesk({
        databaseUrl: cluster.databaseUrl,
        env: { EARSHOT_SECRET_KEY: cluster.env.EARSHOT_SECRET_KEY!, EARSHOT_ADMIN_PASSWORD: ADMIN_PASSWORD },
      }),
    ]);
    desk = started;
    const holder = await leaseHolder(ingest, 'sources');
    await createStream(desk.runtime.store.db, {
      name: 'Mastodon',
      query: 'channel:mastodon',
      ticketRules: [{ kinds: [], sentiments: [], ticketType: 'request', priority: 'normal' }],
    });
    const cookie = await desk.login('admin', ADMIN_PASSWORD);
    const lines = Array.from({ length: 50 }, (_, i) =>
      ingestLine({
        source: 'campus-mastodon',
        id: `11${String(i).padStart(16, '0')}`,
        text: `The printer in room ${i} is jammed again`,
        createdAt: new Date().toISOString(),
      }),
    );
    const ingested = await desk.app.inject({
      method: 'POST',
      url: '/api/ingest',
      headers: { cookie },
      payload: lines,
    });
    assert.equal(ingested.statusCode, 200, ingested.body);
    const tickets = await query<{ id: number }>(cluster.databaseUrl, 'select id from tickets order by id');
    assert.equal(tickets.length, 50, 'each post raised a ticket');
    for (const [i, ticket] of tickets.entries()) {
      const replied = await desk.app.inject({
        method: 'POST',
        url: `/api/tickets/${ticket.id}/replies`,
        headers: { cookie },
        payload: {
          body: `Reply ${i + 1}: thanks, a technician is on the way.`,
          visibility: 'public',
          acknowledgeWarnings: true,
        },
      });
      assert.ok(replied.statusCode < 300, replied.body);
    }

    // Killed while the replies are going out.
    await waitFor(
      async () => fake.created.length >= 10,
      60_000,
      () => `the sources node sent nothing: ${holder.stderr.slice(-2000)}`,
    );
    await killHard(holder);
    const sentBeforeTakeover = fake.created.length;
    assert.ok(sentBeforeTakeover < 50, 'the kill came while replies were still queued');
    const next = await leaseHolder(ingest.filter(alive), 'sources');
    let statuses: { status: string; n: string }[] = [];
    await waitFor(
      async () => {
        statuses = await query<{ status: string; n: string }>(
          cluster.databaseUrl,
          'select status, count(*) as n from outbound_messages group by status',
        );
        return statuses.length === 1 && statuses[0]!.status === 'sent' && Number(statuses[0]!.n) === 50;
      },
      90_000,
      () => `not every reply was sent: ${JSON.stringify(statuses)} ${next.stderr.slice(-2000)}`,
    );
    const posts = fake.requests.filter((request) => request.method === 'POST' && request.path === '/api/v1/statuses');
    t.diagnostic(
      `${sentBeforeTakeover} created before the takeover; ${posts.length} POSTs for 50 replies; ` +
        (/took over (\d+) repl/.exec(next.stderr)?.[0] ?? 'no claims freed'),
    );
    // Counted at the channel: each reply's text once, and no other status created.
    const bodies = fake.created.map((status) => (status.request_body as { status: string }).status);
    assert.equal(bodies.length, 50, `the channel received ${bodies.length} statuses`);
    assert.equal(new Set(bodies).size, 50, 'no reply posted twice');
    for (let i = 1; i <= 50; i += 1)
      assert.ok(
        bodies.some((body) => body.includes(`Reply ${i}:`)),
        `reply ${i} reached the channel`,
      );
  });
});
