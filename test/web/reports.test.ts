/**
 * Services and Reports in a real browser (Debian's Chromium via playwright-core) against the
 * production bundle served by the real server, over a generated month (test/reports/month.ts):
 * an admin creates a service with hours and targets, sees the report for November, exports a
 * table as CSV, downloads the PDF (its text read with pdftotext) and adds an improvement action.
 * A screenshot goes to test/artifacts/reports.png.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../../src/config.js';
import { buildApp, createRuntime, type Runtime } from '../../src/runtime.js';
import { WEB_DIST, webDesk } from '../../src/server/web.js';
import type { App } from '../../src/server/app.js';
import { browserSkipReason, CHROMIUM_PATH, launchBrowser } from '../helpers/browser.js';
import { generateMonth } from '../reports/month.js';

const DIST = process.env.EARSHOT_TEST_WEB_DIST ?? WEB_DIST;
const skip =
  browserSkipReason() ??
  (existsSync(join(DIST, 'index.html')) ? null : `no desk build at ${DIST} (npm run build)`) ??
  (existsSync('/usr/bin/pdftotext') ? null : 'pdftotext not found (apt-get install poppler-utils)');
const ARTIFACTS = join(process.cwd(), 'test', 'artifacts');
const PASSWORD = 'reports-view-password';

describe('services and reports views in Chromium', { skip: skip ?? false }, () => {
  let dataDir: string;
  let runtime: Runtime;
  let app: App;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'earshot-reports-web-'));
    const config = loadConfig({
      EARSHOT_DATA_DIR: dataDir,
      EARSHOT_ADMIN_PASSWORD: PASSWORD,
      EARSHOT_LOG_LEVEL: 'warn',
      EARSHOT_CHROMIUM: CHROMIUM_PATH,
    });
    runtime = await createRuntime(config);
    await generateMonth(runtime.store);
    app = await buildApp(runtime, [webDesk({ dist: DIST })]);
    await app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
      baseURL: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto('/login');
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Pulse', level: 1 }).waitFor();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    await runtime?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('an admin creates a service with hours, targets and custody', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Services' }).click();
    await page.getByRole('heading', { name: 'Services', level: 1 }).waitFor();
    await page.getByText('No services yet. Add one below.').waitFor();
    const form = page.locator('form.service-form');
    await form.getByLabel('Name').fill('Mastodon care');
    await form.getByLabel('Purpose').fill('Answer customers on Mastodon');
    await form.getByLabel('Owner', { exact: true }).fill('Dana Lead');
    await form.getByLabel('Team').fill('care');
    await form.getByLabel('Sources (comma-separated)').fill('mast');
    await form.getByLabel('Time zone').fill('Europe/Amsterdam');
    await form.getByLabel('Holidays (YYYY-MM-DD, comma-separated)').fill('2026-11-26');
    await form.getByLabel('First response p90 (minutes)').fill('240');
    await form.getByLabel('SLA attainment (%)').fill('90');
    await form.getByLabel('Response rate (%)').fill('75');
    await form.getByLabel('Credential holder').fill('IT vault, entry 42');
    await form.getByLabel('Two-factor on').check();
    await form.getByLabel('Last rotated').fill('2020-01-01');
    await form.getByLabel('Recovery contact').fill('it-security@example.org');
    await form.getByRole('button', { name: 'Add service' }).click();
    const card = page.getByRole('region', { name: 'Service Mastodon care' });
    await card.waitFor();
    await card.getByText(/days overdue/).waitFor();
    await card.getByText('SLA ≥ 90%', { exact: false }).waitFor();
  });

  it('shows the November report against its targets, with a chart', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();
    const filters = page.getByRole('form', { name: 'Report filters' });
    await filters.getByLabel('From', { exact: true }).fill('2026-11-01');
    await filters.getByLabel('To', { exact: true }).fill('2026-11-30');
    await filters.locator('select[name=service]').selectOption({ label: 'Mastodon care' });
    const section = page.getByRole('region', { name: 'Report for Mastodon care' });
    await section.waitFor();
    // Business minutes with the service's hours (see test/reports/measures.test.ts): p90 230.
    await section.locator('.report-tile', { hasText: 'First response p90' }).getByText('230 min').waitFor();
    await section.getByText('SLA attainment: 0.17 against 0.9 — missed').waitFor();
    await section
      .getByRole('img', { name: /Posts by sentiment per day/ })
      .locator('canvas')
      .first()
      .waitFor();
  });

  it('exports a table as CSV and downloads the PDF', async () => {
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('.report-table', { hasText: 'Replies per agent' }).getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    assert.equal(
      readFileSync((await csv.path())!, 'utf8'),
      'service,agent,replies\r\nMastodon care,Ann,13\r\nMastodon care,Bob,12\r\n',
    );
    const [pdf] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download PDF' }).click(),
    ]);
    const text = execFileSync('pdftotext', ['-layout', (await pdf.path())!, '-']).toString();
    assert.match(text, /Management summary/);
    assert.match(text, /Mastodon care/);
    assert.match(text, /100 posts in/);
    assert.match(text, /Replies per agent/);
  });

  it('an admin adds an improvement action and sees the measure before and now', async () => {
    const section = page.getByRole('region', { name: 'Report for Mastodon care' });
    const form = section.getByRole('form', { name: 'Add an improvement action to Mastodon care' });
    await form.getByPlaceholder('Action').fill('Canned answers for delivery questions');
    await form.getByPlaceholder('Owner').fill('Ann');
    await form.getByLabel('Due').fill('2027-01-31');
    await form.getByLabel('Measure').selectOption('responseRate');
    await form.getByPlaceholder('Goal').fill('0.9');
    await form.getByRole('button', { name: 'Add action' }).click();
    // Baseline: the last 30 days before today (no tickets then: none); now: November's 0.8.
    await section
      .getByText(
        /Canned answers for delivery questions \(Ann, due 2027-01-31, open\): responseRate before .*, now 0\.8, goal 0\.9/,
      )
      .waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'reports.png'), fullPage: true });
    assert.deepEqual(pageErrors, []);
  });
});
