/**
 * The Sources view in a real browser (Debian's Chromium via playwright-core) against the
 * production bundle served by the real server: an admin adds a demo source from the form
 * generated from its option schema, sees its health turn connected with posts counted, and
 * the credential field of a source with secrets is a password field that is never pre-filled.
 * A screenshot goes to test/artifacts/sources.png.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { Type } from '@sinclair/typebox';
import { loadConfig } from '../../src/config.js';
import { buildApp, createRuntime, type Runtime } from '../../src/runtime.js';
import { WEB_DIST, webDesk } from '../../src/server/web.js';
import type { App } from '../../src/server/app.js';
import { demoSourceDefinition } from '../../src/sources/demo.js';
import { jsonCursor, type SourceDefinition } from '../../src/sources/source.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';

const DIST = process.env.EARSHOT_TEST_WEB_DIST ?? WEB_DIST;
const skip =
  browserSkipReason() ?? (existsSync(join(DIST, 'index.html')) ? null : `no desk build at ${DIST} (npm run build)`);
const ARTIFACTS = join(process.cwd(), 'test', 'artifacts');
const PASSWORD = 'sources-view-password';
const SECRET = 'keychain-secret-4481';

/** A kind with a credential, to see how the form treats secrets; it never has to run. */
const keyedDefinition: SourceDefinition = {
  kind: 'keyed',
  label: 'Keyed (test)',
  description: 'Needs a server and an access token.',
  capabilities: { canReplyPublicly: false, canDirectMessage: false, hasEdits: false, maxReplyLength: null },
  options: Type.Object(
    { server: Type.String({ minLength: 3 }), accessToken: Type.String({ minLength: 8 }) },
    { additionalProperties: false },
  ),
  secrets: ['accessToken'],
  create: () => ({
    kind: 'keyed',
    capabilities: { canReplyPublicly: false, canDirectMessage: false, hasEdits: false, maxReplyLength: null },
    cursor: jsonCursor(Type.Null()),
  }),
};

describe('sources view in Chromium', { skip: skip ?? false }, () => {
  let dataDir: string;
  let runtime: Runtime;
  let app: App;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'earshot-sources-web-'));
    const config = loadConfig({
      EARSHOT_DATA_DIR: dataDir,
      EARSHOT_ADMIN_PASSWORD: PASSWORD,
      EARSHOT_LOG_LEVEL: 'warn',
    });
    runtime = await createRuntime(config, {
      runSources: true,
      sourceDefinitions: [demoSourceDefinition, keyedDefinition],
      log: { info() {}, warn() {}, error() {} },
    });
    app = await buildApp(runtime, [webDesk({ dist: DIST })]);
    await app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      baseURL: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('dialog', (dialog) => void dialog.accept());
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

  it('an admin adds a demo source from the form and sees its health turn connected', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sources' }).click();
    await page.getByRole('heading', { name: 'Sources', level: 1 }).waitFor();
    await page.getByText('No sources yet. Add one below.').waitFor();
    const form = page.getByRole('form', { name: 'Add a source' });
    await form.getByLabel('Kind').selectOption({ label: 'Demo (synthetic)' });
    await form.getByLabel('Name').fill('northwind-demo');
    // Fields generated from the demo's option schema.
    await form.getByLabel('Interval Seconds (optional)').fill('3600');
    await form.getByLabel('Backfill Hours (optional)').fill('2');
    await form.getByRole('button', { name: 'Add source' }).click();
    await form.getByRole('status').filter({ hasText: 'Added northwind-demo' }).waitFor();

    const row = page.locator('tr[data-source="northwind-demo"]');
    await row.locator('[data-status="connected"]').waitFor({ timeout: 15_000 });
    // The backfill arrives: the posts counter and the last post fill in on the next refresh.
    await row.locator('td.num').first().filter({ hasNotText: /^0$/ }).waitFor({ timeout: 15_000 });
    await row.locator('time').waitFor();
    const posts = (
      await runtime.store.db.selectFrom('posts').select('source').where('source', '=', 'northwind-demo').execute()
    ).length;
    assert.ok(posts > 0, 'the demo source’s posts are stored under its configured name');
    await page.screenshot({ path: join(ARTIFACTS, 'sources.png'), fullPage: true });
  });

  it('credentials are password fields, never pre-filled, and never shown after saving', async () => {
    const form = page.getByRole('form', { name: 'Add a source' });
    await form.getByLabel('Kind').selectOption({ label: 'Keyed (test)' });
    const token = form.getByLabel('Access Token');
    assert.equal(await token.getAttribute('type'), 'password');
    assert.equal(await token.inputValue(), '');
    await form.getByLabel('Name').fill('keyed-one');
    await form.getByLabel('Server').fill('https://keys.example');
    await token.fill(SECRET);
    await form.getByRole('button', { name: 'Add source' }).click();
    await form.getByRole('status').filter({ hasText: 'Added keyed-one' }).waitFor();
    const row = page.locator('tr[data-source="keyed-one"]');
    await row.getByText('credentials set: accessToken').waitFor();
    await form.getByLabel('Kind').selectOption({ label: 'Keyed (test)' });
    assert.equal(await form.getByLabel('Access Token').inputValue(), '', 'the form is empty again');
    assert.doesNotMatch(await page.content(), new RegExp(SECRET));
    // Disable and remove from the table.
    await row.getByRole('button', { name: 'Disable' }).click();
    await row.locator('[data-status="disabled"]').waitFor();
    await row.getByRole('button', { name: 'Remove' }).click();
    await row.waitFor({ state: 'detached' });
    assert.deepEqual(pageErrors, []);
  });
});
