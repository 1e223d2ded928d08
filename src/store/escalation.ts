/**
 * Escalation and notification rows: people's contacts, on-call schedules, policies, running
 * escalations (so a restart resumes them where they were), acknowledgement links and webhook
 * subscriptions. The shapes are `src/domain/escalation.ts`; the rules (who is on call, what comes
 * next) live in `src/alerts`. Webhook signing secrets are sealed like sources' credentials: a
 * copy of the database does not let anyone sign as Earshot.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type {
  Database,
  EscalationPoliciesTable,
  EscalationsTable,
  OncallSchedulesTable,
  UserContactsTable,
  WebhookSubscriptionsTable,
} from './schema.js';
import type {
  Contact,
  Escalation,
  EscalationPolicy,
  EscalationStatus,
  StoredPolicy,
  StoredSchedule,
  WebhookEvent,
  WebhookSubscription,
} from '../domain/escalation.js';
import { fromJson, toJson } from './json.js';

type Executor = Kysely<Database>;

/**
 * Seals and opens secrets at rest; the sources' `SecretBox` (AES-256-GCM under EARSHOT_SECRET_KEY)
 * is one. `name` is bound into the seal, so a sealed secret cannot be moved to another row.
 */
export interface SecretSealer {
  seal(name: string, values: Record<string, string>): string;
  open(name: string, sealed: string): Record<string, string>;
}

const contactSecretName = (userId: number) => `contact-webhook:${userId}`;
const subscriptionSecretName = (url: string) => `webhook-subscription:${url}`;
// Sealed values are `v1.<iv>.<tag>.<body>`; a secret Earshot made in clear is base64url, never with a dot.
const isSealed = (value: string) => value.startsWith('v1.') && value.split('.').length === 4;

function sealSecret(box: SecretSealer, name: string, secret: string): string {
  return box.seal(name, { secret });
}

function openSecret(box: SecretSealer, name: string, stored: string): string {
  // A row from before sealing reads as it was until `sealClearWebhookSecrets` runs at start.
  if (!isSealed(stored)) return stored;
  const secret = box.open(name, stored).secret;
  if (typeof secret !== 'string') throw new Error(`sealed ${name} holds no secret`);
  return secret;
}

/** Seals the webhook secrets still stored in clear (rows from before sealing); returns how many. */
export async function sealClearWebhookSecrets(db: Executor, box: SecretSealer): Promise<number> {
  let sealed = 0;
  const contacts = await db
    .selectFrom('user_contacts')
    .select(['user_id', 'webhook_secret'])
    .where('webhook_secret', 'is not', null)
    .execute();
  for (const row of contacts) {
    if (row.webhook_secret === null || isSealed(row.webhook_secret)) continue;
    await db
      .updateTable('user_contacts')
      .set({ webhook_secret: sealSecret(box, contactSecretName(row.user_id), row.webhook_secret) })
      .where('user_id', '=', row.user_id)
      .where('webhook_secret', '=', row.webhook_secret)
      .execute();
    sealed += 1;
  }
  const subscriptions = await db.selectFrom('webhook_subscriptions').select(['id', 'url', 'secret']).execute();
  for (const row of subscriptions) {
    if (isSealed(row.secret)) continue;
    await db
      .updateTable('webhook_subscriptions')
      .set({ secret: sealSecret(box, subscriptionSecretName(row.url), row.secret) })
      .where('id', '=', row.id)
      .where('secret', '=', row.secret)
      .execute();
    sealed += 1;
  }
  return sealed;
}

export async function getContacts(db: Executor, box: SecretSealer, userIds: readonly number[]): Promise<Contact[]> {
  if (userIds.length === 0) return [];
  const rows = await db
    .selectFrom('user_contacts')
    .selectAll()
    .where('user_id', 'in', [...userIds])
    .execute();
  return rows.map((row) => toContact(row, box));
}

/** Saves how to reach a person; a webhook gets a signing secret the first time. */
export async function setContact(
  db: Executor,
  box: SecretSealer,
  userId: number,
  contact: { email: string | null; webhookUrl: string | null },
  now: string,
): Promise<Contact> {
  const [existing] = await getContacts(db, box, [userId]);
  const secret = contact.webhookUrl ? (existing?.webhookSecret ?? randomBytes(24).toString('base64url')) : null;
  const values = {
    email: contact.email,
    webhook_url: contact.webhookUrl,
    webhook_secret: secret === null ? null : sealSecret(box, contactSecretName(userId), secret),
    updated_at: now,
  };
  await db
    .insertInto('user_contacts')
    .values({ user_id: userId, ...values })
    .onConflict((oc) => oc.column('user_id').doUpdateSet(values))
    .execute();
  return { userId, email: contact.email, webhookUrl: contact.webhookUrl, webhookSecret: secret };
}

