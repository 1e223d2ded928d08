/**
 * Major incidents and what hangs off them: linked posts, status updates, per-reporter reply
 * proposals and the approval audit. Rules (who may approve, what a reply may say) live in
 * `src/desk`; this file only reads and writes rows.
 */
import type { Kysely, Selectable } from 'kysely';
import type {
  Database,
  IncidentAuditTable,
  IncidentUpdatesTable,
  IncidentsTable,
  ReplyProposalsTable,
} from './schema.js';
import type { Finding } from '../domain/guideline.js';
import type {
  AuditEntry,
  Incident,
  IncidentStatus,
  IncidentUpdate,
  IncidentUpdateKind,
  ProposalStatus,
  StoredProposal,
} from '../domain/incident.js';
import { fromJson, toCount, toJson } from './json.js';

type Executor = Kysely<Database>;

export async function createIncident(
  db: Executor,
  input: { title: string; severity: string; terms: Record<string, number>; responders?: number[] },
  now: string,
): Promise<Incident> {
  const row = await db
    .insertInto('incidents')
    .values({
      title: input.title,
      status: 'open',
      severity: input.severity,
      terms: toJson(input.terms),
      responders: toJson(input.responders ?? []),
      created_at: now,
      updated_at: now,
      resolved_at: null,
      last_report_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toIncident(row);
}

export async function getIncident(db: Executor, id: number): Promise<Incident | undefined> {
  const row = await db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toIncident(row) : undefined;
}

export async function listOpenIncidents(db: Executor): Promise<Incident[]> {
  return (await db.selectFrom('incidents').selectAll().where('status', '=', 'open').orderBy('id').execute()).map(
    toIncident,
  );
}

export async function updateIncidentRow(
  db: Executor,
  id: number,
  change: {
    status?: IncidentStatus;
    responders?: number[];
    terms?: Record<string, number>;
    severity?: string;
    title?: string;
    lastReportAt?: string;
  },
  now: string,
): Promise<Incident | undefined> {
  const row = await db
    .updateTable('incidents')
    .set({
      ...(change.status !== undefined && {
        status: change.status,
        resolved_at: change.status === 'resolved' ? now : null,
      }),
      ...(change.responders !== undefined && { responders: toJson(change.responders) }),
      ...(change.terms !== undefined && { terms: toJson(change.terms) }),
      ...(change.severity !== undefined && { severity: change.severity }),
      ...(change.title !== undefined && { title: change.title }),
      ...(change.lastReportAt !== undefined && { last_report_at: change.lastReportAt }),
      updated_at: now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row ? toIncident(row) : undefined;
}

/** Links posts to an incident; a post already linked (to any incident) is skipped. Returns the ids linked now. */
export async function attachPosts(
  db: Executor,
  incidentId: number,
  postIds: readonly number[],
  now: string,
): Promise<number[]> {
  const linked: number[] = [];
  for (let start = 0; start < postIds.length; start += 500) {
    const rows = await db
      .insertInto('incident_posts')
      .values(
        postIds
          .slice(start, start + 500)
          .map((postId) => ({ incident_id: incidentId, post_id: postId, attached_at: now })),
      )
      .onConflict((oc) => oc.column('post_id').doNothing())
      .returning('post_id')
      .execute();
    linked.push(...rows.map((row) => row.post_id));
  }
  return linked;
}

export async function incidentPostIds(db: Executor, incidentId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('incident_posts')
    .select('post_id')
    .where('incident_id', '=', incidentId)
    .orderBy('post_id')
    .execute();
  return rows.map((row) => row.post_id);
}

export async function countIncidentPosts(db: Executor, incidentId: number): Promise<number> {
  const row = await db
    .selectFrom('incident_posts')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('incident_id', '=', incidentId)
    .executeTakeFirst();
  return toCount(row?.n);
}

export async function addIncidentUpdate(
  db: Executor,
  input: { incidentId: number; kind: IncidentUpdateKind; body: string; authorId: number | null },
  now: string,
): Promise<IncidentUpdate> {
  const row = await db
    .insertInto('incident_updates')
    .values({
      incident_id: input.incidentId,
      kind: input.kind,
      body: input.body,
      author_id: input.authorId,
      status: 'draft',
      created_at: now,
      approved_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toUpdate(row);
}

export async function getIncidentUpdate(db: Executor, id: number): Promise<IncidentUpdate | undefined> {
  const row = await db.selectFrom('incident_updates').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toUpdate(row) : undefined;
}

export async function markUpdateApproved(db: Executor, id: number, now: string): Promise<void> {
  await db.updateTable('incident_updates').set({ status: 'approved', approved_at: now }).where('id', '=', id).execute();
}

export async function insertProposals(
  db: Executor,
  proposals: readonly Omit<StoredProposal, 'id' | 'status'>[],
  now: string,
): Promise<StoredProposal[]> {
  const stored: StoredProposal[] = [];
  for (let start = 0; start < proposals.length; start += 200) {
    const rows = await db
      .insertInto('reply_proposals')
      .values(
        proposals.slice(start, start + 200).map((p) => ({
          incident_id: p.incidentId,
          update_id: p.updateId,
          post_id: p.postId,
          source: p.source,
          recipient: p.recipient,
          in_reply_to: p.inReplyTo,
          visibility: p.visibility,
          body: p.body,
          findings: toJson(p.findings),
          guideline_version: p.guidelineVersion,
          send_after: p.sendAfter,
          status: 'proposed',
          created_at: now,
          updated_at: now,
        })),
      )
      .returningAll()
      .execute();
    stored.push(...rows.map(toProposal));
  }
  return stored;
}

/** An update's replies, each with its delivery once approved. */
export async function listProposals(db: Executor, updateId: number): Promise<StoredProposal[]> {
  const rows = await db
    .selectFrom('reply_proposals')
    .leftJoin('outbound_messages', 'outbound_messages.id', 'reply_proposals.outbound_id')
    .selectAll('reply_proposals')
    .select([
      'outbound_messages.status as delivery_status',
      'outbound_messages.remote_url as delivery_url',
      'outbound_messages.error as delivery_error',
      'outbound_messages.attempts as delivery_attempts',
    ])
    .where('reply_proposals.update_id', '=', updateId)
    .orderBy('reply_proposals.id')
    .execute();
  return rows.map((row) => ({
    ...toProposal(row),
    delivery:
      row.outbound_id !== null && row.delivery_status
        ? {
            outboundId: row.outbound_id,
            status: row.delivery_status,
            remoteUrl: row.delivery_url ?? null,
            error: row.delivery_error ?? null,
            attempts: Number(row.delivery_attempts ?? 0),
          }
        : null,
  }));
}

/** Records the outbound message an approved reply became. */
export async function setProposalOutbound(db: Executor, id: number, outboundId: number): Promise<void> {
  await db.updateTable('reply_proposals').set({ outbound_id: outboundId }).where('id', '=', id).execute();
}

export async function setProposalsStatus(
  db: Executor,
  updateId: number,
  from: ProposalStatus,
  to: ProposalStatus,
  now: string,
): Promise<number> {
  const rows = await db
    .updateTable('reply_proposals')
    .set({ status: to, updated_at: now })
    .where('update_id', '=', updateId)
    .where('status', '=', from)
    .returning('id')
    .execute();
  return rows.length;
}

export async function addAudit(
  db: Executor,
  entry: { incidentId: number; actorId: number | null; action: string; data?: Record<string, unknown> },
  now: string,
): Promise<AuditEntry> {
  const row = await db
    .insertInto('incident_audit')
    .values({
      incident_id: entry.incidentId,
      actor_id: entry.actorId,
      action: entry.action,
      data: toJson(entry.data ?? {}),
      created_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toAudit(row);
}

export async function listAudit(db: Executor, incidentId: number): Promise<AuditEntry[]> {
  return (
    await db.selectFrom('incident_audit').selectAll().where('incident_id', '=', incidentId).orderBy('id').execute()
  ).map(toAudit);
}

function toIncident(row: Selectable<IncidentsTable>): Incident {
  return {
    id: row.id,
    title: row.title,
    status: row.status,
    severity: row.severity,
    terms: fromJson(row.terms, {}),
    responders: fromJson(row.responders, []),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    resolvedAt: row.resolved_at,
    lastReportAt: row.last_report_at,
  };
}

function toUpdate(row: Selectable<IncidentUpdatesTable>): IncidentUpdate {
  return {
    id: row.id,
    incidentId: row.incident_id,
    kind: row.kind,
    body: row.body,
    authorId: row.author_id,
    status: row.status,
    createdAt: row.created_at,
    approvedAt: row.approved_at,
  };
}

function toProposal(row: Selectable<ReplyProposalsTable>): StoredProposal {
  return {
    id: row.id,
    incidentId: row.incident_id,
    updateId: row.update_id,
    postId: row.post_id,
    source: row.source,
    recipient: row.recipient,
    inReplyTo: row.in_reply_to,
    visibility: row.visibility,
    body: row.body,
    findings: fromJson(row.findings, []),
    guidelineVersion: row.guideline_version,
    sendAfter: row.send_after,
    status: row.status,
  };
}

function toAudit(row: Selectable<IncidentAuditTable>): AuditEntry {
  return {
    id: row.id,
    incidentId: row.incident_id,
    actorId: row.actor_id,
    action: row.action,
    data: fromJson(row.data, {}),
    createdAt: row.created_at,
  };
}

export async function listIncidents(
  db: Executor,
  filter: { status?: IncidentStatus; limit?: number } = {},
): Promise<(Incident & { postCount: number })[]> {
  let query = db
    .selectFrom('incidents')
    .selectAll('incidents')
    .select((eb) =>
      eb
        .selectFrom('incident_posts')
        .select((inner) => inner.fn.countAll().as('n'))
        .whereRef('incident_posts.incident_id', '=', 'incidents.id')
        .as('post_count'),
    );
  if (filter.status) query = query.where('status', '=', filter.status);
  const rows = await query
    .orderBy('id', 'desc')
    .limit(Math.min(filter.limit ?? 100, 500))
    .execute();
  return rows.map((row) => ({ ...toIncident(row), postCount: toCount(row.post_count) }));
}

export async function listIncidentUpdates(db: Executor, incidentId: number): Promise<IncidentUpdate[]> {
  return (
    await db.selectFrom('incident_updates').selectAll().where('incident_id', '=', incidentId).orderBy('id').execute()
  ).map(toUpdate);
}

export async function getProposal(db: Executor, id: number): Promise<StoredProposal | undefined> {
  const row = await db.selectFrom('reply_proposals').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toProposal(row) : undefined;
}

/** Rewrites one proposal (an edit re-checks it) or moves it on; conditional on its current status. */
export async function updateProposalRow(
  db: Executor,
  id: number,
  from: ProposalStatus,
  change: { status?: ProposalStatus; body?: string; findings?: Finding[]; guidelineVersion?: number },
  now: string,
): Promise<StoredProposal | undefined> {
  const row = await db
    .updateTable('reply_proposals')
    .set({
      ...(change.status !== undefined && { status: change.status }),
      ...(change.body !== undefined && { body: change.body }),
      ...(change.findings !== undefined && { findings: toJson(change.findings) }),
      ...(change.guidelineVersion !== undefined && { guideline_version: change.guidelineVersion }),
      updated_at: now,
    })
    .where('id', '=', id)
    .where('status', '=', from)
    .returningAll()
    .executeTakeFirst();
  return row ? toProposal(row) : undefined;
}

/** Unlinks posts from an incident (they report something else). Returns the ids unlinked. */
export async function detachPosts(db: Executor, incidentId: number, postIds: readonly number[]): Promise<number[]> {
  const unlinked: number[] = [];
  for (let start = 0; start < postIds.length; start += 500) {
    const rows = await db
      .deleteFrom('incident_posts')
      .where('incident_id', '=', incidentId)
      .where('post_id', 'in', postIds.slice(start, start + 500))
      .returning('post_id')
      .execute();
    unlinked.push(...rows.map((row) => row.post_id));
  }
  return unlinked;
}

/** Moves posts (all, when `postIds` is null) from one incident to another. Returns the ids moved. */
export async function movePosts(
  db: Executor,
  fromId: number,
  toId: number,
  postIds: readonly number[] | null,
  now: string,
): Promise<number[]> {
  const moving = postIds ?? (await incidentPostIds(db, fromId));
  const moved: number[] = [];
  for (let start = 0; start < moving.length; start += 500) {
    const rows = await db
      .updateTable('incident_posts')
      .set({ incident_id: toId, attached_at: now })
      .where('incident_id', '=', fromId)
      .where('post_id', 'in', moving.slice(start, start + 500))
      .returning('post_id')
      .execute();
    moved.push(...rows.map((row) => row.post_id));
  }
  return moved;
}
