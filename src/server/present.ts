/**
 * How stored entities go on the wire, for the REST routes and the live events alike, so a
 * ticket or a post looks the same whichever way the desk got it.
 */
import type { Post } from '../domain/post.js';
import type { Ticket } from '../domain/ticket.js';
import { withInfluence } from '../analysis/influence.js';
import { type CalendarLookup, slaState } from '../desk/sla.js';
import type { Store } from '../store/open.js';
import { getPostsByIds } from '../store/posts.js';
import type { Post as WirePost, Ticket as WireTicket } from './schemas.js';

/** A ticket with its first-response SLA as of `now`, in business time where its calendar says. */
export function presentTicket(ticket: Ticket, now: Date, calendars?: CalendarLookup): WireTicket {
  return { ...ticket, sla: slaState(ticket, now, calendars) };
}

/** A stored post with its author's influence scored as of `now` (the store keeps only running sums). */
export function presentPost<P extends Pick<Post, 'author' | 'flags'>>(post: P, now: Date): P {
  return withInfluence(post, now);
}

/**
 * Posts as `GET /api/posts/:id` returns them (with the author's running sums from the store,
 * scored as of `now`), read back by id, in the order given.
 */
export async function presentPosts(store: Store, posts: readonly Pick<Post, 'id'>[], now: Date): Promise<WirePost[]> {
  const stored = new Map(
    (
      await getPostsByIds(
        store.db,
        posts.map((post) => post.id),
      )
    ).map((post) => [post.id, post]),
  );
  return posts.flatMap((post) => {
    const found = stored.get(post.id);
    return found ? [presentPost(found, now)] : [];
  });
}
