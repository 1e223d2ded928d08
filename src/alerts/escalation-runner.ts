/**
 * The escalation engine kept in the store: a new major incident starts the default policy,
 * a ticker (injected clock) advances every escalation whose wait is over, and notifications go
 * out through the notifiers (webhook, e-mail) with a per-person acknowledgement link. State
 * lives in `escalations` rows, so a restart resumes where it stopped and a missed tick catches
 * up. Whoever acknowledges joins the incident's responders; every step lands in the audit.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Bus } from '../pipeline/bus.js';
import type { Store } from '../store/open.js';
import type { Incident } from '../domain/incident.js';
import { addAudit, getIncident, updateIncidentRow } from '../store/incidents.js';
import {
  acknowledgeEscalationRow,
  ackTokenOwner,
  addAckToken,
  advanceEscalationRow,
  defaultPolicy,
  dueEscalations,
  getContacts,
  getEscalation,
  insertEscalation,
  listSchedules,
  stopEscalationsFor,
  type SecretSealer,
} from '../store/escalation.js';
import type { Escalation, EscalationPolicy, OnCallSchedule } from '../domain/escalation.js';
import { getUser } from '../store/users.js';
import { advanceEscalation, startEscalation, type Notification, type Notifier, type Recipient } from './escalation.js';

export interface EscalationRunnerOptions {
  readonly store: Store;
  /** Opens people's webhook signing secrets (sealed at rest). */
  readonly secrets: SecretSealer;
  readonly bus: Bus;
  readonly notifiers: readonly Notifier[];
  readonly clock?: () => Date;
  /** Where the desk is reachable (`https://earshot.example.org`), for acknowledgement links; null: no links. */
  readonly publicUrl?: string | null;
  /** How often the ticker runs (ms); 0: never (tests call `tick`). */
  readonly tickEveryMs?: number;
  readonly onError?: (error: unknown) => void;
}

export class EscalationRunner {
  readonly #o: EscalationRunnerOptions;
  readonly #clock: () => Date;
  readonly #onError: (error: unknown) => void;
  readonly #timer: NodeJS.Timeout | null;
  readonly #unsubscribe: () => void;
  // One tick at a time: two overlapping ticks would notify the same step twice.
  #chain: Promise<unknown> = Promise.resolve();

