/**
 * The desk: what agents do to tickets. Status changes follow the lifecycle
 * (new → open → pending → resolved → closed), every change lands on the ticket's timeline,
 * and replies are queued as outbound messages for the channel to send. Every reply passes the
 * guideline check first (the rules in force, with their version): a `block` finding refuses it,
 * warnings need the sender to say they looked (`acknowledgeWarnings`).
 */
import { EarshotError, invalid, notFound } from '../domain/errors.js';
import {
  canTransition,
  type OutboundMessage,
  type ReplyVisibility,
  type Ticket,
  type TicketEvent,
  type TicketPriority,
  type TicketStatus,
} from '../domain/ticket.js';
import { hasRole, type User } from '../domain/user.js';
import type { Bus } from '../pipeline/bus.js';
import type { Store } from '../store/open.js';
import { getPost, getPostsByIds, threadOf } from '../store/posts.js';
import type { Post } from '../domain/post.js';
import {
  addOutbound,
  addTicketEvent,
  getTicket,
  listOutbound,
  listTicketEvents,
  ticketMessagePostIds,
  updateTicketRow,
  type TicketChange,
} from '../store/tickets.js';
import { getUser } from '../store/users.js';
import { requeueOutbound, supersedeOutbound } from '../store/outbound.js';
import { addDeskAudit } from '../store/author-actions.js';
import { currentGuidelineRules } from '../store/guidelines.js';
import { checkReply, type CheckResult } from './guideline.js';
import type { Finding } from '../domain/guideline.js';
import { defaultChannelOf, type ChannelOf } from './channels.js';
import type { ReplyGate } from './reply-gate.js';
import type { HeldReply } from '../domain/ladder.js';

export interface DeskOptions {
  readonly store: Store;
  readonly bus: Bus;
  readonly clock?: () => Date;
  /** A post source's channel (its kind's capabilities): reply length limits come from it. */
  readonly channels?: ChannelOf;
  /** Holds public replies of people below the review level (the belt ladder); none: every reply is sent. */
  readonly replyGate?: ReplyGate;
}

export type ReplyInput = { body: string; visibility: ReplyVisibility; acknowledgeWarnings?: boolean };
export type ReplyResult = { event: TicketEvent; outbound: OutboundMessage; ticket: Ticket };

export interface TicketUpdate {
  readonly status?: TicketStatus;
  readonly priority?: TicketPriority;
  readonly assigneeId?: number | null;
}

export interface TicketDetail {
  readonly ticket: Ticket;
  readonly events: TicketEvent[];
  readonly outbound: OutboundMessage[];
}

export const MAX_NOTE_LENGTH = 20_000;

export class Desk {
  readonly #store: Store;
  readonly #bus: Bus;
  readonly #clock: () => Date;
  readonly #channels: ChannelOf;
  readonly #gate: ReplyGate | undefined;

  constructor(options: DeskOptions) {
    this.#store = options.store;
    this.#bus = options.bus;
    this.#clock = options.clock ?? (() => new Date());
    this.#channels = options.channels ?? defaultChannelOf;
    this.#gate = options.replyGate;
  }

