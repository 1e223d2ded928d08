/**
 * The inbox as a team's work queue, and the truth about delivery, in Chromium against the real
 * server: tickets sorted by SLA due (a high-priority ticket due in 58 minutes above low-priority
 * ones due tomorrow), with author and channel on each row; `e` resolves and moves on, and the
 * resolved ticket leaves Open. A reply whose channel is not set up shows "Failed" with the
 * channel's error in place, the ticket is not "Answered"; "Edit and resend" opens it in the composer
 * (guideline-checked) and the sent edit replaces it; once the channel is configured, Retry sends the
 * edit and only then is the ticket answered. Screenshots go to test/artifacts/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../../src/config.js';
import { buildApp, createRuntime, type Runtime } from '../../src/runtime.js';
import { WEB_DIST, webDesk } from '../../src/server/web.js';
import type { App } from '../../src/server/app.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';

const skip = browserSkipReason();
const ARTIFACTS = join(process.cwd(), 'test', 'artifacts');
const PASSWORD = 'work-queue-test-password';
const CHANNEL = 'greenline';

describe('the inbox as a work queue, and reply delivery, in Chromium', { skip: skip ?? false }, () => {
  let dataDir: string;
  let runtime: Runtime;
  let app: App;
  let base: string;
  let cookie: string;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  let clockOffsetMs = 0;
  const ids: Record<string, number> = {};
  let serial = 0;

  async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${base}/api${path}`, {
      method,
      headers: body === undefined ? { cookie } : { 'content-type': 'application/json', cookie },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.ok(response.ok, `${method} ${path}: ${response.status} ${await response.clone().text()}`);
    return (response.status === 204 ? undefined : await response.json()) as T;
  }
  /** Ingests one post from the unconfigured channel and returns the ticket it raised. */
  async function raise(name: string, text: string, author: string, ageMinutes = 0): Promise<number> {
    serial += 1;
    clockOffsetMs = -ageMinutes * 60_000;
    const result = await api<{ ticketIds: number[] }>('POST', '/ingest', {
      source: CHANNEL,
      id: `wq-${serial}`,
      author: { handle: `@${author.toLowerCase().replace(/\W+/g, '')}@example.social`, name: author },
      text,
      url: `https://example.social/wq-${serial}`,
      createdAt: new Date(Date.now() - ageMinutes * 60_000).toISOString(),
    });
    clockOffsetMs = 0;
    assert.equal(result.ticketIds.length, 1, `${name} raised a ticket`);
    ids[name] = result.ticketIds[0]!;
    return ids[name]!;
  }
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });

  before(async () => {
    assert.ok(
      existsSync(join(WEB_DIST, 'index.html')),
      'build the desk first: npx vite build --config web/vite.config.ts',
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'earshot-queue-'));
    const config = loadConfig({
      EARSHOT_DATA_DIR: dataDir,
      EARSHOT_ADMIN_PASSWORD: PASSWORD,
      EARSHOT_PORT: '0',
      EARSHOT_LOG_LEVEL: 'warn',
    });
    // Sources and the outbound worker run, as under `earshot serve`.
    runtime = await createRuntime(config, {
      clock: () => new Date(Date.now() + clockOffsetMs),
      runSources: true,
      outboundIntervalMs: 250,
    });
    app = await buildApp(runtime, [webDesk({ dist: WEB_DIST })]);
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
    // A stream with the default ticket rules: outages are high priority (60 minutes), questions low (a day).
    await api('POST', '/streams', { name: 'Campus', query: 'campus' });
    await raise('lowOld', 'How do I change my campus email address?', 'Lena Park', 120);
    await raise('lowNew', 'Where can I find the campus parking rules?', 'Omar Haddad', 30);
    await raise('highSoon', 'The campus portal is down, I cannot log in at all', 'Rosa Diaz', 2);

    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: base });
    await context.addCookies(
      cookie.split('; ').map((pair) => {
        const [name, value] = pair.split('=');
        return { name: name!, value: value!, url: base };
      }),
    );
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    await runtime?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('sorts the inbox by SLA due: the high-priority ticket due in 58 minutes is above the low ones due tomorrow', async () => {
    await page.goto('/inbox');
    const list = page.getByRole('list', { name: 'Ticket list' });
    await list.locator(`#ticket-row-${ids.highSoon}`).waitFor();
    await list.locator(`#ticket-row-${ids.lowOld}`).waitFor();
    assert.equal(
      await page.getByRole('combobox', { name: 'Sort' }).inputValue(),
      'sla',
      'SLA due is the default order',
    );
    const order = await list
      .locator('li.ticket-row')
      .evaluateAll((rows) => rows.map((row) => Number(row.id.replace('ticket-row-', ''))));
    assert.deepEqual(order, [ids.highSoon, ids.lowOld, ids.lowNew]);
    const top = list.locator(`#ticket-row-${ids.highSoon}`);
    await top.getByText(/^(57|58)m \d\ds left$/).waitFor();
    await top.getByText('Rosa Diaz').waitFor();
    await top.getByText(CHANNEL).waitFor();
    await shot('inbox-sla-sorted');

    // Newest first puts the low ticket raised 30 minutes ago below the 2-minute-old one; age reverses it.
    await page.getByRole('combobox', { name: 'Sort' }).selectOption('age');
    await list
      .locator('li.ticket-row')
      .first()
      .and(list.locator(`#ticket-row-${ids.lowOld}`))
      .waitFor();
    await page.getByRole('combobox', { name: 'Sort' }).selectOption('sla');
    // A search goes to the server: the author's name finds her ticket only.
    await page.getByRole('searchbox', { name: 'Search tickets' }).fill('omar');
    await list.locator(`#ticket-row-${ids.highSoon}`).waitFor({ state: 'detached' });
    // The list empties while the search loads: count once her row is back, not before.
    await list.locator(`#ticket-row-${ids.lowNew}`).waitFor();
    assert.equal(await list.locator('li.ticket-row').count(), 1);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await list.locator(`#ticket-row-${ids.highSoon}`).waitFor();
  });

  it('shows a failed reply as failed with the channel’s error, not answered, edits and resends it, and retries', async () => {
    await page.locator(`#ticket-row-${ids.highSoon} a`).click();
    await page.waitForURL(`**/inbox/${ids.highSoon}`);
    const ticket = page.getByRole('article', { name: /campus portal is down/ });
    await ticket.getByLabel('Reply', { exact: true }).first().waitFor();
    await page.locator('#composer-body').fill('Sorry Rosa, we are on it and will update you within the hour.');
    await ticket.getByRole('button', { name: 'Send reply' }).click();
    const first = ticket.locator('.reply-delivery').first();
    await first.getByText('Failed').waitFor({ timeout: 15_000 });
    await first.getByText(`no configured source named "${CHANNEL}"`).waitFor();
    assert.equal(await ticket.getByText('Answered', { exact: true }).count(), 0, 'a failed reply does not answer');
    const row = page.locator(`#ticket-row-${ids.highSoon}`);
    assert.equal(await row.getByText('Answered').count(), 0, 'nor does the inbox row say so');
    await shot('ticket-reply-failed');

    // Edit and resend: the text opens in the composer, is checked like any reply, and replaces the failed one.
    await first.getByRole('button', { name: 'Edit and resend' }).click();
    const composer = page.locator('#composer-body');
    assert.equal(await composer.inputValue(), 'Sorry Rosa, we are on it and will update you within the hour.');
    await ticket.getByText(/Editing failed reply #\d+/).waitFor();
    await composer.fill('Calm down, it is not our fault.');
    await ticket
      .locator('.composer-check')
      .getByText(/blame|condescend|tone/i)
      .first()
      .waitFor();
    await composer.fill('Sorry Rosa, the portal team is on it; we will update you here within the hour.');
    const resend = ticket.getByRole('button', { name: 'Resend reply' });
    // click() waits for the button to be enabled: the check of this text came back clean.
    await resend.click();
    await first.getByText('Replaced').waitFor();
    assert.equal(await first.getByRole('button', { name: 'Retry' }).count(), 0, 'a replaced reply is not retried');
    const delivery = ticket.locator('.reply-delivery').nth(1);
    await delivery.getByText('Failed').waitFor({ timeout: 15_000 });
    await ticket.getByText('the portal team is on it').waitFor();

    // The admin sets the channel up; the agent retries, and now it is delivered and answered.
    await api('POST', '/sources', {
      name: CHANNEL,
      kind: 'demo',
      options: { intervalSeconds: 3600, backfillHours: 0 },
    });
    await delivery.getByRole('button', { name: 'Retry' }).click();
    await delivery.getByText('Sent').waitFor({ timeout: 15_000 });
    await ticket.getByText('Answered', { exact: true }).waitFor();
    const detail = await api<{ ticket: { firstRespondedAt: string | null }; outbound: { status: string }[] }>(
      'GET',
      `/tickets/${ids.highSoon}`,
    );
    assert.deepEqual(
      detail.outbound.map((message) => message.status),
      ['superseded', 'sent'],
    );
    assert.ok(detail.ticket.firstRespondedAt);
    await shot('ticket-reply-retried');
  });

  it('resolves with e, moves to the next ticket, and the resolved one leaves Open', async () => {
    await page.keyboard.press('Escape');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('e');
    await page.waitForURL(`**/inbox/${ids.lowOld}`);
    await page.locator(`#ticket-row-${ids.highSoon}`).waitFor({ state: 'detached' });
    const resolved = await api<{ ticket: { status: string } }>('GET', `/tickets/${ids.highSoon}`);
    assert.equal(resolved.ticket.status, 'resolved');
    assert.deepEqual(pageErrors, []);
  });
});
