/**
 * Incidents in the web desk, in Chromium against the production bundle and the real server:
 * the open-alert cue in the navigation (a pulsing count, no sound) follows live alerts; an
 * incident with 30 reporters shows its reports, responders and running escalation; one status
 * update proposes 30 replies, each with its guideline findings; a reply rewritten with a card
 * number is blocked and "Approve all" waits until it is rejected; approving queues the rest;
 * a ticket's composer shows the findings before sending; reports split, unlink and merge back.
 * Screenshots go to test/artifacts/.
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
import { insertPosts } from '../../src/store/posts.js';
import {
  attachPosts,
  createIncident,
  incidentPostIds,
  listAudit,
  listOpenIncidents,
} from '../../src/store/incidents.js';
import { raiseAlert } from '../../src/store/alerts.js';
import { savePolicy, saveSchedule } from '../../src/store/escalation.js';
import { listOutbound } from '../../src/store/tickets.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';
import { outageReports } from '../desk/outage-reports.js';

const skip = browserSkipReason();
const ARTIFACTS = join(process.cwd(), 'test', 'artifacts');
const DIST = process.env.EARSHOT_TEST_WEB_DIST ?? WEB_DIST;
const PASSWORD = 'incident-desk-password';
const CARD = '4111 1111 1111 1111';

describe('incidents in the web desk (Chromium)', {
  skip:
    skip ??
    (existsSync(join(DIST, 'index.html'))
      ? false
      : `no desk build at ${DIST} (npm run build, or set EARSHOT_TEST_WEB_DIST)`),
}, () => {
  let dataDir: string;
  let runtime: Runtime;
  let app: App;
  let browser: Browser;
  let page: Page;
  let incidentId = 0;
  const pageErrors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });

  async function alert(title: string, key: string) {
    const { alert: raised } = await raiseAlert(runtime.store.db, {
      type: 'burst',
      severity: 'critical',
      title,
      key,
      evidence: {},
    });
    await runtime.bus.publish('alerts.raised', { alert: raised });
  }

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'earshot-incident-desk-'));
    const config = loadConfig({
      EARSHOT_DATA_DIR: dataDir,
      EARSHOT_ADMIN_PASSWORD: PASSWORD,
      EARSHOT_PORT: '0',
      EARSHOT_LOG_LEVEL: 'warn',
    });
    runtime = await createRuntime(config, { escalationTickMs: 0 });
    app = await buildApp(runtime, [webDesk({ dist: DIST })]);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

    const now = new Date();
    const admin = await runtime.store.db
      .selectFrom('users')
      .select('id')
      .where('username', '=', 'admin')
      .executeTakeFirstOrThrow();
    await saveSchedule(
      runtime.store.db,
      {
        id: 'primary',
        name: 'Primary',
        userIds: [admin.id],
        startsAt: '2026-11-16T00:00:00.000Z',
        shiftHours: 168,
        overrides: [],
      },
      now.toISOString(),
    );
    await savePolicy(
      runtime.store.db,
      {
        id: 'major',
        name: 'Major',
        isDefault: true,
        repeat: 0,
        steps: [{ targets: [{ scheduleId: 'primary' }], waitMinutes: 5 }],
      },
      now.toISOString(),
    );
    const inserted = await insertPosts(runtime.store.db, outageReports(30, new Date(now.getTime() - 30 * 60_000)));
    const incident = await createIncident(
      runtime.store.db,
      { title: 'Major incident: portal 500 (30 reporters)', severity: 'warning', terms: {}, responders: [admin.id] },
      now.toISOString(),
    );
    await attachPosts(
      runtime.store.db,
      incident.id,
      inserted.map((row) => row.id),
      now.toISOString(),
    );
    await runtime.bus.publish('incidents.changed', { incident, attachedPostIds: inserted.map((row) => row.id) });
    incidentId = incident.id;
    await alert('Burst of negative posts in incident cluster 1: 30 in 10 min, expected 1', 'burst:cluster:1');

    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: base });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('dialog', (dialog) => void dialog.dismiss());
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    await runtime?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the open-alert cue in the navigation and updates it live, without sound', async () => {
    await page.goto('/login');
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('status', { name: 'Live updates: Live' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('status', { name: '1 open alert' }).waitFor();
    // The cue is animated (a pulse), and the page plays nothing: no audio or video elements.
    const animation = await nav
      .locator('.alert-cue')
      .evaluate(
        (element) =>
          (globalThis as unknown as { getComputedStyle(e: unknown): { animationName: string } }).getComputedStyle(
            element,
          ).animationName,
      );
    assert.equal(animation, 'alert-pulse');
    await alert('Burst of negative posts in all posts: 44 in 10 min, expected 3', 'burst:all');
    await nav.getByRole('status', { name: '2 open alerts' }).waitFor();
    assert.equal(await page.locator('audio, video').count(), 0);

    await nav.getByRole('link', { name: /Alerts/ }).click();
    await page.getByRole('heading', { name: 'Alerts', level: 1 }).waitFor();
    await page.getByText('44 in 10 min').waitFor();
    await page.getByRole('region', { name: 'Escalations waiting' }).getByText('portal 500').waitFor();
    await shot('alerts');
    await page
      .getByRole('listitem')
      .filter({ hasText: '44 in 10 min' })
      .getByRole('button', { name: 'Acknowledge' })
      .click();
    await nav.getByRole('status', { name: '1 open alert' }).waitFor();
  });

  it('opens the incident: its reports, responders and the running escalation', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Incidents' }).click();
    await page.getByRole('heading', { name: 'Incidents', level: 1 }).waitFor();
    await page
      .getByRole('link', { name: /portal 500 \(30 reporters\)/ })
      .getByText('30 reports')
      .waitFor();
    await shot('incidents');
    await page.getByRole('link', { name: /portal 500 \(30 reporters\)/ }).click();
    await page.getByRole('heading', { name: /portal 500/, level: 1 }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/incidents/${incidentId}`);
    await page.getByRole('region', { name: 'Reports' }).getByRole('article').first().waitFor();
    assert.equal(await page.getByRole('region', { name: 'Reports' }).getByRole('article').count(), 30);
    await page.getByRole('region', { name: 'Escalation' }).getByText('running', { exact: true }).waitFor();
    await page.getByRole('button', { name: /acknowledge/ }).click();
    await page.getByRole('region', { name: 'Escalation' }).getByText('acknowledged', { exact: true }).waitFor();
    await page.getByRole('region', { name: 'Escalation' }).getByText('Acknowledged by Administrator').waitFor();
  });

  it('reviews a batch: every proposal with its findings; a blocked one holds the batch until rejected; approving queues the rest', async () => {
    await page
      .getByLabel(/Write one status update/)
      .fill('The portal is failing after a database upgrade; we are rolling it back now.');
    await page.getByRole('button', { name: 'Propose replies' }).click();
    const batch = page.getByRole('region', { name: /Status update · 30 replies/ });
    await batch.waitFor();
    const proposals = batch
      .getByRole('list', { name: 'Proposed replies' })
      .getByRole('listitem')
      .filter({ has: page.locator('.proposal-head') });
    assert.equal(await proposals.count(), 30);
    const approveAll = batch.getByRole('button', { name: 'Approve all 30' });
    assert.equal(await approveAll.isEnabled(), true);
    await shot('incident-batch');

    // Rewriting one reply with a card number in public: the re-check blocks it, and the batch waits.
    const first = proposals.first();
    await first.getByRole('button', { name: 'Edit' }).click();
    await first.getByRole('textbox').fill(`Please check the charge on ${CARD} and tell us.`);
    await first.getByRole('button', { name: 'Save and re-check' }).click();
    await first.getByText('A card in a public reply').waitFor();
    assert.equal(await approveAll.isDisabled(), true, 'a blocked reply holds the whole batch');
    await shot('incident-batch-blocked');
    await first.getByRole('button', { name: 'Reject' }).click();
    const approveRest = batch.getByRole('button', { name: 'Approve all 29' });
    await approveRest.waitFor();
    await approveRest.click();
    await page.getByRole('region', { name: 'Sent updates' }).getByText('29 replies').waitFor();
    const queued = await listOutbound(runtime.store.db, { status: 'queued' });
    assert.equal(queued.length, 29);
    assert.equal(new Set(queued.map((message) => message.body)).size, 29);
    assert.ok(queued.every((message) => !message.body.includes(CARD)));
    await shot('incident-approved');
  });

  it('the ticket composer shows the guideline findings before sending', async () => {
    const [message] = await listOutbound(runtime.store.db, { status: 'queued' });
    await page.goto(`/inbox/${message!.ticketId}`);
    const composer = page.getByRole('form', { name: 'Reply' });
    await composer.getByRole('textbox').fill(`We see the charge on card ${CARD}, we will refund it.`);
    await composer.getByText('A card in a public reply').waitFor();
    assert.equal(await composer.getByRole('button', { name: 'Send reply' }).isDisabled(), true);
    await shot('ticket-guideline');
    await composer.getByRole('textbox').fill('We are looking into the charge; could you send us a private message?');
    await composer.getByText(/Passes the reply guidelines/).waitFor();
    assert.equal(await composer.getByRole('button', { name: 'Send reply' }).isEnabled(), true);
  });

  it('works at phone width: the incident stacks into one column', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`/incidents/${incidentId}`);
    await page.getByRole('heading', { name: /portal 500/, level: 1 }).waitFor();
    const overflow = await page.evaluate(() => {
      const doc = (
        globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }
      ).document.documentElement;
      return doc.scrollWidth - doc.clientWidth;
    });
    assert.ok(overflow <= 1, `no sideways scrolling (${overflow}px)`);
    await shot('phone-incident');
    assert.deepEqual(pageErrors, []);
  });

  it('splits reports into a new incident and unlinks a stray one; the batch shows each reporter’s post and delivery', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`/incidents/${incidentId}`);
    await page.getByRole('heading', { name: /portal 500/, level: 1 }).waitFor();
    // The sent batch shows each reporter's own post beside the reply, and where the reply stands.
    const sent = page.getByRole('region', { name: 'Sent updates' });
    await sent.getByText('29 queued · 0 sent · 0 failed').click();
    await sent.locator('.proposal-post').first().waitFor();
    await page.locator('[data-delivery="queued"]').first().waitFor();
    const reports = page.getByRole('region', { name: 'Reports' });
    const boxes = reports.getByRole('checkbox');
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.getByRole('button', { name: 'Split into a new incident' }).click();
    await reports.getByRole('heading', { name: 'Reports (28)' }).waitFor();
    const open = await listOpenIncidents(runtime.store.db);
    assert.equal(open.length, 2);
    const split = open.find((incident) => incident.id !== incidentId)!;
    assert.equal((await incidentPostIds(runtime.store.db, split.id)).length, 2);
    await reports.getByRole('checkbox').nth(0).check();
    await page.getByRole('button', { name: 'Unlink' }).click();
    await reports.getByRole('heading', { name: 'Reports (27)' }).waitFor();
    const actions = (await listAudit(runtime.store.db, incidentId)).map((entry) => entry.action);
    assert.ok(actions.includes('incident.split') && actions.includes('posts.unlinked'));
    await shot('incident-split');
    assert.deepEqual(pageErrors, []);
  });

  it('merges the split incident back: its reports move and it is resolved, audited on both', async () => {
    const split = (await listOpenIncidents(runtime.store.db)).find((incident) => incident.id !== incidentId)!;
    await page.goto(`/incidents/${split.id}`);
    const merge = page.getByRole('form', { name: 'Merge' });
    await merge.getByRole('combobox').selectOption(String(incidentId));
    await merge.getByRole('button', { name: 'Merge' }).click();
    await page.waitForURL(`**/incidents/${incidentId}`);
    await page.getByRole('region', { name: 'Reports' }).getByRole('heading', { name: 'Reports (29)' }).waitFor();
    assert.deepEqual(
      (await listOpenIncidents(runtime.store.db)).map((incident) => incident.id),
      [incidentId],
    );
    assert.equal((await incidentPostIds(runtime.store.db, incidentId)).length, 29);
    assert.ok((await listAudit(runtime.store.db, split.id)).some((entry) => /merge/.test(entry.action)));
    await shot('incident-merged');
    assert.deepEqual(pageErrors, []);
  });
});
