/**
 * Settings in a real browser (Debian's Chromium via playwright-core) against the production
 * bundle served by the real server, in one session: an admin makes, edits and deletes a
 * business-hours calendar, SLA targets that count in it (and sees the new ticket's clock paused
 * in the inbox, the desk being closed today), ticket rules in the stream editor (with the hint for
 * `source:mastodon`), an on-call schedule, an escalation policy and a contact, guideline rules
 * (with versions and the test box), a webhook (send test to a real local receiver, the delivery
 * log); every refusal shows in place, and the audit trail lists the changes. Screenshots go to
 * test/artifacts/settings-*.png.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../../src/config.js';
import { buildApp, createRuntime, type Runtime } from '../../src/runtime.js';
import { WEB_DIST, webDesk } from '../../src/server/web.js';
import type { App } from '../../src/server/app.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';
import { ingestLine } from '../helpers/posts.js';

const DIST = process.env.EARSHOT_TEST_WEB_DIST ?? WEB_DIST;
const skip =
  browserSkipReason() ?? (existsSync(join(DIST, 'index.html')) ? null : `no desk build at ${DIST} (npm run build)`);
const ARTIFACTS = join(process.cwd(), 'test', 'artifacts');
const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

describe('Settings in Chromium', { skip: skip ?? false }, () => {
  let dataDir: string;
  let runtime: Runtime;
  let app: App;
  let base: string;
  let browser: Browser;
  let page: Page;
  let receiver: Server;
  let hookBase: string;
  const pageErrors: string[] = [];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    receiver = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        response.statusCode = request.url === '/down' ? 503 : 204;
        response.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hookBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    dataDir = mkdtempSync(join(tmpdir(), 'earshot-settings-web-'));
    const config = loadConfig({
      EARSHOT_DATA_DIR: dataDir,
      EARSHOT_ADMIN_PASSWORD: 'settings-view-admin',
      EARSHOT_LOG_LEVEL: 'warn',
      EARSHOT_ALLOWED_PRIVATE_HOSTS: '127.0.0.1',
    });
    runtime = await createRuntime(config, {});
    app = await buildApp(runtime, [webDesk({ dist: DIST })]);
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: base });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto('/login');
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('settings-view-admin');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    const stream = await page.request.post('/api/streams', { data: { name: 'Portal', query: 'portal' } });
    assert.equal(stream.status(), 201);
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    await runtime?.close();
    await new Promise((resolve) => receiver?.close(resolve));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const settings = async (label: string, heading: string) => {
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: label }).click();
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
  };
  const alert = (scope: ReturnType<Page['locator']> | Page = page) => scope.getByRole('alert');

  it('every settings screen creates, edits and deletes; a calendar pauses an SLA clock; the audit lists it', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'SLA targets', level: 1 }).waitFor();

    // Business hours: a bad zone is refused in place; the desk opens only three days from now, so it is closed today.
    await settings('Business hours', 'Business hours');
    await page.getByRole('button', { name: 'New calendar' }).click();
    let form = page.getByRole('form', { name: 'New calendar' });
    await form.getByLabel('Name').fill('Thin desk');
    await form.getByLabel('Time zone').fill('Mars/Olympus');
    const openDay = DAY_NAMES[(new Date().getUTCDay() + 3) % 7]!;
    for (const day of DAY_NAMES) {
      const box = form.getByRole('checkbox', { name: day });
      if ((await box.isChecked()) !== (day === openDay)) await box.click();
    }
    await form.getByRole('button', { name: 'Create calendar' }).click();
    await alert(form)
      .getByText(/unknown time zone "Mars\/Olympus"/)
      .waitFor();
    await form.getByLabel('Time zone').fill('UTC');
    await form.getByRole('button', { name: 'Create calendar' }).click();
    await page.getByRole('heading', { name: 'Thin desk' }).waitFor();
    await page.getByRole('button', { name: 'Edit Thin desk' }).click();
    form = page.getByRole('form', { name: 'Edit “Thin desk”' });
    await form.getByLabel(/Holidays/).fill('2026-12-25\n2027-01-01');
    await form.getByRole('button', { name: 'Save calendar' }).click();
    await page.getByText('Holidays: 2026-12-25, 2027-01-01').waitFor();

    // SLA targets: high in 45 minutes, counted in the thin desk's hours.
    await settings('SLA targets', 'SLA targets');
    const sla = page.getByRole('form', { name: 'Portal' });
    await sla.getByLabel('high (min)').fill('45');
    await sla.getByLabel('Counts in').selectOption({ label: 'Thin desk' });
    await sla.getByRole('button', { name: 'Save SLA of Portal' }).click();
    await sla.getByText('Saved').waitFor();

    // A new outage ticket's clock is paused in the inbox: the desk is closed today.
    const ingest = await page.request.post('/api/ingest', { data: ingestLine({ text: 'The portal is down again' }) });
    assert.equal(ingest.status(), 200, await ingest.text());
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
    await page.locator('.sla-paused', { hasText: 'Paused · 45m 00s left' }).first().waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'settings-sla-paused.png') });

    // The calendar in use cannot be deleted (said in place), until the SLA is reset.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await settings('Business hours', 'Business hours');
    await page.getByRole('button', { name: 'Delete Thin desk' }).click();
    await alert()
      .getByText(/The SLA of "Portal" counts in "Thin desk"/)
      .waitFor();
    await settings('SLA targets', 'SLA targets');
    await sla.getByRole('button', { name: 'Reset to defaults for Portal' }).click();
    await sla.getByText('Saved').waitFor();
    assert.equal(await sla.getByLabel('high (min)').inputValue(), '60');
    await settings('Business hours', 'Business hours');
    await page.getByRole('button', { name: 'Delete Thin desk' }).click();
    await page.getByText('No calendars yet').waitFor();

    // Escalation: a schedule, a policy that pages it, a contact.
    await settings('Escalation', 'Escalation');
    await page.getByRole('button', { name: 'New schedule' }).click();
    form = page.getByRole('form', { name: 'New schedule' });
    await form.getByLabel('Id (a-z, 0-9, -)').fill('weekdays');
    await form.getByLabel('Name').fill('Weekdays');
    await form.getByRole('checkbox').first().check();
    await form.getByRole('button', { name: 'Create schedule' }).click();
    await page.getByText(/Weekdays \(weekdays\): .*, 24 h shifts/).waitFor();
    await page.getByRole('button', { name: 'New policy' }).click();
    form = page.getByRole('form', { name: 'New policy' });
    await form.getByLabel('Id (a-z, 0-9, -)').fill('major');
    await form.getByLabel('Name').fill('Major');
    await form.getByLabel('Step 1 pages').selectOption({ label: 'On call in Weekdays' });
    await form.getByLabel('Step 1 waits (min)').fill('10');
    await form.getByRole('button', { name: 'Create policy' }).click();
    await page.getByText('Major: on call in Weekdays for 10 min').waitFor();
    await page.getByRole('button', { name: 'Delete Weekdays' }).click();
    await alert(page.getByRole('region', { name: 'On-call schedules' }))
      .getByText(/policy "Major" page this schedule/)
      .waitFor();
    await page.getByRole('button', { name: 'Edit Major' }).click();
    form = page.getByRole('form', { name: 'Edit policy “Major”' });
    await form.getByLabel('Name').fill('Major incidents');
    await form.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText('Major incidents: on call in Weekdays for 10 min').waitFor();
    await page.getByRole('button', { name: 'Delete Major incidents' }).click();
    await page.getByText('No policies yet.').waitFor();
    await page.getByRole('button', { name: 'Delete Weekdays' }).click();
    await page.getByText('No schedules yet.').waitFor();
    await page.getByRole('button', { name: 'New contact' }).click();
    form = page.getByRole('form', { name: 'New contact' });
    await form.getByLabel('Person').selectOption({ index: 1 });
    await form.getByLabel('E-mail').fill('oncall@example.org');
    await form.getByRole('button', { name: 'Create contact' }).click();
    await page.getByText(/: oncall@example\.org$/).waitFor();
    const contacts = page.getByRole('region', { name: 'Contacts' });
    await contacts.getByRole('button', { name: /^Edit / }).click();
    form = page.getByRole('form', { name: 'Edit contact' });
    await form.getByLabel('E-mail').fill('pager@example.org');
    await form.getByRole('button', { name: 'Save contact' }).click();
    await page.getByText(/: pager@example\.org$/).waitFor();
    await contacts.getByRole('button', { name: /^Delete / }).click();
    await contacts.getByText('Nobody has a contact yet', { exact: false }).waitFor();

    // Guidelines: a blocked phrase is added (a new version), caught by the test box, then removed again.
    await settings('Guidelines', 'Guidelines');
    const rules = page.getByRole('form', { name: 'Reply rules' });
    const blocked = rules.getByLabel('Blocked words and phrases (one per line)');
    await blocked.fill(`${await blocked.inputValue()}\npending review`.trim());
    await rules.getByRole('button', { name: 'Save as new version' }).click();
    await rules.getByRole('heading', { name: /^Rules, version 1$/ }).waitFor();
    const box = page.getByRole('form', { name: 'Test the rules' });
    await box.getByLabel('A reply to check').fill('Your case is pending review, we are on it.');
    await box.getByRole('button', { name: 'Check' }).click();
    await box
      .getByText(/pending review/i, { exact: false })
      .nth(1)
      .waitFor();
    assert.ok((await box.locator('.finding').count()) >= 1, 'the blocked phrase is found');
    await rules.getByLabel('Longest reply per channel', { exact: false }).fill('mastodon=lots');
    await rules.getByRole('button', { name: 'Save as new version' }).click();
    await alert(rules).getByText('“mastodon=lots” is not channel=number, e.g. mastodon=500').waitFor();
    await page.getByRole('button', { name: 'Load version 0' }).click();
    await page
      .getByRole('form', { name: 'Reply rules' })
      .getByRole('heading', { name: /version 0/ })
      .waitFor();
    await page.getByRole('form', { name: 'Reply rules' }).getByRole('button', { name: 'Save as new version' }).click();
    await page
      .getByRole('form', { name: 'Reply rules' })
      .getByRole('heading', { name: /^Rules, version 2$/ })
      .waitFor();
    await box.getByRole('button', { name: 'Check' }).click();
    await box.getByText(/Passes the reply guidelines \(v2\)/).waitFor();

    // Webhooks: made (secret shown once), a failing test, edited, a test that arrives, the log, deleted.
    await settings('Webhooks', 'Webhooks');
    await page.getByRole('button', { name: 'New webhook' }).click();
    form = page.getByRole('form', { name: 'New webhook' });
    await form.getByLabel('URL').fill(`${hookBase}/down`);
    await form.getByRole('button', { name: 'Create webhook' }).click();
    assert.ok((await page.getByRole('textbox', { name: 'Signing secret' }).inputValue()).length > 20);
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('button', { name: `Send test to ${hookBase}/down` }).click();
    await page.getByText(/Test failed: .*503/).waitFor();
    await page.getByRole('button', { name: `Edit ${hookBase}/down` }).click();
    form = page.getByRole('form', { name: 'Edit webhook' });
    await form.getByLabel('URL').fill(`${hookBase}/up`);
    await form.getByRole('checkbox', { name: 'new tickets' }).check();
    await form.getByRole('button', { name: 'Save webhook' }).click();
    await page.getByText('Sends alerts and new tickets').waitFor();
    await page.getByRole('button', { name: `Send test to ${hookBase}/up` }).click();
    await page.getByText(/Test delivered in \d+ ms/).waitFor();
    await page.getByText('Delivery log (2)').click();
    await page.getByText(/failed: .*503/).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'settings-webhooks.png'), fullPage: true });
    await page.getByRole('button', { name: `Delete ${hookBase}/up` }).click();
    await page.getByText('No webhooks yet.').waitFor();

    // Ticket rules in the stream editor, and the hint for a source no one configured.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Streams' }).click();
    await page.getByRole('button', { name: 'Edit stream Portal' }).click();
    let editor = page.getByRole('dialog', { name: 'Edit “Portal”' });
    await editor.getByRole('textbox', { name: 'Query' }).fill('portal source:mastodon');
    await editor.getByText('No configured source is named “mastodon”', { exact: false }).waitFor();
    await editor.getByRole('textbox', { name: 'Query' }).fill('portal');
    const before = await editor.locator('li.rule').count();
    await editor.getByRole('button', { name: 'Add rule' }).click();
    const added = before + 1;
    await editor
      .getByRole('group', { name: `Rule ${added}: kinds` })
      .getByRole('checkbox', { name: 'praise' })
      .check();
    await editor.getByLabel(`Rule ${added}: priority`).selectOption('low');
    await editor.getByRole('button', { name: 'Save changes' }).click();
    await editor.waitFor({ state: 'detached' });
    const saved = await (await page.request.get('/api/streams')).json();
    const rulesSaved = saved.streams[0].ticketRules as { kinds: string[]; priority: string }[];
    assert.deepEqual(rulesSaved.at(-1), { kinds: ['praise'], sentiments: [], ticketType: 'request', priority: 'low' });
    await page.getByRole('button', { name: 'Edit stream Portal' }).click();
    editor = page.getByRole('dialog', { name: 'Edit “Portal”' });
    await editor.getByRole('button', { name: `Remove rule ${added}` }).click();
    await editor.getByRole('button', { name: 'Save changes' }).click();
    await editor.waitFor({ state: 'detached' });
    assert.equal((await (await page.request.get('/api/streams')).json()).streams[0].ticketRules.length, before);

    // The audit trail has an entry per change.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await settings('Audit trail', 'Audit trail');
    for (const line of [
      'Business-hours calendar “Thin desk” created',
      'Business-hours calendar “Thin desk” deleted',
      'SLA of “Portal” updated',
      'Escalation policy “major” deleted',
      'Webhook “' + `${hookBase}/up” tested`,
      'Ticket rules of “Portal” updated',
    ])
      await page.getByText(line).first().waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'settings-audit.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await settings('Business hours', 'Business hours');
    await page.screenshot({ path: join(ARTIFACTS, 'settings-phone.png'), fullPage: true });
    assert.deepEqual(pageErrors, []);
  });
});
