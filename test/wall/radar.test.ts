/**
 * The rumour radar and mood through the API: the same worry asked several ways (named and
 * anonymous) shows as "asked N times in D days, no official answer" to the team only; one click
 * stores a draft FAQ entry; mood per week is withheld below 10 posts and shown at 10.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestDesk, type TestDesk } from '../helpers/app.js';
import { batch, person, type Person } from '../helpers/wall.js';
import { makeAskerKey } from '../../web/src/wall/anon-client.js';

describe('wall: rumour radar, FAQ drafts and mood', () => {
  let desk: TestDesk;
  let team: Person;
  let staff: Person[];
  let spaceId: number;
  const now = new Date('2026-12-09T12:00:00.000Z');

  before(async () => {
    desk = await startTestDesk({ clock: () => now });
    const admin = await person(desk.runtime, 'admin', 'root');
    team = await person(desk.runtime, 'employee', 'tina');
    staff = [];
    for (let i = 0; i < 4; i += 1) staff.push(await person(desk.runtime, 'employee', `staff${i}`));
    const space = await desk.app.inject({
      method: 'POST',
      url: '/api/wall/spaces',
      headers: admin.headers,
      payload: {
        name: 'Outsourcing',
        description: '',
        slaHours: 24,
        team: [team.user.id],
        leadership: [],
        audience: null,
      },
    });
    spaceId = space.json().id;
  });
  after(async () => desk?.close());

  const ask = (who: Person, title: string, kind = 'question') =>
    desk.app.inject({
      method: 'POST',
      url: `/api/wall/spaces/${spaceId}/threads`,
      headers: who.headers,
      payload: { kind, title, body: '' },
    });

  test('a recurring worry shows as asked N times with no official answer, and drafts an FAQ entry', async () => {
    await ask(staff[0]!, 'Is the service desk being outsourced to another country?');
    await ask(staff[1]!, 'Is the service desk being outsourced abroad?', 'concern');
    await ask(staff[2]!, 'Heard the service desk is being outsourced to another country — true?');
    const [token] = await batch(desk.app, staff[3]!, 1);
    await desk.app.inject({
      method: 'POST',
      url: '/api/wall/anonymous/threads',
      payload: {
        token,
        spaceId,
        askerKey: (await makeAskerKey()).publicJwk,
        kind: 'question',
        title: 'Is the service desk being outsourced to another country?',
        body: '',
      },
    });
    await ask(staff[0]!, 'When is the parking garage repainted?');
    const radar = await desk.app.inject({ url: `/api/wall/spaces/${spaceId}/radar?days=3`, headers: team.headers });
    assert.equal(radar.statusCode, 200, radar.body);
    const [entry, ...rest] = radar.json().entries;
    assert.equal(rest.length, 0, 'a one-off question is no rumour');
    assert.equal(entry.asked, 4);
    assert.equal(entry.days, 3);
    assert.equal(entry.officiallyAnswered, false);
    assert.match(entry.question, /outsourced/);
    assert.equal(
      (await desk.app.inject({ url: `/api/wall/spaces/${spaceId}/radar`, headers: staff[0]!.headers })).statusCode,
      403,
    );
    const draft = await desk.app.inject({
      method: 'POST',
      url: `/api/wall/spaces/${spaceId}/faq-drafts`,
      headers: team.headers,
      payload: { question: entry.question, threadIds: entry.threadIds },
    });
    assert.equal(draft.statusCode, 201, draft.body);
    assert.equal(draft.json().status, 'draft');
    const stored = await desk.runtime.store.db.selectFrom('wall_faq_drafts').selectAll().execute();
    assert.equal(stored.length, 1);
  });

  test('mood per week is withheld under 10 posts and shown at 10, anonymous posts included', async () => {
    let weeks = (await desk.app.inject({ url: `/api/wall/spaces/${spaceId}/mood`, headers: staff[0]!.headers })).json()
      .weeks;
    assert.equal(weeks.length, 1);
    assert.equal(weeks[0].posts, 5);
    assert.equal(weeks[0].mood, null);
    for (let i = 0; i < 5; i += 1)
      await ask(staff[i % 3]!, `I am really worried and angry about the change number ${i}`, 'concern');
    weeks = (await desk.app.inject({ url: `/api/wall/spaces/${spaceId}/mood`, headers: staff[0]!.headers })).json()
      .weeks;
    assert.equal(weeks[0].posts, 10);
    assert.equal(typeof weeks[0].mood, 'number');
    assert.ok(weeks[0].shares.negative > 0);
  });
});
