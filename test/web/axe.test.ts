/**
 * Accessibility of every view, in Chromium at a laptop (1280 px) and a phone (390 px): axe-core
 * (node_modules/axe-core, injected into the page) finds no violations of its default rules
 * (WCAG 2 A/AA and best practices); on the phone no view is wider than the screen and the bottom
 * bar shows every destination (People and Sources included). The inbox shows its saved views bar
 * with a view applied. A screenshot of each view at each size goes to test/artifacts/ (the tour in
 * docs/web-desk.md).
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
import { attachPosts, createIncident } from '../../src/store/incidents.js';
import { raiseAlert } from '../../src/store/alerts.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';

const skip = browserSkipReason();
const ARTIFACTS = join(process.cwd(), 'test', 'artifacts');
const AXE = join(process.cwd(), 'node_modules', 'axe-core', 'axe.min.js');
const PASSWORD = 'axe-test-password';
const SIZES = [
  { name: 'laptop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;

interface Violation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: { target: string[] }[];
}

describe('every view passes axe-core at both sizes', { skip: skip ?? false }, () => {
  let dataDir: string;
  let runtime: Runtime;
  let app: App;
  let base: string;
  let cookie: string;
  let browser: Browser;
  let launching: Promise<Browser> | undefined;
  const views: { name: string; path: string }[] = [];
  let savedViewId = 0;

  async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${base}/api${path}`, {
      method,
      headers: body === undefined ? { cookie } : { 'content-type': 'application/json', cookie },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.ok(response.ok, `${method} ${path}: ${response.status} ${await response.clone().text()}`);
    return (response.status === 204 ? undefined : await response.json()) as T;
  }

  before(async () => {
    assert.ok(existsSync(join(WEB_DIST, 'index.html')), 'build the desk first: npm run build');
    mkdirSync(ARTIFACTS, { recursive: true });
    // Chromium starts while the server is built and seeded.
    launching = launchBrowser();
    dataDir = mkdtempSync(join(tmpdir(), 'earshot-axe-'));
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
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    });
    cookie = login.headers
      .getSetCookie()
      .map((value) => value.split(';')[0])
      .join('; ');
    // Enough on every view to show its parts: a stream with posts (one German, one flagged), a
    // ticket with a reply, an incident with reports, an alert, a saved reply.
    await api('POST', '/streams', { name: 'Portal', query: 'portal' });
    const texts = [
      ['Ana Lopez', 'The portal is down, I cannot log in at all'],
      ['Jonas Weber', 'Das Portal ist seit heute Morgen nicht erreichbar'],
      ['Help Desk Support', 'DM us your portal password to verify your account'],
      ['Omar Haddad', 'How do I reset my portal password?'],
    ];
    const postIds: number[] = [];
    for (const [index, [name, text]] of texts.entries()) {
      const result = await api<{ postIds: number[] }>('POST', '/ingest', {
        source: 'mastodon',
        id: `axe-${index}`,
        author: { handle: `@${name!.toLowerCase().replace(/\W+/g, '')}@example.social`, name },
        text,
        url: `https://example.social/axe-${index}`,
        createdAt: new Date(Date.now() - (10 - index) * 60_000).toISOString(),
      });
      postIds.push(result.postIds[0]!);
    }
    const { ticket } = await api<{ ticket: { id: number } }>('POST', `/posts/${postIds[0]}/ticket`);
    await api('POST', `/tickets/${ticket.id}/replies`, {
      body: 'Sorry Ana, we are on it and will update you here.',
      visibility: 'public',
    });
    await api('POST', '/saved-replies', { title: 'On it', body: 'Hi {name}, {incident_status}.' });
    // The inbox's saved views bar, with a personal view applied (pressed) and a shared one.
    const view = await api<{ id: number }>('POST', '/saved-views', {
      name: 'Portal outages',
      scope: 'personal',
      filters: { queue: 'open', sort: 'sla', kind: 'outage' },
    });
    await api('POST', '/saved-views', { name: 'German posts', scope: 'shared', filters: { language: 'de' } });
    savedViewId = view.id;
    const now = new Date().toISOString();
    const incident = await createIncident(
      runtime.store.db,
      { title: 'Portal down for many', severity: 'warning', terms: {}, responders: [] },
      now,
    );
    await attachPosts(runtime.store.db, incident.id, postIds.slice(0, 2), now);
    await raiseAlert(
      runtime.store.db,
      {
        type: 'burst',
        severity: 'warning',
        title: `Burst of posts in incident #${incident.id}`,
        key: `burst:cluster:${incident.id}`,
        evidence: { incidentId: incident.id, postIds: postIds.slice(0, 2) },
      },
      now,
    );
    views.push(
      { name: 'pulse', path: '/pulse' },
      { name: 'streams', path: '/streams' },
      { name: 'inbox', path: '/inbox' },
      { name: 'ticket', path: `/inbox/${ticket.id}` },
      { name: 'incidents', path: '/incidents' },
      { name: 'incident', path: `/incidents/${incident.id}` },
      { name: 'alerts', path: '/alerts' },
      { name: 'people', path: '/users' },
      { name: 'sources', path: '/sources' },
      { name: 'knowledge', path: '/knowledge' },
      { name: 'belt', path: '/belt' },
      { name: 'tokens', path: '/settings/tokens' },
      { name: 'saved-replies', path: '/saved-replies' },
      { name: 'services', path: '/services' },
      { name: 'reports', path: '/reports' },
    );
    browser = await launching;
  });

  after(async () => {
    // A failed set-up may leave the browser launched but not yet assigned.
    await (browser ?? (await launching?.catch(() => undefined)))?.close();
    await app?.close();
    await runtime?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** Waits for the view to settle, runs axe, checks the phone's width, and takes the screenshot. */
  async function audit(page: Page, name: string, size: (typeof SIZES)[number], found: string[]): Promise<void> {
    // The page's own code, as strings: the tests compile without the DOM's types.
    await page.waitForFunction(
      `document.querySelector('h1') !== null && !document.querySelector('[aria-busy="true"]')`,
      null,
      {
        timeout: 10_000,
      },
    );
    if ((await page.evaluate('typeof window.axe')) === 'undefined') await page.addScriptTag({ path: AXE });
    const violations = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((result) =>
      result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })))`)) as Violation[];
    for (const violation of violations)
      found.push(
        `${name} @${size.width}: ${violation.id} (${violation.impact}) ${violation.help} — ${violation.nodes
          .slice(0, 3)
          .map((node) => node.target.join(' '))
          .join(' | ')}`,
      );
    if (size.name === 'phone') {
      const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
      if (width > size.width) found.push(`${name} @${size.width}: the page is ${width} px wide`);
    }
    await page.screenshot({ path: join(ARTIFACTS, `view-${name}-${size.name}.png`) });
  }

  for (const size of SIZES) {
    it(`${size.name} (${size.width} px): every view, the login page and the navigation`, async () => {
      const found: string[] = [];
      const anonymous = await browser.newContext({ viewport: size, baseURL: base, bypassCSP: true });
      const login = await anonymous.newPage();
      await login.goto('/login');
      await audit(login, 'login', size, found);
      await anonymous.close();

      const context: BrowserContext = await browser.newContext({ viewport: size, baseURL: base, bypassCSP: true });
      await context.addCookies(
        cookie.split('; ').map((pair) => {
          const [name, value] = pair.split('=');
          return { name: name!, value: value!, url: base };
        }),
      );
      // The inbox opens with the saved view applied, as after pressing it.
      await context.addInitScript(`sessionStorage.setItem('earshot.saved-view', '${savedViewId}')`);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(views[0]!.path);
      for (const view of views) {
        // In-app navigation, as a person moves: one page load per size keeps this fast.
        await page.evaluate(
          `history.pushState(null, '', ${JSON.stringify(view.path)}); dispatchEvent(new PopStateEvent('popstate'))`,
        );
        await page.waitForURL(`**${view.path}`);
        await audit(page, view.name, size, found);
      }
      if (size.name === 'phone') {
        const nav = page.getByRole('navigation', { name: 'Main' });
        for (const label of ['People', 'Sources']) {
          const box = await nav.getByRole('link', { name: label }).boundingBox();
          if (!box || box.x < 0 || box.x + box.width > size.width || box.y + box.height > size.height)
            found.push(`phone: ${label} is not visible in the bottom bar (${JSON.stringify(box)})`);
        }
      }
      await context.close();
      assert.deepEqual(found, [], `\n${found.join('\n')}`);
      assert.deepEqual(errors, []);
    });
  }
});
