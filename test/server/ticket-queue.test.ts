/**
 * `GET /api/tickets` as a work queue, on SQLite and PostgreSQL: sorted by SLA due (a high-priority
 * ticket due within the hour above low-priority ones due tomorrow), by priority and by age;
 * filtered by status, kind, channel, assignee, sentiment and language; searched; with each row's
 * author; paged by offset in the sorted orders.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../helpers/backends.js';
import { startTestDesk, type TestDesk } from '../helpers/app.js';
import { ingestLine } from '../helpers/posts.js';
import { createTickets } from '../../src/store/tickets.js';
import type { TicketPriority } from '../../src/domain/ticket.js';

const NOW = new Date('2026-12-01T09:00:00Z');
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000).toISOString();

for (const backend of await backends()) {
  describe(`${backend.name}: the ticket work queue`, { skip: backend.skip ?? false }, () => {
    let desk: TestDesk;
    let dispose: () => Promise<void> = async () => {};
    let token = '';
    const ids: Record<string, number> = {};

    async function list(querystring: string) {
      const response = await desk.app.inject({
        url: `/api/tickets?${querystring}`,
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(response.statusCode, 200, response.body);
      return response.json() as {
        tickets: { id: number; priority: string }[];
        authors: Record<string, { handle: string; name: string | null }>;
        nextBefore: number | null;
        nextOffset: number | null;
      };
    }
    const names = (page: { tickets: { id: number }[] }) =>
      page.tickets.map((ticket) => Object.keys(ids).find((name) => ids[name] === ticket.id) ?? `#${ticket.id}`);

    before(async () => {
      let databaseUrl: string | null = null;
      if (backend.name === 'postgres') {
        const opened = await backend.open();
        databaseUrl = opened.databaseUrl;
        dispose = opened.dispose;
      }
      desk = await startTestDesk({ databaseUrl, clock: () => NOW });
      token = await desk.tokenFor('agent');
      // Posts as a channel delivers them; the tickets are made with chosen priorities and due times.
      const posts: [string, Record<string, unknown>][] = [
        ['lowTomorrow', { source: 'mastodon', text: 'Thanks for the great lectures this term!', lang: 'en' }],
        ['lowLater', { source: 'mastodon', text: 'Thank you, library staff, you are wonderful', lang: 'en' }],
        [
          'highSoon',
          {
            source: 'bluesky',
            text: 'Das Portal ist wieder down, ich komme nicht an meine Noten',
            author: { handle: '@greta.bsky.social', name: 'Greta Vogel', followers: 10, following: 10 },
          },
        ],
        ['normalLate', { source: 'mastodon', text: 'The wifi in the library is broken and terrible, awful service' }],
      ];
      const tickets: {
        name: string;
        priority: TicketPriority;
        due: string | null;
        postId: number | null;
        source: string | null;
      }[] = [];
      const due: Record<string, [TicketPriority, string | null]> = {
        lowTomorrow: ['low', at(24 * 60)],
        lowLater: ['low', at(20 * 60)],
        highSoon: ['high', at(58)],
        normalLate: ['normal', at(-30)],
      };
      for (const [name, overrides] of posts) {
        const response = await desk.app.inject({
          method: 'POST',
          url: '/api/ingest',
          headers: { authorization: `Bearer ${await desk.tokenFor('admin')}` },
          payload: ingestLine(overrides),
        });
        assert.equal(response.statusCode, 200, response.body);
        const body = response.json() as { postIds: number[]; ticketIds: number[] };
        assert.deepEqual(body.ticketIds, [], `${name} raises no ticket by itself (no streams yet)`);
        tickets.push({
          name,
          priority: due[name]![0],
          due: due[name]![1],
          postId: body.postIds[0]!,
          source: overrides.source as string,
        });
      }
      tickets.push({ name: 'byHand', priority: 'urgent', due: null, postId: null, source: null });
      for (const ticket of tickets) {
        const [created] = await createTickets(
          desk.runtime.store.db,
          [
            {
              type: 'request',
              priority: ticket.priority,
              subject: `${ticket.name} ticket`,
              postId: ticket.postId,
              streamId: null,
              source: ticket.source,
              slaDueAt: ticket.due,
            },
          ],
          at(-60 + Object.keys(ids).length),
        );
        ids[ticket.name] = created!.id;
      }
    });
    after(async () => {
      await desk?.close();
      await dispose();
    });

    test('sort=sla: running clocks first, soonest due on top; the high-priority ticket due in 58 minutes beats low ones due tomorrow', async () => {
      const page = await list('status=new,open,pending&sort=sla');
      assert.deepEqual(names(page), ['normalLate', 'highSoon', 'lowLater', 'lowTomorrow', 'byHand']);
    });

    test('sort=priority and sort=age; the default stays newest first', async () => {
      assert.deepEqual(names(await list('sort=priority')), [
        'byHand',
        'highSoon',
        'normalLate',
        'lowLater',
        'lowTomorrow',
      ]);
      assert.deepEqual(names(await list('sort=age')), ['lowTomorrow', 'lowLater', 'highSoon', 'normalLate', 'byHand']);
      assert.deepEqual(names(await list('')), ['byHand', 'normalLate', 'highSoon', 'lowLater', 'lowTomorrow']);
    });

    test('filters by channel, sentiment, language and kind; searches subject, text and author', async () => {
      assert.deepEqual(names(await list('channel=bluesky')), ['highSoon']);
      assert.deepEqual(names(await list('language=de')), ['highSoon']);
      const negative = names(await list('sentiment=negative'));
      assert.ok(negative.includes('normalLate'), negative.join());
      assert.ok(!negative.includes('lowTomorrow'), negative.join());
      const praise = names(await list('kind=praise'));
      assert.ok(praise.includes('lowTomorrow') && !praise.includes('highSoon'), praise.join());
      assert.deepEqual(names(await list('q=greta')), ['highSoon'], 'by author name');
      assert.deepEqual(names(await list('q=WIFI%20library')), ['normalLate'], 'every word, any case');
      assert.deepEqual(names(await list('q=byHand')), ['byHand'], 'by subject');
      assert.deepEqual(names(await list('q=100%25')), [], 'a % is a character, not a wildcard');
      assert.deepEqual(names(await list('assignee=none&channel=mastodon&sort=sla')), [
        'normalLate',
        'lowLater',
        'lowTomorrow',
      ]);
    });

    test('each row comes with its author; sorted pages go by offset', async () => {
      const page = await list('sort=sla&limit=2');
      assert.deepEqual(names(page), ['normalLate', 'highSoon']);
      assert.equal(page.nextOffset, 2);
      assert.equal(page.nextBefore, null);
      assert.deepEqual(page.authors[String(ids.highSoon)], { handle: '@greta.bsky.social', name: 'Greta Vogel' });
      const rest = await list('sort=sla&limit=2&offset=2');
      assert.deepEqual(names(rest), ['lowLater', 'lowTomorrow']);
      const last = await list('sort=sla&limit=2&offset=4');
      assert.deepEqual(names(last), ['byHand']);
      assert.equal(last.nextOffset, null);
      assert.equal(last.authors[String(ids.byHand)], undefined, 'a ticket opened by hand has no author');
      const newest = await list('limit=2');
      assert.equal(newest.nextBefore, ids.normalLate);
    });

    test('bad values are refused with a clear error', async () => {
      for (const bad of ['sort=random', 'sentiment=angry', 'kind=weird', 'language=GERMAN']) {
        const response = await desk.app.inject({
          url: `/api/tickets?${bad}`,
          headers: { authorization: `Bearer ${token}` },
        });
        assert.equal(response.statusCode, 400, bad);
        assert.equal(response.json().error.code, 'ERR_INPUT_INVALID', bad);
      }
    });
  });
}
