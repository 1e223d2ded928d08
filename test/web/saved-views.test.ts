/**
 * Saved views and the lead role in Chromium against the real server, at a laptop (1280 px) and a
 * phone (390 px): an agent saves the inbox's current search and order as a personal view and
 * another as a shared one; after a reload with the browser session's memory cleared (so only the
 * server remembers), pressing the personal view applies its search, order and tab to the queue. A
 * second agent sees the shared view, not the personal one, and may apply it but not change it. A
 * lead sees Settings with the team-lead pages (SLA, business hours, escalation, guidelines, webhooks,
 * audit, tokens) and no People; a plain agent's Settings hold their API tokens only. Screenshots go
 * to test/artifacts/.
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
const PASSWORD = 'saved-views-test-password';
const SIZES = [
  { name: 'laptop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;
const LEAD_PAGES = [
  'SLA targets',
  'Business hours',
  'Escalation',
  'Guidelines',
  'Webhooks',
  'API tokens',
  'Audit trail',
];

describe('saved views and the lead role, in Chromium', { skip: skip ?? false }, () => {
  let dataDir: string;
  let runtime: Runtime;
  let app: App;
  let base: string;
  let browser: Browser;
  let launching: Promise<Browser> | undefined;
  const cookies: Record<string, string> = {};
  const ids: Record<string, number> = {};
  const pageErrors: string[] = [];

  async function login(username: string, password: string): Promise<string> {
    const response = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    assert.equal(response.status, 200, `${username} logs in`);
    return response.headers
      .getSetCookie()
      .map((value) => value.split(';')[0])
      .join('; ');
  }
  async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${base}/api${path}`, {
      method,
      headers: { 'content-type': 'application/json', cookie: cookies.admin! },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.ok(response.ok, `${method} ${path}: ${response.status} ${await response.clone().text()}`);
    return (response.status === 204 ? undefined : await response.json()) as T;
  }
  /** A fresh browser session at this size, logged in as `username`. */
  async function pageFor(username: string, size: (typeof SIZES)[number]): Promise<Page> {
    const context = await browser.newContext({ viewport: size, baseURL: base });
    await context.addCookies(
      cookies[username]!.split('; ').map((pair) => {
        const [name, value] = pair.split('=');
        return { name: name!, value: value!, url: base };
      }),
    );
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`${username}: ${error.message}`));
    return page;
  }
  const rowIds = (page: Page) =>
    page
      .getByRole('list', { name: 'Ticket list' })
      .locator('li.ticket-row')
      .evaluateAll((rows) => rows.map((row) => Number(row.id.replace('ticket-row-', ''))));

  before(async () => {
    assert.ok(existsSync(join(WEB_DIST, 'index.html')), 'build the desk first: npm run build');
    mkdirSync(ARTIFACTS, { recursive: true });
    launching = launchBrowser();
    dataDir = mkdtempSync(join(tmpdir(), 'earshot-views-'));
    const config = loadConfig({
      EARSHOT_DATA_DIR: dataDir,
      EARSHOT_ADMIN_PASSWORD: PASSWORD,
      EARSHOT_PORT: '0',
      EARSHOT_LOG_LEVEL: 'warn',
    });
    runtime = await createRuntime(config, {});
    app = await buildApp(runtime, [webDesk({ dist: WEB_DIST })]);
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    cookies.admin = await login('admin', PASSWORD);
    for (const [username, role] of [
      ['ana', 'agent'],
      ['ben', 'agent'],
      ['lena', 'lead'],
    ] as const) {
      await api('POST', '/users', { username, role, password: PASSWORD, displayName: username });
      cookies[username] = await login(username, PASSWORD);
    }
    await api('POST', '/streams', { name: 'Campus', query: 'portal OR campus' });
    const texts = [
      ['question', 'How do I reset my portal password?'],
      ['outage', 'The portal is down, I cannot log in at all'],
      ['campus', 'Where can I find the campus parking rules?'],
    ] as const;
    for (const [index, [name, text]] of texts.entries()) {
      const result = await api<{ ticketIds: number[] }>('POST', '/ingest', {
        source: 'mastodon',
        id: `views-${index}`,
        author: { handle: `@person${index}@example.social`, name: `Person ${index}` },
        text,
        url: `https://example.social/views-${index}`,
        createdAt: new Date(Date.now() - (10 - index) * 60_000).toISOString(),
      });
      assert.equal(result.ticketIds.length, 1, `${name} raised a ticket`);
      ids[name] = result.ticketIds[0]!;
    }
    browser = await launching;
  });

  after(async () => {
    await (browser ?? (await launching?.catch(() => undefined)))?.close();
    await app?.close();
    await runtime?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  for (const size of SIZES) {
    it(`${size.name} (${size.width} px): an agent saves views, reloads and applies one; a second agent sees only the shared one; a lead sees the team settings`, async () => {
      const personal = `Portal by age (${size.name})`;
      const shared = `Campus for the team (${size.name})`;
      const page = await pageFor('ana', size);
      await page.goto('/inbox');
      const list = page.getByRole('list', { name: 'Ticket list' });
      await list.locator(`#ticket-row-${ids.campus}`).waitFor();
      const views = page.getByRole('navigation', { name: 'Saved views' });

      // The queue as Ana wants it: portal tickets, oldest first.
      await page.getByRole('searchbox', { name: 'Search tickets' }).fill('portal');
      await list.locator(`#ticket-row-${ids.campus}`).waitFor({ state: 'detached' });
      await page.getByRole('combobox', { name: 'Sort' }).selectOption('age');
      await views.getByRole('button', { name: 'Save view' }).click();
      const dialog = page.getByRole('dialog', { name: 'Save this view' });
      await dialog.getByLabel('Name').fill(personal);
      assert.equal(await dialog.getByLabel('Only me').isChecked(), true, 'personal is the default');
      await dialog.getByRole('button', { name: 'Save view' }).click();
      await dialog.waitFor({ state: 'detached' });
      const mine = views.getByRole('button', { name: `${personal} (personal)` });
      assert.equal(await mine.getAttribute('aria-pressed'), 'true', 'the saved view is the one applied');

      // A second view, for the team: campus tickets on the Unassigned tab.
      await page.getByRole('tab', { name: 'Unassigned' }).click();
      await page.getByRole('searchbox', { name: 'Search tickets' }).fill('campus');
      await list.locator(`#ticket-row-${ids.outage}`).waitFor({ state: 'detached' });
      await views.getByText(`“${personal}” changed`).waitFor();
      await views.getByRole('button', { name: 'Save view' }).click();
      await dialog.getByLabel('Name').fill(shared);
      await dialog.getByLabel('The whole team').check();
      await dialog.getByRole('button', { name: 'Save view' }).click();
      await dialog.waitFor({ state: 'detached' });
      await views.getByRole('button', { name: `${shared} (shared)` }).waitFor();

      // Reload with the session's memory of the queue cleared: the views come from the server.
      await page.evaluate('sessionStorage.clear()');
      await page.reload();
      await list.locator(`#ticket-row-${ids.campus}`).waitFor();
      assert.equal(await page.getByRole('combobox', { name: 'Sort' }).inputValue(), 'sla', 'back to the default');
      await mine.click();
      await list.locator(`#ticket-row-${ids.campus}`).waitFor({ state: 'detached' });
      assert.equal(await page.getByRole('searchbox', { name: 'Search tickets' }).inputValue(), 'portal');
      assert.equal(await page.getByRole('combobox', { name: 'Sort' }).inputValue(), 'age');
      assert.equal(await page.getByRole('tab', { name: 'Open' }).getAttribute('aria-selected'), 'true');
      await list.locator(`#ticket-row-${ids.outage}`).waitFor();
      assert.deepEqual(await rowIds(page), [ids.question, ids.outage], 'portal tickets, oldest first');
      assert.equal(await mine.getAttribute('aria-pressed'), 'true');
      await views.getByRole('button', { name: 'Rename view' }).waitFor();
      const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
      assert.ok(width <= size.width, `the inbox with its saved views is ${width} px wide`);
      await page.screenshot({ path: join(ARTIFACTS, `saved-views-${size.name}.png`) });
      await page.context().close();

      // Ben sees the team's view, not Ana's own, and may apply it but not change it.
      const ben = await pageFor('ben', size);
      await ben.goto('/inbox');
      const benViews = ben.getByRole('navigation', { name: 'Saved views' });
      const team = benViews.getByRole('button', { name: `${shared} (shared)` });
      await team.waitFor();
      assert.equal(
        await benViews.getByRole('button', { name: new RegExp(`\\(${size.name}\\) \\(personal\\)`) }).count(),
        0,
      );
      assert.equal(await benViews.getByText(personal).count(), 0, 'Ana’s personal view is hers alone');
      await team.click();
      await ben.getByRole('list', { name: 'Ticket list' }).locator(`#ticket-row-${ids.campus}`).waitFor();
      assert.equal(await ben.getByRole('tab', { name: 'Unassigned' }).getAttribute('aria-selected'), 'true');
      assert.equal(await ben.getByRole('searchbox', { name: 'Search tickets' }).inputValue(), 'campus');
      assert.deepEqual(await rowIds(ben), [ids.campus]);
      assert.equal(await benViews.getByRole('button', { name: 'Delete view' }).count(), 0, 'not Ben’s to delete');
      // Ben's Settings hold his own API tokens only.
      await ben.goto('/settings');
      const benSettings = ben.getByRole('navigation', { name: 'Settings' });
      await benSettings.getByRole('link', { name: 'API tokens' }).waitFor();
      assert.deepEqual(await benSettings.getByRole('link').allInnerTexts(), ['API tokens']);
      await ben.context().close();

      // Lena, a lead: Settings with the team-lead pages, no People; she may tidy the shared view.
      const lena = await pageFor('lena', size);
      await lena.goto('/settings');
      await lena.waitForURL('**/settings/sla');
      const lenaSettings = lena.getByRole('navigation', { name: 'Settings' });
      await lenaSettings.getByRole('link', { name: 'Audit trail' }).waitFor();
      assert.deepEqual(await lenaSettings.getByRole('link').allInnerTexts(), LEAD_PAGES);
      await lena.getByRole('heading', { name: 'SLA targets', level: 1 }).waitFor();
      const main = lena.getByRole('navigation', { name: 'Main' });
      await main.getByRole('link', { name: 'Settings' }).waitFor();
      assert.equal(await main.getByRole('link', { name: 'People' }).count(), 0, 'people stay with admins');
      await lena.screenshot({ path: join(ARTIFACTS, `settings-lead-${size.name}.png`) });
      await main.getByRole('link', { name: 'Inbox' }).click();
      const lenaViews = lena.getByRole('navigation', { name: 'Saved views' });
      await lenaViews.getByRole('button', { name: `${shared} (shared)` }).click();
      await lenaViews.getByRole('button', { name: 'Delete view' }).waitFor();
      await lena.context().close();
      assert.deepEqual(pageErrors, []);
    });
  }
});
