/**
 * Acting from anywhere and the composer, in Chromium against the real server (one browser, two
 * people): reply to and assign a post from its card on the streams board (its ticket is created
 * on the way), copies of one author's post collapse into one card with a count and one quiet
 * warning, muting an author hides them with an undo, a live post is announced politely; in the ticket, a saved reply is inserted
 * with its placeholders filled, the customer's history and the post's language are shown; when a
 * colleague opens and types on the same ticket in another browser context, each sees the other;
 * "Manage saved replies" in the composer opens the saved replies screen (create, edit, delete, a
 * placeholder typo refused in place).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
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
const PASSWORD = 'desk-actions-test-password';

describe('acting from a post card, and the composer, in Chromium', { skip: skip ?? false }, () => {
  let dataDir: string;
  let runtime: Runtime;
  let app: App;
  let base: string;
  let browser: Browser;
  let launching: Promise<Browser> | undefined;
  let page: Page;
  const pageErrors: string[] = [];
  const cookies: Record<string, string> = {};
  const posts: Record<string, number> = {};
  let serial = 0;

  async function api<T>(method: string, path: string, body?: unknown, who = 'admin'): Promise<T> {
    const response = await fetch(`${base}/api${path}`, {
      method,
      headers:
        body === undefined ? { cookie: cookies[who]! } : { 'content-type': 'application/json', cookie: cookies[who]! },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.ok(response.ok, `${method} ${path}: ${response.status} ${await response.clone().text()}`);
    return (response.status === 204 ? undefined : await response.json()) as T;
  }
  async function login(username: string, password: string): Promise<string> {
    const response = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    assert.equal(response.status, 200);
    return response.headers
      .getSetCookie()
      .map((value) => value.split(';')[0])
      .join('; ');
  }
  async function ingest(name: string, text: string, author: string): Promise<number> {
    serial += 1;
    const result = await api<{ postIds: number[] }>('POST', '/ingest', {
      source: 'mastodon',
      id: `da-${serial}`,
      author: { handle: `@${author.toLowerCase().replace(/\W+/g, '')}@example.social`, name: author },
      text,
      url: `https://example.social/da-${serial}`,
      createdAt: new Date(Date.now() - (100 - serial) * 1000).toISOString(),
    });
    posts[name] = result.postIds[0]!;
    return posts[name]!;
  }
  async function contextFor(who: string, viewport = { width: 1280, height: 800 }): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport, baseURL: base });
    await context.addCookies(
      cookies[who]!.split('; ').map((pair) => {
        const [name, value] = pair.split('=');
        return { name: name!, value: value!, url: base };
      }),
    );
    return context;
  }
  const shot = (target: Page, name: string) => target.screenshot({ path: join(ARTIFACTS, `${name}.png`) });

  before(async () => {
    assert.ok(existsSync(join(WEB_DIST, 'index.html')), 'build the desk first: npm run build');
    mkdirSync(ARTIFACTS, { recursive: true });
    // Chromium starts while the server is built and seeded.
    launching = launchBrowser();
    dataDir = mkdtempSync(join(tmpdir(), 'earshot-actions-'));
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
    await api('POST', '/users', { username: 'bea', displayName: 'Bea Quinn', role: 'agent', password: PASSWORD });
    cookies.bea = await login('bea', PASSWORD);
    await api('POST', '/streams', { name: 'Portal', query: 'portal' });
    await api('POST', '/saved-replies', {
      title: 'Looking into it',
      body: 'Hi {name}, about {ticket}: {incident_status}.',
    });
    await ingest('ana', 'Where do I download my portal invoice from?', 'Ana Lopez');
    for (let copy = 0; copy < 3; copy += 1)
      await ingest(`copy${copy}`, 'Free portal credits for everyone, claim them here today', 'Promo Bot');
    await ingest(
      'jonas',
      'Das Portal ist seit heute Morgen nicht erreichbar und ich kann mich nicht anmelden',
      'Jonas Weber',
    );
    browser = await launching;
    page = await (await contextFor('admin')).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  after(async () => {
    // A failed set-up may leave the browser launched but not yet assigned.
    await (browser ?? (await launching?.catch(() => undefined)))?.close();
    await app?.close();
    await runtime?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('replies to and assigns a post from its card; copies collapse; mute hides an author with an undo', async () => {
    await page.goto('/streams');
    const column = page.getByRole('feed', { name: 'Posts in Portal' });
    const card = column.locator(`article[data-post-id="${posts.ana}"]`);
    await card.waitFor();
    // Three copies of one author's post: one card, counted.
    const copies = column.locator('article', { hasText: 'Free portal credits' });
    assert.equal(await copies.count(), 1);
    assert.equal(await copies.getAttribute('data-repeats'), '3');
    assert.equal(
      await page.getByRole('button', { name: 'Older posts' }).locator('xpath=ancestor::*[@role="feed"]').count(),
      0,
    );

    await card.getByRole('button', { name: 'Reply' }).click();
    await card.getByLabel('Public reply to Ana Lopez').fill('Hi Ana, the invoice is under Billing, then Documents.');
    await card.getByRole('button', { name: 'Send reply' }).click();
    const replied = card.getByRole('status').filter({ hasText: /Replied on ticket #\d+/ });
    await replied.waitFor();
    const ticketId = Number(/#(\d+)/.exec((await replied.textContent()) ?? '')![1]);
    await card.getByRole('button', { name: 'Assign' }).click();
    await card.getByLabel('Assign to').selectOption({ label: 'Bea Quinn' });
    await card.getByRole('button', { name: 'Assign', exact: true }).last().click();
    await card.getByText(`Ticket #${ticketId} assigned to Bea Quinn`).waitFor();
    const detail = await api<{
      ticket: { assigneeId: number | null };
      events: { type: string; body: string | null }[];
    }>('GET', `/tickets/${ticketId}`);
    assert.ok(detail.events.some((event) => event.type === 'reply' && event.body?.includes('Billing')));
    assert.notEqual(detail.ticket.assigneeId, null);
    await shot(page, 'streams-card-actions');

    await copies.getByRole('button', { name: /^Mute Promo Bot/ }).click();
    await copies.waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: 'Muted Promo Bot' }).getByRole('button', { name: 'Undo' }).click();
    await column.locator('article', { hasText: 'Free portal credits' }).waitFor();

    // On a phone the card's actions fit its width.
    await page.setViewportSize({ width: 390, height: 844 });
    const block = card.getByRole('button', { name: /^Block Ana Lopez/ });
    await block.scrollIntoViewIfNeeded();
    const box = await block.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `Block at ${JSON.stringify(box)} on a 390 px phone`);
    await shot(page, 'streams-card-actions-phone');
    await page.setViewportSize({ width: 1280, height: 800 });

    // A post arriving live is announced to screen readers through the polite live region.
    await ingest('late', 'Is the portal maintenance over yet?', 'Lena Park');
    await column.locator(`article[data-post-id="${posts.late}"]`).waitFor();
    await page
      .getByTestId('live-announcer')
      .filter({ hasText: /\b1 new post\b/ })
      .waitFor();
    assert.equal(await page.getByTestId('live-announcer').getAttribute('aria-live'), 'polite');
  });

  it('inserts a saved reply with its placeholders, shows the customer’s history and the post’s language', async () => {
    const { ticket } = await api<{ ticket: { id: number } }>('POST', `/posts/${posts.jonas}/ticket`);
    await page.goto(`/inbox/${ticket.id}`);
    await page.getByText('The post is in German').waitFor();
    await page.getByRole('region', { name: 'Customer history' }).getByText('wrote to us once this month').waitFor();
    await page.getByLabel('Saved reply').selectOption({ label: 'Looking into it' });
    await page.waitForFunction(
      `document.querySelector('#composer-body').value === ${JSON.stringify(`Hi Jonas, about #${ticket.id}: we are looking into it.`)}`,
    );
    await shot(page, 'ticket-saved-reply');
  });

  it('warns of a colleague viewing and typing on the same ticket, between two browser contexts', async () => {
    const ticketId = Number(/\/inbox\/(\d+)/.exec(page.url())![1]);
    // Bea is on her phone.
    const bea = await (await contextFor('bea', { width: 390, height: 844 })).newPage();
    bea.on('pageerror', (error) => pageErrors.push(error.message));
    await bea.goto(`/inbox/${ticketId}`);
    await bea.locator('#composer-body').waitFor();
    // Each desk renews "viewing" every 15 s; the admin's first mark went out before Bea was listening.
    await page.getByText('Bea Quinn is viewing this ticket').waitFor();
    await page.locator('#composer-body').fill('Hallo Jonas, wir sind dran.');
    await bea.getByText('Administrator is typing a reply on this ticket').waitFor();
    await shot(bea, 'ticket-collision-warning');
    await bea.close();
    await page.getByText('Bea Quinn is viewing this ticket').waitFor({ state: 'detached' });
    assert.deepEqual(pageErrors, []);
  });

  it('manages saved replies from the composer: a placeholder typo is refused in place, then create, edit, delete', async () => {
    await page.getByRole('link', { name: 'Manage saved replies' }).click();
    await page.waitForURL('**/saved-replies');
    const list = page.getByRole('list', { name: 'Saved replies' });
    await list.getByRole('button', { name: 'Edit Looking into it' }).waitFor();
    const form = page.getByRole('form', { name: 'New saved reply' });
    await form.getByLabel('Title').fill('Refund on its way');
    await form.getByLabel('Text').fill('Hi {nmae}, your refund for {ticket} is on its way.');
    await form.getByRole('button', { name: 'Add saved reply' }).click();
    // The API's message, under the form and tied to the field it is about.
    await form.getByRole('alert').getByText('Unknown placeholder {nmae}', { exact: false }).waitFor();
    assert.equal(await form.getByLabel('Text').getAttribute('aria-invalid'), 'true');
    await form.getByLabel('Text').fill('Hi {name}, your refund for {ticket} is on its way.');
    await form.getByRole('button', { name: 'Add saved reply' }).click();
    await list.getByRole('button', { name: 'Edit Refund on its way' }).click();
    const editForm = page.getByRole('form', { name: 'Edit “Refund on its way”' });
    await editForm.getByLabel('Text').fill('Hi {name}, the refund for {ticket} left today.');
    await editForm.getByRole('button', { name: 'Save changes' }).click();
    await list.getByText('Hi {name}, the refund for {ticket} left today.').waitFor();
    await shot(page, 'saved-replies');
    page.once('dialog', (dialog) => void dialog.accept());
    await list.getByRole('button', { name: 'Delete Refund on its way' }).click();
    await list.getByRole('button', { name: 'Edit Refund on its way' }).waitFor({ state: 'detached' });
    const saved = await api<{ title: string }[]>('GET', '/saved-replies');
    assert.deepEqual(
      saved.map((reply) => reply.title),
      ['Looking into it'],
    );
    assert.deepEqual(pageErrors, []);
  });
});
