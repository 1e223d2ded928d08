/**
 * The wall through the API: spaces with a team and an audience, threads, replies, "me too",
 * the official answer pinned first, anonymous posting with blind tokens (round trip, spent,
 * forged, blocked batch, daily allowance), the asker answering in their own thread with their
 * key, and an employee kept off every route of the social desk.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestDesk, type TestDesk } from '../helpers/app.js';
import { batch, person, type Person } from '../helpers/wall.js';
import { askerMessage, makeAskerKey, signAsAsker, toBase64Url, fromBase64Url } from '../../web/src/wall/anon-client.js';

describe('wall api', () => {
  let desk: TestDesk;
  let admin: Person;
  let lead: Person;
  let team: Person;
  let ann: Person;
  let bob: Person;
  let outsider: Person;
  let spaceId: number;
  let privateSpaceId: number;

  const post = (who: Person | null, url: string, payload: unknown) =>
    desk.app.inject({ method: 'POST', url, headers: who?.headers ?? {}, payload: payload as object });
  const get = (who: Person, url: string) => desk.app.inject({ url, headers: who.headers });

  before(async () => {
    desk = await startTestDesk();
    admin = await person(desk.runtime, 'admin', 'root');
    lead = await person(desk.runtime, 'agent', 'cio', 'Chief Information Officer');
    team = await person(desk.runtime, 'employee', 'tina', 'Tina from the programme');
    ann = await person(desk.runtime, 'employee', 'ann', 'Ann');
    bob = await person(desk.runtime, 'employee', 'bob', 'Bob');
    outsider = await person(desk.runtime, 'employee', 'olga', 'Olga');
    const space = await post(admin, '/api/wall/spaces', {
      name: 'ERP programme',
      description: 'The move to the new ERP',
      slaHours: 48,
      team: [team.user.id],
      leadership: [lead.user.id],
      audience: null,
    });
    assert.equal(space.statusCode, 201, space.body);
    spaceId = space.json().id;
    const closed = await post(admin, '/api/wall/spaces', {
      name: 'Finance pilot',
      description: '',
      slaHours: 24,
      team: [team.user.id],
      leadership: [],
      audience: [ann.user.id],
    });
    privateSpaceId = closed.json().id;
  });
  after(async () => desk?.close());

  test('only admins make spaces; a space with an audience is invisible to others', async () => {
    assert.equal(
      (
        await post(ann, '/api/wall/spaces', {
          name: 'x',
          description: '',
          slaHours: 1,
          team: [],
          leadership: [],
          audience: null,
        })
      ).statusCode,
      403,
    );
    const annSees = (await get(ann, '/api/wall/spaces')).json().spaces.map((s: { name: string }) => s.name);
    const olgaSees = (await get(outsider, '/api/wall/spaces')).json().spaces.map((s: { name: string }) => s.name);
    assert.deepEqual(annSees, ['ERP programme', 'Finance pilot']);
    assert.deepEqual(olgaSees, ['ERP programme']);
    assert.equal((await get(outsider, `/api/wall/spaces/${privateSpaceId}`)).statusCode, 404);
  });

  test('a named question, replies, me-too votes, and the official answer pinned first', async () => {
    const created = await post(ann, `/api/wall/spaces/${spaceId}/threads`, {
      kind: 'question',
      title: 'Will the old timesheets be migrated?',
      body: 'I have **three years** of records.',
    });
    assert.equal(created.statusCode, 201, created.body);
    const thread = created.json();
    assert.equal(thread.author.name, 'Ann');
    assert.equal(thread.anonymous, false);
    assert.ok(thread.dueAt > thread.createdAt);
    const id = thread.id;
    await post(bob, `/api/wall/threads/${id}/replies`, { body: 'Same question here' });
    assert.equal((await post(bob, `/api/wall/threads/${id}/votes`, {})).json().votes, 1);
    assert.equal((await post(bob, `/api/wall/threads/${id}/votes`, {})).json().votes, 1, 'one me-too per person');
    assert.equal((await post(outsider, `/api/wall/threads/${id}/votes`, {})).json().votes, 2);
    // Only the team answers officially.
    assert.equal((await post(bob, `/api/wall/threads/${id}/replies`, { body: 'Yes', official: true })).statusCode, 403);
    const answer = await post(team, `/api/wall/threads/${id}/replies`, {
      body: 'Yes: all records since 2020 move in March.',
      official: true,
    });
    assert.equal(answer.statusCode, 201, answer.body);
    const detail = (await get(ann, `/api/wall/threads/${id}`)).json();
    assert.equal(detail.thread.officialReplyId, answer.json().id);
    assert.ok(detail.thread.answeredAt);
    assert.equal(detail.replies[0].official, true, 'the official answer comes first');
    assert.equal(detail.replies[0].author.name, 'Tina from the programme');
    assert.equal(detail.replies[1].body, 'Same question here');
    // The list ranks by me-too votes.
    await post(bob, `/api/wall/spaces/${spaceId}/threads`, { kind: 'idea', title: 'A training day', body: '' });
    const listed = (await get(ann, `/api/wall/spaces/${spaceId}`)).json();
    assert.equal(listed.threads[0].id, id);
    assert.equal(listed.figures.answered, 1);
  });

  test('an anonymous question: blind-token round trip, no author, rounded time, the asker answers with their key', async () => {
    const tokens = await batch(desk.app, ann, 3);
    assert.equal(tokens.length, 3);
    const asker = await makeAskerKey();
    const created = await post(null, '/api/wall/anonymous/threads', {
      token: tokens[0],
      spaceId,
      askerKey: asker.publicJwk,
      kind: 'concern',
      title: 'Are jobs at risk in accounts payable?',
      body: 'Nobody says.',
    });
    assert.equal(created.statusCode, 201, created.body);
    const thread = created.json();
    assert.equal(thread.author, null);
    assert.equal(thread.anonymous, true);
    assert.match(thread.createdAt, /T\d\d:00:00\.000Z$/, 'only the hour is kept');
    // The team answers; the asker follows up as the asker, with a new token and their key.
    await post(team, `/api/wall/threads/${thread.id}/replies`, { body: 'No roles are cut.', official: true });
    const body = 'Thanks — and the contractors?';
    const signature = await signAsAsker(asker.privateJwk, askerMessage(thread.id, tokens[1]!, body));
    const followUp = await post(null, `/api/wall/anonymous/threads/${thread.id}/replies`, {
      token: tokens[1],
      body,
      askerSignature: signature,
    });
    assert.equal(followUp.statusCode, 201, followUp.body);
    assert.equal(followUp.json().byAsker, true);
    assert.equal(followUp.json().author, null);
    // Someone without the key cannot claim to be the asker (even with a valid token).
    const other = await makeAskerKey();
    const forgedClaim = await post(null, `/api/wall/anonymous/threads/${thread.id}/replies`, {
      token: tokens[2],
      body: 'I am the asker',
      askerSignature: await signAsAsker(other.privateJwk, askerMessage(thread.id, tokens[2]!, 'I am the asker')),
    });
    assert.equal(forgedClaim.statusCode, 403);
    const detail = (await get(bob, `/api/wall/threads/${thread.id}`)).json();
    assert.equal(detail.replies[0].official, true);
    assert.equal(detail.replies.find((r: { byAsker: boolean }) => r.byAsker).body, body);
  });

  test('a spent token, a forged one and an altered one are refused', async () => {
    const [token] = await batch(desk.app, bob, 1);
    const draft = { spaceId, askerKey: (await makeAskerKey()).publicJwk, kind: 'question', title: 'Q?', body: '' };
    assert.equal((await post(null, '/api/wall/anonymous/threads', { ...draft, token })).statusCode, 201);
    const again = await post(null, '/api/wall/anonymous/threads', { ...draft, token });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error.code, 'ERR_WALL_TOKEN_SPENT');
    // A signature the server never made.
    const forged = { ...token!, signature: toBase64Url(crypto.getRandomValues(new Uint8Array(256))) };
    const refused = await post(null, '/api/wall/anonymous/threads', { ...draft, token: forged });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().error.code, 'ERR_WALL_TOKEN_INVALID');
    // A real signature on another message (the batch id changed).
    const message = fromBase64Url(token!.message);
    message[40] = message[40] === 65 ? 66 : 65;
    const altered = await post(null, '/api/wall/anonymous/threads', {
      ...draft,
      token: { ...token!, message: toBase64Url(message) },
    });
    assert.equal(altered.statusCode, 403);
    // A stale day.
    const stale = await post(null, '/api/wall/anonymous/threads', {
      ...draft,
      token: { ...token!, day: '2020-01-01' },
    });
    assert.equal(stale.json().error.code, 'ERR_WALL_TOKEN_INVALID');
  });

  test('the daily allowance limits anonymous posting without knowing who posts', async () => {
    await batch(desk.app, outsider, 5);
    await assert.rejects(batch(desk.app, outsider, 1), /429/);
  });

  test('a moderator hides an anonymous post and blocks the rest of its batch without learning whose it is', async () => {
    const tokens = await batch(desk.app, bob, 2);
    const key = (await makeAskerKey()).publicJwk;
    const abusive = await post(null, '/api/wall/anonymous/threads', {
      token: tokens[0],
      spaceId,
      askerKey: key,
      kind: 'concern',
      title: 'abuse',
      body: 'abusive text',
    });
    const id = abusive.json().id;
    assert.equal((await post(ann, `/api/wall/threads/${id}/block-batch`, { reason: 'abuse' })).statusCode, 403);
    const blocked = await post(team, `/api/wall/threads/${id}/block-batch`, { reason: 'abuse' });
    assert.equal(blocked.statusCode, 204);
    assert.equal((await post(team, `/api/wall/threads/${id}/hide`, { hidden: true })).statusCode, 204);
    assert.equal((await get(ann, `/api/wall/threads/${id}`)).statusCode, 404, 'hidden from readers');
    assert.equal((await get(team, `/api/wall/threads/${id}`)).json().thread.hidden, true, 'moderators still see it');
    const next = await post(null, '/api/wall/anonymous/threads', {
      token: tokens[1],
      spaceId,
      askerKey: key,
      kind: 'concern',
      title: 'again',
      body: '',
    });
    assert.equal(next.statusCode, 403);
    assert.equal(next.json().error.code, 'ERR_WALL_BATCH_BLOCKED');
    // Nothing the moderator got back names the batch or the person.
    assert.doesNotMatch(JSON.stringify((await get(team, `/api/wall/threads/${id}`)).json()), /batch|bob/i);
    // Bob's next day's batch is a new batch: not blocked.
  });

  test('an employee reaches the wall and rooms but no route of the social desk', async () => {
    // Every route the API documents, called as an employee: only the wall, rooms and their own account answer.
    const paths = (await desk.app.inject('/api/docs/json')).json().paths as Record<string, Record<string, unknown>>;
    // Policies are addressed to all staff, employees included: they read and acknowledge them.
    const own =
      /^\/api\/(wall\/|me$|auth\/|health$|live$|escalations\/ack|policies|policy-versions\/\{id\}\/acknowledge$)/;
    let refused = 0;
    for (const [path, methods] of Object.entries(paths)) {
      // Outside /api: the public knowledge pages (`/kb/…`), open to anyone by design.
      if (!path.startsWith('/api/') || own.test(path)) continue;
      for (const method of Object.keys(methods)) {
        if (method === 'head') continue;
        const url = path.replace(/\{[^}]+\}/g, '1');
        const response = await desk.app.inject({
          method: method.toUpperCase() as 'GET',
          url,
          headers: { ...ann.headers, ...(method === 'get' ? {} : { 'content-type': 'application/json' }) },
          ...(method === 'get' || method === 'delete' ? {} : { payload: '{}' }),
        });
        assert.equal(response.statusCode, 403, `${method.toUpperCase()} ${path} answered ${response.statusCode}`);
        refused += 1;
      }
    }
    assert.ok(refused > 40, `only ${refused} desk routes found`);
    assert.equal((await get(ann, '/api/wall/spaces')).statusCode, 200);
    assert.equal((await get(ann, '/api/wall/rooms')).statusCode, 200);
    assert.equal((await get(ann, '/api/me')).statusCode, 200);
  });
});
