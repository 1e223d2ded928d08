/**
 * Escalation kept in the store, on SQLite and PostgreSQL, with an injected clock (nothing
 * sleeps): a new major incident starts the default policy on a weekend night, the on-call
 * person is notified, nobody acknowledges so each wait moves it to the next step, a restart
 * resumes it, the link in a notification acknowledges as that person (who joins the
 * responders), and the audit records every step.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../helpers/backends.js';
import type { Store } from '../../src/store/open.js';
import type { User } from '../../src/domain/user.js';
import { InProcessBus } from '../../src/pipeline/bus.js';
import { createUser } from '../../src/store/users.js';
import { createIncident, getIncident, listAudit } from '../../src/store/incidents.js';
import { getEscalation, saveSchedule, savePolicy, setContact } from '../../src/store/escalation.js';
import { EscalationRunner } from '../../src/alerts/escalation-runner.js';
import { randomBytes } from 'node:crypto';
import { createSecretBox } from '../../src/sources/secrets.js';

const secrets = createSecretBox(randomBytes(32));
import type { Notification, Notifier, Recipient } from '../../src/alerts/escalation.js';

const MINUTE = 60_000;
// Sunday 2026-11-22, 03:10 UTC: a weekend night.
const NIGHT = new Date('2026-11-22T03:10:00.000Z');

/** Records what each notifier was asked to send (the delivery itself is tested in notify.test.ts). */
function recorder(): Notifier & { sent: { notification: Notification; recipients: readonly Recipient[] }[] } {
  const sent: { notification: Notification; recipients: readonly Recipient[] }[] = [];
  return { sent, notify: async (notification, recipients) => void sent.push({ notification, recipients }) };
}

