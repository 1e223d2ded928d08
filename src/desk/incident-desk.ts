/**
 * What responders do to a major incident: write a status update (Earshot proposes a reply per
 * reporter, each guideline-checked), approve it (anyone on the incident's responder list may:
 * no single approver), and resolve it (which offers the closing update the same way). Every
 * approval and change lands in the incident's audit.
 */
import { EarshotError, invalid, notFound } from '../domain/errors.js';
import { hasRole, type User } from '../domain/user.js';
import type { Bus } from '../pipeline/bus.js';
import type { Store } from '../store/open.js';
import { getPostsByIds } from '../store/posts.js';
import {
  addAudit,
  addIncidentUpdate,
  getIncident,
  getIncidentUpdate,
  incidentPostIds,
  insertProposals,
  listProposals,
  markUpdateApproved,
  setProposalsStatus,
  updateIncidentRow,
  type Incident,
  type IncidentUpdate,
  type IncidentUpdateKind,
  type StoredProposal,
} from '../store/incidents.js';
import { currentGuidelineRules } from '../store/guidelines.js';
import { proposeReplies, type ChannelPolicy, type Skipped } from './batch-reply.js';

export interface IncidentDeskOptions {
  readonly store: Store;
  readonly bus: Bus;
  readonly clock?: () => Date;
  readonly channels?: Readonly<Record<string, ChannelPolicy>>;
  /** Our own handles per channel: a post that mentions one "wrote to us". */
  readonly ourHandles?: readonly string[];
}

export class IncidentDesk {
  readonly #o: IncidentDeskOptions;
  readonly #clock: () => Date;

  constructor(options: IncidentDeskOptions) {
    this.#o = options;
    this.#clock = options.clock ?? (() => new Date());
  }

  /** Sets who may approve updates; only an admin or a current responder may change it. */
  async setResponders(incidentId: number, userIds: readonly number[], actor: User): Promise<Incident> {
    const incident = await this.#incident(incidentId);
    if (!hasRole(actor, 'admin') && !incident.responders.includes(actor.id) && incident.responders.length > 0) throw forbidden(actor);
    const now = this.#now();
    const updated = (await updateIncidentRow(this.#o.store.db, incidentId, { responders: [...new Set(userIds)] }, now))!;
    await addAudit(this.#o.store.db, { incidentId, actorId: actor.id, action: 'responders.set', data: { from: incident.responders, to: updated.responders } }, now);
    await this.#o.bus.publish('incidents.changed', { incident: updated, attachedPostIds: [] });
    return updated;
  }

  /** Drafts an update and proposes a reply to every reporter. Nothing is sent until approved. */
  async draftUpdate(incidentId: number, body: string, actor: User, kind: IncidentUpdateKind = 'status'): Promise<{ update: IncidentUpdate; proposals: StoredProposal[]; skipped: Skipped[] }> {
    if (!hasRole(actor, 'agent')) throw forbidden(actor);
    const text = body.trim();
    if (text === '') throw invalid('An update needs some text');
    await this.#incident(incidentId);
    const now = this.#now();
    const posts = await getPostsByIds(this.#o.store.db, await incidentPostIds(this.#o.store.db, incidentId));
    const rules = await currentGuidelineRules(this.#o.store.db);
    const ours = (this.#o.ourHandles ?? []).map((handle) => handle.toLowerCase());
    const { proposals, skipped } = proposeReplies(
      text,
      posts.map((post) => ({
        postId: post.id,
        source: post.source,
        externalId: post.externalId,
        authorHandle: post.author.handle,
        authorName: post.author.name,
        text: post.text,
        createdAt: post.createdAt,
        wroteToUs: post.extra.direct === true || ours.some((handle) => post.text.toLowerCase().includes(handle)),
      })),
      { kind, rules, channels: this.#o.channels, now: this.#clock() },
    );
    return this.#o.store.db.transaction().execute(async (trx) => {
      const update = await addIncidentUpdate(trx, { incidentId, kind, body: text, authorId: actor.id }, now);
      const stored = await insertProposals(
        trx,
        proposals.map((p) => ({ incidentId, updateId: update.id, postId: p.postId, source: p.source, recipient: p.recipient, inReplyTo: p.inReplyTo, visibility: p.visibility, body: p.body, findings: p.findings, guidelineVersion: p.guidelineVersion, sendAfter: p.sendAfter })),
        now,
      );
      await addAudit(trx, { incidentId, actorId: actor.id, action: 'update.drafted', data: { updateId: update.id, kind, proposals: stored.length, skipped: skipped.length, guidelineVersion: rules.version } }, now);
      return { update, proposals: stored, skipped };
    });
  }

  /**
   * Approves an update and its batch of replies. Any responder may; a batch with a reply that
   * fails the guideline check is refused until that reply is rejected or rewritten.
   */
  async approveUpdate(updateId: number, actor: User): Promise<{ update: IncidentUpdate; approved: number }> {
    const update = await getIncidentUpdate(this.#o.store.db, updateId);
    if (!update) throw notFound('Incident update', updateId);
    const incident = await this.#incident(update.incidentId);
    if (!incident.responders.includes(actor.id)) throw forbidden(actor);
    if (update.status === 'approved') throw new EarshotError('ERR_CONFLICT', { detail: `Update ${updateId} is already approved` });
    const proposals = await listProposals(this.#o.store.db, updateId);
    const failing = proposals.filter((p) => p.status === 'proposed' && p.findings.some((f) => (f as { level?: string }).level === 'block'));
    if (failing.length > 0) throw invalid(`${failing.length} proposed replies fail the guideline check; reject or rewrite them first`);
    const now = this.#now();
    const approved = await this.#o.store.db.transaction().execute(async (trx) => {
      await markUpdateApproved(trx, updateId, now);
      const count = await setProposalsStatus(trx, updateId, 'proposed', 'approved', now);
      await addAudit(trx, { incidentId: incident.id, actorId: actor.id, action: 'update.approved', data: { updateId, replies: count, responders: incident.responders } }, now);
      return count;
    });
    return { update: (await getIncidentUpdate(this.#o.store.db, updateId))!, approved };
  }

  /** Resolves the incident and drafts the closing update for every reporter, to approve as usual. */
  async resolve(incidentId: number, closingBody: string, actor: User): Promise<{ incident: Incident; closing: Awaited<ReturnType<IncidentDesk['draftUpdate']>> }> {
    const incident = await this.#incident(incidentId);
    if (!incident.responders.includes(actor.id) && !hasRole(actor, 'admin')) throw forbidden(actor);
    const now = this.#now();
    const resolved = (await updateIncidentRow(this.#o.store.db, incidentId, { status: 'resolved' }, now))!;
    await addAudit(this.#o.store.db, { incidentId, actorId: actor.id, action: 'incident.resolved', data: {} }, now);
    await this.#o.bus.publish('incidents.changed', { incident: resolved, attachedPostIds: [] });
    return { incident: resolved, closing: await this.draftUpdate(incidentId, closingBody, actor, 'closing') };
  }

  async #incident(id: number): Promise<Incident> {
    const incident = await getIncident(this.#o.store.db, id);
    if (!incident) throw notFound('Incident', id);
    return incident;
  }

  #now(): string {
    return this.#clock().toISOString();
  }
}

function forbidden(actor: User): EarshotError {
  return new EarshotError('ERR_AUTH_FORBIDDEN', { role: actor.role, needed: 'a place on the incident’s responder list' });
}
