/**
 * What responders do to a major incident: write a status update (Earshot proposes a reply per
 * reporter, each guideline-checked), review the batch (edit, reject or approve one reply, or
 * approve them all), and resolve it (which offers the closing update the same way). Anyone on
 * the incident's responder list may approve (no single approver), and admins too. Approving
 * queues each reply on the reporter's ticket (created when they have none) as an outbound
 * message, spread out to respect the channel's per-account rate limit. Every approval lands in
 * the incident's audit.
 */
import { requeueOutbound } from '../store/outbound.js';
import { EarshotError, invalid, notFound } from '../domain/errors.js';
import type { Post } from '../domain/post.js';
import type { Ticket } from '../domain/ticket.js';
import { hasRole, type User } from '../domain/user.js';
import type { Bus } from '../pipeline/bus.js';
import type { Store } from '../store/open.js';
import { getPost, getPostsByIds } from '../store/posts.js';
import {
  addAudit,
  addIncidentUpdate,
  createIncident,
  detachPosts,
  getIncident,
  getIncidentUpdate,
  getProposal,
  incidentPostIds,
  insertProposals,
  listProposals,
  markUpdateApproved,
  setProposalOutbound,
  movePosts,
  updateIncidentRow,
  updateProposalRow,
} from '../store/incidents.js';
import type { Incident, IncidentUpdate, IncidentUpdateKind, StoredProposal } from '../domain/incident.js';
import {
  addOutbound,
  addTicketEvent,
  createTicketsIn,
  lastScheduledOutbound,
  ticketForPost,
  updateTicketRow,
} from '../store/tickets.js';
import { currentGuidelineRules } from '../store/guidelines.js';
import { proposeReplies, type Skipped } from './batch-reply.js';
import { checkReply } from './guideline.js';
import type { Finding } from '../domain/guideline.js';
import { channelsOf, defaultChannelOf, type Channel, type ChannelOf } from './channels.js';
import { featuresOf } from './cluster.js';
import type { ApprovalGate } from './reply-gate.js';

export interface IncidentDeskOptions {
  readonly store: Store;
  readonly bus: Bus;
  readonly clock?: () => Date;
  /** A post source's channel (its kind's capabilities): visibility, length and pace of replies. */
  readonly channels?: ChannelOf;
  /** Our own handles per channel: a post that mentions one "wrote to us". */
  readonly ourHandles?: readonly string[];
  /** Which belt may approve a crisis statement or a batch reply (the belt ladder); none: any responder. */
  readonly approvalGate?: ApprovalGate;
}

type Db = Store['db'];

export class IncidentDesk {
  readonly #o: IncidentDeskOptions;
  readonly #clock: () => Date;
  readonly #channels: ChannelOf;

  constructor(options: IncidentDeskOptions) {
    this.#o = options;
    this.#clock = options.clock ?? (() => new Date());
    this.#channels = options.channels ?? defaultChannelOf;
  }

