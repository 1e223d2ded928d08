/**
 * The settings API on SQLite and PostgreSQL, with an injected clock: a business-hours calendar
 * pauses an SLA clock (a ticket raised late on Friday, with Monday a holiday, is due on Tuesday
 * morning; read on Saturday its clock is paused with the same minutes left); calendars refuse
 * bad zones and hours; a calendar in use cannot be deleted; webhooks are edited, sent a test
 * (a real local receiver) and keep a delivery log; every change lands in the settings audit.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { backends } from '../helpers/backends.js';
import { startTestDesk, type TestDesk } from '../helpers/app.js';
import { ingestLine } from '../helpers/posts.js';
import { compileCalendar } from '../../src/domain/calendar.js';
import { slaState } from '../../src/desk/sla.js';

const WEEKDAYS_9_TO_5 = (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({
  day,
  from: '09:00',
  to: '17:00',
}));
const AMSTERDAM = { name: 'Amsterdam office', timeZone: 'Europe/Amsterdam', weekly: WEEKDAYS_9_TO_5 };

test('slaState counts business time and pauses outside opening hours', () => {
  const calendar = compileCalendar({ ...AMSTERDAM, holidays: [] });
  const ticket = {
    slaDueAt: '2026-12-07T08:30:00.000Z', // Monday 09:30 in Amsterdam
    slaCalendarId: 1,
    firstRespondedAt: null,
    status: 'new' as const,
  };
  const saturday = slaState(ticket, new Date('2026-12-05T11:00:00Z'), () => calendar);
  assert.deepEqual(saturday, { dueAt: ticket.slaDueAt, breached: false, remainingMs: 30 * 60_000, paused: true });
  const monday = slaState(ticket, new Date('2026-12-07T08:10:00Z'), () => calendar);
  assert.equal(monday.paused, false);
  assert.equal(monday.remainingMs, 20 * 60_000);
  // Without the calendar the same ticket counts wall-clock time.
  assert.equal(slaState(ticket, new Date('2026-12-05T11:00:00Z')).remainingMs, 45.5 * 3_600_000);
});

for (const backend of await backends()) {
  describe(`${backend.name}: settings API`, { skip: backend.skip ?? false }, () => {
    let desk: TestDesk;
    let dispose: () => Promise<void> = async () => {};
    let now = new Date('2026-12-04T15:30:00Z'); // Friday 16:30 in Amsterdam
    let receiver: Server;
    const received: { signature: string | undefined; body: string }[] = [];
    let admin: string;
    let agent: string;
    const call = async (token: string, method: string, url: string, payload?: unknown) => {
      const response = await desk.app.inject({
        method: method as 'GET',
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      });
      return { status: response.statusCode, body: response.body ? response.json() : null };
    };

    before(async () => {
      let databaseUrl: string | null = null;
      if (backend.name === 'postgres') {
        const opened = await backend.open();
        databaseUrl = opened.databaseUrl;
        dispose = opened.dispose;
      }
      receiver = createServer((request, response) => {
        let body = '';
        request.on('data', (chunk) => {
          body += chunk;
        });
        request.on('end', () => {
          received.push({ signature: request.headers['x-earshot-signature'] as string | undefined, body });
          response.statusCode = request.url === '/down' ? 503 : 204;
          response.end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      desk = await startTestDesk({
        databaseUrl,
        clock: () => now,
        routesOnClock: true,
        env: { EARSHOT_ALLOWED_PRIVATE_HOSTS: '127.0.0.1' },
      });
      admin = await desk.tokenFor('admin');
      agent = await desk.tokenFor('agent');
    });
    after(async () => {
      await desk?.close();
      await dispose();
      await new Promise((resolve) => receiver?.close(resolve));
    });

    test('a business-hours calendar with a holiday pauses the SLA clock of a new ticket', async () => {
      assert.equal((await call(agent, 'POST', '/api/calendars', { ...AMSTERDAM, holidays: [] })).status, 403);
      const bad = await call(admin, 'POST', '/api/calendars', { ...AMSTERDAM, timeZone: 'Mars/Olympus', holidays: [] });
      assert.equal(bad.status, 400);
      assert.match(bad.body.error.message, /unknown time zone "Mars\/Olympus"/);
      const backwards = await call(admin, 'POST', '/api/calendars', {
        ...AMSTERDAM,
        weekly: [{ day: 'mon', from: '17:00', to: '09:00' }],
        holidays: [],
      });
      assert.equal(backwards.status, 400);
      assert.match(backwards.body.error.message, /mon opens at 17:00, after it closes/);

      const created = await call(admin, 'POST', '/api/calendars', { ...AMSTERDAM, holidays: ['2026-12-07'] });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const calendarId = created.body.id as number;
      assert.equal(
        (await call(admin, 'POST', '/api/calendars', { ...AMSTERDAM, holidays: [] })).status,
        409,
        'names are unique',
      );

      const stream = await call(admin, 'POST', '/api/streams', { name: 'Portal', query: 'portal' });
      const sla = { firstResponseMinutes: { urgent: 15, high: 60, normal: 240, low: 1440 }, calendarId };
      assert.equal(
        (await call(admin, 'PATCH', `/api/streams/${stream.body.id}`, { sla: { ...sla, calendarId: 999 } })).status,
        400,
      );
      const patched = await call(admin, 'PATCH', `/api/streams/${stream.body.id}`, { sla });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.equal(patched.body.sla.calendarId, calendarId);

      assert.equal(
        (await call(admin, 'POST', '/api/ingest', ingestLine({ text: 'The portal is down again' }))).status,
        200,
      );
      const { tickets } = (await call(admin, 'GET', '/api/tickets')).body;
      assert.equal(tickets.length, 1);
      const [ticket] = tickets;
      assert.equal(ticket.priority, 'high');
      // 30 minutes on Friday, Monday a holiday, 30 more on Tuesday: 09:30 Amsterdam is 08:30 UTC.
      assert.equal(ticket.slaDueAt, '2026-12-08T08:30:00.000Z');
      assert.equal(ticket.sla.paused, false);
      assert.equal(ticket.sla.remainingMs, 60 * 60_000);

      now = new Date('2026-12-05T11:00:00Z'); // Saturday noon
      const saturday = (await call(agent, 'GET', `/api/tickets/${ticket.id}`)).body.ticket;
      assert.deepEqual(saturday.sla, {
        dueAt: ticket.slaDueAt,
        breached: false,
        remainingMs: 30 * 60_000,
        paused: true,
      });
      now = new Date('2026-12-08T08:40:00Z'); // Tuesday 09:40: ten business minutes late
      const late = (await call(agent, 'GET', `/api/tickets/${ticket.id}`)).body.ticket;
      assert.equal(late.sla.breached, true);
      assert.equal(late.sla.remainingMs, -10 * 60_000);
      now = new Date('2026-12-04T15:30:00Z');

      const inUse = await call(admin, 'DELETE', `/api/calendars/${calendarId}`);
      assert.equal(inUse.status, 409);
      assert.match(inUse.body.error.message, /"Portal"/);
      const edited = await call(admin, 'PUT', `/api/calendars/${calendarId}`, {
        ...AMSTERDAM,
        name: 'Amsterdam desk',
        holidays: ['2026-12-25', '2026-12-07', '2026-12-25'],
      });
      assert.deepEqual(edited.body.holidays, ['2026-12-07', '2026-12-25']);
      await call(admin, 'PATCH', `/api/streams/${stream.body.id}`, { sla: { ...sla, calendarId: null } });
      assert.equal((await call(admin, 'DELETE', `/api/calendars/${calendarId}`)).status, 204);
      assert.deepEqual((await call(agent, 'GET', '/api/calendars')).body.calendars, []);

      const audit = (await call(admin, 'GET', '/api/settings/audit')).body.entries as {
        area: string;
        change: string;
        subject: string;
      }[];
      const trail = audit.map((entry) => `${entry.area} ${entry.change} ${entry.subject}`).reverse();
      assert.deepEqual(trail, [
        'calendar created Amsterdam office',
        'stream created Portal',
        'sla updated Portal',
        'calendar updated Amsterdam desk',
        'sla updated Portal',
        'calendar deleted Amsterdam desk',
      ]);
      assert.equal((await call(agent, 'GET', '/api/settings/audit')).status, 403);
    });

    test('a webhook is edited, sent a signed test, logs each delivery, and is deleted', async () => {
      const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
      const hook = (await call(admin, 'POST', '/api/webhooks', { url: `${base}/down`, events: ['alert'] })).body;
      const failed = await call(admin, 'POST', `/api/webhooks/${hook.id}/test`);
      assert.equal(failed.body.ok, false);
      assert.match(failed.body.error, /503/);
      const edited = await call(admin, 'PATCH', `/api/webhooks/${hook.id}`, { url: `${base}/up`, events: ['ticket'] });
      assert.deepEqual([edited.body.url, edited.body.events], [`${base}/up`, ['ticket']]);
      const ok = await call(admin, 'POST', `/api/webhooks/${hook.id}/test`);
      assert.equal(ok.body.ok, true, JSON.stringify(ok.body));
      assert.match(
        received.at(-1)!.signature ?? '',
        /^sha256=/,
        'the test is signed with the secret kept across the edit',
      );
      assert.match(JSON.parse(received.at(-1)!.body).text, /test delivery/);
      const log = (await call(admin, 'GET', `/api/webhooks/${hook.id}/deliveries`)).body.deliveries;
      assert.deepEqual(
        log.map((entry: { ok: boolean; test: boolean }) => [entry.ok, entry.test]),
        [
          [true, true],
          [false, true],
        ],
      );
      assert.equal((await call(admin, 'DELETE', `/api/webhooks/${hook.id}`)).status, 204);
      assert.equal((await call(admin, 'GET', `/api/webhooks/${hook.id}/deliveries`)).status, 404);
    });

    test('on-call schedules, escalation policies and contacts are created, edited and deleted, audited', async () => {
      const users = (await call(admin, 'GET', '/api/users')).body.users as { id: number; username: string }[];
      const someone = users[0]!;
      const schedule = { name: 'Weekdays', userIds: [someone.id], startsAt: '2026-12-01T08:00:00Z', shiftHours: 24 };
      assert.equal((await call(admin, 'PUT', '/api/escalation/schedules/weekdays', schedule)).status, 200);
      const policy = { name: 'Major', steps: [{ targets: [{ scheduleId: 'weekdays' }], waitMinutes: 10 }] };
      assert.equal((await call(admin, 'PUT', '/api/escalation/policies/major', policy)).status, 200);
      assert.equal(
        (await call(admin, 'DELETE', '/api/escalation/schedules/weekdays')).status,
        409,
        'still paged by Major',
      );
      assert.equal(
        (await call(admin, 'PUT', '/api/escalation/policies/major', { ...policy, name: 'Major incidents' })).status,
        200,
      );
      assert.equal((await call(admin, 'DELETE', '/api/escalation/policies/major')).status, 204);
      assert.equal((await call(admin, 'DELETE', '/api/escalation/schedules/weekdays')).status, 204);
      assert.deepEqual((await call(admin, 'GET', '/api/escalation/schedules')).body.schedules, []);

      const contact = { email: 'ana@example.org', webhookUrl: null };
      assert.equal((await call(admin, 'PUT', `/api/users/${someone.id}/contact`, contact)).status, 200);
      assert.equal((await call(admin, 'GET', '/api/escalation/contacts')).body.contacts[0].email, 'ana@example.org');
      assert.equal((await call(admin, 'DELETE', `/api/users/${someone.id}/contact`)).status, 204);
      assert.deepEqual((await call(admin, 'GET', '/api/escalation/contacts')).body.contacts, []);

      const audit = (await call(admin, 'GET', '/api/settings/audit?limit=7')).body.entries as {
        area: string;
        change: string;
      }[];
      assert.deepEqual(
        audit.map((entry) => `${entry.area} ${entry.change}`).reverse(),
        [
          'schedule created',
          'policy created',
          'policy updated',
          'policy deleted',
          'schedule deleted',
          'contact created',
          'contact deleted',
        ].slice(-8),
      );
    });
  });
}
