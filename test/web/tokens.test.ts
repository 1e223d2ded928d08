/**
 * Settings → API tokens in a real browser (Debian's Chromium via playwright-core) against the
 * production bundle served by the real server: an agent makes a read-only token, sees it once,
 * uses it (it reads, it cannot write), sees its last use listed, revokes it, and it stops
 * working. A screenshot goes to test/artifacts/tokens.png.
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
import { createUser } from '../../src/store/users.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';

const DIST = process.env.EARSHOT_TEST_WEB_DIST ?? WEB_DIST;
const skip =
  browserSkipReason() ?? (existsSync(join(DIST, 'index.html')) ? null : `no desk build at ${DIST} (npm run build)`);
const ARTIFACTS = join(process.cwd(), 'test', 'artifacts');

describe('API tokens view in Chromium', { skip: skip ?? false }, () => {
  let dataDir: string;
  let runtime: Runtime;
  let app: App;
  let base: string;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'earshot-tokens-web-'));
    const config = loadConfig({
      EARSHOT_DATA_DIR: dataDir,
      EARSHOT_ADMIN_PASSWORD: 'tokens-view-admin',
      EARSHOT_LOG_LEVEL: 'warn',
    });
    runtime = await createRuntime(config, {});
    await createUser(runtime.store.db, {
      username: 'ana',
      displayName: 'Ana',
      role: 'agent',
      password: 'ana-password',
    });
    app = await buildApp(runtime, [webDesk({ dist: DIST })]);
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: base });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto('/login');
    await page.getByLabel('Username').fill('ana');
    await page.getByLabel('Password').fill('ana-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Streams', level: 1 }).waitFor();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    await runtime?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('an agent makes a read-only token, sees it once, uses it, and revokes it', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'API tokens', level: 1 }).waitFor();
    await page.getByText('No tokens yet.').waitFor();
    const form = page.getByRole('form', { name: 'New token' });
    assert.equal(await form.getByRole('checkbox', { name: /^admin/ }).count(), 0, 'an agent is not offered admin');
    await form.getByLabel('What it is for').fill('wallboard');
    await form.getByLabel('Expires after').selectOption({ label: '30 days' });
    await form.getByRole('button', { name: 'Make token' }).click();
    const secret = await page.getByLabel('Your new token').inputValue();
    assert.match(secret, /^est_/);

    const use = (method: string, path: string, body?: unknown) =>
      fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    assert.equal((await use('GET', '/api/tickets')).status, 200);
    assert.equal((await use('POST', '/api/streams', { name: 'x', query: 'wifi' })).status, 403);

    await page.getByRole('button', { name: 'Done' }).click();
    await page.reload();
    const row = page.locator('tr', { hasText: 'wallboard' });
    await row.waitFor({ timeout: 5000 }).catch(async (error) => {
      await page.screenshot({ path: join(ARTIFACTS, 'tokens-fail.png'), fullPage: true });
      throw new Error(`${error}\n${await page.locator('main').textContent()}`);
    });
    const text = (await row.textContent()) ?? '';
    assert.match(text, /read/);
    // Expires in 30 days and used a moment ago: neither column says "never".
    assert.doesNotMatch(text, /never/, 'the expiry and the last use are listed');
    assert.equal(await page.getByText(secret).count(), 0, 'the secret is not shown again');
    await page.screenshot({ path: join(ARTIFACTS, 'tokens.png'), fullPage: true });

    await row.getByRole('button', { name: /Revoke/ }).click();
    await row.getByText('revoked').waitFor();
    assert.equal((await use('GET', '/api/tickets')).status, 401);
    assert.deepEqual(pageErrors, []);
  });
});
