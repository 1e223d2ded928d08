/**
 * The lead role through the API, on SQLite and PostgreSQL: a lead sets the team's rules (a
 * stream's SLA targets and ticket rules, business-hours calendars, guidelines, webhooks, the
 * contacts escalation reaches, the settings audit) and every change is audited under their name;
 * a lead gets 403 on what stays with admins (people, sources, other people's tokens, an admin's
 * contact). An agent gets 403 on the settings and on a stream's SLA or ticket rules, yet still
 * makes and edits streams (sending the rules back unchanged, as the stream editor does). An admin
 * makes a lead through the API, and `earshot user add --role lead` does the same.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backends } from '../helpers/backends.js';
import { ADMIN_PASSWORD, startTestDesk, type TestDesk } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';

const SLA = { firstResponseMinutes: { urgent: 10, high: 30, normal: 120, low: 720 } };
const RULES = [{ kinds: ['outage'], sentiments: [], ticketType: 'incident', priority: 'urgent' }];

for (const backend of await backends()) {
  describe(`${backend.name}: the lead role`, { skip: backend.skip ?? false }, () => {
    let desk: TestDesk;
    let dispose: () => Promise<void> = async () => {};
    const dataDir = mkdtempSync(join(tmpdir(), 'earshot-lead-'));
    let admin: string;
    let lead: string;
    let agent: string;
    const ids: Record<string, number> = {};
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
      desk = await startTestDesk({ databaseUrl, dataDir, env: { EARSHOT_ALLOWED_PRIVATE_HOSTS: '127.0.0.1' } });
      admin = await desk.tokenFor('admin');
      lead = await desk.tokenFor('lead');
      agent = await desk.tokenFor('agent');
      for (const [name, token] of Object.entries({ admin, lead, agent }))
        ids[name] = (await call(token, 'GET', '/api/me')).body.user.id;
    });
    after(async () => {
      await desk?.close();
      await dispose();
      rmSync(dataDir, { recursive: true, force: true });
    });

    test('a lead changes a stream’s SLA and ticket rules; an agent may not, but still edits its name and query', async () => {
      const made = await call(agent, 'POST', '/api/streams', { name: 'Portal', query: 'portal' });
      assert.equal(made.status, 201, 'an agent makes a stream with the default rules');
      const id = made.body.id as number;
      const customised = await call(agent, 'POST', '/api/streams', { name: 'Fast', query: 'fast', sla: SLA });
      assert.equal(customised.status, 403, 'but not one with its own SLA');
      assert.match(customised.body.error.message, /lead or admin \(to change a stream's SLA targets\)/);

      const bySla = await call(agent, 'PATCH', `/api/streams/${id}`, { sla: SLA });
      assert.equal(bySla.status, 403);
      assert.equal(bySla.body.error.code, 'ERR_AUTH_FORBIDDEN');
      const byRules = await call(agent, 'PATCH', `/api/streams/${id}`, { ticketRules: RULES });
      assert.equal(byRules.status, 403);
      assert.match(byRules.body.error.message, /ticket rules/);

      const sla = await call(lead, 'PATCH', `/api/streams/${id}`, { sla: SLA, ticketRules: RULES });
      assert.equal(sla.status, 200, JSON.stringify(sla.body));
      assert.deepEqual(sla.body.sla.firstResponseMinutes, SLA.firstResponseMinutes);
      assert.equal(sla.body.ticketRules[0].priority, 'urgent');

      // The stream editor sends the rules it shows back with every save: unchanged, an agent's edit goes through.
      const current = (await call(agent, 'GET', `/api/streams/${id}`)).body;
      const renamed = await call(agent, 'PATCH', `/api/streams/${id}`, {
        name: 'Portal outages',
        query: 'portal OR login',
        ticketRules: current.ticketRules,
        sla: { calendarId: null, firstResponseMinutes: { ...current.sla.firstResponseMinutes } },
      });
      assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
      assert.equal(renamed.body.name, 'Portal outages');
      assert.deepEqual(renamed.body.sla.firstResponseMinutes, SLA.firstResponseMinutes, 'the lead’s SLA stays');

      const audit = (await call(lead, 'GET', '/api/settings/audit')).body.entries as {
        actorId: number;
        area: string;
        subject: string;
      }[];
      const mine = audit.filter((entry) => entry.actorId === ids.lead).map((entry) => entry.area);
      assert.deepEqual(mine.sort(), ['sla', 'ticket-rules'], 'the lead’s changes are audited under their name');
    });

    test('a lead runs the team settings: calendars, guidelines, webhooks, contacts', async () => {
      const calendar = {
        name: 'Office',
        timeZone: 'Europe/Amsterdam',
        weekly: [{ day: 'mon', from: '09:00', to: '17:00' }],
        holidays: [],
      };
      assert.equal((await call(agent, 'POST', '/api/calendars', calendar)).status, 403);
      const made = await call(lead, 'POST', '/api/calendars', calendar);
      assert.equal(made.status, 201, JSON.stringify(made.body));
      assert.equal((await call(lead, 'DELETE', `/api/calendars/${made.body.id}`)).status, 204);

      const { version: _version, ...rules } = (await call(lead, 'GET', '/api/guidelines')).body.rules;
      const next = { ...rules, blockedWords: [...rules.blockedWords, 'lead-blocked-word'] };
      assert.equal((await call(agent, 'PUT', '/api/guidelines', next)).status, 403);
      assert.equal((await call(lead, 'PUT', '/api/guidelines', next)).status, 200);

      assert.equal((await call(agent, 'GET', '/api/webhooks')).status, 403);
      const hook = await call(lead, 'POST', '/api/webhooks', {
        url: 'http://127.0.0.1:9/earshot',
        events: ['ticket'],
      });
      assert.equal(hook.status, 201, JSON.stringify(hook.body));
      assert.equal((await call(lead, 'GET', '/api/webhooks')).body.webhooks.length, 1);

      const contact = { email: 'agent@example.org', webhookUrl: null };
      assert.equal((await call(agent, 'PUT', `/api/users/${ids.lead}/contact`, contact)).status, 403);
      assert.equal((await call(lead, 'PUT', `/api/users/${ids.agent}/contact`, contact)).status, 200);
      const adminContact = await call(lead, 'PUT', `/api/users/${ids.admin}/contact`, contact);
      assert.equal(adminContact.status, 403, 'an admin’s contact stays the admin’s');
      assert.equal((await call(lead, 'GET', '/api/escalation/contacts')).status, 200);

      assert.equal((await call(agent, 'GET', '/api/settings/audit')).status, 403);
      const areas = new Set(
        ((await call(admin, 'GET', '/api/settings/audit')).body.entries as { actorId: number; area: string }[])
          .filter((entry) => entry.actorId === ids.lead)
          .map((entry) => entry.area),
      );
      for (const area of ['calendar', 'guidelines', 'webhook', 'contact'])
        assert.ok(areas.has(area), `${area} in the audit: ${[...areas].join(', ')}`);
    });

    test('a lead gets 403 on what stays with admins: people, sources, other people’s tokens', async () => {
      const person = await call(lead, 'POST', '/api/users', {
        username: 'sneaky',
        role: 'admin',
        password: 'long-enough-password',
      });
      assert.equal(person.status, 403);
      assert.equal(person.body.error.code, 'ERR_AUTH_FORBIDDEN');
      assert.match(person.body.error.message, /Your role \(lead\) may not do this; it needs admin/);
      assert.equal((await call(lead, 'POST', '/api/sources', { name: 'x', kind: 'demo', options: {} })).status, 403);
      assert.equal((await call(lead, 'GET', '/api/sources/settings')).status, 403);
      assert.equal((await call(lead, 'POST', '/api/tokens', { name: 'theirs', userId: ids.agent })).status, 403);
      const tokens = (await call(lead, 'GET', '/api/tokens')).body.tokens as { userId: number }[];
      assert.ok(tokens.length > 0 && tokens.every((token) => token.userId === ids.lead), 'a lead lists their own');
      assert.equal((await call(lead, 'DELETE', '/api/streams/1')).status, 403, 'deleting a stream stays with admins');
    });

    test('an admin makes a lead through the API; earshot user add --role lead does the same', async () => {
      const made = await call(admin, 'POST', '/api/users', {
        username: 'lena',
        role: 'lead',
        password: 'long-enough-password',
      });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      assert.equal(made.body.role, 'lead');
      const cookie = await desk.login('lena', 'long-enough-password');
      const me = await desk.app.inject({ url: '/api/me', headers: { cookie } });
      assert.equal(me.json().user.role, 'lead');
      // The command writes through the same store code on both databases: once is enough.
      if (backend.name !== 'sqlite') return;
      const env = { EARSHOT_DATA_DIR: dataDir, EARSHOT_ADMIN_PASSWORD: ADMIN_PASSWORD };
      const [cli, wrong] = await Promise.all([
        runCli(['user', 'add', 'omar', '--role', 'lead', '--password', 'long-enough-password'], env),
        runCli(['user', 'add', 'nope', '--role', 'boss', '--password', 'long-enough-password'], env),
      ]);
      assert.equal(cli.code, 0, cli.stderr);
      assert.equal(JSON.parse(cli.stdout).role, 'lead');
      assert.notEqual(wrong.code, 0);
      assert.match(wrong.stderr, /must be one of admin, lead, agent, employee/);
      await desk.login('omar', 'long-enough-password');
    });
  });
}
