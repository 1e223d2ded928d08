/**
 * The review queue: public replies held because their author's belt is below the review level.
 * A higher belt approves one (it is sent as the author's reply, marked as reviewed), may edit
 * it first with a note the author sees, or returns it with a note saying why. Each decision is
 * audited and counts towards the author's next belt.
 */
import { EarshotError, invalid, notFound } from '../domain/errors.js';
import type { HeldReply, HeldReplyStatus } from '../domain/ladder.js';
import type { User } from '../domain/user.js';
import type { Desk } from '../desk/desk.js';
import type { Store } from '../store/open.js';
import { addKnowledgeAudit, decideHeldReply, getHeldReply, listHeldReplies } from '../store/ladder.js';
import { getUser } from '../store/users.js';
import type { Ladder } from './ladder.js';

export interface ReviewQueueOptions {
  readonly store: Store;
  readonly desk: Desk;
  readonly ladder: Ladder;
  readonly clock?: () => Date;
}

export class ReviewQueue {
  readonly #o: ReviewQueueOptions;
  readonly #clock: () => Date;

  constructor(options: ReviewQueueOptions) {
    this.#o = options;
    this.#clock = options.clock ?? (() => new Date());
  }

  list(filter: { status?: HeldReplyStatus; authorId?: number; ticketId?: number } = {}): Promise<HeldReply[]> {
    return listHeldReplies(this.#o.store.db, filter);
  }

  /** Sends the held reply as its author's, edited first when `body` is given (with a note for the author). */
  async approve(id: number, reviewer: User, change: { body?: string; note?: string | null } = {}): Promise<HeldReply> {
    const held = await this.#decidable(id, reviewer);
    const author = (await getUser(this.#o.store.db, held.authorId))!;
    const body = change.body?.trim() || held.body;
    const edited = body !== held.body;
    if (edited && !change.note?.trim()) throw invalid('Say what you changed and why in a note for the author');
    const now = this.#now();
    // Claim it first, so two reviewers approving at once cannot send it twice.
    if (
      !(await decideHeldReply(
        this.#o.store.db,
        id,
        { status: 'approved', reviewerId: reviewer.id, body, note: change.note?.trim() || null },
        now,
      ))
    )
      throw alreadyDecided(id);
    try {
      const sent = await this.#o.desk.reply(
        held.ticketId,
        { body, visibility: held.visibility, acknowledgeWarnings: true },
        author,
        { reviewedBy: reviewer },
      );
      await this.#o.store.db
        .updateTable('held_replies')
        .set({ outbound_id: sent.outbound.id })
        .where('id', '=', id)
        .execute();
    } catch (error) {
      // Not sent (the guideline check refused the edit, the ticket was closed): back in the queue.
      await this.#o.store.db
        .updateTable('held_replies')
        .set({ status: 'held', reviewer_id: null, decided_at: null, body: held.body, note: held.note })
        .where('id', '=', id)
        .execute();
      throw error;
    }
    await addKnowledgeAudit(
      this.#o.store.db,
      {
        actorId: reviewer.id,
        action: 'reply.approved',
        subjectUserId: held.authorId,
        data: { heldId: id, ticketId: held.ticketId, edited },
      },
      now,
    );
    await this.#o.ladder.evaluate(held.authorId);
    return (await getHeldReply(this.#o.store.db, id))!;
  }

  /** Returns the reply to its author unsent, with a note saying why. */
  async return(id: number, reviewer: User, note: string): Promise<HeldReply> {
    if (note.trim() === '') throw invalid('A returned reply needs a note for its author');
    const held = await this.#decidable(id, reviewer);
    const now = this.#now();
    if (
      !(await decideHeldReply(
        this.#o.store.db,
        id,
        { status: 'returned', reviewerId: reviewer.id, note: note.trim() },
        now,
      ))
    )
      throw alreadyDecided(id);
    await addKnowledgeAudit(
      this.#o.store.db,
      {
        actorId: reviewer.id,
        action: 'reply.returned',
        subjectUserId: held.authorId,
        data: { heldId: id, ticketId: held.ticketId },
      },
      now,
    );
    return (await getHeldReply(this.#o.store.db, id))!;
  }

  async #decidable(id: number, reviewer: User): Promise<HeldReply> {
    const held = await getHeldReply(this.#o.store.db, id);
    if (!held) throw notFound('Held reply', id);
    if (held.status !== 'held') throw alreadyDecided(id);
    if (!(await this.#o.ladder.mayReview(reviewer, held.authorId)))
      throw new EarshotError('ERR_AUTH_FORBIDDEN', {
        role: `${await this.#o.ladder.nameOf(await this.#o.ladder.rankOf(reviewer.id))} belt`,
        needed: 'a higher belt than the author’s, from the review level up (and not your own reply)',
      });
    return held;
  }

  #now(): string {
    return this.#clock().toISOString();
  }
}

function alreadyDecided(id: number): EarshotError {
  return new EarshotError('ERR_CONFLICT', { detail: `Reply ${id} is no longer waiting for review` });
}