  /** Sets who may approve updates; only an admin or a current responder may change it. */
  async setResponders(incidentId: number, userIds: readonly number[], actor: User): Promise<Incident> {
    const incident = await this.#incident(incidentId);
    if (!hasRole(actor, 'admin') && !incident.responders.includes(actor.id) && incident.responders.length > 0)
      throw forbidden(actor);
    const now = this.#now();
    const updated = (await updateIncidentRow(
      this.#o.store.db,
      incidentId,
      { responders: [...new Set(userIds)] },
      now,
    ))!;
    await this.#audit(
      this.#o.store.db,
      incidentId,
      actor,
      'responders.set',
      { from: incident.responders, to: updated.responders },
      now,
    );
    await this.#o.bus.publish('incidents.changed', { incident: updated, attachedPostIds: [] });
    return updated;
  }

  /** Unlinks reports that are about something else; they stay in the desk, outside any incident. */
  async unlink(incidentId: number, postIds: readonly number[], actor: User): Promise<{ unlinked: number[] }> {
    const incident = await this.#approvable(incidentId, actor);
    const now = this.#now();
    const unlinked = await this.#o.store.db.transaction().execute(async (trx) => {
      const unlinked = await detachPosts(trx, incidentId, postIds);
      await this.#audit(trx, incidentId, actor, 'posts.unlinked', { postIds: unlinked }, now);
      return unlinked;
    });
    await this.#o.bus.publish('incidents.changed', { incident, attachedPostIds: [] });
    return { unlinked };
  }

  /**
   * Splits reports off into a new incident (same responders), titled by what they say unless a
   * title is given. Both incidents' audits record it.
   */
  async split(
    incidentId: number,
    postIds: readonly number[],
    title: string | undefined,
    actor: User,
  ): Promise<{ incident: Incident; moved: number[] }> {
    const from = await this.#approvable(incidentId, actor);
    if (from.status !== 'open') throw invalid('Only an open incident can be split');
    const linked = new Set(await incidentPostIds(this.#o.store.db, incidentId));
    const ids = [...new Set(postIds)].filter((id) => linked.has(id));
    if (ids.length === 0) throw invalid('None of these posts is linked to the incident');
    const posts = await getPostsByIds(this.#o.store.db, ids);
    const profile = profileOfTexts(posts.map((post) => post.text));
    const now = this.#now();
    const result = await this.#o.store.db.transaction().execute(async (trx) => {
      const incident = await createIncident(
        trx,
        {
          title: title?.trim() || `Major incident: ${profile.title} (${ids.length} reports, split from #${incidentId})`,
          severity: from.severity,
          terms: profile.terms,
          responders: from.responders,
        },
        now,
      );
      const moved = await movePosts(trx, incidentId, incident.id, ids, now);
      await this.#audit(trx, incidentId, actor, 'incident.split', { into: incident.id, postIds: moved }, now);
      await this.#audit(trx, incident.id, actor, 'incident.split', { from: incidentId, postIds: moved }, now);
      return { incident, moved };
    });
    await this.#o.bus.publish('incidents.changed', { incident: result.incident, attachedPostIds: result.moved });
    return result;
  }

  /** Merges an incident into another: every report moves there, and the merged one is resolved. */
  async merge(incidentId: number, intoId: number, actor: User): Promise<{ incident: Incident; moved: number }> {
    if (incidentId === intoId) throw invalid('An incident cannot be merged into itself');
    const from = await this.#approvable(incidentId, actor);
    const into = await this.#approvable(intoId, actor);
    if (from.status !== 'open' || into.status !== 'open') throw invalid('Only open incidents can be merged');
    const now = this.#now();
    const { merged, moved } = await this.#o.store.db.transaction().execute(async (trx) => {
      const moved = await movePosts(trx, incidentId, intoId, null, now);
      const merged = (await updateIncidentRow(trx, incidentId, { status: 'resolved' }, now))!;
      await this.#audit(trx, incidentId, actor, 'incident.merged', { into: intoId, posts: moved.length }, now);
      await this.#audit(trx, intoId, actor, 'incident.merged', { from: incidentId, posts: moved.length }, now);
      return { merged, moved };
    });
    await this.#o.bus.publish('incidents.changed', { incident: merged, attachedPostIds: [] });
    await this.#o.bus.publish('incidents.changed', { incident: into, attachedPostIds: moved });
    return { incident: (await getIncident(this.#o.store.db, intoId))!, moved: moved.length };
  }

  /** Drafts an update and proposes a reply to every reporter. Nothing is sent until approved. */
  async draftUpdate(
    incidentId: number,
    body: string,
    actor: User,
    kind: IncidentUpdateKind = 'status',
  ): Promise<{ update: IncidentUpdate; proposals: StoredProposal[]; skipped: Skipped[] }> {
    if (!hasRole(actor, 'agent')) throw forbidden(actor);
    const text = body.trim();
    if (text === '') throw invalid('An update needs some text');
    await this.#incident(incidentId);
    const now = this.#now();
    const posts = await getPostsByIds(this.#o.store.db, await incidentPostIds(this.#o.store.db, incidentId));
    const rules = await currentGuidelineRules(this.#o.store.db);
    const channels = await channelsOf(
      this.#channels,
      posts.map((post) => post.source),
    );
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
        wroteToUs: this.#wroteToUs(post, channels[post.source]!),
      })),
      { kind, rules, channels, now: this.#clock() },
    );
    return this.#o.store.db.transaction().execute(async (trx) => {
      const update = await addIncidentUpdate(trx, { incidentId, kind, body: text, authorId: actor.id }, now);
      const stored = await insertProposals(
        trx,
        proposals.map((p) => ({
          incidentId,
          updateId: update.id,
          postId: p.postId,
          source: p.source,
          recipient: p.recipient,
          inReplyTo: p.inReplyTo,
          visibility: p.visibility,
          body: p.body,
          findings: p.findings,
          guidelineVersion: p.guidelineVersion,
          sendAfter: p.sendAfter,
        })),
        now,
      );
      await this.#audit(
        trx,
        incidentId,
        actor,
        'update.drafted',
        {
          updateId: update.id,
          kind,
          proposals: stored.length,
          skipped: skipped.length,
          guidelineVersion: rules.version,
        },
        now,
      );
      return { update, proposals: stored, skipped };
    });
  }

  /**
   * Approves an update and every reply still proposed in its batch, queueing each. A batch with
   * a reply that fails the guideline check is refused until that reply is rejected or rewritten.
   */
  async approveUpdate(
    updateId: number,
    actor: User,
  ): Promise<{ update: IncidentUpdate; approved: number; queued: number }> {
    const update = await getIncidentUpdate(this.#o.store.db, updateId);
    if (!update) throw notFound('Incident update', updateId);
    const incident = await this.#approvable(update.incidentId, actor);
    await this.#o.approvalGate?.assertMayApprove(actor, 'crisis-statement');
    if (update.status === 'approved')
      throw new EarshotError('ERR_CONFLICT', { detail: `Update ${updateId} is already approved` });
    const proposals = (await listProposals(this.#o.store.db, updateId)).filter((p) => p.status === 'proposed');
    const failing = proposals.filter(blocked);
    if (failing.length > 0)
      throw invalid(`${failing.length} proposed replies fail the guideline check; reject or rewrite them first`);
    const now = this.#now();
    const channels = await channelsOf(
      this.#channels,
      proposals.map((p) => p.source),
    );
    const { approved, created } = await this.#o.store.db.transaction().execute(async (trx) => {
      await markUpdateApproved(trx, updateId, now);
      const { approved, created } = await this.#queue(trx, incident, update, proposals, channels, actor, now);
      // The closing update answers the reporters: their tickets (some made just now) are resolved.
      if (update.kind === 'closing')
        await this.#resolveTickets(
          approved.map((p) => p.postId),
          now,
          trx,
        );
      await this.#audit(
        trx,
        incident.id,
        actor,
        'update.approved',
        {
          updateId,
          replies: approved.length,
          proposalIds: approved.map((p) => p.id),
          responders: incident.responders,
        },
        now,
      );
      return { approved, created };
    });
    if (created.length > 0) await this.#o.bus.publish('tickets.created', { tickets: created });
    return {
      update: (await getIncidentUpdate(this.#o.store.db, updateId))!,
      approved: approved.length,
      queued: approved.length,
    };
  }

  /** Sends a failed reply again (a responder or an admin); audited. */
  async retryProposal(proposalId: number, actor: User): Promise<StoredProposal> {
    const stored = await getProposal(this.#o.store.db, proposalId);
    if (!stored) throw notFound('Reply proposal', proposalId);
    await this.#approvable(stored.incidentId, actor);
    const proposal = (await listProposals(this.#o.store.db, stored.updateId)).find((p) => p.id === proposalId)!;
    if (proposal.delivery?.status !== 'failed')
      throw new EarshotError('ERR_CONFLICT', { detail: `Reply ${proposalId} has not failed` });
    const now = this.#now();
    if (!(await requeueOutbound(this.#o.store.db, proposal.delivery.outboundId, now)))
      throw noLongerProposed(proposalId);
    await this.#audit(
      this.#o.store.db,
      proposal.incidentId,
      actor,
      'proposal.retried',
      { updateId: proposal.updateId, proposalId, error: proposal.delivery.error },
      now,
    );
    return (await listProposals(this.#o.store.db, stored.updateId)).find((p) => p.id === proposalId)!;
  }

  /** Approves and queues one reply of a batch (the rest wait for review). */
  async approveProposal(proposalId: number, actor: User): Promise<StoredProposal> {
    const { proposal, incident, update } = await this.#proposal(proposalId, actor);
    await this.#o.approvalGate?.assertMayApprove(actor, 'batch-reply');
    if (blocked(proposal)) throw invalid('This reply fails the guideline check; rewrite it first');
    const now = this.#now();
    const channels = await channelsOf(this.#channels, [proposal.source]);
    const { approved, created } = await this.#o.store.db.transaction().execute(async (trx) => {
      const result = await this.#queue(trx, incident, update, [proposal], channels, actor, now);
      if (result.approved.length === 0) throw noLongerProposed(proposalId);
      await this.#audit(trx, incident.id, actor, 'proposal.approved', { updateId: update.id, proposalId }, now);
      return result;
    });
    if (created.length > 0) await this.#o.bus.publish('tickets.created', { tickets: created });
    return approved[0]!;
  }

  async rejectProposal(proposalId: number, actor: User): Promise<StoredProposal> {
    const { proposal, incident } = await this.#proposal(proposalId, actor);
    return this.#changeProposal(proposal, incident, actor, 'proposal.rejected', { status: 'rejected' });
  }

  /** Rewrites one reply; it is checked again, including against the rest of the batch for identical text. */
  async editProposal(proposalId: number, body: string, actor: User): Promise<StoredProposal> {
    const { proposal, incident } = await this.#proposal(proposalId, actor);
    const text = body.trim();
    if (text === '') throw invalid('A reply needs some text');
    const post = await getPost(this.#o.store.db, proposal.postId);
    const [rules, channel] = await Promise.all([
      currentGuidelineRules(this.#o.store.db),
      this.#channels(proposal.source),
    ]);
    const check = checkReply(
      {
        body: text,
        channel: channel.kind,
        maxLength: channel.maxReplyLength,
        visibility: proposal.visibility,
        recipientWroteToUs: post ? this.#wroteToUs(post, channel) : false,
      },
      rules,
    );
    const findings: Finding[] = [...check.findings];
    const others = (await listProposals(this.#o.store.db, proposal.updateId)).filter(
      (p) => p.id !== proposal.id && p.status !== 'rejected',
    );
    if (others.some((p) => normalise(p.body) === normalise(text)))
      findings.push({ rule: 'identical', level: 'block', message: 'The same text already goes to another reporter' });
    return this.#changeProposal(proposal, incident, actor, 'proposal.edited', {
      body: text,
      findings,
      guidelineVersion: check.version,
    });
  }

  /** Resolves the incident and drafts the closing update for every reporter, to approve as usual. */
  async resolve(
    incidentId: number,
    closingBody: string,
    actor: User,
  ): Promise<{ incident: Incident; closing: Awaited<ReturnType<IncidentDesk['draftUpdate']>> }> {
    const incident = await this.#approvable(incidentId, actor);
    if (incident.status === 'resolved')
      throw new EarshotError('ERR_CONFLICT', { detail: `Incident ${incidentId} is already resolved` });
    const now = this.#now();
    const resolved = (await updateIncidentRow(this.#o.store.db, incidentId, { status: 'resolved' }, now))!;
    const tickets = await this.#resolveTickets(await incidentPostIds(this.#o.store.db, incidentId), now);
    await this.#audit(this.#o.store.db, incidentId, actor, 'incident.resolved', { ticketsResolved: tickets }, now);
    await this.#o.bus.publish('incidents.changed', { incident: resolved, attachedPostIds: [] });
    return { incident: resolved, closing: await this.draftUpdate(incidentId, closingBody, actor, 'closing') };
  }

  /** Resolves the reporters' tickets still open (the closing update answers them). Returns how many. */
  async #resolveTickets(postIds: readonly number[], now: string, db: Db = this.#o.store.db): Promise<number> {
    let resolved = 0;
    for (const postId of postIds) {
      const ticket = await ticketForPost(db, postId);
      if (!ticket || ticket.status === 'resolved' || ticket.status === 'closed') continue;
      await updateTicketRow(db, ticket.id, { status: 'resolved', resolvedAt: now }, now);
      resolved += 1;
    }
    return resolved;
  }

  /** Changes a reply still proposed and audits it; a conflict if someone decided it meanwhile. */
  async #changeProposal(
    proposal: StoredProposal,
    incident: Incident,
    actor: User,
    action: string,
    change: Parameters<typeof updateProposalRow>[3],
  ): Promise<StoredProposal> {
    const now = this.#now();
    const changed = await updateProposalRow(this.#o.store.db, proposal.id, 'proposed', change, now);
    if (!changed) throw noLongerProposed(proposal.id);
    await this.#audit(
      this.#o.store.db,
      incident.id,
      actor,
      action,
      { updateId: proposal.updateId, proposalId: proposal.id },
      now,
    );
    return changed;
  }

  /** Records in the incident's audit trail what `actor` did, on `db` (the store or a transaction). */
  #audit(db: Db, incidentId: number, actor: User, action: string, data: Record<string, unknown>, now: string) {
    return addAudit(db, { incidentId, actorId: actor.id, action, data }, now);
  }

  /**
   * Queues approved replies: each reporter's ticket (created if they have none), a reply event
   * on it and an outbound message not sent before its rate-limit slot.
   */
  async #queue(
    trx: Db,
    incident: Incident,
    update: IncidentUpdate,
    proposals: readonly StoredProposal[],
    channels: Readonly<Record<string, Channel>>,
    actor: User,
    now: string,
  ): Promise<{ approved: StoredProposal[]; created: Ticket[] }> {
    const approved: StoredProposal[] = [];
    const created: Ticket[] = [];
    const slots = new Map<string, number>();
    for (const proposal of proposals) {
      const moved = await updateProposalRow(trx, proposal.id, 'proposed', { status: 'approved' }, now);
      if (!moved) continue;
      let ticket = await ticketForPost(trx, proposal.postId);
      if (!ticket) {
        const [made] = await createTicketsIn(
          trx,
          [
            {
              type: 'incident',
              priority: 'high',
              subject: `${incident.title}`.slice(0, 200),
              postId: proposal.postId,
              streamId: null,
              source: proposal.source,
              slaDueAt: null,
            },
          ],
          now,
        );
        ticket = made ?? (await ticketForPost(trx, proposal.postId))!;
        if (made) created.push(made);
      }
      const notBefore = await this.#slot(trx, slots, proposal, channels[proposal.source]!, now);
      const event = await addTicketEvent(
        trx,
        {
          ticketId: ticket.id,
          type: 'reply',
          actorId: actor.id,
          body: proposal.body,
          data: {
            visibility: proposal.visibility,
            incidentId: incident.id,
            updateId: update.id,
            proposalId: proposal.id,
            guidelineVersion: proposal.guidelineVersion,
          },
        },
        now,
      );
      const outbound = await addOutbound(
        trx,
        {
          ticketId: ticket.id,
          eventId: event.id,
          source: proposal.source,
          inReplyTo: proposal.inReplyTo,
          visibility: proposal.visibility,
          body: proposal.body,
          notBefore,
        },
        now,
      );
      await setProposalOutbound(trx, proposal.id, outbound.id);
      // Answered only once the channel delivers it: the outbound worker sets the first response.
      const change: { status?: 'open' } = {};
      if (ticket.status === 'new') change.status = 'open';
      if (Object.keys(change).length > 0) await updateTicketRow(trx, ticket.id, change, now);
      approved.push(moved);
    }
    return { approved, created };
  }

  /**
   * The next send slot on the proposal's channel: never faster than the channel's per-account
   * limit, counting messages already queued by earlier batches, and never before `sendAfter`.
   */
  async #slot(
    trx: Db,
    slots: Map<string, number>,
    proposal: StoredProposal,
    channel: Channel,
    now: string,
  ): Promise<string> {
    const spacing = 60_000 / Math.max(1, channel.maxPerMinute);
    let last = slots.get(proposal.source);
    if (last === undefined) {
      const queued = await lastScheduledOutbound(trx, proposal.source);
      last = queued ? Date.parse(queued) : Date.parse(now) - spacing;
    }
    const at = Math.max(last + spacing, Date.parse(now), Date.parse(proposal.sendAfter));
    slots.set(proposal.source, at);
    return new Date(at).toISOString();
  }

  /** Whether they addressed us: a direct post, one naming our handle, or any post on a channel of private messages only (mail). */
  #wroteToUs(post: Post, channel: Channel): boolean {
    if (channel.canDirectMessage && !channel.canReplyPublicly) return true;
    const ours = (this.#o.ourHandles ?? []).map((handle) => handle.toLowerCase());
    return post.extra.direct === true || ours.some((handle) => post.text.toLowerCase().includes(handle));
  }

  /** The incident, if `actor` may decide its updates and replies: a responder or an admin. */
  async #approvable(incidentId: number, actor: User): Promise<Incident> {
    const incident = await this.#incident(incidentId);
    if (!incident.responders.includes(actor.id) && !hasRole(actor, 'admin')) throw forbidden(actor);
    return incident;
  }

  async #proposal(
    proposalId: number,
    actor: User,
  ): Promise<{ proposal: StoredProposal; incident: Incident; update: IncidentUpdate }> {
    const proposal = await getProposal(this.#o.store.db, proposalId);
    if (!proposal) throw notFound('Reply proposal', proposalId);
    const incident = await this.#approvable(proposal.incidentId, actor);
    if (proposal.status !== 'proposed')
      throw new EarshotError('ERR_CONFLICT', { detail: `Reply ${proposalId} is already ${proposal.status}` });
    return { proposal, incident, update: (await getIncidentUpdate(this.#o.store.db, proposal.updateId))! };
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

/** Terms (share of posts naming each) and a short title ("canvas down") for a set of reports. */
function profileOfTexts(texts: readonly string[]): { terms: Record<string, number>; title: string } {
  const counts = new Map<string, number>();
  for (const text of texts)
    for (const term of featuresOf(text).terms.keys()) counts.set(term, (counts.get(term) ?? 0) + 1);
  const sorted = [...counts].sort((a, b) => b[1] - a[1]);
  const top = (prefix: string) => sorted.find(([term]) => term.startsWith(prefix))?.[0].slice(prefix.length);
  const words = sorted
    .filter(([term]) => !term.includes(':'))
    .slice(0, 3)
    .map(([term]) => term);
  const title = [top('svc:'), top('sym:')].filter(Boolean).join(' ') || words.join(' ') || 'reports';
  return {
    terms: Object.fromEntries(
      sorted.slice(0, 40).map(([term, n]) => [term, Math.round((n / texts.length) * 1000) / 1000]),
    ),
    title,
  };
}

function blocked(proposal: StoredProposal): boolean {
  return proposal.findings.some((finding) => (finding as { level?: string }).level === 'block');
}

function normalise(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

function noLongerProposed(proposalId: number): EarshotError {
  return new EarshotError('ERR_CONFLICT', { detail: `Reply ${proposalId} is no longer proposed` });
}

function forbidden(actor: User): EarshotError {
  return new EarshotError('ERR_AUTH_FORBIDDEN', {
    role: actor.role,
    needed: 'a place on the incident’s responder list',
  });
}