for (const backend of await backends()) {
  describe(`${backend.name}: escalation runner`, { skip: backend.skip ?? false }, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    const bus = new InProcessBus();
    let now = NIGHT;
    const clock = () => now;
    let night: User;
    let day: User;
    let lead: User;
    let incidentId = 0;

    before(async () => {
      const opened = await backend.open();
      store = opened.store;
      dispose = opened.dispose;
      day = await createUser(store.db, { username: 'day', role: 'agent', password: 'pw-day-123456' });
      night = await createUser(store.db, { username: 'night', role: 'agent', password: 'pw-night-123456' });
      lead = await createUser(store.db, { username: 'lead', role: 'agent', password: 'pw-lead-123456' });
      await setContact(
        store.db,
        secrets,
        night.id,
        { email: 'night@example.org', webhookUrl: 'https://hooks.example.org/night' },
        NIGHT.toISOString(),
      );
      // 12-hour shifts from Monday 08:00: day shift 08–20, night shift 20–08, every day of the week.
      await saveSchedule(
        store.db,
        {
          id: 'primary',
          name: 'Primary',
          userIds: [day.id, night.id],
          startsAt: '2026-11-16T08:00:00.000Z',
          shiftHours: 12,
          overrides: [],
        },
        NIGHT.toISOString(),
      );
      await savePolicy(
        store.db,
        {
          id: 'major',
          name: 'Major incident',
          isDefault: true,
          repeat: 0,
          steps: [
            { targets: [{ scheduleId: 'primary' }], waitMinutes: 5 },
            { targets: [{ userId: lead.id }], waitMinutes: 10 },
          ],
        },
        NIGHT.toISOString(),
      );
    });
    after(async () => {
      await dispose?.();
    });

    test('a new incident at night notifies the night shift, then the next step after each unanswered wait', async () => {
      const notifier = recorder();
      const runner = new EscalationRunner({
        store,
        secrets,
        bus,
        clock,
        notifiers: [notifier],
        tickEveryMs: 0,
        publicUrl: 'https://earshot.example.org',
      });
      try {
        const incident = await createIncident(
          store.db,
          { title: 'Major incident: portal down', severity: 'critical', terms: {} },
          now.toISOString(),
        );
        incidentId = incident.id;
        await bus.publish('incidents.changed', { incident, attachedPostIds: [] });
        assert.equal(notifier.sent.length, 1);
        assert.deepEqual(notifier.sent[0]!.notification.userIds, [night.id], 'Sunday 03:10 is the night shift');
        const [recipient] = notifier.sent[0]!.recipients;
        assert.equal(recipient!.email, 'night@example.org');
        assert.match(recipient!.ackUrl!, /^https:\/\/earshot\.example\.org\/api\/escalations\/ack\?token=[\w-]{20,}$/);

        // A second change to the same incident does not start it again.
        await bus.publish('incidents.changed', { incident, attachedPostIds: [1] });
        assert.equal(notifier.sent.length, 1);

        now = new Date(NIGHT.getTime() + 4 * MINUTE);
        assert.deepEqual(await runner.tick(), [], 'still inside the first wait');
        now = new Date(NIGHT.getTime() + 5 * MINUTE);
        const second = await runner.tick();
        assert.deepEqual(
          second.map((n) => [n.step, n.userIds]),
          [[1, [lead.id]]],
        );
        const row = await getEscalation(store.db, `incident:${incident.id}`);
        assert.equal(row!.status, 'running');
        assert.equal(row!.step, 1);
        assert.equal(row!.deadline, new Date(NIGHT.getTime() + 15 * MINUTE).toISOString());
      } finally {
        runner.close();
      }
    });

    test('after a restart it resumes from the store and runs out when nobody answers', async () => {
      const notifier = recorder();
      const restarted = new EscalationRunner({ store, secrets, bus, clock, notifiers: [notifier], tickEveryMs: 0 });
      try {
        now = new Date(NIGHT.getTime() + 15 * MINUTE);
        const sent = await restarted.tick();
        assert.equal(sent.length, 1);
        assert.equal(sent[0]!.exhausted, true);
        assert.deepEqual(
          notifier.sent[0]!.recipients.map((r) => r.id).sort(),
          [night.id, lead.id].sort(),
          'everyone notified hears that nobody took it',
        );
        assert.equal((await getEscalation(store.db, `incident:${incidentId}`))!.status, 'exhausted');
        const actions = (await listAudit(store.db, incidentId)).map((entry) => entry.action);
        assert.deepEqual(actions, ['escalation.notified', 'escalation.notified', 'escalation.exhausted']);
      } finally {
        restarted.close();
      }
    });

    test('the link in a notification acknowledges as its person, who joins the responders, and stops the escalation', async () => {
      const notifier = recorder();
      const runner = new EscalationRunner({
        store,
        secrets,
        bus,
        clock,
        notifiers: [notifier],
        tickEveryMs: 0,
        publicUrl: 'https://earshot.example.org',
      });
      try {
        // Saturday 14:00: the day shift holds the schedule.
        now = new Date('2026-11-21T14:00:00.000Z');
        const incident = await createIncident(
          store.db,
          { title: 'Major incident: login broken', severity: 'warning', terms: {} },
          now.toISOString(),
        );
        await bus.publish('incidents.changed', { incident, attachedPostIds: [] });
        assert.deepEqual(notifier.sent[0]!.notification.userIds, [day.id]);
        const token = new URL(notifier.sent[0]!.recipients[0]!.ackUrl!).searchParams.get('token')!;
        assert.equal(await runner.acknowledgeByToken('not-a-real-token-at-all-xxxx'), undefined);
        const acked = await runner.acknowledgeByToken(token);
        assert.equal(acked!.userId, day.id);
        assert.equal(acked!.already, false);
        assert.deepEqual((await getIncident(store.db, incident.id))!.responders, [day.id]);
        now = new Date(now.getTime() + 60 * MINUTE);
        assert.deepEqual(await runner.tick(), [], 'an acknowledged escalation sends nothing more');
        assert.equal((await runner.acknowledgeByToken(token))!.already, true, 'a second click says it is done');
        const audit = await listAudit(store.db, incident.id);
        assert.ok(audit.some((entry) => entry.action === 'escalation.acknowledged' && entry.actorId === day.id));
      } finally {
        runner.close();
      }
    });

    test('resolving an incident stops its escalation', async () => {
      const runner = new EscalationRunner({ store, secrets, bus, clock, notifiers: [], tickEveryMs: 0 });
      try {
        const incident = await createIncident(
          store.db,
          { title: 'Major incident: VPN', severity: 'warning', terms: {} },
          now.toISOString(),
        );
        await bus.publish('incidents.changed', { incident, attachedPostIds: [] });
        await bus.publish('incidents.changed', { incident: { ...incident, status: 'resolved' }, attachedPostIds: [] });
        assert.equal((await getEscalation(store.db, `incident:${incident.id}`))!.status, 'stopped');
        now = new Date(now.getTime() + 60 * MINUTE);
        assert.deepEqual(await runner.tick(), []);
      } finally {
        runner.close();
      }
    });
  });
}
