/**
 * A generated month (November 2026; the 1st is a Sunday) of posts, tickets, replies, incidents and
 * alerts at known times, for the report tests. The rule, per day d = 1…30 of the month, on the
 * `mast` source:
 * - one negative complaint at 10:00 UTC raises a ticket, SLA due at 11:00;
 * - it is answered d×10 minutes later unless d is a multiple of 5 (by agent Ann on odd days, Bob
 *   on even days; Ann replies twice on the 1st), and resolved d hours later when d is even;
 * - its author has d×100 followers, except day 29's, who is day 1's author again;
 * - two positive praise posts at 12:00 and 13:00, and a neutral one at 14:00 on days 1–10.
 * Also: on `rss` one positive post on the 3rd; an October ticket still open; incidents on the
 * 3rd (approved update after 45 min, a draft before it), the 20th (no update) and an rss-only one
 * on the 4th (update after 30 min); alerts on `mast` acknowledged after 20 and 120 min and one
 * never, and a burst alert with no source acknowledged after 5 min.
 * The expected values in the tests are worked out by hand from these rules, not by the code.
 */
import { insertPosts } from '../../src/store/posts.js';
import { raiseAlert, setAlertStatus } from '../../src/store/alerts.js';
import { createUser } from '../../src/store/users.js';
import type { Store } from '../../src/store/open.js';
import { newPost } from '../helpers/posts.js';

const at = (day: number, hour: number, minute = 0, month = 10) =>
  new Date(Date.UTC(2026, month, day, hour, minute)).toISOString();
const plus = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000).toISOString();

export const NOVEMBER = { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' } as const;

export interface Month {
  readonly ann: number;
  readonly bob: number;
}

export async function generateMonth(store: Store): Promise<Month> {
  const db = store.db;
  const ann = (
    await createUser(db, { username: 'ann', displayName: 'Ann', role: 'agent', password: 'ann-password-123' })
  ).id;
  const bob = (
    await createUser(db, { username: 'bob', displayName: 'Bob', role: 'agent', password: 'bob-password-123' })
  ).id;

  const posts = [];
  for (let d = 1; d <= 30; d++) {
    const author = d === 29 ? 1 : d;
    posts.push(
      newPost({
        source: 'mast',
        externalId: `ticket-${d}`,
        author: { handle: `@person${author}@example.social`, name: null, followers: author * 100, following: 1 },
        createdAt: at(d, 10),
        sentiment: 'negative',
        kind: 'complaint',
      }),
      newPost({
        source: 'mast',
        externalId: `praise-a-${d}`,
        createdAt: at(d, 12),
        sentiment: 'positive',
        kind: 'praise',
      }),
      newPost({
        source: 'mast',
        externalId: `praise-b-${d}`,
        createdAt: at(d, 13),
        sentiment: 'positive',
        kind: 'praise',
      }),
    );
    if (d <= 10)
      posts.push(newPost({ source: 'mast', externalId: `neutral-${d}`, createdAt: at(d, 14), sentiment: 'neutral' }));
  }
  posts.push(
    newPost({ source: 'rss', externalId: 'rss-1', createdAt: at(3, 9), sentiment: 'positive', kind: 'praise' }),
    newPost({
      source: 'mast',
      externalId: 'october',
      author: { handle: '@october@example.social', name: null, followers: 5, following: 1 },
      createdAt: at(20, 10, 0, 9),
      sentiment: 'negative',
      kind: 'complaint',
    }),
  );
  const inserted = await insertPosts(db, posts, at(1, 0));
  const postId = (externalId: string) => inserted.find((post) => post.externalId === externalId)!.id;

  for (let d = 1; d <= 30; d++) {
    const created = at(d, 10);
    const answered = d % 5 === 0 ? null : plus(created, d * 10);
    const resolved = d % 2 === 0 ? plus(created, d * 60) : null;
    const ticket = await db
      .insertInto('tickets')
      .values({
        type: 'question',
        status: resolved ? 'resolved' : 'open',
        priority: 'normal',
        subject: `Day ${d}`,
        post_id: postId(`ticket-${d}`),
        stream_id: null,
        source: 'mast',
        assignee_id: d % 2 === 1 ? ann : bob,
        created_at: created,
        updated_at: resolved ?? answered ?? created,
        sla_due_at: plus(created, 60),
        first_responded_at: answered,
        resolved_at: resolved,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (answered) {
      const replies = d === 1 ? [answered, plus(answered, 5)] : [answered];
      for (const when of replies)
        await db
          .insertInto('ticket_events')
          .values({
            ticket_id: ticket.id,
            type: 'reply',
            actor_id: d % 2 === 1 ? ann : bob,
            body: 'Thanks, looking into it',
            data: '{}',
            created_at: when,
          })
          .execute();
    }
  }
  await db
    .insertInto('tickets')
    .values({
      type: 'question',
      status: 'open',
      priority: 'normal',
      subject: 'October',
      post_id: postId('october'),
      stream_id: null,
      source: 'mast',
      assignee_id: null,
      created_at: at(20, 10, 0, 9),
      updated_at: at(20, 10, 0, 9),
      sla_due_at: null,
      first_responded_at: null,
      resolved_at: null,
    })
    .execute();

  const incident = async (created: string, post: string, updates: { minutes: number; approved: boolean }[]) => {
    const row = await db
      .insertInto('incidents')
      .values({
        title: `Incident ${post}`,
        status: 'open',
        severity: 'major',
        terms: '{}',
        responders: '[]',
        created_at: created,
        updated_at: created,
        resolved_at: null,
        last_report_at: created,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('incident_posts')
      .values({ incident_id: row.id, post_id: postId(post), attached_at: created })
      .execute();
    for (const update of updates)
      await db
        .insertInto('incident_updates')
        .values({
          incident_id: row.id,
          kind: 'status',
          body: 'We are on it',
          author_id: ann,
          status: update.approved ? 'approved' : 'draft',
          created_at: plus(created, update.minutes),
          approved_at: update.approved ? plus(created, update.minutes) : null,
        })
        .execute();
  };
  await incident(at(3, 12), 'ticket-3', [
    { minutes: 10, approved: false },
    { minutes: 45, approved: true },
  ]);
  await incident(at(20, 8), 'ticket-20', []);
  await incident(at(4, 9), 'rss-1', [{ minutes: 30, approved: true }]);

  const alert = async (key: string, source: string | null, created: string, ackAfter: number | null) => {
    const { alert } = await raiseAlert(
      db,
      {
        type: source ? 'impersonation' : 'burst',
        severity: 'warning',
        title: key,
        key,
        evidence: source ? { source } : {},
      },
      created,
    );
    if (ackAfter !== null) await setAlertStatus(db, alert.id, 'acknowledged', plus(created, ackAfter));
  };
  await alert('a1', 'mast', at(5, 10), 20);
  await alert('a2', 'mast', at(6, 10), 120);
  await alert('a3', 'mast', at(7, 10), null);
  await alert('a4', null, at(8, 10), 5);
  return { ann, bob };
}
