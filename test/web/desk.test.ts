/**
 * The web desk in a real browser (Debian's Chromium via playwright-core), against the
 * production bundle served by the real server: log in, watch an ingested post arrive live in
 * its column, open the ticket it raised, reply, resolve; hostile post text stays text; the
 * desk works at 1280×800 and at phone width. Screenshots go to test/artifacts/ for a person.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { loadConfig } from '../../src/config.js';
import { buildApp, createRuntime, type Runtime } from '../../src/runtime.js';
import { WEB_DIST, webDesk } from '../../src/server/web.js';
import type { App } from '../../src/server/app.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';

const skip = browserSkipReason();
const ARTIFACTS = join(process.cwd(), 'test', 'artifacts');
const PASSWORD = 'desk-test-password';
const HOSTILE = '<img src=x onerror=alert(1)>';

describe('web desk in Chromium', { skip: skip ?? false }, () => {
  let dataDir: string;
  let runtime: Runtime;
  let app: App;
  let base: string;
  let cookie: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  let streamId = 0;
  let ticketId = 0;
  let originalPostId = '';
  /** Shifts the runtime's clock, to raise a ticket whose SLA is already breached. */
  let clockOffsetMs = 0;

  /** POSTs to the API as the logged-in admin, the way an integration would. */
  async function apiPost<T>(path: string, body: unknown): Promise<T> {
    const response = await fetch(`${base}/api${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify(body),
    });
    assert.ok(response.ok, `POST ${path}: ${response.status} ${await response.clone().text()}`);
    return (await response.json()) as T;
  }
  async function apiGet<T>(path: string): Promise<T> {
    const response = await fetch(`${base}/api${path}`, { headers: { cookie } });
    assert.ok(response.ok, `GET ${path}: ${response.status}`);
    return (await response.json()) as T;
  }
  let serial = 0;
  function post(text: string, extra: Record<string, unknown> = {}) {
    serial += 1;
    return {
      source: 'mastodon',
      id: `desk-${serial}`,
      author: { handle: '@rosa@example.social', name: 'Rosa Diaz', followers: 15400, following: 210 },
      text,
      url: `https://example.social/@rosa/desk-${serial}`,
      createdAt: new Date().toISOString(),
      metrics: { likes: 12, reposts: 4, replies: 2 },
      ...extra,
    };
  }
  const shot = (name: string, target: Page = page) => target.screenshot({ path: join(ARTIFACTS, `${name}.png`) });

  before(async () => {
    // The test runs against the production bundle; `npm test` builds it first.
    if (!existsSync(join(WEB_DIST, 'index.html'))) {
      const built = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
      assert.equal(built.status, 0, 'npm run build failed');
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'earshot-desk-'));
    const config = loadConfig({
      EARSHOT_DATA_DIR: dataDir,
      EARSHOT_ADMIN_PASSWORD: PASSWORD,
      EARSHOT_PORT: '0',
      EARSHOT_LOG_LEVEL: 'warn',
    });
    // A day of demo history, so Pulse and the columns look like a desk in use.
    runtime = await createRuntime(config, {
      clock: () => new Date(Date.now() + clockOffsetMs),
      demo: { intervalSeconds: 3600, backfillHours: 24 },
    });
    app = await buildApp(runtime, [webDesk({ dist: process.env.EARSHOT_TEST_WEB_DIST ?? WEB_DIST })]);
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    });
    assert.equal(login.status, 200);
    cookie = login.headers
      .getSetCookie()
      .map((value) => value.split(';')[0])
      .join('; ');

    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: base });
    page = await context.newPage();
    page.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => {
      pageErrors.push(error.message);
      // EARSHOT_TEST_DEBUG=1 prints where it came from (build with --minify false to read it).
      if (process.env.EARSHOT_TEST_DEBUG) console.error('pageerror:', error.stack);
    });
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      consoleErrors.push(message.text());
      if (process.env.EARSHOT_TEST_DEBUG) console.error('console:', message.text(), JSON.stringify(message.location()));
    });
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    await runtime?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('logs in and opens on Pulse, with role-aware navigation', async () => {
    await page.goto('/');
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'do not match' }).waitFor();
    await page.getByLabel('Password').fill(PASSWORD);
    await shot('login');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Pulse', level: 1 }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/pulse');
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const name of ['Pulse', 'Streams', 'Inbox', 'People']) await nav.getByRole('link', { name }).waitFor();
    await page.getByRole('status', { name: 'Live updates: Live' }).waitFor();
  });

  it('opens every view of the rail on a reload or a bookmark, not only by clicking', async () => {
    const links = page.getByRole('navigation', { name: 'Main' }).getByRole('link');
    const paths = (await links.evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href')))).filter(
      (href): href is string => href !== null,
    );
    assert.ok(paths.length >= 7, `rail links: ${paths.join(', ')}`);
    for (const path of paths) {
      const response = await fetch(`${base}${path}`, { headers: { cookie } });
      assert.equal(response.status, 200, `GET ${path}`);
      assert.match(response.headers.get('content-type') ?? '', /text\/html/, `GET ${path}`);
    }
  });

  it('shows Pulse: the negative/positive ratio, volume by sentiment and top kinds', async () => {
    await page
      .getByTestId('ratio')
      .filter({ hasText: /^\d+\.\d\d$/ })
      .waitFor();
    await page
      .getByRole('img', { name: /by sentiment over the last 24 hours/ })
      .locator('canvas')
      .waitFor();
    await page.getByRole('heading', { name: 'Top kinds' }).waitFor();
    await shot('pulse');
  });

  it('creates a stream with the query syntax and a live preview of its matches', async () => {
    await apiPost('/ingest', post('Morning @acme_help, is there a status page I can follow?'));
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Streams' }).click();
    await page.getByRole('region', { name: 'Mentions' }).getByRole('article').first().waitFor();
    await page.getByRole('button', { name: 'New stream' }).click();
    const dialog = page.getByRole('dialog', { name: 'New stream' });
    await dialog.getByLabel('Name').fill('Acme support');
    await dialog.getByLabel('Query').fill('@acme_help AND (');
    await dialog
      .getByText(/^Expected|position|Unexpected|at \d+/i)
      .first()
      .waitFor();
    await dialog.getByLabel('Query').fill('@acme_help OR #acmehelp');
    await dialog.getByText(/^Matches 1 of the last \d+ posts$/).waitFor();
    await dialog
      .getByRole('region', { name: 'Preview of matching posts' })
      .getByText('is there a status page')
      .waitFor();
    await shot('stream-editor');
    await dialog.getByRole('button', { name: 'Create stream' }).click();
    // A new stream opens with the recent posts it matches, then fills live.
    const column = page.getByRole('region', { name: 'Acme support' });
    await column.getByRole('article').filter({ hasText: 'is there a status page' }).waitFor();
    streamId = Number(await column.getAttribute('data-stream-id'));
    assert.ok(streamId > 0);
  });

  it('shows a post ingested through the API in its column without a reload', async () => {
    await page.evaluate(() => ((globalThis as unknown as { deskMarker: string }).deskMarker = 'still here'));
    const original = post('@acme_help the student portal is down, I can’t log in and my exam is due');
    originalPostId = String(original.id);
    const result = await apiPost<{ ticketIds: number[] }>('/ingest', original);
    assert.equal(result.ticketIds.length, 1, 'an outage post raises a ticket');
    ticketId = result.ticketIds[0]!;
    const column = page.getByRole('region', { name: 'Acme support' });
    const arrived = column.getByRole('article').filter({ hasText: 'the student portal is down' });
    await arrived.waitFor();
    // Author, reach, sentiment and kind badges, and the link to the original.
    await arrived.getByText('Rosa Diaz').waitFor();
    await arrived.getByText('15.4K followers').waitFor();
    await arrived.getByTitle(/^Sentiment: (Negative|Neutral|Positive)/).waitFor();
    await arrived.getByText('outage').waitFor();
    assert.match(
      (await arrived.getByRole('link', { name: /Open the original post/ }).getAttribute('href')) ?? '',
      /^https:\/\/example\.social\//,
    );
    await column.getByRole('button', { name: /1 new post/ }).waitFor();
    await column.scrollIntoViewIfNeeded();
    assert.equal(
      await page.evaluate(() => (globalThis as unknown as { deskMarker?: string }).deskMarker),
      'still here',
      'the page did not reload',
    );
    await shot('streams');
  });

  it('renders hostile post text as text, and sanitises post HTML, with no dialog', async () => {
    await apiPost('/ingest', post(`${HOSTILE} @acme_help look at this`));
    await apiPost(
      '/ingest',
      post('@acme_help html version', {
        html: `<p>Formatted <strong>hello</strong> @acme_help</p><img src=x onerror=alert(2)><script>alert(3)</script><a href="javascript:alert(4)">link</a>`,
      }),
    );
    const column = page.getByRole('region', { name: 'Acme support' });
    await column.getByText(`${HOSTILE} @acme_help look at this`, { exact: true }).waitFor();
    await column.getByText('Formatted').waitFor();
    assert.equal(await column.locator('img').count(), 0, 'no <img> element came from a post');
    assert.equal(await column.locator('script').count(), 0);
    assert.equal(await column.locator('a[href^="javascript:"]').count(), 0);
    // Let a frame pass, so any handler that could fire has had its chance.
    await page.evaluate(
      () =>
        new Promise((resolve) =>
          (globalThis as unknown as { requestAnimationFrame(callback: () => void): void }).requestAnimationFrame(() =>
            setTimeout(resolve, 0),
          ),
        ),
    );
    assert.deepEqual(dialogs, []);
  });

  it('opens the ticket the post raised, replies publicly and resolves it from the keyboard', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
    const row = page
      .getByRole('list', { name: 'Ticket list' })
      .getByRole('link', { name: /the student portal is down/ });
    await row.click();
    await page.waitForURL(`**/inbox/${ticketId}`);
    const ticket = page.getByRole('article', { name: /the student portal is down/ });
    await ticket.getByRole('region', { name: 'Original post' }).getByText('Rosa Diaz').waitFor();
    await ticket.getByText('Ticket created from the post').waitFor();
    // The kind model's reading (kind with its confidence) and the detected language are shown.
    const reading = (await ticket.getByTestId('kind-reading').textContent()) ?? '';
    assert.match(reading, /^outage \d+ %/, reading);
    await ticket.getByRole('region', { name: 'Original post' }).getByText('Language: English').waitFor();
    await page.keyboard.press('r');
    assert.equal(
      await page
        .locator('#composer-body')
        .evaluate(
          (element) =>
            element ===
            (element as unknown as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement,
        ),
      true,
      'r focuses the reply composer',
    );
    await page.keyboard.type('Sorry Rosa, the portal is back. Your exam deadline has been extended by a day.');
    await ticket.getByRole('button', { name: 'Send reply' }).click();
    const timeline = ticket.getByRole('list', { name: 'Timeline' });
    await timeline.getByText('Your exam deadline has been extended').waitFor();
    await timeline.getByText('Public reply').waitFor();
    // The mastodon channel is not set up in this desk: the reply is not delivered, so not "Answered".
    assert.equal(await ticket.getByText('Answered', { exact: true }).count(), 0);
    await shot('ticket');
    await page.keyboard.press('Escape');
    await page.keyboard.press('e');
    // e resolves and moves on: the resolved ticket leaves the Open queue.
    await page.waitForURL((url) => !url.pathname.endsWith(`/inbox/${ticketId}`));
    await page.locator(`#ticket-row-${ticketId}`).waitFor({ state: 'detached' });
    const detail = await apiGet<{
      ticket: { status: string; firstRespondedAt: string | null };
      outbound: { visibility: string; body: string }[];
    }>(`/tickets/${ticketId}`);
    assert.equal(detail.ticket.status, 'resolved');
    assert.equal(detail.ticket.firstRespondedAt, null, 'no reply was delivered');
    assert.equal(detail.outbound.length, 1);
    assert.equal(detail.outbound[0]!.visibility, 'public');

    // Rosa answers in the same thread: her post joins this ticket, shown after our reply, and re-opens it.
    const answer = await apiPost<{ ticketIds: number[] }>(
      '/ingest',
      post('@acme_help still down for me, the portal says error 500', { inReplyTo: originalPostId }),
    );
    assert.deepEqual(answer.ticketIds, [], 'no new ticket for the answer');
    // `e` moved on to the next ticket: open this one again to read the conversation.
    await page.goto(`/inbox/${ticketId}`);
    const customer = timeline.getByRole('listitem', { name: 'Customer message' });
    await customer.getByText('the portal says error 500').waitFor();
    await ticket.getByRole('button', { name: /Resolve/ }).waitFor();
    const order = await timeline
      .locator(':scope > li')
      .evaluateAll((items) =>
        items.map((item) => (item.getAttribute('aria-label') === 'Customer message' ? 'customer' : item.className)),
      );
    assert.ok(
      order.findIndex((entry) => entry.includes('event-reply')) < order.indexOf('customer'),
      `our reply comes before her answer: ${order.join(', ')}`,
    );
    await shot('ticket-conversation');
  });

  it('counts the SLA down, and shows a breached one in red', async () => {
    // An outage ticket (high priority: 60 minutes) raised 90 minutes ago is 30 minutes late.
    clockOffsetMs = -90 * 60_000;
    const late = await apiPost<{ ticketIds: number[] }>(
      '/ingest',
      post('@acme_help portal down since this morning, still not working'),
    );
    clockOffsetMs = 0;
    const row = page.locator(`#ticket-row-${late.ticketIds[0]}`);
    const breached = row.getByText(/^⚠ Breached 30m \d\ds ago$/);
    await breached.waitFor();
    assert.equal(
      await breached.evaluate(
        (element) =>
          (
            globalThis as unknown as { getComputedStyle(element: unknown): { backgroundColor: string } }
          ).getComputedStyle(element).backgroundColor,
      ),
      'rgb(217, 45, 32)',
    );
    await page
      .getByRole('list', { name: 'Ticket list' })
      .getByText(/^\d+m \d\ds left$|^\d+h \d\dm left$/)
      .first()
      .waitFor();
  });

  it('moves through the inbox with j/k and bulk-assigns checked tickets', async () => {
    await page.getByRole('tab', { name: 'Open' }).click();
    const rows = page.getByRole('list', { name: 'Ticket list' }).getByRole('listitem');
    await rows.first().waitFor();
    await page.keyboard.press('j');
    await page.waitForURL(/\/inbox\/\d+$/);
    const first = page.url();
    await page.keyboard.press('j');
    await page.waitForURL((url) => url.href !== first);
    await page.keyboard.press('k');
    await page.waitForURL(first);
    await page
      .getByRole('checkbox', { name: /^Check ticket/ })
      .nth(0)
      .check();
    await page
      .getByRole('checkbox', { name: /^Check ticket/ })
      .nth(1)
      .check();
    await page.getByRole('toolbar', { name: 'Bulk actions' }).getByText('2 checked').waitFor();
    await page.getByLabel('Assign checked tickets to').selectOption({ label: 'Me (Administrator)' });
    await page.getByRole('status').filter({ hasText: 'Assigned 2 tickets' }).waitFor();
    await shot('inbox');
  });

  it('loads older tickets past the first page', async () => {
    const checkboxes = page.getByRole('checkbox', { name: /^Check ticket/ });
    const firstPage = await checkboxes.count();
    assert.ok(firstPage >= 100, `first page holds ${firstPage}`);
    await page.getByRole('button', { name: 'Load more tickets' }).click();
    for (let waited = 0; (await checkboxes.count()) <= firstPage; waited += 100) {
      assert.ok(waited < 10_000, 'older tickets did not load');
      await page.waitForTimeout(100);
    }
    const ids = await checkboxes.evaluateAll((boxes) => boxes.map((box) => box.getAttribute('aria-label')));
    assert.equal(new Set(ids).size, ids.length, 'no ticket listed twice');
  });

  it('works at phone width (390×844)', async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      baseURL: base,
      storageState: await context.storageState(),
      isMobile: true,
      hasTouch: true,
    });
    const small = await phone.newPage();
    small.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    for (const [path, name, ready] of [
      ['/streams', 'phone-streams', 'Mentions'],
      [`/inbox/${ticketId}`, 'phone-ticket', 'Original post'],
      ['/pulse', 'phone-pulse', 'Top kinds'],
    ] as const) {
      await small.goto(path);
      if (ready === 'Top kinds') await small.getByRole('heading', { name: ready }).waitFor();
      else await small.getByRole('region', { name: ready }).first().waitFor();
      const overflow = await small
        .locator('html')
        .evaluate(
          (element) =>
            (element as unknown as { scrollWidth: number; clientWidth: number }).scrollWidth -
            (element as unknown as { clientWidth: number }).clientWidth,
        );
      assert.ok(overflow <= 0, `${path} is wider than the phone by ${overflow}px`);
      await shot(name, small);
    }
    await small.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).waitFor();
    await phone.close();
  });

  it('ran without dialogs, page errors or unexpected console errors', () => {
    assert.deepEqual(dialogs, []);
    assert.deepEqual(pageErrors, []);
    // Expected: the 401s of /api/me before login and of the wrong password, the 400 of the broken
    // query's preview, and Chromium reporting that the CSP refused the hostile post's onerror
    // attribute while DOMPurify parsed it (in an inert document, where it could not run anyway).
    const expected = [
      /status of (400|401) /,
      /Executing inline event handler violates the following Content Security Policy/,
    ];
    assert.deepEqual(
      consoleErrors.filter((message) => !expected.some((pattern) => pattern.test(message))),
      [],
    );
  });
});
