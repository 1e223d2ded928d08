/** The impersonation watch through the real runtime: ingest → analyze (flags) → store → bus → alert. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { buildApp, createRuntime, type Runtime } from '../../src/runtime.js';
import { listAlerts } from '../../src/store/alerts.js';
import { getPost } from '../../src/store/posts.js';
import type { Alert } from '../../src/domain/alert.js';
import { ingestLine } from '../helpers/posts.js';
import type { AddressInfo } from 'node:net';
import { createStream } from '../../src/store/streams.js';
import { WEB_DIST, webDesk } from '../../src/server/web.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';

const DIST = process.env.EARSHOT_TEST_WEB_DIST ?? WEB_DIST;

async function start(): Promise<{ runtime: Runtime; raised: Alert[]; close(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'earshot-imp-'));
  const config = loadConfig({
    EARSHOT_DATA_DIR: dataDir,
    EARSHOT_ADMIN_PASSWORD: 'admin-password-for-tests',
    EARSHOT_LOG_LEVEL: 'silent',
    EARSHOT_OFFICIAL_HANDLES: '@AcmeSupport, @northwind_it',
    EARSHOT_OFFICIAL_DOMAINS: 'acme.com,northwind.example',
  });
  const runtime = await createRuntime(config);
  const raised: Alert[] = [];
  runtime.bus.subscribe('alerts.raised', ({ alert }) => void raised.push(alert));
  return {
    runtime,
    raised,
    close: async () => {
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

test('an impersonating post ingested through the pipeline raises exactly one alert, however often it posts', async () => {
  const { runtime, raised, close } = await start();
  try {
    const impostor = {
      handle: '@\u0430cmeSupport@mastodon.example',
      name: 'Acme Support',
      followers: 3,
      following: 900,
    };
    const first = await runtime.pipeline.ingest([
      { value: ingestLine({ author: impostor, text: 'Sorry for the trouble! We can help, please follow us.' }) },
    ]);
    assert.equal(first.new, 1);
    assert.deepEqual(first.posts[0]!.flags, ['impersonation']);
    await runtime.pipeline.ingest([
      { value: ingestLine({ author: impostor, text: 'We are looking into your case, stay tuned' }) },
      { value: ingestLine({ author: impostor, text: 'Hello again from support' }) },
    ]);

    await runtime.pipeline.settled(); // the watches hear stored posts off the pipeline's path

    const alerts = (await listAlerts(runtime.store.db)).filter((alert) => alert.type === 'impersonation');
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.key, 'impersonation:mastodon:@\u0430cmesupport@mastodon.example');
    assert.equal(alerts[0]!.evidence.official, '@AcmeSupport');
    assert.equal(alerts[0]!.evidence.technique, 'homoglyph');
    assert.equal((alerts[0]!.evidence.postIds as number[]).length, 3);
    assert.equal(raised.filter((alert) => alert.type === 'impersonation').length, 1);

    // The stored post carries the flag for the desk.
    const stored = await getPost(runtime.store.db, first.posts[0]!.id);
    assert.deepEqual(stored?.flags, ['impersonation']);
  } finally {
    await close();
  }
});

test('lures raise one alert per look-alike domain, and none for ordinary or official posts', async () => {
  const { runtime, close } = await start();
  try {
    const result = await runtime.pipeline.ingest([
      { value: ingestLine({ text: 'Refund ready! Confirm your card number at https://acme-refunds.com/claim' }) },
      { value: ingestLine({ text: 'Also try https://acme-refunds.com/claim?id=2 quickly' }) },
      { value: ingestLine({ text: 'Unlock your account: https://acme.com.verify-login.io/x' }) },
      { value: ingestLine({ text: 'The portal is down again, status at https://status.acme.com' }) },
      {
        value: ingestLine({
          author: { handle: '@AcmeSupport', name: 'Acme Support', followers: 50_000, following: 10 },
          text: 'We are on it. Updates at https://acme.com/status',
        }),
      },
    ]);
    assert.equal(result.new, 5);
    assert.deepEqual(
      result.posts.map((post) => post.flags),
      [['lure', 'lookalike-domain'], ['lure', 'lookalike-domain'], ['lure', 'lookalike-domain'], [], []],
    );
    await runtime.pipeline.settled(); // the watches hear stored posts off the pipeline's path
    const alerts = await listAlerts(runtime.store.db);
    assert.deepEqual(alerts.map((alert) => alert.key).sort(), ['lure:acme-refunds.com', 'lure:verify-login.io']);
    assert.ok(alerts.every((alert) => alert.severity === 'critical'));
  } finally {
    await close();
  }
});

test('a bare credential ask alerts per author', async () => {
  const { runtime, close } = await start();
  try {
    const author = { handle: '@helper123@example.social', name: 'Helper', followers: 1, following: 1 };
    await runtime.pipeline.ingest([
      { value: ingestLine({ author, text: '@ana DM us your password and we will fix it' }) },
      { value: ingestLine({ author, text: '@ben please send us the code you got by SMS' }) },
    ]);
    await runtime.pipeline.settled(); // the watches hear stored posts off the pipeline's path
    const alerts = await listAlerts(runtime.store.db);
    assert.deepEqual(
      alerts.map((alert) => alert.key),
      ['lure:ask:mastodon:@helper123@example.social'],
    );
  } finally {
    await close();
  }
});

test('the desk shows flagged posts with a warning, and the influence and spammer badges', {
  skip:
    browserSkipReason() ??
    (existsSync(join(DIST, 'index.html'))
      ? false
      : `no built desk at ${DIST} (npm run build, or EARSHOT_TEST_WEB_DIST)`),
  timeout: 120_000,
}, async () => {
  const { runtime, close } = await start();
  const app = await buildApp(runtime, [webDesk({ dist: DIST })]);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await launchBrowser();
  try {
    await createStream(runtime.store.db, { name: 'Acme', query: 'acme', ticketRules: [] });
    const promo = { handle: '@deals@example.social', name: 'Deals', followers: 40, following: 4000 };
    await runtime.pipeline.ingest([
      {
        value: ingestLine({
          author: { handle: '@AcrneSupport', name: 'Acme Support', followers: 12, following: 800 },
          text: 'acme customers: DM us your password to fix the outage',
        }),
      },
      {
        value: ingestLine({
          author: { handle: '@rosa@example.social', name: 'Rosa', followers: 900, following: 100 },
          metrics: { likes: 40, reposts: 5, replies: 3 },
          text: 'acme portal is back, thanks team',
        }),
      },
      ...[1, 2, 3].map((i) => ({
        value: ingestLine({ author: promo, text: `acme deal ${i} https://deals.example/buy` }),
      })),
    ]);
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const page = await (await browser.newContext({ baseURL: base })).newPage();
    await page.goto('/');
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('admin-password-for-tests');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Streams' }).click();
    const column = page.getByRole('region', { name: 'Acme' });
    const flagged = column.getByRole('article', { name: /Post by Acme Support \(flagged/ });
    // On the board the warning is one quiet line that opens for detail (many cards, no alert each).
    const warning = flagged.locator('details.post-warning', { hasText: 'Possible impersonator' });
    await warning.waitFor();
    assert.match((await warning.textContent()) ?? '', /scam/);
    const rosa = column.getByRole('article', { name: 'Post by Rosa' });
    await rosa.getByText(/^Influence \d+$/).waitFor();
    assert.equal(await rosa.locator('.post-warning').count(), 0);
    await column
      .getByRole('article', { name: 'Post by Deals' })
      .first()
      .getByLabel(/Likely spammer/)
      .waitFor();
  } finally {
    await browser.close();
    await app.close();
    await close();
  }
});