export async function listSchedules(db: Executor): Promise<StoredSchedule[]> {
  const rows = await db.selectFrom('oncall_schedules').selectAll().orderBy('id').execute();
  return rows.map(toSchedule);
}

export async function saveSchedule(db: Executor, schedule: StoredSchedule, now: string): Promise<StoredSchedule> {
  const values = {
    name: schedule.name,
    user_ids: toJson(schedule.userIds),
    starts_at: schedule.startsAt,
    shift_hours: schedule.shiftHours,
    overrides: toJson(schedule.overrides ?? []),
    updated_at: now,
  };
  await db
    .insertInto('oncall_schedules')
    .values({ id: schedule.id, ...values })
    .onConflict((oc) => oc.column('id').doUpdateSet(values))
    .execute();
  return { ...schedule, overrides: schedule.overrides ?? [] };
}

export async function listPolicies(db: Executor): Promise<StoredPolicy[]> {
  const rows = await db.selectFrom('escalation_policies').selectAll().orderBy('id').execute();
  return rows.map(toPolicy);
}

/** Saves a policy; marking it the default unmarks the others (one policy starts per incident). */
export async function savePolicy(db: Executor, policy: StoredPolicy, now: string): Promise<StoredPolicy> {
  return db.transaction().execute(async (trx) => {
    if (policy.isDefault)
      await trx.updateTable('escalation_policies').set({ is_default: 0 }).where('id', '!=', policy.id).execute();
    const values = {
      name: policy.name,
      steps: toJson(policy.steps),
      repeat: policy.repeat ?? 0,
      is_default: policy.isDefault ? 1 : 0,
      updated_at: now,
    };
    await trx
      .insertInto('escalation_policies')
      .values({ id: policy.id, ...values })
      .onConflict((oc) => oc.column('id').doUpdateSet(values))
      .execute();
    return policy;
  });
}

export async function defaultPolicy(db: Executor): Promise<StoredPolicy | undefined> {
  return (await listPolicies(db)).find((policy) => policy.isDefault);
}