  async detail(id: number): Promise<TicketDetail> {
    const ticket = await this.#ticket(id);
    const [events, outbound] = await Promise.all([
      listTicketEvents(this.#store.db, id),
      listOutbound(this.#store.db, { ticketId: id }),
    ]);
    return { ticket, events, outbound };
  }

  /**
   * The conversation a ticket's post belongs to, for context when replying, with the customer's later
   * messages that joined the ticket (when `ticketId` is given), oldest first.
   */
  async thread(post: Post, ticketId?: number): Promise<Post[]> {
    const db = this.#store.db;
    const [around, joinedIds] = await Promise.all([
      threadOf(db, post),
      ticketId === undefined ? [] : ticketMessagePostIds(db, ticketId),
    ]);
    const seen = new Set(around.map((entry) => entry.id));
    const joined = await getPostsByIds(
      db,
      joinedIds.filter((id) => !seen.has(id) && id !== post.id),
    );
    return [...around, ...joined].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id);
  }

  /** Applies status, priority and assignee changes together, one timeline event each. */
  async update(id: number, update: TicketUpdate, actor: User): Promise<Ticket> {
    if (update.assigneeId !== undefined && update.assigneeId !== null) {
      const assignee = await getUser(this.#store.db, update.assigneeId);
      if (!assignee) throw notFound('User', update.assigneeId);
      if (!hasRole(assignee, 'agent'))
        throw invalid(`User ${assignee.username} is not an agent and cannot hold tickets`);
    }
    const now = this.#now();
    const result = await this.#store.db.transaction().execute(async (trx) => {
      const ticket = await getTicket(trx, id);
      if (!ticket) throw notFound('Ticket', id);
      const change: { -readonly [K in keyof TicketChange]: TicketChange[K] } = {};
      const events: { type: 'status' | 'priority' | 'assign'; data: Record<string, unknown> }[] = [];
      if (update.status !== undefined && update.status !== ticket.status) {
        if (!canTransition(ticket.status, update.status))
          throw new EarshotError('ERR_TICKET_TRANSITION', { from: ticket.status, to: update.status });
        change.status = update.status;
        if (update.status === 'resolved') change.resolvedAt = now;
        else if (update.status === 'open') change.resolvedAt = null;
        events.push({ type: 'status', data: { from: ticket.status, to: update.status } });
      }
      if (update.priority !== undefined && update.priority !== ticket.priority) {
        change.priority = update.priority;
        events.push({ type: 'priority', data: { from: ticket.priority, to: update.priority } });
      }
      if (update.assigneeId !== undefined && update.assigneeId !== ticket.assigneeId) {
        change.assigneeId = update.assigneeId;
        events.push({ type: 'assign', data: { from: ticket.assigneeId, to: update.assigneeId } });
      }
      if (events.length === 0) return { ticket, last: null };
      const updated = (await updateTicketRow(trx, id, change, now))!;
      let last: TicketEvent | null = null;
      for (const event of events)
        last = await addTicketEvent(trx, { ticketId: id, type: event.type, actorId: actor.id, data: event.data }, now);
      return { ticket: updated, last };
    });
    if (result.last) await this.#bus.publish('tickets.updated', { ticket: result.ticket, event: result.last });
    return result.ticket;
  }

  async addNote(id: number, body: string, actor: User): Promise<TicketEvent> {
    const text = checkBody(body, 'note');
    await this.#ticket(id);
    const event = await addTicketEvent(
      this.#store.db,
      { ticketId: id, type: 'note', actorId: actor.id, body: text },
      this.#now(),
    );
    await this.#bus.publish('tickets.updated', { ticket: await this.#ticket(id), event });
    return event;
  }

