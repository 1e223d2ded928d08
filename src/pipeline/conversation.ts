/**
 * Conversations stay one ticket. A stored post that answers a post of a ticket (its thread root, the
 * post it replies to, a mail's References and In-Reply-To) or one of the desk's replies joins that
 * ticket as the customer's next message and re-opens it when resolved, instead of raising a new
 * ticket. Posts that start a conversation raise tickets by their streams' rules, as before. A
 * follow-up in the same batch as the post it answers joins the ticket that post raised.
 */
import type { Ticket, TicketEvent } from '../domain/ticket.js';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { addTicketMessageIn, createTicketsIn, ownRemoteIds, ticketsByConversationRefs } from '../store/tickets.js';
import { blockedAuthorKeys } from '../store/author-actions.js';
import type { RoutedPost } from './route.js';

/** A post just inserted, with its row id. */
export interface StoredPost {
  readonly id: number;
  readonly post: RoutedPost;
}

export interface JoinedMessage {
  readonly postId: number;
  readonly ticket: Ticket;
  readonly event: TicketEvent;
}

export interface ConversationOutcome {
  /** Tickets raised by posts that start a conversation. */
  readonly created: Ticket[];
  /** Posts that joined an existing ticket (each with the ticket as it is after joining). */
  readonly joined: JoinedMessage[];
}

/**
 * The ids a post refers to in its conversation, nearest first: the post it answers, the thread's
 * root (Bluesky), the mail ids it names (In-Reply-To, then References from the latest back).
 */
export function conversationRefs(post: Pick<RoutedPost, 'externalId' | 'inReplyTo' | 'extra'>): string[] {
  const refs: string[] = [];
  if (post.inReplyTo) refs.push(post.inReplyTo);
  const reply = post.extra.reply as { root?: { uri?: unknown } } | null | undefined;
  if (reply && typeof reply.root?.uri === 'string') refs.push(reply.root.uri);
  const references = post.extra.references;
  if (Array.isArray(references))
    for (const id of [...references].reverse()) if (typeof id === 'string' && id) refs.push(id);
  if (typeof post.extra.conversationId === 'string' && post.extra.conversationId) refs.push(post.extra.conversationId);
  return [...new Set(refs)].filter((ref) => ref !== post.externalId);
}

/** A ticket's subject: a mail's Subject when it has one (less a leading "Re:"), else the post's first line. */
export function ticketSubject(post: Pick<RoutedPost, 'text' | 'extra'>): string {
  const subject = typeof post.extra.subject === 'string' ? post.extra.subject.replace(/^(\s*re:\s*)+/i, '').trim() : '';
  return subjectOf(subject || post.text);
}

/** A subject line: the text's first line, cut at a word near 100 characters. */
export function subjectOf(text: string): string {
  const line =
    text
      .split('\n')
      .find((candidate) => candidate.trim() !== '')
      ?.trim() ?? '(no text)';
  if (line.length <= 100) return line;
  const cut = line.slice(0, 100);
  const space = cut.lastIndexOf(' ');
  return `${space > 60 ? cut.slice(0, space) : cut}…`;
}

/** Raises or joins tickets for the posts just stored, inside the caller's transaction. */
export async function ticketsForPostsIn(
  trx: Kysely<Database>,
  stored: readonly StoredPost[],
  now: string,
): Promise<ConversationOutcome> {
  const bySource = new Map<string, StoredPost[]>();
  for (const entry of stored) bySource.set(entry.post.source, [...(bySource.get(entry.post.source) ?? []), entry]);

  // Where each post's conversation already lives, and which posts are our own replies read back.
  const existing = new Map<number, Ticket>();
  const own = new Set<number>();
  for (const [source, entries] of bySource) {
    const refsOf = new Map(entries.map((entry) => [entry.id, conversationRefs(entry.post)]));
    const allRefs = [...new Set([...refsOf.values()].flat())];
    const hits = allRefs.length > 0 ? await ticketsByConversationRefs(trx, source, allRefs) : [];
    const ticketByRef = new Map(
      hits.filter((hit) => hit.ticket.status !== 'closed').map((hit) => [hit.ref, hit.ticket] as const),
    );
    const ours = await ownRemoteIds(
      trx,
      source,
      entries.map((entry) => entry.post.externalId),
    );
    for (const entry of entries) {
      if (ours.has(entry.post.externalId)) {
        own.add(entry.id);
        continue;
      }
      const ref = refsOf.get(entry.id)!.find((candidate) => ticketByRef.has(candidate));
      if (ref !== undefined) existing.set(entry.id, ticketByRef.get(ref)!);
    }
  }

  // A follow-up whose conversation starts in this same batch waits for the ticket its first post raises.
  const idByKey = new Map(stored.map((entry) => [`${entry.post.source}\u0000${entry.post.externalId}`, entry.id]));
  const parentInBatch = new Map<number, number>();
  for (const entry of stored) {
    if (own.has(entry.id) || existing.has(entry.id)) continue;
    const parent = conversationRefs(entry.post)
      .map((ref) => idByKey.get(`${entry.post.source}\u0000${ref}`))
      .find((id) => id !== undefined && !own.has(id));
    if (parent !== undefined) parentInBatch.set(entry.id, parent);
  }

  const ticketOfPost = new Map<number, number>();
  // A blocked author's posts are stored and shown, but open no ticket (src/domain/author-action.ts).
  const blocked = await blockedAuthorKeys(
    trx,
    stored.filter((entry) => entry.post.ticket).map((entry) => entry.post.source),
  );
  const isBlocked = (entry: StoredPost) => blocked.has(`${entry.post.source}\u0000${entry.post.author.handle}`);
  const starters = stored.filter(
    (entry) =>
      entry.post.ticket &&
      !own.has(entry.id) &&
      !existing.has(entry.id) &&
      !parentInBatch.has(entry.id) &&
      !isBlocked(entry),
  );
  const created = await createTicketsIn(trx, starters.map(newTicketOf), now);
  for (const ticket of created) if (ticket.postId !== null) ticketOfPost.set(ticket.postId, ticket.id);

  const joins: { postId: number; ticketId: number }[] = [];
  for (const [postId, ticket] of existing) {
    joins.push({ postId, ticketId: ticket.id });
    ticketOfPost.set(postId, ticket.id);
  }
  // Oldest first, so a chain a → b → c in one batch resolves c through b.
  const deferred = stored
    .filter((entry) => parentInBatch.has(entry.id))
    .sort((a, b) => a.post.createdAt.localeCompare(b.post.createdAt) || a.id - b.id);
  for (const entry of deferred) {
    const ticketId = ticketOfPost.get(parentInBatch.get(entry.id)!);
    if (ticketId !== undefined) {
      joins.push({ postId: entry.id, ticketId });
      ticketOfPost.set(entry.id, ticketId);
    } else if (entry.post.ticket && !isBlocked(entry)) {
      const [ticket] = await createTicketsIn(trx, [newTicketOf(entry)], now);
      if (ticket) {
        created.push(ticket);
        ticketOfPost.set(entry.id, ticket.id);
      }
    }
  }

  const joined: JoinedMessage[] = [];
  for (const join of joins.sort((a, b) => a.postId - b.postId)) {
    const { ticket, event } = await addTicketMessageIn(trx, join.ticketId, join.postId, now);
    joined.push({ postId: join.postId, ticket, event });
  }
  return { created, joined };
}

function newTicketOf(entry: StoredPost) {
  const draft = entry.post.ticket!;
  return { ...draft, subject: ticketSubject(entry.post), postId: entry.id, source: entry.post.source };
}