/** Records a started escalation; false when one with this id exists already (it is left alone). */
export async function insertEscalation(
  db: Executor,
  input: {
    id: string;
    policy: EscalationPolicy;
    incidentId: number | null;
    subject: string;
    step: number;
    round: number;
    deadline: string;
    notified: number[];
  },
  now: string,
): Promise<boolean> {
  const rows = await db
    .insertInto('escalations')
    .values({
      id: input.id,
      policy_id: input.policy.id,
      policy: toJson(input.policy),
      incident_id: input.incidentId,
      subject: input.subject,
      status: 'running',
      step: input.step,
      round: input.round,
      deadline: input.deadline,
      notified: toJson(input.notified),
      acknowledged_by: null,
      acknowledged_at: null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .execute();
  return rows.length > 0;
}

export async function getEscalation(db: Executor, id: string): Promise<Escalation | undefined> {
  const row = await db.selectFrom('escalations').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toEscalation(row) : undefined;
}

export async function listEscalations(
  db: Executor,
  filter: { status?: EscalationStatus; incidentId?: number } = {},
): Promise<Escalation[]> {
  let query = db.selectFrom('escalations').selectAll();
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.incidentId !== undefined) query = query.where('incident_id', '=', filter.incidentId);
  return (await query.orderBy('created_at', 'desc').limit(200).execute()).map(toEscalation);
}

/** Running escalations whose wait is over at `now`. */
export async function dueEscalations(db: Executor, now: string): Promise<Escalation[]> {
  const rows = await db
    .selectFrom('escalations')
    .selectAll()
    .where('status', '=', 'running')
    .where('deadline', '<=', now)
    .orderBy('deadline')
    .execute();
  return rows.map(toEscalation);
}

/** Moves a running escalation on; conditional on it still running, so an acknowledgement in between wins. */
export async function advanceEscalationRow(
  db: Executor,
  id: string,
  change: { status: EscalationStatus; step: number; round: number; deadline: string; notified: number[] },
  now: string,
): Promise<boolean> {
  const result = await db
    .updateTable('escalations')
    .set({
      status: change.status,
      step: change.step,
      round: change.round,
      deadline: change.deadline,
      notified: toJson(change.notified),
      updated_at: now,
    })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Acknowledges a running escalation; undefined when it was not running (already acknowledged, ran out, stopped). */
export async function acknowledgeEscalationRow(
  db: Executor,
  id: string,
  userId: number,
  now: string,
): Promise<Escalation | undefined> {
  const row = await db
    .updateTable('escalations')
    .set({ status: 'acknowledged', acknowledged_by: userId, acknowledged_at: now, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .returningAll()
    .executeTakeFirst();
  return row ? toEscalation(row) : undefined;
}

export async function stopEscalationsFor(db: Executor, incidentId: number, now: string): Promise<number> {
  const result = await db
    .updateTable('escalations')
    .set({ status: 'stopped', updated_at: now })
    .where('incident_id', '=', incidentId)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function addAckToken(
  db: Executor,
  tokenHash: string,
  escalationId: string,
  userId: number,
  now: string,
): Promise<void> {
  await db
    .insertInto('escalation_ack_tokens')
    .values({ token_hash: tokenHash, escalation_id: escalationId, user_id: userId, created_at: now })
    .execute();
}

export async function ackTokenOwner(
  db: Executor,
  tokenHash: string,
): Promise<{ escalationId: string; userId: number } | undefined> {
  const row = await db
    .selectFrom('escalation_ack_tokens')
    .select(['escalation_id', 'user_id'])
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  return row ? { escalationId: row.escalation_id, userId: row.user_id } : undefined;
}

export async function listWebhooks(db: Executor, box: SecretSealer): Promise<WebhookSubscription[]> {
  const rows = await db.selectFrom('webhook_subscriptions').selectAll().orderBy('id').execute();
  return rows.map((row) => toWebhook(row, box));
}

export async function createWebhook(
  db: Executor,
  box: SecretSealer,
  input: { url: string; events: readonly WebhookEvent[]; secret?: string },
  now: string,
): Promise<WebhookSubscription> {
  const secret = input.secret ?? randomBytes(24).toString('base64url');
  const row = await db
    .insertInto('webhook_subscriptions')
    .values({
      url: input.url,
      secret: sealSecret(box, subscriptionSecretName(input.url), secret),
      events: toJson([...input.events]),
      created_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toWebhook(row, box);
}

/** Changes a subscription's URL or events; a new URL keeps the secret, sealed again under the new name. */
export async function updateWebhook(
  db: Executor,
  box: SecretSealer,
  id: number,
  input: { url?: string; events?: readonly WebhookEvent[] },
): Promise<WebhookSubscription | undefined> {
  const row = await db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const current = toWebhook(row, box);
  const url = input.url ?? current.url;
  const updated = await db
    .updateTable('webhook_subscriptions')
    .set({
      url,
      secret: sealSecret(box, subscriptionSecretName(url), current.secret),
      events: toJson([...(input.events ?? current.events)]),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toWebhook(updated, box);
}

export async function deleteSchedule(db: Executor, id: string): Promise<boolean> {
  const result = await db.deleteFrom('oncall_schedules').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Running escalations keep the copy of the policy they started with, so deleting one stops none. */
export async function deletePolicy(db: Executor, id: string): Promise<boolean> {
  const result = await db.deleteFrom('escalation_policies').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function deleteWebhook(db: Executor, id: number): Promise<boolean> {
  const result = await db.deleteFrom('webhook_subscriptions').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

function toEscalation(row: Selectable<EscalationsTable>): Escalation {
  return {
    id: row.id,
    policyId: row.policy_id,
    policy: fromJson(row.policy, { id: row.policy_id, steps: [] }),
    incidentId: row.incident_id,
    subject: row.subject,
    status: row.status,
    step: row.step,
    round: row.round,
    deadline: row.deadline,
    notified: fromJson(row.notified, []),
    acknowledgedBy: row.acknowledged_by,
    acknowledgedAt: row.acknowledged_at,
    createdAt: row.created_at,
  };
}

function toContact(row: Selectable<UserContactsTable>, box: SecretSealer): Contact {
  return {
    userId: row.user_id,
    email: row.email,
    webhookUrl: row.webhook_url,
    webhookSecret:
      row.webhook_secret === null ? null : openSecret(box, contactSecretName(row.user_id), row.webhook_secret),
  };
}

function toSchedule(row: Selectable<OncallSchedulesTable>): StoredSchedule {
  return {
    id: row.id,
    name: row.name,
    userIds: fromJson(row.user_ids, []),
    startsAt: row.starts_at,
    shiftHours: row.shift_hours,
    overrides: fromJson(row.overrides, []),
  };
}

function toPolicy(row: Selectable<EscalationPoliciesTable>): StoredPolicy {
  return {
    id: row.id,
    name: row.name,
    steps: fromJson(row.steps, []),
    repeat: row.repeat,
    isDefault: row.is_default === 1,
  };
}

function toWebhook(row: Selectable<WebhookSubscriptionsTable>, box: SecretSealer): WebhookSubscription {
  return {
    id: row.id,
    url: row.url,
    secret: openSecret(box, subscriptionSecretName(row.url), row.secret),
    events: fromJson(row.events, []),
    createdAt: row.created_at,
  };
}