  /** The guideline check a reply would get, without sending it (the composer shows it as you type). */
  async checkReply(id: number, input: { body: string; visibility: ReplyVisibility }): Promise<CheckResult> {
    const ticket = await this.#ticket(id);
    const post = ticket.postId !== null ? await getPost(this.#store.db, ticket.postId) : undefined;
    return this.checkDraft({
      body: input.body,
      source: post?.source ?? ticket.source ?? 'desk',
      visibility: input.visibility,
    });
  }

  /** The guideline check of a reply on a source's channel (a configured source name or a kind). */
  async checkDraft(input: { body: string; source: string; visibility: ReplyVisibility }): Promise<CheckResult> {
    const [channel, rules] = await Promise.all([this.#channels(input.source), currentGuidelineRules(this.#store.db)]);
    // A person writes this reply: the unsolicited-DM rule is for automated messages only.
    return checkReply(
      { body: input.body, channel: channel.kind, maxLength: channel.maxReplyLength, visibility: input.visibility },
      rules,
    );
  }

  /**
   * What the composer calls: the reply is sent, or, when the reply gate says this person's
   * public replies need review, held for a reviewer after the same guideline check.
   */
  async submitReply(
    id: number,
    input: ReplyInput,
    actor: User,
  ): Promise<({ held: null } & ReplyResult) | { held: HeldReply }> {
    if (this.#gate && (await this.#gate.mustReview(actor, input.visibility))) {
      const { text } = await this.#checked(id, input);
      const ticket = await this.#ticket(id);
      if (ticket.status === 'closed') throw invalid('A closed ticket cannot be replied to; reopen it first');
      return { held: await this.#gate.hold({ ticketId: id, body: text, visibility: input.visibility }, actor) };
    }
    return { held: null, ...(await this.reply(id, input, actor)) };
  }

  /**
   * Queues a reply to the post behind the ticket, after the guideline check. The first reply
   * meets the first-response SLA and moves a new ticket to open. Someone whose replies need
   * review is refused unless `reviewedBy` (the reviewer approving it) is given.
   */
  async reply(
    id: number,
    input: ReplyInput,
    actor: User,
    options: { reviewedBy?: User; supersedes?: OutboundMessage } = {},
  ): Promise<ReplyResult> {
    if (!options.reviewedBy && this.#gate && (await this.#gate.mustReview(actor, input.visibility)))
      throw new EarshotError('ERR_REPLY_REVIEW_REQUIRED');
    const { text, check, warnings } = await this.#checked(id, input);
    const now = this.#now();
    const result = await this.#store.db.transaction().execute(async (trx) => {
      const ticket = await getTicket(trx, id);
      if (!ticket) throw notFound('Ticket', id);
      if (ticket.status === 'closed') throw invalid('A closed ticket cannot be replied to; reopen it first');
      const post = ticket.postId !== null ? await getPost(trx, ticket.postId) : undefined;
      const event = await addTicketEvent(
        trx,
        {
          ticketId: id,
          type: 'reply',
          actorId: actor.id,
          body: text,
          data: {
            visibility: input.visibility,
            guidelineVersion: check.version,
            acknowledgedWarnings: warnings.map((finding) => finding.message),
            ...(options.reviewedBy ? { reviewedBy: options.reviewedBy.id } : {}),
            ...(options.supersedes ? { resendOf: options.supersedes.id } : {}),
          },
        },
        now,
      );
      const outbound = await addOutbound(
        trx,
        {
          ticketId: id,
          eventId: event.id,
          source: post?.source ?? ticket.source ?? 'desk',
          inReplyTo: post?.externalId ?? null,
          visibility: input.visibility,
          body: text,
        },
        now,
      );
      if (options.supersedes) {
        // In the same transaction as the new reply: either both happen or neither.
        if (!(await supersedeOutbound(trx, options.supersedes.id, now)))
          throw new EarshotError('ERR_CONFLICT', { detail: `Reply ${options.supersedes.id} is no longer failed` });
        await addDeskAudit(
          trx,
          {
            actorId: actor.id,
            action: 'reply.resend',
            data: { ticketId: id, superseded: options.supersedes.id, outboundId: outbound.id },
          },
          now,
        );
      }
      const change: { -readonly [K in keyof TicketChange]: TicketChange[K] } = {};
      if (ticket.status === 'new') change.status = 'open';
      const updated = Object.keys(change).length > 0 ? (await updateTicketRow(trx, id, change, now))! : ticket;
      return { event, outbound, ticket: updated };
    });
    await this.#bus.publish('tickets.updated', { ticket: result.ticket, event: result.event });
    return result;
  }

  /** The guideline check a reply must pass: blocks refuse it, warnings need acknowledging. */
  async #checked(id: number, input: ReplyInput): Promise<{ text: string; check: CheckResult; warnings: Finding[] }> {
    const text = checkBody(input.body, 'reply');
    await this.#assertChannelCarries(id, input.visibility);
    const check = await this.checkReply(id, { body: text, visibility: input.visibility });
    const blocking = check.findings.filter((finding) => finding.level === 'block');
    if (blocking.length > 0)
      throw new EarshotError('ERR_GUIDELINE_BLOCKED', { version: check.version, findings: summarise(blocking) });
    const warnings = check.findings.filter((finding) => finding.level === 'warn');
    if (warnings.length > 0 && input.acknowledgeWarnings !== true)
      throw new EarshotError('ERR_GUIDELINE_WARNINGS', { version: check.version, findings: summarise(warnings) });
    return { text, check, warnings };
  }

  /**
   * A reply the ticket's channel cannot carry (any reply on a feed item, a public one on mail) is
   * refused here with the reason, not queued to fail in the outbound worker after the agent moved on.
   */
  async #assertChannelCarries(id: number, visibility: ReplyVisibility): Promise<void> {
    const ticket = await this.#ticket(id);
    const post = ticket.postId !== null ? await getPost(this.#store.db, ticket.postId) : undefined;
    const source = post?.source ?? ticket.source ?? 'desk';
    const channel = await this.#channels(source);
    if (visibility === 'public' ? channel.canReplyPublicly : channel.canDirectMessage) return;
    throw new EarshotError('ERR_SOURCE_REPLY_UNSUPPORTED', {
      name: source,
      detail: `a ${channel.kind} source takes no ${visibility} replies`,
    });
  }

  /** Sends a failed reply again: its outbound message is queued for now, the old error kept until it is sent. */
  async retryReply(id: number, outboundId: number): Promise<OutboundMessage> {
    await this.#ticket(id);
    const [message] = (await listOutbound(this.#store.db, { ticketId: id })).filter((item) => item.id === outboundId);
    if (!message) throw notFound('Reply', outboundId);
    if (message.status !== 'failed')
      throw new EarshotError('ERR_CONFLICT', { detail: `Reply ${outboundId} is ${message.status}, not failed` });
    const now = this.#now();
    if (!(await requeueOutbound(this.#store.db, outboundId, now)))
      throw new EarshotError('ERR_CONFLICT', { detail: `Reply ${outboundId} is no longer failed` });
    const [queued] = (await listOutbound(this.#store.db, { ticketId: id })).filter((item) => item.id === outboundId);
    await this.#bus.publish('outbound.updated', { message: queued! });
    await this.#bus.publish('tickets.updated', { ticket: await this.#ticket(id), event: null });
    return queued!;
  }

  /**
   * Edit and resend: the failed reply's text, edited, goes out as a new reply (the same guideline
   * check and review as any reply, on the failed one's visibility) and the failed one is marked
   * `superseded`, so the ticket no longer counts it as failed. Audited. When the sender's replies
   * are held for review, the failed one stays failed until the reviewed reply is sent.
   */
  async resendReply(
    id: number,
    outboundId: number,
    input: { body: string; acknowledgeWarnings?: boolean },
    actor: User,
  ): Promise<({ held: null; superseded: OutboundMessage } & ReplyResult) | { held: HeldReply }> {
    await this.#ticket(id);
    const [failed] = (await listOutbound(this.#store.db, { ticketId: id })).filter((item) => item.id === outboundId);
    if (!failed) throw notFound('Reply', outboundId);
    if (failed.status !== 'failed')
      throw new EarshotError('ERR_CONFLICT', { detail: `Reply ${outboundId} is ${failed.status}, not failed` });
    const reply = { ...input, visibility: failed.visibility };
    if (this.#gate && (await this.#gate.mustReview(actor, reply.visibility))) {
      const { text } = await this.#checked(id, reply);
      return { held: await this.#gate.hold({ ticketId: id, body: text, visibility: reply.visibility }, actor) };
    }
    const result = await this.reply(id, reply, actor, { supersedes: failed });
    const [superseded] = (await listOutbound(this.#store.db, { ticketId: id })).filter(
      (item) => item.id === outboundId,
    );
    await this.#bus.publish('outbound.updated', { message: superseded! });
    return { held: null, superseded: superseded!, ...result };
  }

  async #ticket(id: number): Promise<Ticket> {
    const ticket = await getTicket(this.#store.db, id);
    if (!ticket) throw notFound('Ticket', id);
    return ticket;
  }

  #now(): string {
    return this.#clock().toISOString();
  }
}

function checkBody(body: string, what: string): string {
  const text = body.trim();
  if (text === '') throw invalid(`A ${what} needs some text`);
  if (text.length > MAX_NOTE_LENGTH) throw invalid(`A ${what} is at most ${MAX_NOTE_LENGTH} characters`);
  return text;
}

function summarise(findings: readonly Finding[]): string {
  return findings.map((finding) => finding.message).join('; ');
}
