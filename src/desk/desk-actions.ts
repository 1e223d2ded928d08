/**
 * Acting from anywhere: what an agent does from a post card (open or create the post's ticket,
 * mute or block its author) and what the composer needs beside the ticket (saved replies with
 * their placeholders filled, the customer's history, who else is on the ticket). Every change is
 * written to the desk's audit trail with who did it.
 */
import { EarshotError, invalid, notFound } from '../domain/errors.js';
import type { AuthorAction, AuthorDecision, SavedReply } from '../domain/author-action.js';
import type { Ticket, TicketType } from '../domain/ticket.js';
import type { User } from '../domain/user.js';
import type { Post } from '../domain/post.js';
import type { Bus } from '../pipeline/bus.js';
import { subjectOf } from '../pipeline/conversation.js';
import type { Store } from '../store/open.js';
import { getPost } from '../store/posts.js';
import { createTickets, getTicket, ticketForPost } from '../store/tickets.js';
import { addDeskAudit, clearAuthorDecision, listAuthorDecisions, setAuthorDecision } from '../store/author-actions.js';
import {
  deleteSavedReply,
  getSavedReply,
  insertSavedReply,
  listSavedReplies,
  savedReplyTitled,
  updateSavedReply,
} from '../store/saved-replies.js';
import { customerHistory, incidentOfPost, ticketJoinedBy, type CustomerHistory } from '../store/customer-history.js';
import { checkSavedReplyBody, customerName, fillPlaceholders, incidentStatusText } from './saved-replies.js';
import { announcePresence, type PresenceState } from './presence.js';

export interface DeskActionsOptions {
  readonly store: Store;
  readonly bus: Bus;
  readonly clock?: () => Date;
}

export interface TicketHistory extends CustomerHistory {
  readonly author: { readonly handle: string; readonly name: string | null; readonly source: string };
  /** The start of the month `postsSince` counts from. */
  readonly since: string;
}

export class DeskActions {
  readonly #store: Store;
  readonly #bus: Bus;
  readonly #clock: () => Date;

  constructor(options: DeskActionsOptions) {
    this.#store = options.store;
    this.#bus = options.bus;
    this.#clock = options.clock ?? (() => new Date());
  }

