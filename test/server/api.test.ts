/**
 * The HTTP API through `inject`: auth and roles, ingest (good and bad input), search,
 * streams, the ticket lifecycle, stats and the OpenAPI document.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestDesk, type TestDesk } from '../helpers/app.js';
import { ingestLine } from '../helpers/posts.js';

describe('api', () => {
  let desk: TestDesk;
  let agent: string;
  let cookie: string;
  const auth = () => ({ authorization: `Bearer ${agent}` });

  before(async () => {
    desk = await startTestDesk();
    agent = await desk.tokenFor('agent');
    cookie = await desk.login();
  });
  after(async () => desk?.close());

  test('health is public; data routes need auth, with a JSON error body', async () => {
    assert.equal((await desk.app.inject('/api/health')).json().status, 'ok');
    const anonymous = await desk.app.inject('/api/posts');
    assert.equal(anonymous.statusCode, 401);
    assert.deepEqual(anonymous.json(), {
      error: { code: 'ERR_AUTH_REQUIRED', message: 'Authentication required', status: 401 },
    });
    const badToken = await desk.app.inject({ url: '/api/posts', headers: { authorization: 'Bearer est_nope' } });
    assert.equal(badToken.statusCode, 401);
  });

  test('roles are checked: an employee cannot read the desk, an agent cannot add users', async () => {
    const employee = await desk.tokenFor('employee');
    const forbidden = await desk.app.inject({ url: '/api/tickets', headers: { authorization: `Bearer ${employee}` } });
    assert.equal(forbidden.statusCode, 403);
    assert.equal(forbidden.json().error.code, 'ERR_AUTH_FORBIDDEN');
    const noAdmin = await desk.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: auth(),
      payload: { username: 'x1', role: 'agent', password: 'long-enough-pw' },
    });
    assert.equal(noAdmin.statusCode, 403);
    const asAdmin = await desk.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: { cookie },
      payload: { username: 'bea', role: 'agent', password: 'long-enough-pw' },
    });
    assert.equal(asAdmin.statusCode, 201);
  });

  test('login refuses a wrong password without saying which part was wrong', async () => {
    const response = await desk.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'admin', password: 'wrong' },
    });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().error.code, 'ERR_AUTH_INVALID');
  });

  test('ingest: one post, then the same again is a duplicate; a stream match raises a ticket with an SLA', async () => {
    const stream = await desk.app.inject({
      method: 'POST',
      url: '/api/streams',
      headers: auth(),
      payload: { name: 'Helpdesk', query: 'helpdesk AND (down OR ":(") -spam' },
    });
    assert.equal(stream.statusCode, 201, stream.body);
    const post = ingestLine({ text: 'The helpdesk portal is down again :( nothing loads' });
    const first = await desk.app.inject({ method: 'POST', url: '/api/ingest', headers: auth(), payload: post });
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.json().new, 1);
    assert.equal(first.json().ticketIds.length, 1, 'negative outage → incident');
    const again = await desk.app.inject({ method: 'POST', url: '/api/ingest', headers: auth(), payload: post });
    assert.deepEqual([again.json().new, again.json().duplicate], [0, 1]);
    const ticket = await desk.app.inject({ url: `/api/tickets/${first.json().ticketIds[0]}`, headers: auth() });
    assert.equal(ticket.json().ticket.type, 'incident');
    assert.equal(ticket.json().post.text, post.text);
    assert.ok(ticket.json().ticket.sla.remainingMs > 0);
    const spam = await desk.app.inject({
      method: 'POST',
      url: '/api/ingest',
      headers: auth(),
      payload: ingestLine({ text: 'helpdesk down spam spam' }),
    });
    assert.equal(spam.json().ticketIds.length, 0, '-spam excludes it from the stream');
  });

  test('ingest NDJSON: bad lines are reported by number, good lines stored, nothing half-stored', async () => {
    const lines = [
      JSON.stringify(ingestLine({ id: 'nd-1' })),
      '{"source": "mastodon", "id": ',
      JSON.stringify(ingestLine({ id: 'nd-3', author: { handle: '@x@y.z', followers: 'many' } })),
      JSON.stringify(
        ingestLine({
          id: 'nd-4',
          text: '<img src=x onerror=alert(1)><script>alert(2)</script>',
          unknownField: { kept: true },
        }),
      ),
      JSON.stringify(ingestLine({ id: 'nd-5', text: 'x'.repeat(2 * 1024 * 1024) })),
    ].join('\n');
    const response = await desk.app.inject({
      method: 'POST',
      url: '/api/ingest',
      headers: { ...auth(), 'content-type': 'application/x-ndjson' },
      payload: lines,
    });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.equal(body.new, 2);
    assert.deepEqual(
      body.rejected.map((r: { line: number }) => r.line),
      [2, 3, 5],
    );
    assert.match(body.rejected[1].message, /author\.followers/);
    assert.match(body.rejected[2].message, /limit/);
    const stored = await desk.app.inject({ url: `/api/posts/${body.postIds[1]}`, headers: auth() });
    assert.equal(
      stored.json().text,
      '<img src=x onerror=alert(1)><script>alert(2)</script>',
      'kept literally, as text',
    );
    assert.deepEqual(stored.json().extra.unknownField, { kept: true });
  });

  test('ingest: malformed JSON, wrong types and nothing valid are 400s with a message', async () => {
    const malformed = await desk.app.inject({
      method: 'POST',
      url: '/api/ingest',
      headers: { ...auth(), 'content-type': 'application/json' },
      payload: '{"source":',
    });
    assert.equal(malformed.statusCode, 400);
    assert.equal(malformed.json().error.code, 'ERR_INPUT_INVALID');
    const wrongType = await desk.app.inject({
      method: 'POST',
      url: '/api/ingest',
      headers: auth(),
      payload: ingestLine({ createdAt: 'yesterday' }),
    });
    assert.equal(wrongType.statusCode, 400);
    assert.match(wrongType.json().error.message, /createdAt/);
    const allBad = await desk.app.inject({
      method: 'POST',
      url: '/api/ingest',
      headers: { ...auth(), 'content-type': 'application/x-ndjson' },
      payload: 'nope\n{"also":"bad"}',
    });
    assert.equal(allBad.statusCode, 400);
    assert.equal(allBad.json().error.code, 'ERR_INGEST_MALFORMED');
    const huge = await desk.app.inject({
      method: 'POST',
      url: '/api/ingest',
      headers: auth(),
      payload: ingestLine({ text: 'y'.repeat(10 * 1024 * 1024) }),
    });
    assert.equal(huge.statusCode, 400);
    assert.match(huge.json().error.message, /text/);
  });

  test('posts: full-text search, filters and keyset pagination', async () => {
    const batch = Array.from({ length: 12 }, (_, i) =>
      JSON.stringify(ingestLine({ id: `kp-${i}`, text: `Printer jam on floor ${i}, thanks for the fix!` })),
    ).join('\n');
    await desk.app.inject({
      method: 'POST',
      url: '/api/ingest',
      headers: { ...auth(), 'content-type': 'application/x-ndjson' },
      payload: batch,
    });
    const first = (await desk.app.inject({ url: '/api/posts?q=printer%20jam&limit=5', headers: auth() })).json();
    assert.equal(first.posts.length, 5);
    const second = (
      await desk.app.inject({ url: `/api/posts?q=printer%20jam&limit=5&before=${first.nextBefore}`, headers: auth() })
    ).json();
    const third = (
      await desk.app.inject({ url: `/api/posts?q=printer%20jam&limit=5&before=${second.nextBefore}`, headers: auth() })
    ).json();
    assert.equal(third.posts.length, 2);
    assert.equal(third.nextBefore, null);
    const ids = [...first.posts, ...second.posts, ...third.posts].map((p: { id: number }) => p.id);
    assert.equal(new Set(ids).size, 12);
    const bad = await desk.app.inject({ url: '/api/posts?sentiment=furious', headers: auth() });
    assert.equal(bad.statusCode, 400);
  });

  test('streams: a bad query is refused with its position; preview shows matches', async () => {
    const bad = await desk.app.inject({
      method: 'POST',
      url: '/api/streams',
      headers: auth(),
      payload: { name: 'Broken', query: 'wifi AND (down' },
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'ERR_QUERY_SYNTAX');
    const unknownField = await desk.app.inject({
      method: 'POST',
      url: '/api/streams',
      headers: auth(),
      payload: { name: 'X', query: 'wifi', colour: 'red' },
    });
    assert.equal(unknownField.statusCode, 400);
    const preview = await desk.app.inject({
      method: 'POST',
      url: '/api/streams/preview',
      headers: auth(),
      payload: { query: 'printer AND jam' },
    });
    assert.ok(preview.json().matched >= 12);
    const duplicate = await desk.app.inject({
      method: 'POST',
      url: '/api/streams',
      headers: auth(),
      payload: { name: 'Helpdesk', query: 'x' },
    });
    assert.equal(duplicate.statusCode, 409);
  });

  test('streams: a new stream starts with the recent posts it matches; an edited query drops the ones it no longer matches', async () => {
    const created = await desk.app.inject({
      method: 'POST',
      url: '/api/streams',
      headers: auth(),
      payload: { name: 'Printers', query: 'printer AND jam' },
    });
    assert.equal(created.statusCode, 201, created.body);
    const streamId = created.json().id;
    const before = await desk.app.inject({ url: `/api/posts?stream=${streamId}&limit=200`, headers: auth() });
    assert.equal(before.statusCode, 200, before.body);
    const matched = before.json().posts as { text: string }[];
    assert.ok(matched.length >= 12, `backfilled ${matched.length}`);
    assert.ok(matched.every((post) => /printer/i.test(post.text) && /jam/i.test(post.text)));
    const edited = await desk.app.inject({
      method: 'PATCH',
      url: `/api/streams/${streamId}`,
      headers: auth(),
      payload: { query: 'nothing-matches-this-query-xyz' },
    });
    assert.equal(edited.statusCode, 200);
    const after = await desk.app.inject({ url: `/api/posts?stream=${streamId}`, headers: auth() });
    assert.equal(after.json().posts.length, 0);
  });

  test('ticket lifecycle: note, reply (queued), assign, resolve, refuse an invalid transition', async () => {
    await desk.app.inject({
      method: 'POST',
      url: '/api/streams',
      headers: auth(),
      payload: { name: 'VPN', query: 'vpn' },
    });
    const ingested = (
      await desk.app.inject({
        method: 'POST',
        url: '/api/ingest',
        headers: auth(),
        payload: ingestLine({ text: 'VPN is down, cannot connect at all' }),
      })
    ).json();
    const id = ingested.ticketIds[0];
    assert.ok(id);
    const note = await desk.app.inject({
      method: 'POST',
      url: `/api/tickets/${id}/notes`,
      headers: auth(),
      payload: { body: 'Checking the VPN gateway' },
    });
    assert.equal(note.statusCode, 201);
    const reply = await desk.app.inject({
      method: 'POST',
      url: `/api/tickets/${id}/replies`,
      headers: auth(),
      payload: { body: 'Sorry about that, we are on it.', visibility: 'public' },
    });
    assert.equal(reply.statusCode, 201, reply.body);
    assert.equal(reply.json().outbound.status, 'queued');
    assert.equal(reply.json().ticket.status, 'open', 'first reply opens a new ticket');
    assert.equal(reply.json().ticket.firstRespondedAt, null, 'queued, not yet delivered: not answered');
    const users = (await desk.app.inject({ url: '/api/users', headers: auth() })).json().users;
    const assigned = await desk.app.inject({
      method: 'PATCH',
      url: `/api/tickets/${id}`,
      headers: auth(),
      payload: { assigneeId: users[0].id },
    });
    assert.equal(assigned.json().assigneeId, users[0].id);
    const resolved = await desk.app.inject({
      method: 'PATCH',
      url: `/api/tickets/${id}`,
      headers: auth(),
      payload: { status: 'resolved' },
    });
    assert.equal(resolved.json().status, 'resolved');
    const closed = await desk.app.inject({
      method: 'PATCH',
      url: `/api/tickets/${id}`,
      headers: auth(),
      payload: { status: 'closed' },
    });
    assert.equal(closed.json().status, 'closed');
    const invalid = await desk.app.inject({
      method: 'PATCH',
      url: `/api/tickets/${id}`,
      headers: auth(),
      payload: { status: 'pending' },
    });
    assert.equal(invalid.statusCode, 409);
    assert.equal(invalid.json().error.code, 'ERR_TICKET_TRANSITION');
    const detail = (await desk.app.inject({ url: `/api/tickets/${id}`, headers: auth() })).json();
    assert.deepEqual(
      detail.events.map((e: { type: string }) => e.type),
      ['created', 'note', 'reply', 'assign', 'status', 'status'],
    );
    const missing = await desk.app.inject({ url: '/api/tickets/999999', headers: auth() });
    assert.equal(missing.statusCode, 404);
  });

  test('bulk close reports per-ticket failures instead of failing the batch', async () => {
    const open = (await desk.app.inject({ url: '/api/tickets?status=new', headers: auth() }))
      .json()
      .tickets.map((t: { id: number }) => t.id);
    assert.ok(open.length > 0);
    const response = await desk.app.inject({
      method: 'POST',
      url: '/api/tickets/bulk',
      headers: auth(),
      payload: { ids: [...open, 424242], update: { status: 'closed' } },
    });
    assert.equal(response.json().updated.length, open.length);
    assert.deepEqual(
      response.json().failed.map((f: { id: number }) => f.id),
      [424242],
    );
  });

  test('stats count by sentiment and kind with a ratio', async () => {
    const stats = (await desk.app.inject({ url: '/api/stats?window=30d', headers: auth() })).json();
    assert.ok(stats.total > 0);
    assert.equal(stats.total, stats.bySentiment.negative + stats.bySentiment.neutral + stats.bySentiment.positive);
    assert.ok('negativePositiveRatio' in stats);
  });

  test('OpenAPI document lists the routes', async () => {
    const response = await desk.app.inject('/api/docs/json');
    assert.equal(response.statusCode, 200);
    const paths = Object.keys(response.json().paths);
    for (const path of ['/api/posts', '/api/tickets/{id}', '/api/ingest', '/api/streams', '/api/stats', '/api/live'])
      assert.ok(paths.includes(path), path);
  });
});
