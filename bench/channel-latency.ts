/**
 * Post-to-ticket latency per channel at default settings, on the real runtime (`serve`'s sources
 * and pipeline) against real local peers: the Mastodon protocol fake (streaming, the default),
 * Dovecot (IMAP IDLE, default idle delay) and a feed server with a real feed. The clock starts
 * when the peer has the post (pushed on the stream, appended to the mailbox, published) and stops
 * when the ticket row exists. Feeds are read on their interval (default 300 s), so their figure
 * is the time from the poll to the ticket; the wait for the poll adds interval/2 on average.
 * Bluesky runs on the reference network (`@atproto/dev-env` TestNetwork: PDS + AppView, which needs
 * EARSHOT_TEST_DATABASE_URL and Redis; skipped with the reason without them): at defaults the source
 * subscribes to the PDS's firehose (and polls every 15 s beside it); the clock starts when the PDS
 * has accepted the post (`createRecord` answered).
 *
 * `npx tsx bench/channel-latency.ts [samples]`
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { dropSchemasNamed } from '../test/helpers/scratch-schema.js';
import { appViewSkip } from '../test/helpers/appview-network.js';
import { startChannelDesk, type ChannelDesk } from '../test/helpers/channel-desk.js';
import { FIXTURES_DIR } from '../test/helpers/shared.js';
import { startFakeMastodon } from '../test/sources/fakes/mastodon-server.js';
import { startDovecot, dovecotSkip } from '../test/sources/fakes/dovecot.js';
import { startSmtpPeer } from '../test/sources/fakes/smtp-peer.js';
import { startFeedServer } from '../test/sources/fakes/feed-server.js';
import type { StreamInput } from '../src/store/streams.js';

const STREAM = (channel: string): StreamInput => ({
  name: `all ${channel}`,
  query: `channel:${channel}`,
  ticketRules: [{ kinds: [], sentiments: [], ticketType: 'request', priority: 'normal' }],
});

export async function run(options: { samples?: number } = {}): Promise<void> {
  const samples = options.samples ?? Number(process.argv[2] ?? 10);
  console.log(`\nChannel latency, post at the peer → ticket stored, default settings, ${samples} samples each`);
  await mastodon(samples);
  if (dovecotSkip()) console.log(`mail: skipped (${dovecotSkip()})`);
  else await mail(samples);
  await rss(samples);
  const skip = await appViewSkip();
  if (skip) console.log(`bluesky: skipped (${skip})`);
  else await bluesky(samples);
}

async function ticketFor(desk: ChannelDesk, source: string, externalId: string, started: number): Promise<number> {
  const post = await desk.waitForPost(source, (id) => id === externalId, 120_000);
  if ((await desk.ticketOf(post.id)) === null) throw new Error(`${source}: ${externalId} raised no ticket`);
  return performance.now() - started;
}

function report(channel: string, ms: number[], note = ''): void {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  console.log(
    `${channel.padEnd(10)} median ${at(0.5).toFixed(0)} ms, p90 ${at(0.9).toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms${note}`,
  );
}

async function mastodon(samples: number): Promise<void> {
  const fake = await startFakeMastodon(FIXTURES_DIR);
  const desk = await startChannelDesk({
    streams: [STREAM('mastodon')],
    env: { TOKEN: fake.token },
    configYaml: `allowedPrivateHosts: [127.0.0.1]\nsources:\n  - name: m\n    kind: mastodon\n    options:\n      instanceUrl: ${fake.origin}\n      accessToken: \${TOKEN}\n      hashtags: [NorthwindIT]\n`,
  });
  try {
    await desk.waitForHealth('m', (h) => h.status === 'connected');
    const ms: number[] = [];
    for (let i = 0; i < samples; i++) {
      const id = String(500000000000000000n + BigInt(i));
      const started = performance.now();
      fake.push(['hashtag', 'NorthwindIT'], 'update', fake.addStatus(id, { tags: ['NorthwindIT'], acct: 'ana' }));
      ms.push(await ticketFor(desk, 'm', id, started));
    }
    report('mastodon', ms, ' (streaming)');
  } finally {
    await desk.close();
    await fake.close();
  }
}

async function mail(samples: number): Promise<void> {
  const dovecot = await startDovecot();
  const smtp = await startSmtpPeer();
  const desk = await startChannelDesk({
    streams: [STREAM('mail')],
    env: { PW: dovecot.password },
    configYaml: `allowedPrivateHosts: [127.0.0.1]\nsources:\n  - name: mb\n    kind: mail\n    options:\n      imapHost: 127.0.0.1\n      imapPort: ${dovecot.port}\n      imapSecure: false\n      imapUser: bench\n      imapPassword: \${PW}\n      smtpHost: 127.0.0.1\n      smtpPort: ${smtp.port}\n      smtpSecure: false\n      fromAddress: help@desk.example\n`,
  });
  const imap = new ImapFlow({
    host: dovecot.host,
    port: dovecot.port,
    secure: false,
    auth: { user: 'bench', pass: dovecot.password },
    logger: false,
  });
  try {
    await desk.waitForHealth('mb', (h) => h.status === 'connected');
    await imap.connect();
    const ms: number[] = [];
    for (let i = 0; i < samples; i++) {
      const messageId = `<bench${i}.${Date.now()}@customer.example>`;
      const raw = `From: Ana <ana@customer.example>\r\nTo: help@desk.example\r\nSubject: Printer ${i}\r\nMessage-ID: ${messageId}\r\nDate: ${new Date().toUTCString()}\r\nContent-Type: text/plain\r\n\r\nThe printer jams.\r\n`;
      const started = performance.now();
      await imap.append('INBOX', raw);
      ms.push(await ticketFor(desk, 'mb', messageId, started));
      // Mail arriving right after the previous one is the case the old 15-s IDLE delay hurt.
    }
    report('mail', ms, ' (IMAP IDLE, back to back)');
  } finally {
    await imap.logout().catch(() => undefined);
    await desk.close();
    await smtp.close();
    await dovecot.stop();
  }
}

async function rss(samples: number): Promise<void> {
  const feeds = await startFeedServer();
  const body = readFileSync(
    join(FIXTURES_DIR, 'feeds', 'sample-feeds', 'real-world', '182cf60c6e9d1f6f7d1f557176ca5a84', 'feed.xml'),
  );
  const desk = await startChannelDesk({ streams: [STREAM('rss')], configYaml: 'allowedPrivateHosts: [127.0.0.1]\n' });
  try {
    const ms: number[] = [];
    for (let i = 0; i < samples; i++) {
      // A new feed each time: its first poll (at the source's start) reads every item.
      const url = feeds.publish(`/f${i}.rss`, { body });
      const started = performance.now();
      await desk.api('POST', '/api/sources', { name: `f${i}`, kind: 'rss', options: { feeds: [{ url }] } });
      const post = await desk.waitForPost(`f${i}`, () => true, 120_000);
      if ((await desk.ticketOf(post.id)) === null) throw new Error('no ticket');
      ms.push(performance.now() - started);
    }
    report('rss', ms, ' (from the poll; plus interval/2 = 150 s on average at the default 300 s)');
  } finally {
    await desk.close();
    await feeds.close();
  }
}

async function bluesky(samples: number): Promise<void> {
  // Loaded here: the reference network is large, and only this part needs it.
  const { TestNetwork } = await import('@atproto/dev-env');
  const { AtpAgent, RichText } = await import('@atproto/api');
  const databaseUrl = process.env.EARSHOT_TEST_DATABASE_URL!;
  process.env.REDIS_HOST ??= '127.0.0.1:6379';
  const schema = `earshot_benchbsky_${Date.now()
    .toString(36)
    .replace(/\d/g, (digit) => 'abcdefghij'[Number(digit)]!)}`;
  const network = await TestNetwork.create({ dbPostgresUrl: databaseUrl, dbPostgresSchema: schema });
  const desk = new AtpAgent({ service: network.pds.url });
  await desk.createAccount({ handle: 'benchdesk.test', email: 'benchdesk@example.test', password: 'desk-pw' });
  const customer = new AtpAgent({ service: network.pds.url });
  await customer.createAccount({ handle: 'customer.test', email: 'customer@example.test', password: 'customer-pw' });
  await network.processAll();
  const channelDesk = await startChannelDesk({
    streams: [STREAM('bluesky')],
    env: { PW: 'desk-pw' },
    configYaml: `allowedPrivateHosts: [127.0.0.1, localhost]\nsources:\n  - name: b\n    kind: bluesky\n    options:\n      service: ${network.pds.url}\n      identifier: benchdesk.test\n      appPassword: \${PW}\n`,
  });
  try {
    const health = await channelDesk.waitForHealth('b', (h) => h.status === 'connected', 60_000);
    const ms: number[] = [];
    for (let i = 0; i < samples; i++) {
      const rich = new RichText({ text: `@benchdesk.test the lab printer ${i} is out of toner` });
      await rich.detectFacets(customer);
      const started = performance.now();
      const post = await customer.post({ text: rich.text, facets: rich.facets, createdAt: new Date().toISOString() });
      ms.push(await ticketFor(channelDesk, 'b', post.uri, started));
    }
    report('bluesky', ms, ` (${health.detail})`);
  } finally {
    await channelDesk.close();
    await network.close();
    await dropSchemasNamed(databaseUrl, schema);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
