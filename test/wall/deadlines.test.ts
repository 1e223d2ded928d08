/**
 * Answer deadlines on an injected clock (nothing sleeps): a question unanswered past its space's
 * SLA escalates to the space's team through the escalation engine, then to leadership after
 * another SLA period; an official answer stops it; the space shows answered-within-deadline and
 * the median time to an official answer. SQLite and PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../helpers/backends.js';
import { startTestDesk, type TestDesk } from '../helpers/app.js';
import { person, type Person } from '../helpers/wall.js';
import { getEscalation } from '../../src/store/escalation.js';

const HOUR = 3_600_000;
const T0 = new Date('2026-12-07T09:00:00.000Z');

for (const backend of await backends()) {
  describe(`${backend.name}: wall answer deadlines`, { skip: backend.skip ?? false }, () => {
    let desk: TestDesk;
    let dispose: () => Promise<void>;
    let now = T0;
    let team: Person;
    let lead: Person;
    let ann: Person;
    let spaceId: number;
    const at = (hours: number) => new Date(T0.getTime() + hours * HOUR);

    before(async () => {
      const opened = await backend.open();
      await opened.store.close();
      dispose = opened.dispose;
      desk = await startTestDesk({ databaseUrl: opened.databaseUrl, clock: () => now });
      const admin = await person(desk.runtime, 'admin', 'root');
      team = await person(desk.runtime, 'employee', 'tina');
      lead = await person(desk.runtime, 'agent', 'cio');
      ann = await person(desk.runtime, 'employee', 'ann');
      const space = await desk.app.inject({
        method: 'POST',
        url: '/api/wall/spaces',
        headers: admin.headers,
        payload: {
          name: 'Cloud move',
          description: '',
          slaHours: 2,
          team: [team.user.id],
          leadership: [lead.user.id],
          audience: null,
        },
      });
      spaceId = space.json().id;
    });
    after(async () => {
      await desk?.close();
      await dispose?.().catch(() => {});
    });

    const ask = async (title: string) =>
      (
        await desk.app.inject({
          method: 'POST',
          url: `/api/wall/spaces/${spaceId}/threads`,
          headers: ann.headers,
          payload: { kind: 'question', title, body: '' },
        })
      ).json().id as string;
    const answer = (threadId: string) =>
      desk.app.inject({
        method: 'POST',
        url: `/api/wall/threads/${threadId}/replies`,
        headers: team.headers,
        payload: { body: 'Here is the answer.', official: true },
      });

    test('an unanswered question escalates to the team, then leadership, until an official answer', async () => {
      const { wall, escalation } = { wall: desk.runtime.wall, escalation: desk.runtime.escalation };
      const onTime = await ask('When do laptops get swapped?');
      const late = await ask('Will the old file shares be deleted?');
      now = at(1);
      assert.equal((await answer(onTime)).statusCode, 201);
      assert.deepEqual(await wall.deadlines.tick(), [], 'nothing is due yet');
      now = at(2.05);
      assert.deepEqual(await wall.deadlines.tick(), [late], 'past the 2 h deadline: escalates');
      let running = await getEscalation(desk.runtime.store.db, `wall:${late}`);
      assert.equal(running?.status, 'running');
      assert.deepEqual(running?.notified, [team.user.id], 'the team first');
      assert.deepEqual(await wall.deadlines.tick(), [], 'started once');
      now = at(4.1);
      const sent = await escalation.tick();
      assert.deepEqual(
        sent.map((n) => n.userIds),
        [[lead.user.id]],
        'then leadership',
      );
      running = await getEscalation(desk.runtime.store.db, `wall:${late}`);
      assert.deepEqual(running?.notified.sort(), [team.user.id, lead.user.id].sort());
      now = at(5);
      assert.equal((await answer(late)).statusCode, 201);
      const stopped = await getEscalation(desk.runtime.store.db, `wall:${late}`);
      assert.equal(stopped?.status, 'acknowledged');
      assert.equal(stopped?.acknowledgedBy, team.user.id);
      now = at(9);
      assert.deepEqual(await escalation.tick(), [], 'an answered question escalates no further');
    });

    test('the space shows answered within deadline and the median time to an official answer', async () => {
      const detail = await desk.app.inject({ url: `/api/wall/spaces/${spaceId}`, headers: ann.headers });
      const figures = detail.json().figures;
      assert.equal(figures.questions, 2);
      assert.equal(figures.answered, 2);
      assert.equal(figures.answeredWithinDeadline, 0.5);
      assert.equal(figures.medianHoursToAnswer, 3, 'median of 1 h and 5 h');
      assert.equal(figures.overdue, 0);
    });
  });
}
