/**
 * The distributed mode, proven the hard way: real `earshot serve --role …` processes over the
 * machine's NATS JetStream and PostgreSQL, killed with SIGKILL mid-work.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { runCli } from '../helpers/cli.js';
import { clusterEnv, clusterSkip, type ClusterEnv } from '../helpers/cluster.js';
import { killHard, nodes, stopNode, waitFor, type Node } from '../helpers/cluster-nodes.js';
import { startTestDesk, type TestDesk } from '../helpers/app.js';
import { ingestLine } from '../helpers/posts.js';
import { connectNats, type NatsLink } from '../../src/pipeline/nats.js';
import { DraftPublisher } from '../../src/pipeline/draft-queue.js';
import type { PostDraft } from '../../src/domain/post.js';

const skip = await clusterSkip();
const running = nodes();
const startNode = (cluster: ClusterEnv, args: string[], extraEnv: Record<string, string> = {}): Promise<Node> =>
  running.start(cluster, args, extraEnv);

const TOPICS = ['wifi', 'vpn', 'printer', 'portal', 'email', 'canvas', 'exam results', 'library'];
const FEELINGS = ['is down again', 'works great today, thanks', 'how do I reset it?', 'keeps timing out', 'is slow'];

function draft(i: number): PostDraft {
  return {
    source: 'load',
    externalId: `load-${i}`,
    author: { handle: `@user${i % 5000}`, name: `User ${i % 5000}`, followers: i % 900, following: 50 },
    text: `The ${TOPICS[i % TOPICS.length]} ${FEELINGS[(i >> 3) % FEELINGS.length]} (#${i})`,
    url: null,
    createdAt: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(),
    inReplyTo: null,
    metrics: { likes: i % 7, reposts: i % 3, replies: 0 },
    extra: {},
  };
}

async function countPosts(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('select count(*) as n from posts');
    return Number(rows[0]!.n);
  } finally {
    await client.end();
  }
}

describe('distributed mode: NATS JetStream + PostgreSQL', { skip: skip ?? false, timeout: 1_500_000 }, () => {
  let cluster: ClusterEnv;
  let link: NatsLink;

  before(async () => {
    cluster = await clusterEnv();
    link = await connectNats(cluster.env.EARSHOT_NATS_URL!, cluster.prefix);
  });
  after(async () => {
    await running.stopAll();
    await link?.close();
    await cluster?.dispose();
  });

  test('3 workers store 100,000 posts exactly once while one is killed with SIGKILL', async () => {
    const workers = await Promise.all([0, 1, 2].map(() => startNode(cluster, ['--role', 'worker'])));
    const total = 100_000;
    const publisher = new DraftPublisher(link);
    const drafts = Array.from({ length: total }, (_, i) => draft(i));
    for (let start = 0; start < total; start += 5000) await publisher.ingestDrafts(drafts.slice(start, start + 5000));
    await waitFor(
      async () => (await countPosts(cluster.databaseUrl)) >= 15_000,
      240_000,
      () => 'workers stored too little',
    );
    await killHard(workers[0]!);
    let stored = 0;
    await waitFor(
      async () => {
        stored = await countPosts(cluster.databaseUrl);
        return stored >= total;
      },
      420_000,
      () => `stored ${stored} of ${total}; worker logs: ${workers.map((w) => w.stderr.slice(-500)).join('\n---\n')}`,
    );
    assert.equal(await countPosts(cluster.databaseUrl), total, 'every post stored once, none twice');
    const consumer = await link.manager.consumers.info(link.names.draftsStream, link.names.workersConsumer);
    assert.equal(consumer.num_pending, 0);
    await waitFor(
      async () =>
        (await link.manager.consumers.info(link.names.draftsStream, link.names.workersConsumer)).num_ack_pending === 0,
      60_000,
      () => 'batches left unacked',
    );
    for (const worker of workers.slice(1)) await stopNode(worker);
  });

  test('the configured sources run on one ingest node and move when it dies', async () => {
    const configDir = running.tempDir('earshot-config-');
    const configFile = join(configDir, 'earshot.config.yaml');
    writeFileSync(
      configFile,
      'sources:\n  - name: campus-demo\n    kind: demo\n    options:\n      intervalSeconds: 0.5\n      backfillHours: 0\n',
    );
    const env = { EARSHOT_CONFIG: configFile, EARSHOT_LOG_LEVEL: 'info' };
    await startNode(cluster, ['--role', 'worker']);
    const first = await startNode(cluster, ['--role', 'ingest'], env);
    const second = await startNode(cluster, ['--role', 'ingest'], env);
    await waitFor(
      async () => /took the sources lease/.test(first.stderr) || /took the sources lease/.test(second.stderr),
      30_000,
      () => `no ingest node took the sources lease:\n${first.stderr}\n${second.stderr}`,
    );
    const [holder, standby] = /took the sources lease/.test(first.stderr) ? [first, second] : [second, first];
    assert.doesNotMatch(standby.stderr, /took the sources lease/, 'exactly one node runs the sources');
    const before = await countPosts(cluster.databaseUrl);
    await waitFor(
      async () => (await countPosts(cluster.databaseUrl)) > before,
      30_000,
      () => 'the demo source stored nothing',
    );
    await killHard(holder);
    await waitFor(
      async () => /took the sources lease/.test(standby.stderr),
      30_000,
      () => `standby: ${standby.stderr}`,
    );
    const afterMove = await countPosts(cluster.databaseUrl);
    await waitFor(
      async () => (await countPosts(cluster.databaseUrl)) > afterMove,
      30_000,
      () => 'no posts after the source moved',
    );
  });
});

describe('distributed mode: the bus between API nodes', { skip: skip ?? false }, () => {
  let cluster: ClusterEnv;
  const desks: TestDesk[] = [];
  before(async () => {
    cluster = await clusterEnv();
  });
  after(async () => {
    for (const desk of desks) await desk.close();
    await cluster?.dispose();
  });

  test('a post ingested through node A reaches an SSE client of node B', async () => {
    const [a, b] = await Promise.all([
      startTestDesk({ databaseUrl: cluster.databaseUrl, env: cluster.env }),
      startTestDesk({ databaseUrl: cluster.databaseUrl, env: cluster.env }),
    ]);
    desks.push(a!, b!);
    await b!.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (b!.app.server.address() as AddressInfo).port;
    const cookie = await b!.login();
    const received = new Promise<string>((resolve, reject) => {
      const request = http.get({ host: '127.0.0.1', port, path: '/api/live', headers: { cookie } }, (response) => {
        let buffer = '';
        response.on('data', (chunk: Buffer) => {
          buffer += chunk.toString('utf8');
          const match = /event: post\ndata: (.+)\n/.exec(buffer);
          if (match) {
            resolve(JSON.parse(match[1]!).text);
            request.destroy();
          }
        });
      });
      request.on('error', reject);
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const ingest = await a!.app.inject({
      method: 'POST',
      url: '/api/ingest',
      headers: { cookie: await a!.login() },
      payload: ingestLine({ text: 'Node A heard the wifi is down' }),
    });
    assert.equal(ingest.statusCode, 200);
    assert.equal(await received, 'Node A heard the wifi is down');
  });
});

describe('earshot doctor', { skip: skip ?? false }, () => {
  let cluster: ClusterEnv;
  before(async () => {
    cluster = await clusterEnv();
  });
  after(async () => cluster?.dispose());

  test('reports PostgreSQL, migrations, NATS, JetStream, the queue and the workers', async () => {
    const link = await connectNats(cluster.env.EARSHOT_NATS_URL!, cluster.prefix);
    await link.close();
    const result = await runCli(['doctor'], cluster.env);
    // A fresh schema: every migration is still to apply, which the next start does; nothing fails.
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^ok +postgresql: PostgreSQL \d+/m);
    assert.match(result.stdout, /^ok +migrations: \d+ to apply at the next start/m);
    assert.match(result.stdout, /^ok +jetstream: enabled/m);
    assert.match(result.stdout, /^ok +workers: consumer workers: 0 batch\(es\) waiting/m);
  });

  test('says plainly when NATS is not there', async () => {
    const result = await runCli(['doctor'], { ...cluster.env, EARSHOT_NATS_URL: 'nats://127.0.0.1:1' });
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^FAIL nats: cannot connect to nats:\/\/127\.0\.0\.1:1/m);
  });
});
