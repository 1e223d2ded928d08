/**
 * Saved views of the work queue through the API, on SQLite and PostgreSQL: a personal view is
 * its owner's alone (anyone else gets 404, even an admin), a shared one is listed for the whole
 * desk and changed only by its owner, a lead or an admin; only the owner makes it personal again;
 * names are unique among the views one person sees; filters are the tickets list's own fields, and
 * an unknown field or value is refused by name; a saved view's filters, passed to the tickets
 * list, give what the list gives; changes to shared views are in the settings audit.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../helpers/backends.js';
import { startTestDesk, type TestDesk } from '../helpers/app.js';
import { ingestLine } from '../helpers/posts.js';
import { SAVED_VIEW_FIELDS } from '../../src/domain/saved-view.js';

for (const backend of await backends()) {
  describe(`${backend.name}: saved views API`, { skip: backend.skip ?? false }, () => {
    let desk: TestDesk;
    let dispose: () => Promise<void> = async () => {};
    let admin: string;
    let lead: string;
    let ana: string;
    let ben: string;
    const call = async (token: string, method: string, url: string, payload?: unknown) => {
      const response = await desk.app.inject({
        method: method as 'GET',
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      });
      return { status: response.statusCode, body: response.body ? response.json() : null };
    };
    const names = async (token: string) =>
      ((await call(token, 'GET', '/api/saved-views')).body.views as { name: string; scope: string }[]).map(
        (view) => `${view.scope}:${view.name}`,
      );

    before(async () => {
      let databaseUrl: string | null = null;
      if (backend.name === 'postgres') {
        const opened = await backend.open();
        databaseUrl = opened.databaseUrl;
        dispose = opened.dispose;
      }
      desk = await startTestDesk({ databaseUrl });
      admin = await desk.tokenFor('admin');
      lead = await desk.tokenFor('lead');
      ana = await desk.tokenFor('agent');
      ben = await desk.tokenFor('agent');
    });
    after(async () => {
      await desk?.close();
      await dispose();
    });

    test('a personal view is its owner’s alone; a shared one is listed for everyone', async () => {
      const mine = await call(ana, 'POST', '/api/saved-views', {
        name: 'My urgent outages',
        scope: 'personal',
        filters: { queue: 'mine', sort: 'sla', kind: 'outage', q: 'portal' },
      });
      assert.equal(mine.status, 201, JSON.stringify(mine.body));
      assert.equal(mine.body.scope, 'personal');
      assert.deepEqual(mine.body.filters, { queue: 'mine', sort: 'sla', kind: 'outage', q: 'portal' });
      assert.equal(mine.body.canChange, true);
      const shared = await call(ana, 'POST', '/api/saved-views', {
        name: '  Angry in French ',
        scope: 'shared',
        filters: { sentiment: 'negative', language: 'fr', sort: 'priority' },
      });
      assert.equal(shared.status, 201, JSON.stringify(shared.body));
      assert.equal(shared.body.name, 'Angry in French', 'the name is trimmed');

      assert.deepEqual(await names(ana), ['personal:My urgent outages', 'shared:Angry in French']);
      assert.deepEqual(await names(ben), ['shared:Angry in French']);
      assert.deepEqual(await names(admin), ['shared:Angry in French'], 'not even an admin lists it');
      for (const token of [ben, admin, lead]) {
        const peek = await call(token, 'GET', `/api/saved-views/${mine.body.id}`);
        assert.equal(peek.status, 404, 'someone else’s personal view does not exist for them');
        assert.equal(peek.body.error.code, 'ERR_NOT_FOUND');
        assert.equal(
          (await call(token, 'PATCH', `/api/saved-views/${mine.body.id}`, { name: 'Mine now' })).status,
          404,
        );
        assert.equal((await call(token, 'DELETE', `/api/saved-views/${mine.body.id}`)).status, 404);
      }
      const seen = await call(ben, 'GET', `/api/saved-views/${shared.body.id}`);
      assert.equal(seen.status, 200);
      assert.equal(seen.body.canChange, false, 'another agent may use a shared view, not change it');
      assert.equal((await call(ana, 'GET', `/api/saved-views/${mine.body.id}`)).body.name, 'My urgent outages');
    });

    test('a shared view is changed by its owner, a lead or an admin; only its owner makes it personal', async () => {
      const view = (
        await call(ana, 'POST', '/api/saved-views', { name: 'Billing', scope: 'shared', filters: { q: 'invoice' } })
      ).body;
      const renamed = await call(ben, 'PATCH', `/api/saved-views/${view.id}`, { name: 'Ben’s billing' });
      assert.equal(renamed.status, 403);
      assert.equal(renamed.body.error.code, 'ERR_AUTH_FORBIDDEN');
      assert.equal((await call(ben, 'DELETE', `/api/saved-views/${view.id}`)).status, 403);
      assert.equal((await call(ana, 'GET', `/api/saved-views/${view.id}`)).body.name, 'Billing', 'nothing changed');

      const byLead = await call(lead, 'PATCH', `/api/saved-views/${view.id}`, {
        name: 'Billing questions',
        filters: { q: 'invoice', kind: 'question' },
      });
      assert.equal(byLead.status, 200, JSON.stringify(byLead.body));
      assert.equal(byLead.body.canChange, true);
      assert.equal(byLead.body.ownerId, view.ownerId, 'the owner stays');
      const privatise = await call(lead, 'PATCH', `/api/saved-views/${view.id}`, { scope: 'personal' });
      assert.equal(privatise.status, 403, 'a lead does not take a shared view away from the team');
      const own = await call(ana, 'PATCH', `/api/saved-views/${view.id}`, { scope: 'personal' });
      assert.equal(own.status, 200);
      assert.equal((await call(lead, 'GET', `/api/saved-views/${view.id}`)).status, 404, 'personal now');
      assert.equal((await call(ana, 'PATCH', `/api/saved-views/${view.id}`, { scope: 'shared' })).status, 200);
      assert.equal((await call(admin, 'DELETE', `/api/saved-views/${view.id}`)).status, 204);
      assert.equal((await call(ana, 'GET', `/api/saved-views/${view.id}`)).status, 404, 'gone for its owner too');

      const audit = (await call(admin, 'GET', '/api/settings/audit')).body.entries as {
        area: string;
        change: string;
        subject: string;
      }[];
      const trail = audit
        .filter((entry) => entry.area === 'saved-view')
        .map((entry) => `${entry.change} ${entry.subject}`);
      assert.ok(trail.includes('created Billing'), trail.join('; '));
      assert.ok(trail.includes('updated Billing questions'), trail.join('; '));
      assert.ok(trail.includes('deleted Billing questions'), trail.join('; '));
    });

    test('bad input is refused by name and nothing is saved', async () => {
      const before = await names(ben);
      const unknown = await call(ben, 'POST', '/api/saved-views', {
        name: 'Colourful',
        scope: 'personal',
        filters: { sort: 'sla', colour: 'red' },
      });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.error.code, 'ERR_INPUT_INVALID');
      assert.match(unknown.body.error.message, /body\.filters has an unknown field "colour"/);
      const badSort = await call(ben, 'POST', '/api/saved-views', {
        name: 'Sideways',
        scope: 'personal',
        filters: { sort: 'sideways' },
      });
      assert.equal(badSort.status, 400);
      assert.match(badSort.body.error.message, /body\.filters\.sort/);
      const badAssignee = await call(ben, 'POST', '/api/saved-views', {
        name: 'Who',
        scope: 'personal',
        filters: { assignee: 'everyone' },
      });
      assert.match(badAssignee.body.error.message, /body\.filters\.assignee/);
      const badScope = await call(ben, 'POST', '/api/saved-views', { name: 'Team', scope: 'team', filters: {} });
      assert.equal(badScope.status, 400);
      const blank = await call(ben, 'POST', '/api/saved-views', { name: '   ', scope: 'personal', filters: {} });
      assert.equal(blank.status, 400);
      const noChange = await call(ben, 'PATCH', '/api/saved-views/1', {});
      assert.equal(noChange.status, 400);
      assert.deepEqual(await names(ben), before, 'nothing was saved');

      // Two views one person sees never share a name: theirs and the shared ones.
      const first = await call(ben, 'POST', '/api/saved-views', { name: 'Mornings', scope: 'personal', filters: {} });
      assert.equal(first.status, 201);
      const again = await call(ben, 'POST', '/api/saved-views', { name: 'Mornings', scope: 'shared', filters: {} });
      assert.equal(again.status, 409);
      assert.match(again.body.error.message, /A personal view named "Mornings" exists already/);
      const sharedClash = await call(ben, 'POST', '/api/saved-views', {
        name: 'Angry in French',
        scope: 'personal',
        filters: {},
      });
      assert.equal(sharedClash.status, 409);
      const othersName = await call(admin, 'POST', '/api/saved-views', {
        name: 'Mornings',
        scope: 'personal',
        filters: {},
      });
      assert.equal(othersName.status, 201, 'another person’s personal names are theirs');
    });

    test('the OpenAPI document describes the saved views and their closed filters', async () => {
      const document = (await desk.app.inject('/api/docs/json')).json();
      assert.ok(document.paths['/api/saved-views'].post, 'POST /api/saved-views');
      assert.ok(document.paths['/api/saved-views/{id}'].patch, 'PATCH /api/saved-views/{id}');
      const filters =
        document.paths['/api/saved-views'].post.requestBody.content['application/json'].schema.properties.filters;
      assert.equal(filters.additionalProperties, false);
      // The domain's list of fields is the schema's: the types the desk and store use say the same.
      assert.deepEqual(Object.keys(filters.properties).sort(), [...SAVED_VIEW_FIELDS].sort());
    });

    test('a saved view’s filters, passed to the tickets list, give what the list gives', async () => {
      assert.equal(
        (await call(admin, 'POST', '/api/streams', { name: 'Everything', query: 'portal OR invoice' })).status,
        201,
      );
      for (const [id, text] of [
        ['sv-1', 'The portal is down and nothing loads, this is awful'],
        ['sv-2', 'How do I download my invoice from the portal?'],
      ] as const)
        assert.equal((await call(admin, 'POST', '/api/ingest', ingestLine({ id, text }))).status, 200);
      const view = (
        await call(ana, 'POST', '/api/saved-views', {
          name: 'Outages by due time',
          scope: 'personal',
          filters: { queue: 'open', sort: 'sla', kind: 'outage' },
        })
      ).body;
      const { queue: _tab, ...query } = view.filters as Record<string, string>;
      const listed = await call(ana, 'GET', `/api/tickets?${new URLSearchParams(query)}`);
      assert.equal(listed.status, 200, JSON.stringify(listed.body));
      const subjects = (listed.body.tickets as { subject: string }[]).map((ticket) => ticket.subject);
      assert.equal(subjects.length, 1, subjects.join('; '));
      assert.match(subjects[0]!, /portal is down/);
    });
  });
}
