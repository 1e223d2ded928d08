/**
 * Acting from anywhere, through the API: a post's ticket is opened or created (once), saved
 * replies are checked, filled for a ticket and audited, a customer's history counts their posts
 * this month and lists their other tickets, a blocked author's posts open no ticket, presence is
 * validated. A real store and app (`app.inject()`).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestDesk, type TestDesk } from '../helpers/app.js';
import { ingestLine } from '../helpers/posts.js';
import { backends } from '../helpers/backends.js';

for (const backend of await backends()) {
  describe(`${backend.name}: desk actions API`, { skip: backend.skip ?? false }, () => {
    let desk: TestDesk;
    let dispose: () => Promise<void> = async () => {};
    let auth: Record<string, string>;
    const call = async (method: string, url: string, payload?: unknown) => {
      const response = await desk.app.inject({
        method: method as 'GET',
        url: `/api${url}`,
        headers: auth,
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      });
      // biome-ignore lint/suspicious/noExplicitAny: the answers' shapes are asserted field by field below
      return { status: response.statusCode, body: response.body ? (response.json() as any) : null };
    };
    const ingest = async (overrides: Record<string, unknown>) => {
      const { status, body } = await call('POST', '/ingest', ingestLine(overrides));
      assert.equal(status, 200, JSON.stringify(body));
      return body as { postIds: number[]; ticketIds: number[] };
    };
    const ana = { handle: '@ana@example.social', name: 'Ana Lopez', followers: 10, following: 5 };

    before(async () => {
      let databaseUrl: string | null = null;
      if (backend.name === 'postgres') {
        const opened = await backend.open();
        databaseUrl = opened.databaseUrl;
        dispose = opened.dispose;
      }
      desk = await startTestDesk({ databaseUrl, clock: () => new Date('2026-11-25T12:00:00Z') });
      auth = { authorization: `Bearer ${await desk.tokenFor('admin')}` };
    });
    after(async () => {
      await desk?.close();
      await dispose();
    });

    it('opens a post’s ticket, creating it once', async () => {
      const { postIds, ticketIds } = await ingest({ author: ana, text: 'Where do I find my invoice?' });
      assert.deepEqual(ticketIds, [], 'no stream: no ticket by itself');
      const first = await call('POST', `/posts/${postIds[0]}/ticket`);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(first.body.created, true);
      assert.equal(first.body.ticket.type, 'question');
      const again = await call('POST', `/posts/${postIds[0]}/ticket`);
      assert.deepEqual([again.body.created, again.body.ticket.id], [false, first.body.ticket.id]);
      assert.equal((await call('POST', '/posts/999999/ticket')).status, 404);
    });

    it('saved replies: unknown placeholders refused, titles unique, filled for a ticket, audited', async () => {
      const typo = await call('POST', '/saved-replies', { title: 'Typo', body: 'Hi {nmae}' });
      assert.equal(typo.status, 400);
      assert.match(typo.body.error.message, /\{nmae\}/);
      const created = await call('POST', '/saved-replies', {
        title: 'Looking into it',
        body: 'Hi {name}, about {ticket}: {incident_status}.',
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal((await call('POST', '/saved-replies', { title: 'Looking into it', body: 'x' })).status, 409);
      const { postIds } = await ingest({ author: ana, text: 'Still no invoice, two weeks now' });
      const { body: opened } = await call('POST', `/posts/${postIds[0]}/ticket`);
      const filled = await call('POST', `/tickets/${opened.ticket.id}/saved-replies/${created.body.id}`);
      assert.equal(filled.body.body, `Hi Ana, about #${opened.ticket.id}: we are looking into it.`);
      const edited = await call('PATCH', `/saved-replies/${created.body.id}`, { body: 'Thanks {name}.' });
      assert.equal(edited.body.body, 'Thanks {name}.');
      assert.equal((await call('DELETE', `/saved-replies/${created.body.id}`)).status, 204);
      assert.deepEqual((await call('GET', '/saved-replies')).body, []);
      const audit = (await call('GET', '/desk/audit')).body.map((entry: { action: string }) => entry.action);
      for (const action of [
        'ticket.opened-from-post',
        'saved-reply.created',
        'saved-reply.updated',
        'saved-reply.deleted',
      ])
        assert.ok(audit.includes(action), `${action} audited`);

      const history = (await call('GET', `/tickets/${opened.ticket.id}/history`)).body.history;
      assert.equal(history.author.handle, ana.handle);
      assert.equal(history.postsSince, 2, 'both of Ana’s posts are this month');
      assert.deepEqual(
        history.tickets.map((ticket: { subject: string }) => ticket.subject),
        ['Where do I find my invoice?'],
        'her other ticket, not this one',
      );
    });

    it('a blocked author’s posts open no ticket; a muted one’s still do', async () => {
      assert.equal((await call('POST', '/streams', { name: 'Portal', query: 'portal' })).status, 201);
      const bo = { handle: '@bo@example.social', name: 'Bo', followers: 1, following: 1 };
      const cy = { handle: '@cy@example.social', name: 'Cy', followers: 1, following: 1 };
      assert.equal(
        (await call('PUT', '/authors/decisions', { source: 'mastodon', ...bo, action: 'block' })).status,
        400,
        'only source, handle and action',
      );
      assert.equal(
        (await call('PUT', '/authors/decisions', { source: 'mastodon', handle: bo.handle, action: 'block' })).status,
        204,
      );
      assert.equal(
        (await call('PUT', '/authors/decisions', { source: 'mastodon', handle: cy.handle, action: 'mute' })).status,
        204,
      );
      const blocked = await ingest({ author: bo, text: 'The portal is down, I cannot log in at all' });
      const muted = await ingest({ author: cy, text: 'The portal is down for me too, cannot log in' });
      assert.deepEqual(blocked.ticketIds, []);
      assert.equal(muted.ticketIds.length, 1);
      const decisions = (await call('GET', '/authors/decisions')).body;
      assert.deepEqual(decisions.map((d: { handle: string; action: string }) => `${d.handle}:${d.action}`).sort(), [
        `${bo.handle}:block`,
        `${cy.handle}:mute`,
      ]);
      assert.equal(
        (await call('PUT', '/authors/decisions', { source: 'mastodon', handle: bo.handle, action: null })).status,
        204,
      );
      assert.equal(
        (await call('PUT', '/authors/decisions', { source: 'mastodon', handle: bo.handle, action: null })).status,
        404,
      );
      const audit = (await call('GET', '/desk/audit')).body.map((entry: { action: string }) => entry.action);
      assert.ok(audit.includes('author.block') && audit.includes('author.mute') && audit.includes('author.cleared'));
    });

    it('edit and resend: a failed reply is replaced by a checked new one and no longer counts as failed', async () => {
      const { postIds } = await ingest({ author: ana, text: 'My refund never arrived' });
      const { body: opened } = await call('POST', `/posts/${postIds[0]}/ticket`);
      const ticketId = opened.ticket.id as number;
      const sent = await call('POST', `/tickets/${ticketId}/replies`, {
        body: 'Sorry Ana, we are checking the refund now.',
        visibility: 'private',
      });
      assert.equal(sent.status, 201, JSON.stringify(sent.body));
      // No source named mastodon is configured: the real worker fails the reply for good.
      await desk.runtime.outbound.runOnce();
      const failedId = sent.body.outbound.id as number;
      const resend = (payload: unknown, id = failedId) =>
        call('POST', `/tickets/${ticketId}/replies/${id}/resend`, payload);
      const unchecked = await resend({ body: 'Calm down, it is not our fault. Ring 020 7946 0958.' });
      assert.match(unchecked.body.error.code, /^ERR_GUIDELINE_/, 'the guideline check applies');
      assert.equal(
        (await call('GET', `/tickets/${ticketId}`)).body.outbound[0].status,
        'failed',
        'a refused resend leaves it failed',
      );
      assert.equal((await resend({ body: 'x' }, 999999)).status, 404);
      const resent = await resend({
        body: 'Sorry Ana, the refund is on its way; reply here if it is not there by Friday.',
      });
      assert.equal(resent.status, 201, JSON.stringify(resent.body));
      assert.equal(resent.body.superseded.status, 'superseded');
      assert.equal(resent.body.outbound.status, 'queued');
      assert.equal(resent.body.outbound.visibility, 'private', 'the failed reply’s visibility');
      assert.equal(resent.body.event.data.resendOf, failedId);
      assert.equal((await resend({ body: 'Again' })).status, 409, 'only a failed reply is resent');
      assert.equal((await call('POST', `/tickets/${ticketId}/replies/${failedId}/retry`)).status, 409);
      const detail = (await call('GET', `/tickets/${ticketId}`)).body;
      assert.deepEqual(
        detail.outbound.map((message: { status: string }) => message.status),
        ['superseded', 'queued'],
      );
      const audit = (await call('GET', '/desk/audit')).body.find(
        (entry: { action: string }) => entry.action === 'reply.resend',
      );
      assert.deepEqual(audit?.data, { ticketId, superseded: failedId, outboundId: resent.body.outbound.id });
    });

    it('presence is announced for a ticket that exists, in a known state', async () => {
      const { postIds } = await ingest({ author: ana, text: 'One more thing' });
      const { body } = await call('POST', `/posts/${postIds[0]}/ticket`);
      assert.equal((await call('POST', `/tickets/${body.ticket.id}/presence`, { state: 'typing' })).status, 204);
      assert.equal((await call('POST', `/tickets/${body.ticket.id}/presence`, { state: 'dancing' })).status, 400);
      assert.equal((await call('POST', '/tickets/999999/presence', { state: 'viewing' })).status, 404);
    });
  });
}