  constructor(options: EscalationRunnerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? (() => new Date());
    this.#onError = options.onError ?? ((error) => console.error('escalation:', error));
    this.#unsubscribe = options.bus.subscribe('incidents.changed', async ({ incident }) => {
      if (incident.status === 'open') await this.startForIncident(incident);
      else await stopEscalationsFor(this.#o.store.db, incident.id, this.#clock().toISOString());
    });
    const every = options.tickEveryMs ?? 30_000;
    this.#timer = every > 0 ? setInterval(() => void this.tick().catch(this.#onError), every) : null;
    this.#timer?.unref();
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#unsubscribe();
  }

  /** Starts the default policy for an incident, once; later changes to the incident leave it alone. */
  async startForIncident(incident: Incident): Promise<Notification[]> {
    const id = `incident:${incident.id}`;
    if (await getEscalation(this.#o.store.db, id)) return [];
    const policy = await defaultPolicy(this.#o.store.db);
    if (!policy) return [];
    return this.start(id, policy, incident.title, incident.id);
  }

  /** Starts an escalation and notifies its first step; an id already used is left alone. */
  start(
    id: string,
    policy: EscalationPolicy,
    subject: string,
    incidentId: number | null = null,
  ): Promise<Notification[]> {
    return this.#serial(async () => {
      const now = this.#clock();
      const started = startEscalation(id, policy, subject, now.getTime(), await this.#schedules());
      if (!started) return [];
      const inserted = await insertEscalation(
        this.#o.store.db,
        {
          id,
          policy,
          incidentId,
          subject,
          step: started.state.step,
          round: started.state.round,
          deadline: new Date(started.state.deadline).toISOString(),
          notified: started.notification.userIds,
        },
        now.toISOString(),
      );
      if (!inserted) return [];
      await this.#deliver([started.notification], incidentId);
      return [started.notification];
    });
  }

  /** Advances every running escalation whose wait is over; returns what it sent. */
  tick(at?: Date): Promise<Notification[]> {
    return this.#serial(async () => {
      const now = at ?? this.#clock();
      const due = await dueEscalations(this.#o.store.db, now.toISOString());
      if (due.length === 0) return [];
      const schedules = await this.#schedules();
      const sent: Notification[] = [];
      for (const escalation of due) {
        const from = { step: escalation.step, round: escalation.round, deadline: Date.parse(escalation.deadline) };
        const { state, notifications } = advanceEscalation(
          escalation.id,
          escalation.policy,
          escalation.subject,
          from,
          now.getTime(),
          schedules,
        );
        const notified = [...new Set([...escalation.notified, ...notifications.flatMap((n) => n.userIds)])];
        const moved = await advanceEscalationRow(
          this.#o.store.db,
          escalation.id,
          state
            ? {
                status: 'running',
                step: state.step,
                round: state.round,
                deadline: new Date(state.deadline).toISOString(),
                notified,
              }
            : {
                status: 'exhausted',
                step: escalation.step,
                round: escalation.round,
                deadline: escalation.deadline,
                notified,
              },
          now.toISOString(),
        );
        // Acknowledged between the read and the write: nothing more to send.
        if (!moved) continue;
        await this.#deliver(notifications, escalation.incidentId, notified);
        sent.push(...notifications);
      }
      return sent;
    });
  }

  /** Anyone may acknowledge (several people hold authority); they join the incident's responders. */
  acknowledge(id: string, userId: number): Promise<Escalation | undefined> {
    return acknowledgeEscalation(this.#o, id, userId, this.#clock());
  }

  /** The link in a notification: acknowledges as the person it was sent to. */
  acknowledgeByToken(token: string): Promise<{ escalation: Escalation; userId: number; already: boolean } | undefined> {
    return acknowledgeByToken(this.#o, token, this.#clock());
  }

  async #deliver(
    notifications: readonly Notification[],
    incidentId: number | null,
    everyone: readonly number[] = [],
  ): Promise<void> {
    const now = this.#clock().toISOString();
    for (const notification of notifications) {
      // Running out tells everyone who was notified that nobody took it.
      const userIds = notification.exhausted ? everyone : notification.userIds;
      const recipients = await this.#recipients(notification.escalationId, userIds, now);
      const results = await Promise.allSettled(
        this.#o.notifiers.map((notifier) => notifier.notify(notification, recipients)),
      );
      for (const result of results) if (result.status === 'rejected') this.#onError(result.reason);
      if (incidentId !== null) {
        await addAudit(
          this.#o.store.db,
          {
            incidentId,
            actorId: null,
            action: notification.exhausted ? 'escalation.exhausted' : 'escalation.notified',
            data: {
              escalationId: notification.escalationId,
              step: notification.step,
              round: notification.round,
              userIds,
            },
          },
          now,
        );
        await this.#o.bus.publish('escalations.notified', {
          incidentId,
          step: notification.step,
          userIds,
          exhausted: notification.exhausted,
        });
      }
    }
  }

  async #recipients(escalationId: string, userIds: readonly number[], now: string): Promise<Recipient[]> {
    const contacts = new Map(
      (await getContacts(this.#o.store.db, this.#o.secrets, userIds)).map((contact) => [contact.userId, contact]),
    );
    const recipients: Recipient[] = [];
    for (const id of userIds) {
      const user = await getUser(this.#o.store.db, id);
      if (!user) continue;
      const contact = contacts.get(id);
      let ackUrl: string | null = null;
      if (this.#o.publicUrl) {
        const token = randomBytes(24).toString('base64url');
        await addAckToken(this.#o.store.db, hashToken(token), escalationId, id, now);
        ackUrl = `${this.#o.publicUrl.replace(/\/$/, '')}/api/escalations/ack?token=${token}`;
      }
      recipients.push({
        id,
        name: user.displayName,
        email: contact?.email ?? null,
        webhookUrl: contact?.webhookUrl ?? null,
        webhookSecret: contact?.webhookSecret ?? null,
        ackUrl,
      });
    }
    return recipients;
  }

  async #schedules(): Promise<Map<string, OnCallSchedule>> {
    return new Map((await listSchedules(this.#o.store.db)).map((schedule) => [schedule.id, schedule]));
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(work);
    this.#chain = run.catch(() => {});
    return run;
  }
}

/**
 * Acknowledges a running escalation (stateless: the API calls it without the runner). The
 * person joins the incident's responders, so they may approve its updates; it is audited.
 */
export async function acknowledgeEscalation(
  deps: { store: Store; bus: Bus },
  id: string,
  userId: number,
  at: Date,
): Promise<Escalation | undefined> {
  const now = at.toISOString();
  const acknowledged = await acknowledgeEscalationRow(deps.store.db, id, userId, now);
  if (!acknowledged || acknowledged.incidentId === null) return acknowledged;
  const incident = await getIncident(deps.store.db, acknowledged.incidentId);
  if (!incident) return acknowledged;
  const responders = incident.responders.includes(userId) ? incident.responders : [...incident.responders, userId];
  const updated = await updateIncidentRow(deps.store.db, incident.id, { responders }, now);
  await addAudit(
    deps.store.db,
    {
      incidentId: incident.id,
      actorId: userId,
      action: 'escalation.acknowledged',
      data: { escalationId: id, step: acknowledged.step, round: acknowledged.round },
    },
    now,
  );
  if (updated) await deps.bus.publish('incidents.changed', { incident: updated, attachedPostIds: [] });
  return acknowledged;
}

/** The link in a notification: acknowledges as the person it was sent to; `already` when someone was first. */
export async function acknowledgeByToken(
  deps: { store: Store; bus: Bus },
  token: string,
  at: Date,
): Promise<{ escalation: Escalation; userId: number; already: boolean } | undefined> {
  const owner = await ackTokenOwner(deps.store.db, hashToken(token));
  if (!owner) return undefined;
  const acknowledged = await acknowledgeEscalation(deps, owner.escalationId, owner.userId, at);
  const escalation = acknowledged ?? (await getEscalation(deps.store.db, owner.escalationId));
  return escalation ? { escalation, userId: owner.userId, already: !acknowledged } : undefined;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
