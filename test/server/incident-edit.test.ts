/**
 * Correcting an incident through the HTTP API (`inject`, a real runtime and store): reports
 * about another service are split off into their own incident, a stray report is unlinked, and
 * two incidents about one problem are merged. Only responders (or admins) may; each is audited.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { buildApp, createRuntime, type Runtime } from '../../src/runtime.js';
import type { App } from '../../src/server/app.js';
import { createApiToken, createUser } from '../../src/store/users.js';
import { insertPosts } from '../../src/store/posts.js';
import { attachPosts, createIncident, incidentPostIds, listAudit } from '../../src/store/incidents.js';
import { newPost } from '../helpers/posts.js';
import { listTickets } from '../../src/store/tickets.js';

describe('incident split, unlink and merge api', () => {
  let dataDir: string;
  let runtime: Runtime;
  let app: App;
  const now = new Date('2026-11-21T09:30:00.000Z');
  const tokens: Record<string, string> = {};
  let incidentId = 0;
  let vpnIds: number[] = [];
  let canvasIds: number[] = [];
  const as = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'earshot-incident-edit-'));
    const config = loadConfig({
      EARSHOT_DATA_DIR: dataDir,
      EARSHOT_ADMIN_PASSWORD: 'admin-pw-123456',
      EARSHOT_LOG_LEVEL: 'silent',
    });
    runtime = await createRuntime(config, { clock: () => now, escalationTickMs: 0 });
    app = await buildApp(runtime);
    const users: Record<string, number> = {};
    for (const name of ['ana', 'eve']) {
      const user = await createUser(runtime.store.db, { username: name, role: 'agent', password: `pw-${name}-123456` });
      users[name] = user.id;
      tokens[name] = (await createApiToken(runtime.store.db, user.id, 'test')).token;
    }
    const post = (service: string, i: number) =>
      newPost({
        externalId: `${service}-${i}`,
        author: { handle: `@${service}${i}@example.social`, name: 'Student', followers: 1, following: 1 },
        text: service === 'vpn' ? `The VPN is down again, can't connect (${i})` : `Canvas is down, blank page (${i})`,
        sentiment: 'negative',
        kind: 'outage',
      });
    vpnIds = (
      await insertPosts(
        runtime.store.db,
        Array.from({ length: 12 }, (_, i) => post('vpn', i)),
      )
    ).map((r) => r.id);
    canvasIds = (
      await insertPosts(
        runtime.store.db,
        Array.from({ length: 8 }, (_, i) => post('canvas', i)),
      )
    ).map((r) => r.id);
    const incident = await createIncident(
      runtime.store.db,
      { title: 'Major incident: vpn down (20 reporters)', severity: 'warning', terms: {}, responders: [users.ana!] },
      now.toISOString(),
    );
    await attachPosts(runtime.store.db, incident.id, [...vpnIds, ...canvasIds], now.toISOString());
    incidentId = incident.id;
  });
  after(async () => {
    await app?.close();
    await runtime?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('a non-responder may not split; a responder splits the Canvas reports into their own incident', async () => {
    const refused = await app.inject({
      method: 'POST',
      url: `/api/incidents/${incidentId}/split`,
      headers: as('eve'),
      payload: { postIds: canvasIds },
    });
    assert.equal(refused.statusCode, 403, refused.body);
    const split = await app.inject({
      method: 'POST',
      url: `/api/incidents/${incidentId}/split`,
      headers: as('ana'),
      payload: { postIds: canvasIds },
    });
    assert.equal(split.statusCode, 201, split.body);
    const { incident, moved } = split.json() as { incident: { id: number; title: string }; moved: number[] };
    assert.deepEqual(
      [...moved].sort((a, b) => a - b),
      canvasIds,
    );
    assert.match(incident.title, /canvas/i);
    assert.deepEqual(await incidentPostIds(runtime.store.db, incident.id), canvasIds);
    assert.deepEqual(await incidentPostIds(runtime.store.db, incidentId), vpnIds);
    const audit = (await listAudit(runtime.store.db, incidentId)).map((entry) => entry.action);
    assert.ok(audit.includes('incident.split'));
    const list = await app.inject({ url: '/api/incidents?status=open', headers: as('eve') });
    assert.equal(list.json().incidents.length, 2);
  });

  test('a stray report is unlinked, audited, and no longer shown in the incident', async () => {
    const stray = vpnIds[0]!;
    const response = await app.inject({
      method: 'POST',
      url: `/api/incidents/${incidentId}/unlink`,
      headers: as('ana'),
      payload: { postIds: [stray] },
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), { unlinked: [stray] });
    const detail = await app.inject({ url: `/api/incidents/${incidentId}`, headers: as('eve') });
    const shown = detail.json().posts.map((post: { id: number }) => post.id);
    assert.ok(!shown.includes(stray));
    assert.equal(detail.json().incident.postCount, vpnIds.length - 1);
    const entry = (await listAudit(runtime.store.db, incidentId)).find((e) => e.action === 'posts.unlinked');
    assert.deepEqual(entry?.data, { postIds: [stray] });
  });

  test('merging moves every report and resolves the merged incident', async () => {
    const open = (await app.inject({ url: '/api/incidents?status=open', headers: as('ana') })).json().incidents as {
      id: number;
    }[];
    const other = open.find((incident) => incident.id !== incidentId)!;
    const merged = await app.inject({
      method: 'POST',
      url: `/api/incidents/${other.id}/merge`,
      headers: as('ana'),
      payload: { intoId: incidentId },
    });
    assert.equal(merged.statusCode, 200, merged.body);
    assert.equal(merged.json().moved, canvasIds.length);
    assert.equal((await incidentPostIds(runtime.store.db, incidentId)).length, vpnIds.length - 1 + canvasIds.length);
    const after = (await app.inject({ url: '/api/incidents?status=open', headers: as('ana') })).json().incidents;
    assert.deepEqual(
      after.map((incident: { id: number }) => incident.id),
      [incidentId],
    );
  });

  test('a reply to a channel with no configured source is flagged before approval; its failure is visible and retryable', async () => {
    const draft = await app.inject({
      method: 'POST',
      url: `/api/incidents/${incidentId}/updates`,
      headers: as('ana'),
      payload: { body: 'The VPN concentrator is being restarted; expect it back within the hour.' },
    });
    assert.equal(draft.statusCode, 201, draft.body);
    const updateId = draft.json().update.id as number;
    type Proposal = {
      id: number;
      status: string;
      noSource?: boolean;
      delivery?: { status: string; error: string | null } | null;
    };
    const read = async () =>
      (await app.inject({ url: `/api/incident-updates/${updateId}`, headers: as('ana') })).json()
        .proposals as Proposal[];
    const before = await read();
    assert.ok(before.length > 0);
    assert.ok(
      before.every((p) => p.noSource === true && !p.delivery),
      'mastodon has no configured source here',
    );
    const approved = await app.inject({
      method: 'POST',
      url: `/api/incident-updates/${updateId}/approve`,
      headers: as('ana'),
    });
    assert.equal(approved.statusCode, 200, approved.body);
    assert.ok((await read()).every((p) => p.status === 'approved' && p.delivery?.status === 'queued'));
    await runtime.outbound.runOnce();
    const failed = (await read()).filter((p) => p.delivery?.status === 'failed');
    assert.ok(failed.length > 0, 'the first due reply failed');
    assert.ok(failed[0]!.delivery!.error, 'with the channel’s error');
    const retried = await app.inject({
      method: 'POST',
      url: `/api/reply-proposals/${failed[0]!.id}/retry`,
      headers: as('ana'),
    });
    assert.equal(retried.statusCode, 200, retried.body);
    assert.equal(retried.json().delivery.status, 'queued');
    const again = await app.inject({
      method: 'POST',
      url: `/api/reply-proposals/${before.find((p) => p.id !== failed[0]!.id && !failed.some((f) => f.id === p.id))?.id ?? failed[0]!.id}/retry`,
      headers: as('ana'),
    });
    assert.equal(again.statusCode, 409, 'only a failed reply is retried');
    const audit = (await listAudit(runtime.store.db, incidentId)).map((entry) => entry.action);
    assert.ok(audit.includes('proposal.retried'));
  });

  test('resolving resolves the reporters’ open tickets', async () => {
    const resolved = await app.inject({
      method: 'POST',
      url: `/api/incidents/${incidentId}/resolve`,
      headers: as('ana'),
      payload: { body: 'The VPN is back; sorry for the trouble.' },
    });
    assert.equal(resolved.statusCode, 200, resolved.body);
    const { tickets } = await listTickets(runtime.store.db, { limit: 500 });
    const linked = new Set(await incidentPostIds(runtime.store.db, incidentId));
    const reporters = tickets.filter((ticket) => ticket.postId !== null && linked.has(ticket.postId));
    assert.ok(reporters.length > 0);
    assert.ok(reporters.every((ticket) => ticket.status === 'resolved'));
  });
});
