/**
 * Conversations stay one ticket, through the API a user takes (`POST /api/ingest`, the ticket view),
 * on SQLite and PostgreSQL: a follow-up joins the ticket its thread started by the post it answers,
 * by its thread root, by mail References, or by answering the desk's own reply; a resolved ticket
 * re-opens; a closed one does not take it; a mail ticket takes its Subject.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../helpers/backends.js';
import { startTestDesk, type TestDesk } from '../helpers/app.js';
import { ingestLine } from '../helpers/posts.js';

for (const backend of await backends()) {
  describe(`${backend.name}: conversations`, { skip: backend.skip ?? false }, () => {
    let desk: TestDesk;
    let dispose: () => Promise<void> = async () => {};
    let token: string;
    const auth = () => ({ authorization: `Bearer ${token}` });

    before(async () => {
      let databaseUrl: string | null = null;
      if (backend.name === 'postgres') {
        const opened = await backend.open();
        databaseUrl = opened.databaseUrl;
        dispose = opened.dispose;
      }
      desk = await startTestDesk({ databaseUrl });
      token = await desk.tokenFor('agent');
      // Ticket rules are a team lead's setting (an agent may not change them).
      const lead = await desk.tokenFor('lead');
      const stream = await desk.app.inject({
        method: 'POST',
        url: '/api/streams',
        headers: { authorization: `Bearer ${lead}` },
        payload: {
          name: 'Every channel here',
          query: 'source:bsky OR source:helpdesk-mail OR source:masto',
          // Every post may raise a ticket: whether a follow-up does is then up to the conversation alone.
          ticketRules: [{ kinds: [], sentiments: [], ticketType: 'question', priority: 'normal' }],
        },
      });
      assert.equal(stream.statusCode, 201, stream.body);
    });
    after(async () => {
      await desk.close();
      await dispose();
    });

    const ingest = async (posts: Record<string, unknown>[]) => {
      const response = await desk.app.inject({
        method: 'POST',
        url: '/api/ingest',
        headers: { ...auth(), 'content-type': 'application/x-ndjson' },
        payload: posts.map((post) => JSON.stringify(post)).join('\n'),
      });
      assert.equal(response.statusCode, 200, response.body);
      return response.json() as { new: number; ticketIds: number[] };
    };
    const detail = async (id: number) => {
      const response = await desk.app.inject({ url: `/api/tickets/${id}`, headers: auth() });
      assert.equal(response.statusCode, 200, response.body);
      return response.json();
    };
    const ticketCount = async () =>
      (await desk.app.inject({ url: '/api/tickets?limit=500', headers: auth() })).json().tickets.length as number;

    test('a reply to the ticket’s post joins it as a message; the view shows the thread in order', async () => {
      const first = await ingest([
        ingestLine({ source: 'bsky', id: 'at://a/p/1', text: 'VPN is down, cannot connect' }),
      ]);
      assert.equal(first.ticketIds.length, 1);
      const id = first.ticketIds[0]!;
      const reply = await desk.app.inject({
        method: 'POST',
        url: `/api/tickets/${id}/replies`,
        headers: auth(),
        payload: { body: 'Sorry, we are on it. Which office are you in?', visibility: 'public' },
      });
      assert.equal(reply.statusCode, 201, reply.body);
      const before = await ticketCount();
      const follow = await ingest([
        ingestLine({
          source: 'bsky',
          id: 'at://a/p/2',
          inReplyTo: 'at://a/p/1',
          text: 'Still down for me, it is broken in the Leeds office, terrible',
          createdAt: '2026-11-20T11:00:00.000Z',
        }),
      ]);
      assert.equal(follow.new, 1);
      assert.deepEqual(follow.ticketIds, [], 'the follow-up raises no ticket of its own');
      assert.equal(await ticketCount(), before);
      const view = await detail(id);
      const types = view.events.map((event: { type: string }) => event.type);
      assert.deepEqual(types, ['created', 'reply', 'message'], 'created, our reply, their message');
      const message = view.events.at(-1);
      const joined = view.thread.find((post: { id: number }) => post.id === message.data.postId);
      assert.ok(joined, 'the joined post is in the thread');
      assert.match(joined.text, /Leeds office/);
    });

    test('a Bluesky reply deeper in the thread joins by its root; a resolved ticket re-opens', async () => {
      const first = await ingest([
        ingestLine({ source: 'bsky', id: 'at://b/p/1', text: 'Printer on floor 3 is broken' }),
      ]);
      const id = first.ticketIds[0]!;
      const resolved = await desk.app.inject({
        method: 'PATCH',
        url: `/api/tickets/${id}`,
        headers: auth(),
        payload: { status: 'resolved' },
      });
      assert.equal(resolved.json().status, 'resolved');
      // A reply to someone else's reply in the thread: its parent is unknown here, its root is the ticket's post.
      const later = await ingest([
        ingestLine({
          source: 'bsky',
          id: 'at://b/p/9',
          inReplyTo: 'at://c/p/7',
          reply: { root: { uri: 'at://b/p/1', cid: 'x' }, parent: { uri: 'at://c/p/7', cid: 'y' } },
          text: 'It is broken again, printer jammed',
        }),
      ]);
      assert.deepEqual(later.ticketIds, []);
      const view = await detail(id);
      assert.equal(view.ticket.status, 'open', 'the customer spoke again: re-opened');
      assert.equal(view.ticket.resolvedAt, null);
      const reopened = view.events.findLast((event: { type: string }) => event.type === 'status');
      assert.deepEqual([reopened.data.from, reopened.data.to], ['resolved', 'open']);
    });

    test('mail: the ticket takes the Subject; an answer to our reply joins by In-Reply-To and References', async () => {
      const first = await ingest([
        ingestLine({
          source: 'helpdesk-mail',
          id: '<m1@customer.example>',
          subject: 'Cannot log in to the payroll portal',
          text: 'Hello,\n\nI cannot log in since this morning, it is broken.',
        }),
      ]);
      const id = first.ticketIds[0]!;
      assert.equal((await detail(id)).ticket.subject, 'Cannot log in to the payroll portal');
      await desk.app.inject({
        method: 'POST',
        url: `/api/tickets/${id}/replies`,
        headers: auth(),
        payload: { body: 'Please try resetting your password.', visibility: 'private' },
      });
      // What the outbound worker records once the channel sent it: our Message-ID as the remote id.
      const outbound = (await detail(id)).outbound[0];
      await desk.runtime.store.db
        .updateTable('outbound_messages')
        .set({ status: 'sent', remote_id: '<earshot.abc@desk.example>' })
        .where('id', '=', outbound.id)
        .execute();
      const answer = await ingest([
        ingestLine({
          source: 'helpdesk-mail',
          id: '<m2@customer.example>',
          inReplyTo: '<earshot.abc@desk.example>',
          references: ['<m1@customer.example>', '<earshot.abc@desk.example>'],
          subject: 'Re: Cannot log in to the payroll portal',
          text: 'Hello,\n\nThe reset did not help, still broken.',
        }),
      ]);
      assert.deepEqual(answer.ticketIds, []);
      const view = await detail(id);
      assert.equal(view.events.filter((event: { type: string }) => event.type === 'message').length, 1);
      assert.equal(view.ticket.subject, 'Cannot log in to the payroll portal');
    });

    test('a post and its follow-up in one batch make one ticket; a closed ticket takes no follow-up', async () => {
      const batch = await ingest([
        ingestLine({
          source: 'masto',
          id: '500',
          text: 'Wifi is down in the library',
          createdAt: '2026-11-20T09:00:00Z',
        }),
        ingestLine({
          source: 'masto',
          id: '501',
          inReplyTo: '500',
          text: 'Wifi still down, broken everywhere in the library',
          createdAt: '2026-11-20T09:05:00Z',
        }),
      ]);
      assert.equal(batch.new, 2);
      assert.equal(batch.ticketIds.length, 1);
      const id = batch.ticketIds[0]!;
      assert.equal((await detail(id)).events.filter((event: { type: string }) => event.type === 'message').length, 1);
      for (const status of ['closed'])
        await desk.app.inject({ method: 'PATCH', url: `/api/tickets/${id}`, headers: auth(), payload: { status } });
      const after = await ingest([
        ingestLine({ source: 'masto', id: '502', inReplyTo: '500', text: 'Wifi is down again in the library' }),
      ]);
      assert.equal(after.ticketIds.length, 1, 'a closed conversation starts a new ticket');
      assert.notEqual(after.ticketIds[0], id);
    });
  });
}
