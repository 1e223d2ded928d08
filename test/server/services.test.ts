/**
 * The service catalogue and reports through the API: create a service with hours, targets and
 * custody; bad hours refused; look-alikes listed under the service they imitate; custody
 * reminders; improvement actions with a measured baseline; the report as JSON, CSV and PDF
 * (read back with pdftotext), on SQLite and PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { raiseAlert } from '../../src/store/alerts.js';
import { remindOverdueRotations } from '../../src/services/custody.js';
import { backends } from '../helpers/backends.js';
import { startTestDesk, type TestDesk } from '../helpers/app.js';
import { browserSkipReason } from '../helpers/browser.js';
import { generateMonth, NOVEMBER } from '../reports/month.js';

const NOW = new Date('2026-12-10T12:00:00.000Z');
const SERVICE = {
  name: 'Mastodon care',
  purpose: 'Answer customers on Mastodon',
  audience: 'Customers',
  owner: 'Dana Lead',
  ownerEmail: 'dana@example.org',
  team: 'care',
  stage: 'live',
  sources: ['mast'],
  handles: ['@acme@example.social'],
  hours: {
    timeZone: 'Europe/Amsterdam',
    weekly: ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, from: '09:00', to: '17:00' })),
    holidays: ['2026-11-26'],
  },
  targets: { firstResponseMinutes: 240, slaAttainment: 0.9, responseRate: 0.75 },
  custody: {
    credentialHolder: 'IT vault, entry 42',
    twoFactor: true,
    // The app reads the wall clock for this (the runtime's clock is not the app's): 100 days ago.
    lastRotatedAt: new Date(Date.now() - 100 * 86_400_000).toISOString(),
    rotationDays: 90,
    recoveryContact: 'it-security@example.org',
    recoveryPlan: 'Recover through the registered e-mail; the vault holds backup codes.',
  },
};
const pdfSkip = existsSync('/usr/bin/pdftotext')
  ? browserSkipReason()
  : 'pdftotext not found (apt-get install poppler-utils)';

for (const backend of await backends()) {
  describe(`${backend.name}: services and reports API`, { skip: backend.skip ?? false }, () => {
    let desk: TestDesk;
    let dispose: () => Promise<void>;
    let admin: string;
    let agent: string;
    let serviceId: number;
    before(async () => {
      const opened = await backend.open();
      dispose = opened.dispose;
      // The desk gets its own database (PostgreSQL) or data folder; the month goes into the desk's store.
      desk = await startTestDesk({ databaseUrl: opened.databaseUrl, clock: () => NOW });
      await generateMonth(desk.runtime.store);
      admin = `Bearer ${await desk.tokenFor('admin')}`;
      agent = `Bearer ${await desk.tokenFor('agent')}`;
    });
    after(async () => {
      await desk?.close();
      await dispose?.();
    });

    test('an admin creates a service; agents may read it, not change it', async () => {
      const created = await desk.app.inject({
        method: 'POST',
        url: '/api/services',
        headers: { authorization: admin },
        payload: SERVICE,
      });
      assert.equal(created.statusCode, 201, created.body);
      const service = created.json();
      serviceId = service.id;
      assert.equal(service.custody.credentialHolder, 'IT vault, entry 42');
      // Rotated 100 days ago, every 90 days: 10 days overdue.
      assert.equal(service.rotation.overdue, true);
      assert.equal(service.rotation.daysOverdue, 10);
      const denied = await desk.app.inject({
        method: 'PATCH',
        url: `/api/services/${serviceId}`,
        headers: { authorization: agent },
        payload: { stage: 'retiring' },
      });
      assert.equal(denied.statusCode, 403);
      const listed = await desk.app.inject({ method: 'GET', url: '/api/services', headers: { authorization: agent } });
      assert.deepEqual(
        listed.json().services.map((s: { name: string }) => s.name),
        ['Mastodon care'],
      );
      const twice = await desk.app.inject({
        method: 'POST',
        url: '/api/services',
        headers: { authorization: admin },
        payload: SERVICE,
      });
      assert.equal(twice.statusCode, 409);
    });

    test('hours that cannot be used are refused with the reason', async () => {
      const response = await desk.app.inject({
        method: 'PATCH',
        url: `/api/services/${serviceId}`,
        headers: { authorization: admin },
        payload: { hours: { ...SERVICE.hours, timeZone: 'Mars/Olympus' } },
      });
      assert.equal(response.statusCode, 400);
      assert.match(response.json().error.message, /unknown time zone "Mars\/Olympus"/);
    });

    test('look-alike accounts of its handle are listed under the service', async () => {
      await raiseAlert(
        desk.runtime.store.db,
        {
          type: 'impersonation',
          severity: 'warning',
          title: 'Possible impersonator',
          key: 'impersonation:mast:@acrne@evil.social',
          evidence: {
            source: 'mast',
            handle: '@acrne@evil.social',
            name: 'Acme',
            official: '@ACME@example.social',
            technique: 'homoglyph',
          },
        },
        NOW.toISOString(),
      );
      const response = await desk.app.inject({
        method: 'GET',
        url: `/api/services/${serviceId}`,
        headers: { authorization: agent },
      });
      const lookalikes = response.json().lookalikes;
      assert.equal(lookalikes.length, 1);
      assert.equal(lookalikes[0].handle, '@acrne@evil.social');
      assert.equal(lookalikes[0].technique, 'homoglyph');
    });

    test('overdue credentials raise one custody reminder, refreshed rather than repeated', async () => {
      const first = await remindOverdueRotations(desk.runtime.store, NOW);
      assert.equal(first.length, 1);
      // Judged at 10 December 2026 (the test's clock): due 90 days after the rotation.
      assert.match(first[0]!.title, /Mastodon care are \d+ days overdue for rotation/);
      assert.equal((await remindOverdueRotations(desk.runtime.store, NOW)).length, 0);
    });

    test('the November report: measures vs October and the targets, per service and for all', async () => {
      const response = await desk.app.inject({
        method: 'GET',
        url: `/api/reports?from=${NOVEMBER.from}&to=${NOVEMBER.to}&service=${serviceId}`,
        headers: { authorization: agent },
      });
      assert.equal(response.statusCode, 200, response.body);
      const report = response.json();
      const section = report.services[0];
      assert.equal(section.title, 'Mastodon care');
      // In business hours (the service's calendar): see test/reports/measures.test.ts.
      assert.equal(section.current.firstResponse.p90, 230);
      assert.equal(section.previous.tickets, 1);
      assert.deepEqual(
        section.targets.map((t: { target: string; met: boolean }) => [t.target, t.met]),
        [
          ['firstResponseMinutes', true],
          ['slaAttainment', false],
          ['responseRate', true],
        ],
      );
      assert.equal(report.overall.title, 'Mastodon care');
      assert.ok(report.tables.some((table: { name: string }) => table.name === 'agents'));
      const bad = await desk.app.inject({
        method: 'GET',
        url: `/api/reports?from=${NOVEMBER.to}&to=${NOVEMBER.from}`,
        headers: { authorization: agent },
      });
      assert.equal(bad.statusCode, 400);
    });

    test('an improvement action records the measure before and the report shows it now', async () => {
      const created = await desk.app.inject({
        method: 'POST',
        url: `/api/services/${serviceId}/improvements`,
        headers: { authorization: admin },
        payload: {
          title: 'Canned answers for delivery questions',
          owner: 'Ann',
          dueAt: '2027-01-31T00:00:00.000Z',
          measure: 'responseRate',
          baseline: 0.6,
          goal: 0.9,
        },
      });
      assert.equal(created.statusCode, 201, created.body);
      const report = (
        await desk.app.inject({
          method: 'GET',
          url: `/api/reports?from=${NOVEMBER.from}&to=${NOVEMBER.to}&service=${serviceId}`,
          headers: { authorization: agent },
        })
      ).json();
      const progress = report.services[0].improvements[0];
      assert.equal(progress.before, 0.6);
      assert.equal(progress.now, 0.8);
    });

    test('each table exports as CSV', async () => {
      const response = await desk.app.inject({
        method: 'GET',
        url: `/api/reports/csv?table=agents&from=${NOVEMBER.from}&to=${NOVEMBER.to}&service=${serviceId}`,
        headers: { authorization: agent },
      });
      assert.equal(response.statusCode, 200);
      assert.match(response.headers['content-type'] as string, /^text\/csv/);
      assert.match(
        response.headers['content-disposition'] as string,
        /earshot-report-2026-11-01-2026-12-01-agents\.csv/,
      );
      assert.equal(response.body, 'service,agent,replies\r\nMastodon care,Ann,13\r\nMastodon care,Bob,12\r\n');
      const topics = await desk.app.inject({
        method: 'GET',
        url: `/api/reports/csv?table=topics&from=${NOVEMBER.from}&to=${NOVEMBER.to}&service=${serviceId}`,
        headers: { authorization: agent },
      });
      assert.equal(topics.statusCode, 200);
      assert.match(topics.body, /^service,topic,posts,share %,previous share %\r\n/);
    });

    test('the PDF is printed from the same data, with a management summary first', {
      skip: pdfSkip ?? false,
    }, async () => {
      const response = await desk.app.inject({
        method: 'GET',
        url: `/api/reports/pdf?from=${NOVEMBER.from}&to=${NOVEMBER.to}&service=${serviceId}`,
        headers: { authorization: agent },
      });
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['content-type'], 'application/pdf');
      const text = execFileSync('pdftotext', ['-layout', '-', '-'], { input: response.rawPayload }).toString();
      const [summary, ...rest] = text.split('\f');
      assert.match(summary!, /Management summary/);
      assert.match(summary!, /100 posts in/);
      assert.match(summary!, /SLA attainment: 0\.167 against 0\.9 — missed/);
      assert.match(rest.join('\n'), /Replies per agent/);
    });
  });
}