  /** The ticket a post raised or joined; one is created (audited) when it has none. */
  async openTicketForPost(postId: number, actor: User): Promise<{ ticket: Ticket; created: boolean }> {
    const db = this.#store.db;
    const post = await getPost(db, postId);
    if (!post) throw notFound('Post', postId);
    const existing = (await ticketForPost(db, postId)) ?? (await this.#joinedTicket(postId));
    if (existing) return { ticket: existing, created: false };
    const now = this.#now();
    const [ticket] = await createTickets(
      db,
      [
        {
          type: ticketTypeOf(post),
          priority: 'normal',
          subject: subjectOf(post.text),
          postId,
          streamId: post.streamIds[0] ?? null,
          source: post.source,
          slaDueAt: null,
        },
      ],
      now,
    );
    // Someone else opened it in the meantime: theirs is the ticket.
    if (!ticket) return { ticket: (await ticketForPost(db, postId))!, created: false };
    await addDeskAudit(
      db,
      { actorId: actor.id, action: 'ticket.opened-from-post', data: { postId, ticketId: ticket.id } },
      now,
    );
    await this.#bus.publish('tickets.created', { tickets: [ticket] });
    return { ticket, created: true };
  }

  async authorDecisions(): Promise<AuthorDecision[]> {
    return listAuthorDecisions(this.#store.db);
  }

  /** Mutes or blocks an author (`null`: lifts the decision); audited. */
  async decideAuthor(
    author: { source: string; handle: string },
    action: AuthorAction | null,
    actor: User,
  ): Promise<void> {
    const now = this.#now();
    if (action === null) {
      if (!(await clearAuthorDecision(this.#store.db, author.source, author.handle)))
        throw notFound('Author decision', `${author.handle} on ${author.source}`);
    } else await setAuthorDecision(this.#store.db, { ...author, action, actorId: actor.id }, now);
    await addDeskAudit(
      this.#store.db,
      { actorId: actor.id, action: `author.${action ?? 'cleared'}`, data: { ...author } },
      now,
    );
  }

  async savedReplies(): Promise<SavedReply[]> {
    return listSavedReplies(this.#store.db);
  }

  async createSavedReply(input: { title: string; body: string }, actor: User): Promise<SavedReply> {
    const title = checkTitle(input.title);
    const body = checkSavedReplyBody(input.body);
    if (await savedReplyTitled(this.#store.db, title))
      throw new EarshotError('ERR_CONFLICT', { detail: `A saved reply is already titled “${title}”` });
    const now = this.#now();
    const saved = await insertSavedReply(this.#store.db, { title, body, authorId: actor.id }, now);
    await addDeskAudit(
      this.#store.db,
      { actorId: actor.id, action: 'saved-reply.created', data: { id: saved.id, title } },
      now,
    );
    return saved;
  }

  async updateSavedReply(id: number, change: { title?: string; body?: string }, actor: User): Promise<SavedReply> {
    const next = {
      ...(change.title !== undefined ? { title: checkTitle(change.title) } : {}),
      ...(change.body !== undefined ? { body: checkSavedReplyBody(change.body) } : {}),
    };
    if (next.title !== undefined) {
      const clash = await savedReplyTitled(this.#store.db, next.title);
      if (clash && clash.id !== id)
        throw new EarshotError('ERR_CONFLICT', { detail: `A saved reply is already titled “${next.title}”` });
    }
    const now = this.#now();
    const saved = await updateSavedReply(this.#store.db, id, next, now);
    if (!saved) throw notFound('Saved reply', id);
    await addDeskAudit(
      this.#store.db,
      { actorId: actor.id, action: 'saved-reply.updated', data: { id, title: saved.title } },
      now,
    );
    return saved;
  }

  async deleteSavedReply(id: number, actor: User): Promise<void> {
    const saved = await getSavedReply(this.#store.db, id);
    if (!saved || !(await deleteSavedReply(this.#store.db, id))) throw notFound('Saved reply', id);
    await addDeskAudit(
      this.#store.db,
      { actorId: actor.id, action: 'saved-reply.deleted', data: { id, title: saved.title } },
      this.#now(),
    );
  }

  /** A saved reply's text for one ticket, its placeholders filled. */
  async fillSavedReply(ticketId: number, savedReplyId: number): Promise<string> {
    const db = this.#store.db;
    const [ticket, saved] = await Promise.all([this.#ticket(ticketId), getSavedReply(db, savedReplyId)]);
    if (!saved) throw notFound('Saved reply', savedReplyId);
    const post = ticket.postId !== null ? await getPost(db, ticket.postId) : undefined;
    const incident = ticket.postId !== null ? await incidentOfPost(db, ticket.postId) : undefined;
    return fillPlaceholders(saved.body, {
      name: post ? customerName(post.author) : 'there',
      ticket: `#${ticket.id}`,
      incident_status: incidentStatusText(incident?.status ?? null),
    });
  }

  /** Who wrote the ticket's post and what else they brought us; null for a ticket opened by hand. */
  async history(ticketId: number): Promise<TicketHistory | null> {
    const ticket = await this.#ticket(ticketId);
    if (ticket.postId === null) return null;
    const post = await getPost(this.#store.db, ticket.postId);
    if (!post) return null;
    const now = this.#clock();
    const since = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
    const found = await customerHistory(this.#store.db, ticket.postId, { since, exceptTicketId: ticketId });
    if (!found) return null;
    return {
      ...found,
      since,
      author: { handle: post.author.handle, name: post.author.name ?? null, source: post.source },
    };
  }

  /** Tells the other desks that `actor` is viewing, typing on, or has left a ticket. */
  async presence(ticketId: number, actor: User, state: PresenceState): Promise<void> {
    await this.#ticket(ticketId);
    await announcePresence(this.#bus, ticketId, actor, state);
  }

  async #joinedTicket(postId: number): Promise<Ticket | undefined> {
    const ticketId = await ticketJoinedBy(this.#store.db, postId);
    return ticketId === undefined ? undefined : getTicket(this.#store.db, ticketId);
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

/** An outage report is an incident, a question a question, the rest a request. */
function ticketTypeOf(post: Post): TicketType {
  if (post.kind === 'outage') return 'incident';
  if (post.kind === 'question') return 'question';
  return 'request';
}

function checkTitle(title: string): string {
  const text = title.trim();
  if (text === '' || text.length > 100) throw invalid('A saved reply’s title is 1 to 100 characters');
  return text;
}
