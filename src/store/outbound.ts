/**
 * The outbound worker's side of `outbound_messages`: claiming due messages under a lease,
 * and marking each sent, due again, or failed. Rows are created by the desk (`tickets.ts`).
 * Every mark is conditional on the claim token, so a worker whose lease ran out cannot
 * overwrite what the worker that took over decided.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database, OutboundMessagesTable } from './schema.js';
import type { OutboundStatus } from '../domain/ticket.js';
import { fromJson } from './json.js';

export interface ClaimedOutbound {
  readonly id: number;
  readonly ticketId: number;
  readonly source: string;
  readonly inReplyTo: string | null;
  readonly visibility: string;
  readonly body: string;
  /** Including this one. */
  readonly attempts: number;
  readonly claimToken: string;
}

/** The post a ticket answers, as stored: what a channel needs to thread the reply. */
export interface OutboundTargetRow {
  readonly externalId: string;
  readonly url: string | null;
  readonly authorHandle: string;
  readonly extra: Record<string, unknown>;
}

type Executor = Kysely<Database>;

/**
 * Claims up to `limit` queued messages that are due and not held by a live lease. Each row is
 * taken by a conditional update, so two workers racing for one row get it once between them.
 */
export async function claimDueOutbound(
  db: Executor,
  options: { now: string; leaseUntil: string; token: string; limit: number },
): Promise<ClaimedOutbound[]> {
  const { now, leaseUntil, token } = options;
  const candidates = await db
    .selectFrom('outbound_messages')
    .select('id')
    .where('status', '=', 'queued')
    .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now)]))
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
    .orderBy('id')
    .limit(options.limit)
    .execute();
  const claimed: ClaimedOutbound[] = [];
  for (const { id } of candidates) {
    const row = await db
      .updateTable('outbound_messages')
      .set((eb) => ({
        claimed_until: leaseUntil,
        claim_token: token,
        attempts: eb('attempts', '+', 1),
        updated_at: now,
      }))
      .where('id', '=', id)
      .where('status', '=', 'queued')
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
      .returningAll()
      .executeTakeFirst();
    if (row) claimed.push(toClaimed(row, token));
  }
  return claimed;
}

/**
 * Frees the claims that workers other than `except` hold on queued messages. Called by the one
 * sender of a cluster when it takes over (the `sources` lease: its previous holder is dead, so
 * those claims would otherwise wait out their lease). The messages are due at once; each keeps
 * its idempotency key, so a send the dead worker made before dying is not posted twice.
 */
export async function releaseOutboundClaims(db: Executor, options: { except: string; now: string }): Promise<number> {
  const result = await db
    .updateTable('outbound_messages')
    .set({ claimed_until: null, claim_token: null, updated_at: options.now })
    .where('status', '=', 'queued')
    .where('claimed_until', '>', options.now)
    .where('claim_token', '!=', options.except)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function outboundTarget(db: Executor, ticketId: number): Promise<OutboundTargetRow | null> {
  const row = await db
    .selectFrom('tickets')
    .innerJoin('posts', 'posts.id', 'tickets.post_id')
    .select(['posts.external_id', 'posts.url', 'posts.author_handle', 'posts.extra'])
    .where('tickets.id', '=', ticketId)
    .executeTakeFirst();
  return row
    ? { externalId: row.external_id, url: row.url, authorHandle: row.author_handle, extra: fromJson(row.extra, {}) }
    : null;
}

/** Returns whether this claim still held the message (false: another worker took it over). */
export async function markOutboundSent(
  db: Executor,
  claim: ClaimedOutbound,
  remote: { remoteId: string; remoteUrl: string | null },
  now: string,
): Promise<boolean> {
  const settled = await settle(
    db,
    claim,
    { status: 'sent', remote_id: remote.remoteId, remote_url: remote.remoteUrl, error: null, next_attempt_at: null },
    now,
  );
  // A ticket is answered when a reply reaches its channel, not when one is queued: the first
  // delivered reply is its first response (and what its SLA is measured by).
  if (settled)
    await db
      .updateTable('tickets')
      .set({ first_responded_at: now })
      .where('id', '=', claim.ticketId)
      .where('first_responded_at', 'is', null)
      .execute();
  return settled;
}

export async function markOutboundRetry(
  db: Executor,
  claim: ClaimedOutbound,
  error: string,
  nextAttemptAt: string,
  now: string,
): Promise<boolean> {
  return settle(db, claim, { error: error.slice(0, 2000), next_attempt_at: nextAttemptAt }, now);
}

export async function markOutboundFailed(
  db: Executor,
  claim: ClaimedOutbound,
  error: string,
  now: string,
): Promise<boolean> {
  return settle(db, claim, { status: 'failed', error: error.slice(0, 2000), next_attempt_at: null }, now);
}

/** How many sends each message took, for the desk and the tests. */
export async function outboundAttempts(
  db: Executor,
  id: number,
): Promise<{ attempts: number; nextAttemptAt: string | null } | undefined> {
  const row = await db
    .selectFrom('outbound_messages')
    .select(['attempts', 'next_attempt_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? { attempts: Number(row.attempts), nextAttemptAt: row.next_attempt_at } : undefined;
}

async function settle(
  db: Executor,
  claim: ClaimedOutbound,
  change: {
    status?: OutboundStatus;
    remote_id?: string;
    remote_url?: string | null;
    error: string | null;
    next_attempt_at: string | null;
  },
  now: string,
): Promise<boolean> {
  const result = await db
    .updateTable('outbound_messages')
    .set({ ...change, claimed_until: null, claim_token: null, updated_at: now })
    .where('id', '=', claim.id)
    .where('claim_token', '=', claim.claimToken)
    .where('status', '=', 'queued')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

function toClaimed(row: Selectable<OutboundMessagesTable>, token: string): ClaimedOutbound {
  return {
    id: row.id,
    ticketId: row.ticket_id,
    source: row.source,
    inReplyTo: row.in_reply_to,
    visibility: row.visibility,
    body: row.body,
    attempts: Number(row.attempts),
    claimToken: token,
  };
}

/** Sends a failed reply again: its outbound message is queued for now, the error kept until it is sent. */
export async function requeueOutbound(db: Kysely<Database>, outboundId: number, now: string): Promise<boolean> {
  const rows = await db
    .updateTable('outbound_messages')
    .set({ status: 'queued', next_attempt_at: null, claimed_until: null, claim_token: null, updated_at: now })
    .where('id', '=', outboundId)
    .where('status', '=', 'failed')
    .returning('id')
    .execute();
  return rows.length > 0;
}

/**
 * Marks a failed reply replaced by an edited one (in the resend's transaction). Conditional on it
 * still being failed, so a retry racing the resend cannot leave both on their way out.
 */
export async function supersedeOutbound(db: Kysely<Database>, outboundId: number, now: string): Promise<boolean> {
  const rows = await db
    .updateTable('outbound_messages')
    .set({ status: 'superseded', next_attempt_at: null, updated_at: now })
    .where('id', '=', outboundId)
    .where('status', '=', 'failed')
    .returning('id')
    .execute();
  return rows.length > 0;
}
