/**
 * Incidents, batch replies, guidelines and escalation through the HTTP API (`inject`, a real
 * runtime and store): 200 reporters get 200 distinct queued replies that all pass the guideline
 * check, spread out under the channel's rate limit; only responders (or admins) approve and each
 * approval is audited; one reply can be edited, rejected or approved alone; a public reply with
 * a card number is refused; admins version the guideline rules; a new incident escalates to the
 * on-call person, whose acknowledgement link works without a login.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { buildApp, createRuntime, type Runtime } from '../../src/runtime.js';
import type { App } from '../../src/server/app.js';
import { createApiToken, createUser } from '../../src/store/users.js';
import { insertPosts } from '../../src/store/posts.js';
import { attachPosts, createIncident, listAudit } from '../../src/store/incidents.js';
import { createTickets, listOutbound } from '../../src/store/tickets.js';
import { checkReply } from '../../src/desk/guideline.js';
import { outageReports } from '../desk/outage-reports.js';
import { newPost } from '../helpers/posts.js';

const MINUTE = 60_000;

describe('incidents api', () => {
  let dataDir: string;
  let runtime: Runtime;
  let app: App;
  let now = new Date('2026-11-21T09:30:00.000Z');
  const tokens: Record<string, string> = {};
  const ids: Record<string, number> = {};
  let incidentId = 0;
  let hook: Server;
  const hooks: { body: string }[] = [];
  const as = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'earshot-incidents-api-'));
    const config = loadConfig({
      EARSHOT_DATA_DIR: dataDir,
      EARSHOT_ADMIN_PASSWORD: 'admin-pw-123456',
      EARSHOT_LOG_LEVEL: 'silent',
      EARSHOT_PUBLIC_URL: 'https://desk.example.org',
    });
    runtime = await createRuntime(config, {
      clock: () => now,
      escalationTickMs: 0,
      webhook: {
        retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => {} },
        allowPrivateNetwork: true,
      },
    });
    app = await buildApp(runtime);
    for (const [name, role] of [
      ['ana', 'agent'],
      ['ben', 'agent'],
      ['eve', 'agent'],
      ['root', 'admin'],
    ] as const) {
      const user = await createUser(runtime.store.db, { username: name, role, password: `pw-${name}-123456` });
      ids[name] = user.id;
      tokens[name] = (await createApiToken(runtime.store.db, user.id, 'test')).token;
    }
    const inserted = await insertPosts(runtime.store.db, outageReports(200, new Date('2026-11-21T09:00:00.000Z')));
    const incident = await createIncident(
      runtime.store.db,
      {
        title: 'Major incident: portal 500 (200 reporters)',
        severity: 'critical',
        terms: {},
        responders: [ids.ana!, ids.ben!],
      },
      now.toISOString(),
    );
    await attachPosts(
      runtime.store.db,
      incident.id,
      inserted.map((row) => row.id),
      now.toISOString(),
    );
    incidentId = incident.id;
    hook = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        hooks.push({ body });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    await app?.close();
    await runtime?.close();
    await new Promise<void>((resolve) => hook?.close(() => resolve()));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('lists incidents and shows one with its reports and responders', async () => {
    const list = await app.inject({ url: '/api/incidents?status=open', headers: as('eve') });
    assert.equal(list.statusCode, 200, list.body);
    assert.deepEqual(
      list.json().incidents.map((i: { id: number; postCount: number }) => [i.id, i.postCount]),
      [[incidentId, 200]],
    );
    const detail = await app.inject({ url: `/api/incidents/${incidentId}`, headers: as('eve') });
    assert.equal(detail.statusCode, 200, detail.body);
    assert.equal(detail.json().posts.length, 200);
    assert.deepEqual(
      detail
        .json()
        .responders.map((u: { username: string }) => u.username)
        .sort(),
      ['ana', 'ben'],
    );
    assert.equal((await app.inject({ url: '/api/incidents/999', headers: as('eve') })).statusCode, 404);
  });

  test('a 200-reporter update: a non-responder gets 403; a responder approves; 200 distinct replies are queued, spread out, all passing the check', async () => {
    const draft = await app.inject({
      method: 'POST',
      url: `/api/incidents/${incidentId}/updates`,
      headers: as('eve'),
      payload: { body: 'The portal fails after a database upgrade; we are rolling it back now.' },
    });
    assert.equal(draft.statusCode, 201, draft.body);
    const { update, proposals } = draft.json() as {
      update: { id: number };
      proposals: { body: string; findings: unknown[] }[];
    };
    assert.equal(proposals.length, 200);

    const refused = await app.inject({
      method: 'POST',
      url: `/api/incident-updates/${update.id}/approve`,
      headers: as('eve'),
    });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().error.code, 'ERR_AUTH_FORBIDDEN');
    assert.equal(
      (await listOutbound(runtime.store.db, { status: 'queued' })).length,
      0,
      'nothing queued by a refused approval',
    );

    const approved = await app.inject({
      method: 'POST',
      url: `/api/incident-updates/${update.id}/approve`,
      headers: as('ben'),
    });
    assert.equal(approved.statusCode, 200, approved.body);
    assert.deepEqual(
      [approved.json().approved, approved.json().queued, approved.json().update.status],
      [200, 200, 'approved'],
    );
    const again = await app.inject({
      method: 'POST',
      url: `/api/incident-updates/${update.id}/approve`,
      headers: as('ana'),
    });
    assert.equal(again.statusCode, 409);

    const queued = await listOutbound(runtime.store.db, { status: 'queued' });
    assert.equal(queued.length, 200);
    assert.equal(new Set(queued.map((m) => m.body)).size, 200, 'no two replies are the same text');
    assert.equal(new Set(queued.map((m) => m.ticketId)).size, 200, 'each reporter’s post got its own ticket');
    for (const message of queued) {
      const check = checkReply({
        body: message.body,
        channel: message.source,
        visibility: message.visibility,
        recipientWroteToUs: false,
      });
      assert.ok(check.ok, `${message.body}: ${JSON.stringify(check.findings)}`);
      assert.equal(message.visibility, 'public');
    }
    // Mastodon allows our account 20 replies a minute: 200 replies take 10 minutes to go out.
    const slots = (
      await runtime.store.db.selectFrom('outbound_messages').select('next_attempt_at').orderBy('id').execute()
    ).map((row) => Date.parse(row.next_attempt_at!));
    for (let i = 20; i < slots.length; i += 1)
      assert.ok(slots[i]! - slots[i - 20]! >= MINUTE, `reply ${i} is at least a minute after reply ${i - 20}`);
    assert.ok(slots[199]! - slots[0]! >= 9 * MINUTE);

    const audit = await listAudit(runtime.store.db, incidentId);
    const entry = audit.find((e) => e.action === 'update.approved');
    assert.equal(entry?.actorId, ids.ben);
    assert.equal((entry!.data.proposalIds as number[]).length, 200);
  });

  test('one reply can be edited (and is re-checked), rejected, or approved alone; the rest wait', async () => {
    const draft = await app.inject({
      method: 'POST',
      url: `/api/incidents/${incidentId}/updates`,
      headers: as('ana'),
      payload: { body: 'The rollback is done; logins work again for most people.' },
    });
    const { update, proposals } = draft.json() as { update: { id: number }; proposals: { id: number; body: string }[] };
    const [first, second, third] = proposals;

    const copy = await app.inject({
      method: 'PATCH',
      url: `/api/reply-proposals/${first!.id}`,
      headers: as('ana'),
      payload: { body: second!.body },
    });
    assert.equal(copy.statusCode, 200, copy.body);
    assert.ok(
      copy.json().findings.some((f: { rule: string; level: string }) => f.rule === 'identical' && f.level === 'block'),
      'the same text as another reply is blocked',
    );
    const blocked = await app.inject({
      method: 'POST',
      url: `/api/incident-updates/${update.id}/approve`,
      headers: as('ana'),
    });
    assert.equal(blocked.statusCode, 400);
    assert.match(blocked.json().error.message, /1 proposed replies fail the guideline check/);

    const rewritten = await app.inject({
      method: 'PATCH',
      url: `/api/reply-proposals/${first!.id}`,
      headers: as('ana'),
      payload: { body: `${first!.body} Sorry again for the trouble with your timesheet.` },
    });
    assert.deepEqual(rewritten.json().findings, []);
    const byOutsider = await app.inject({
      method: 'POST',
      url: `/api/reply-proposals/${second!.id}/reject`,
      headers: as('eve'),
    });
    assert.equal(byOutsider.statusCode, 403);
    assert.equal(
      (
        await app.inject({ method: 'POST', url: `/api/reply-proposals/${second!.id}/reject`, headers: as('ana') })
      ).json().status,
      'rejected',
    );
    const single = await app.inject({
      method: 'POST',
      url: `/api/reply-proposals/${third!.id}/approve`,
      headers: as('root'),
    });
    assert.equal(single.statusCode, 200, 'an admin may approve too');
    assert.equal(single.json().status, 'approved');

    const before = (await listOutbound(runtime.store.db, {})).length;
    const rest = await app.inject({
      method: 'POST',
      url: `/api/incident-updates/${update.id}/approve`,
      headers: as('ana'),
    });
    assert.equal(rest.json().approved, 198, 'all but the rejected one and the one approved alone');
    assert.equal((await listOutbound(runtime.store.db, {})).length, before + 198);
    const actions = (await listAudit(runtime.store.db, incidentId)).map((e) => `${e.action}:${e.actorId}`);
    for (const expected of [
      `proposal.edited:${ids.ana}`,
      `proposal.rejected:${ids.ana}`,
      `proposal.approved:${ids.root}`,
    ])
      assert.ok(actions.includes(expected), expected);

    // The second batch queues behind the first on the same account: the limit holds across batches.
    const rows = await runtime.store.db
      .selectFrom('outbound_messages')
      .select(['id', 'next_attempt_at'])
      .orderBy('id')
      .execute();
    const times = rows.map((row) => Date.parse(row.next_attempt_at!));
    for (let i = 20; i < times.length; i += 1) assert.ok(times[i]! - times[i - 20]! >= MINUTE - 1);
  });

  test('resolving offers the closing update to approve the same way', async () => {
    const resolved = await app.inject({
      method: 'POST',
      url: `/api/incidents/${incidentId}/resolve`,
      headers: as('ben'),
      payload: { body: 'All clear: the portal has been stable for an hour.' },
    });
    assert.equal(resolved.statusCode, 200, resolved.body);
    assert.equal(resolved.json().incident.status, 'resolved');
    assert.equal(resolved.json().closing.update.kind, 'closing');
    assert.equal(resolved.json().closing.proposals.length, 200);
    assert.equal(
      (
        await app.inject({
          method: 'POST',
          url: `/api/incidents/${incidentId}/resolve`,
          headers: as('ben'),
          payload: { body: 'again' },
        })
      ).statusCode,
      409,
    );
  });

  test('every reply in the desk is checked: a card number in public is blocked, warnings need an acknowledgement', async () => {
    const [post] = await insertPosts(runtime.store.db, [
      newPost({ externalId: 'card-1', text: 'my card was charged twice', sentiment: 'negative', kind: 'complaint' }),
    ]);
    const [ticket] = await createTickets(runtime.store.db, [
      {
        type: 'request',
        priority: 'normal',
        subject: 'charged twice',
        postId: post!.id,
        streamId: null,
        source: 'mastodon',
        slaDueAt: null,
      },
    ]);
    const body = 'We refunded the charge on card 4111 1111 1111 1111, sorry!';
    const check = await app.inject({
      method: 'POST',
      url: `/api/tickets/${ticket!.id}/replies/check`,
      headers: as('eve'),
      payload: { body, visibility: 'public' },
    });
    assert.equal(check.statusCode, 200, check.body);
    assert.equal(check.json().ok, false);
    assert.deepEqual(
      check.json().findings.map((f: { rule: string; level: string }) => [f.rule, f.level]),
      [['personal-data', 'block']],
    );

    const before = (await listOutbound(runtime.store.db, { ticketId: ticket!.id })).length;
    const refused = await app.inject({
      method: 'POST',
      url: `/api/tickets/${ticket!.id}/replies`,
      headers: as('eve'),
      payload: { body, visibility: 'public' },
    });
    assert.equal(refused.statusCode, 422);
    assert.equal(refused.json().error.code, 'ERR_GUIDELINE_BLOCKED');
    assert.match(refused.json().error.message, /A card in a public reply/);
    assert.equal((await listOutbound(runtime.store.db, { ticketId: ticket!.id })).length, before, 'nothing queued');

    const dm = { body: 'Could you confirm the address you used, is it rosa@example.org?', visibility: 'private' };
    const warned = await app.inject({
      method: 'POST',
      url: `/api/tickets/${ticket!.id}/replies`,
      headers: as('eve'),
      payload: dm,
    });
    assert.equal(warned.statusCode, 409);
    assert.equal(warned.json().error.code, 'ERR_GUIDELINE_WARNINGS');
    const sent = await app.inject({
      method: 'POST',
      url: `/api/tickets/${ticket!.id}/replies`,
      headers: as('eve'),
      payload: { ...dm, acknowledgeWarnings: true },
    });
    assert.equal(sent.statusCode, 201, sent.body);
    assert.equal(sent.json().event.data.guidelineVersion, 0);
  });

  test('admins edit the guideline rules as new versions; the check uses the latest', async () => {
    const current = (await app.inject({ url: '/api/guidelines', headers: as('eve') })).json();
    const { version: _v, ...rules } = current.rules;
    const next = { ...rules, blockedWords: [...rules.blockedWords, 'compensation'] };
    assert.equal(
      (await app.inject({ method: 'PUT', url: '/api/guidelines', headers: as('eve'), payload: next })).statusCode,
      403,
    );
    const saved = await app.inject({ method: 'PUT', url: '/api/guidelines', headers: as('root'), payload: next });
    assert.equal(saved.statusCode, 200, saved.body);
    assert.equal(saved.json().version, 1);
    assert.deepEqual(
      (await app.inject({ url: '/api/guidelines', headers: as('eve') }))
        .json()
        .versions.map((v: { version: number }) => v.version),
      [1],
    );
    assert.equal(
      (await app.inject({ url: '/api/guidelines/0', headers: as('eve') })).json().blockedWords.includes('compensation'),
      false,
    );
    const check = await app.inject({
      method: 'POST',
      url: '/api/guidelines/check',
      headers: as('eve'),
      payload: { body: 'We will offer compensation.', visibility: 'public', channel: 'mastodon' },
    });
    assert.deepEqual(
      [check.json().ok, check.json().version, check.json().findings[0].rule],
      [false, 1, 'blocked-word'],
    );
    const bad = await app.inject({
      method: 'PUT',
      url: '/api/guidelines',
      headers: as('root'),
      payload: { ...next, maxCapsShare: 3 },
    });
    assert.equal(bad.statusCode, 400);
  });

  test('a new incident escalates to the on-call person by webhook; their link acknowledges without a login', async () => {
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/pager`;
    assert.equal(
      (
        await app.inject({
          method: 'PUT',
          url: '/api/me/contact',
          headers: as('eve'),
          payload: { email: 'eve@example.org', webhookUrl: hookUrl },
        })
      ).statusCode,
      200,
    );
    const schedule = { name: 'Primary', userIds: [ids.eve], startsAt: '2026-11-16T00:00:00.000Z', shiftHours: 168 };
    assert.equal(
      (
        await app.inject({
          method: 'PUT',
          url: '/api/escalation/schedules/primary',
          headers: as('eve'),
          payload: schedule,
        })
      ).statusCode,
      403,
    );
    assert.equal(
      (
        await app.inject({
          method: 'PUT',
          url: '/api/escalation/schedules/primary',
          headers: as('root'),
          payload: schedule,
        })
      ).statusCode,
      200,
    );
    const policy = {
      name: 'Major',
      isDefault: true,
      steps: [
        { targets: [{ scheduleId: 'primary' }], waitMinutes: 5 },
        { targets: [{ userId: ids.root }], waitMinutes: 10 },
      ],
    };
    const badPolicy = await app.inject({
      method: 'PUT',
      url: '/api/escalation/policies/major',
      headers: as('root'),
      payload: { ...policy, steps: [{ targets: [{ scheduleId: 'nope' }], waitMinutes: 5 }] },
    });
    assert.equal(badPolicy.statusCode, 400);
    assert.equal(
      (await app.inject({ method: 'PUT', url: '/api/escalation/policies/major', headers: as('root'), payload: policy }))
        .statusCode,
      200,
    );

    // Saturday night: the incident opens.
    now = new Date('2026-11-21T23:40:00.000Z');
    const incident = await createIncident(
      runtime.store.db,
      { title: 'Major incident: VPN down (12 reporters)', severity: 'warning', terms: {} },
      now.toISOString(),
    );
    await runtime.bus.publish('incidents.changed', { incident, attachedPostIds: [] });
    assert.equal(hooks.length, 1);
    const paged = JSON.parse(hooks[0]!.body) as { text: string; userId: number; ackUrl: string };
    assert.equal(paged.userId, ids.eve);
    assert.match(paged.text, /VPN down/);

    now = new Date(now.getTime() + 6 * MINUTE);
    const advanced = await runtime.escalation.tick();
    assert.deepEqual(
      advanced.map((n) => n.userIds),
      [[ids.root]],
      'nobody acknowledged: the next step',
    );

    const link = new URL(paged.ackUrl);
    assert.equal(link.origin, 'https://desk.example.org');
    const form = await app.inject({ url: `${link.pathname}${link.search}` });
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /<form method="post"/);
    const token = link.searchParams.get('token')!;
    const ack = await app.inject({
      method: 'POST',
      url: '/api/escalations/ack',
      payload: `token=${token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(ack.statusCode, 200, ack.body);
    assert.match(ack.body, /is acknowledged/);
    const forged = await app.inject({
      method: 'POST',
      url: '/api/escalations/ack',
      payload: { token: 'x'.repeat(32) },
    });
    assert.equal(forged.statusCode, 404);

    const escalations = (await app.inject({ url: '/api/escalations', headers: as('ben') })).json().escalations;
    const mine = escalations.find((e: { id: string }) => e.id === `incident:${incident.id}`);
    assert.deepEqual([mine.status, mine.acknowledgedBy], ['acknowledged', ids.eve]);
    const detail = (await app.inject({ url: `/api/incidents/${incident.id}`, headers: as('ben') })).json();
    assert.deepEqual(detail.incident.responders, [ids.eve], 'whoever acknowledged may now approve updates');
    now = new Date(now.getTime() + 60 * MINUTE);
    assert.deepEqual(await runtime.escalation.tick(), []);
  });
});
