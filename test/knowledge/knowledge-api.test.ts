/**
 * The knowledge base, policies and belt ladder through the API, on SQLite and PostgreSQL:
 * article versions, diffs and full-text search, the public read-only page; a policy version
 * acknowledged by some and reported missing for others; a white belt's public reply held,
 * approved by a green belt and then queued to send; a white belt refused a batch reply; a
 * promotion when the criteria are met; a guideline change without a policy change flagged.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../helpers/backends.js';
import { startTestDesk, type TestDesk } from '../helpers/app.js';
import { createApiToken, createUser } from '../../src/store/users.js';
import { insertPosts } from '../../src/store/posts.js';
import { createTickets, listOutbound } from '../../src/store/tickets.js';
import { attachPosts, createIncident } from '../../src/store/incidents.js';
import { newPost } from '../helpers/posts.js';
import { outageReports } from '../desk/outage-reports.js';

for (const backend of await backends()) {
  describe(`${backend.name}: knowledge, policies and belts`, { skip: backend.skip ?? false }, () => {
    let desk: TestDesk;
    let dispose: () => Promise<void> = async () => {};
    const tokens: Record<string, string> = {};
    const ids: Record<string, number> = {};
    const as = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });
    const call = (who: string, method: string, url: string, payload?: object) =>
      desk.app.inject({
        method: method as 'GET',
        url,
        headers: as(who),
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      });

    before(async () => {
      let databaseUrl: string | null = null;
      if (backend.name === 'postgres') {
        const opened = await backend.open();
        databaseUrl = opened.databaseUrl;
        dispose = opened.dispose;
      }
      desk = await startTestDesk({ databaseUrl });
      for (const [name, role] of [
        ['root', 'admin'],
        ['wendy', 'agent'],
        ['gus', 'agent'],
        ['yara', 'agent'],
      ] as const) {
        const user = await createUser(desk.runtime.store.db, { username: name, role, password: `pw-${name}-123456` });
        ids[name] = user.id;
        tokens[name] = (await createApiToken(desk.runtime.store.db, user.id, 'test')).token;
      }
    });
    after(async () => {
      await desk.close();
      await dispose();
    });

    async function ticket(text: string) {
      const [post] = await insertPosts(desk.runtime.store.db, [newPost({ text })]);
      const [created] = await createTickets(desk.runtime.store.db, [
        {
          type: 'question',
          priority: 'normal',
          subject: text,
          postId: post!.id,
          streamId: null,
          source: 'mastodon',
          slaDueAt: null,
        },
      ]);
      return created!;
    }

    test('articles keep every version, diff them, link each other and are found by their words', async () => {
      const first = await call('gus', 'POST', '/api/articles', {
        title: 'Resetting your password',
        body: 'Open **Settings**, then choose *Security*.\n\nThe reset mail arrives within minutes.',
        tags: ['Account', 'password'],
        visibility: 'public',
      });
      assert.equal(first.statusCode, 201, first.body);
      const article = first.json();
      assert.equal(article.slug, 'resetting-your-password');
      assert.deepEqual(article.tags, ['account', 'password']);
      const improved = await call('yara', 'PATCH', `/api/articles/${article.id}`, {
        body: 'Open **Settings**, then choose *Security*.\n\nThe reset mail arrives within five minutes; check spam.',
        note: 'Say where to look',
      });
      assert.equal(improved.json().version, 2);
      const other = await call('yara', 'POST', '/api/articles', {
        title: 'Two-factor codes',
        body: 'Lost your phone? Start with [the password reset](/kb/resetting-your-password).',
        visibility: 'internal',
      });
      const detail = (await call('wendy', 'GET', `/api/articles/${article.id}`)).json();
      assert.deepEqual(
        detail.versions.map((v: { version: number; authorId: number }) => [v.version, v.authorId]),
        [
          [2, ids.yara],
          [1, ids.gus],
        ],
      );
      assert.deepEqual(
        detail.linkedFrom.map((a: { id: number }) => a.id),
        [other.json().id],
      );
      assert.match(detail.html, /<strong>Settings<\/strong>/);
      const diff = (await call('wendy', 'GET', `/api/articles/${article.id}/diff?from=1&to=2`)).json().lines;
      assert.deepEqual(
        diff.filter((line: { op: string }) => line.op !== 'same'),
        [
          { op: 'del', text: 'The reset mail arrives within minutes.' },
          { op: 'add', text: 'The reset mail arrives within five minutes; check spam.' },
        ],
      );
      // Found by a word of the body (stemmed on both databases), not by one it lacks.
      const found = (await call('wendy', 'GET', '/api/articles?q=arrive%20spam')).json().articles;
      assert.deepEqual(
        found.map((a: { id: number }) => a.id),
        [article.id],
      );
      assert.deepEqual(
        (await call('wendy', 'GET', '/api/articles?q=phone')).json().articles.map((a: { id: number }) => a.id),
        [other.json().id],
      );
      assert.deepEqual((await call('wendy', 'GET', '/api/articles?q=kangaroo')).json().articles, []);
      // Hostile search text is only ever words.
      assert.equal((await call('wendy', 'GET', '/api/articles?q=%22)%20OR%20*%20NEAR(')).statusCode, 200);
    });

    test('a public article is served read-only without login, with security headers; internal ones are not', async () => {
      const hostile = await call('gus', 'POST', '/api/articles', {
        title: 'Hostile <script>',
        body: '<img src=x onerror=alert(1)> [click](javascript:alert(1))',
        visibility: 'public',
      });
      const page = await desk.app.inject({ url: `/kb/${hostile.json().slug}` });
      assert.equal(page.statusCode, 200);
      assert.match(page.headers['content-type'] as string, /text\/html/);
      assert.match(page.headers['content-security-policy'] as string, /default-src 'none'/);
      assert.equal(page.headers['x-frame-options'], 'DENY');
      assert.equal(page.headers['x-content-type-options'], 'nosniff');
      assert.ok(!page.body.includes('<img'), 'raw HTML is escaped');
      assert.ok(!page.body.includes('href="javascript'), 'script links are dropped');
      assert.match(page.body, /&lt;img src=x onerror=alert\(1\)&gt;/);
      const internal = (await call('gus', 'GET', '/api/articles?visibility=internal')).json().articles[0];
      assert.equal((await desk.app.inject({ url: `/kb/${internal.slug}` })).statusCode, 404);
      // A logged-in person reads internal ones too.
      const cookie = await desk.login();
      assert.equal((await desk.app.inject({ url: `/kb/${internal.slug}`, headers: { cookie } })).statusCode, 200);
      // Read, then "did this help?" from the public page, without login.
      const read = await desk.app.inject({ url: '/kb/resetting-your-password' });
      assert.match(read.body, /Did this help\?/);
      const vote = await desk.app.inject({
        method: 'POST',
        url: '/kb/resetting-your-password/vote',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'helped=yes',
      });
      assert.equal(vote.statusCode, 303);
      const article = (await call('gus', 'GET', '/api/articles?q=password')).json().articles[0];
      assert.equal(article.helped, 1);
      assert.ok(article.views >= 1);
    });

    test('a resolved ticket becomes a draft article; overdue reviews are listed', async () => {
      const open = await ticket('How do I export my invoices?');
      assert.equal((await call('gus', 'POST', `/api/tickets/${open.id}/article`)).statusCode, 409);
      await call('gus', 'POST', `/api/tickets/${open.id}/replies`, {
        body: 'Use Billing → Export.',
        visibility: 'public',
      });
      await call('gus', 'PATCH', `/api/tickets/${open.id}`, { status: 'resolved' });
      const draft = await call('gus', 'POST', `/api/tickets/${open.id}/article`);
      assert.equal(draft.statusCode, 201, draft.body);
      assert.equal(draft.json().status, 'draft');
      assert.match(draft.json().body, /> How do I export my invoices\?[\s\S]*Use Billing → Export\./);
      await call('gus', 'PATCH', `/api/articles/${draft.json().id}`, { reviewDue: '2020-01-01T00:00:00.000Z' });
      const overdue = (await call('gus', 'GET', '/api/articles?overdue=true')).json().articles;
      assert.deepEqual(
        overdue.map((a: { id: number }) => a.id),
        [draft.json().id],
      );
    });

    test('a policy version is acknowledged by some and reported missing for the others; reminders counted', async () => {
      const policy = (
        await call('root', 'POST', '/api/policies', {
          title: 'Social media policy',
          audience: 'agent',
          reviewEveryDays: 180,
        })
      ).json();
      const published = await call('root', 'POST', `/api/policies/${policy.id}/versions`, {
        body: 'Be kind. Never share account data in public.',
      });
      assert.equal(published.statusCode, 201, published.body);
      const versionId = published.json().version.id;
      assert.equal(published.json().asked, 5, 'every agent and admin (the bootstrap admin too)');
      assert.equal((await call('gus', 'GET', '/api/policies/pending')).json().pending.length, 1);
      for (const who of ['gus', 'yara']) {
        const ack = await call(who, 'POST', `/api/policy-versions/${versionId}/acknowledge`);
        assert.equal(ack.statusCode, 200, ack.body);
      }
      assert.equal((await call('gus', 'POST', `/api/policy-versions/${versionId}/acknowledge`)).statusCode, 409);
      const report = (await call('root', 'GET', `/api/policy-versions/${versionId}/report`)).json();
      assert.deepEqual(report.acknowledged.map((r: { username: string }) => r.username).sort(), ['gus', 'yara']);
      assert.deepEqual(report.missing.map((r: { username: string }) => r.username).sort(), ['admin', 'root', 'wendy']);
      const reminded = (await call('root', 'POST', `/api/policies/${policy.id}/remind`)).json().reminded;
      assert.equal(reminded.length, 3);
      assert.equal((await call('wendy', 'GET', '/api/policies/pending')).json().pending[0].reminders, 1);
      assert.equal((await call('wendy', 'POST', `/api/policies/${policy.id}/remind`)).statusCode, 403, 'not the owner');
      const audit = (await call('root', 'GET', '/api/knowledge-audit?action=policy.acknowledged')).json().entries;
      assert.deepEqual(audit.map((e: { actorId: number }) => e.actorId).sort(), [ids.gus, ids.yara].sort());

      // Guideline rules name the policy version they come from; a change without one is flagged.
      const backed = await call('root', 'PUT', '/api/guidelines', {
        blockedWords: ['guarantee'],
        profanity: ['damn'],
        maxLength: { default: 1000 },
        maxCapsShare: 0.6,
        personalData: ['card'],
        policyVersionId: versionId,
      });
      assert.equal(backed.statusCode, 200, backed.body);
      await call('root', 'PUT', '/api/guidelines', {
        blockedWords: ['guarantee', 'promise'],
        profanity: ['damn'],
        maxLength: { default: 1000 },
        maxCapsShare: 0.6,
        personalData: ['card'],
        policyVersionId: versionId,
      });
      const versions = (await call('root', 'GET', '/api/guidelines')).json().versions;
      assert.deepEqual(
        versions.map((v: { policyVersionId: number | null; unbacked: boolean }) => [v.policyVersionId, v.unbacked]),
        [
          [versionId, true],
          [versionId, false],
        ],
      );
    });

    test("a white belt's public reply is held, approved by a green belt, then queued to send", async () => {
      const settings = await call('root', 'PUT', '/api/ladder/settings', {
        reviewBelow: 2,
        approveBatchFrom: 2,
        approveReviewsFrom: 2,
      });
      assert.equal(settings.statusCode, 200, settings.body);
      assert.equal((await call('root', 'PUT', `/api/users/${ids.gus}/belt`, { rank: 2 })).json().name, 'green');
      const t = await ticket('My card was charged twice');
      const held = await call('wendy', 'POST', `/api/tickets/${t.id}/replies`, {
        body: 'Sorry about that, we are refunding the second charge.',
        visibility: 'public',
      });
      assert.equal(held.statusCode, 202, held.body);
      assert.equal(held.json().held.status, 'held');
      assert.deepEqual(await listOutbound(desk.runtime.store.db, { ticketId: t.id }), [], 'nothing sent while held');
      // A private message is not gated; the reply route cannot be bypassed through the desk.
      assert.equal(
        (await call('wendy', 'POST', `/api/tickets/${t.id}/replies`, { body: 'DM: details?', visibility: 'private' }))
          .statusCode,
        201,
      );
      await assert.rejects(
        desk.runtime.desk.reply(
          t.id,
          { body: 'sneaky', visibility: 'public' },
          (await desk.runtime.store.db
            .selectFrom('users')
            .selectAll()
            .where('id', '=', ids.wendy!)
            .executeTakeFirstOrThrow()) as never,
        ),
        /wait for a reviewer/,
      );
      const queue = (await call('gus', 'GET', '/api/reviews')).json().replies;
      assert.deepEqual(
        queue.map((r: { id: number }) => r.id),
        [held.json().held.id],
      );
      // Another white belt may not decide it.
      assert.equal((await call('yara', 'POST', `/api/reviews/${held.json().held.id}/approve`, {})).statusCode, 403);
      // An edit needs a note for the author.
      assert.equal(
        (
          await call('gus', 'POST', `/api/reviews/${held.json().held.id}/approve`, {
            body: 'Sorry! The second charge is being refunded.',
          })
        ).statusCode,
        400,
      );
      const approved = await call('gus', 'POST', `/api/reviews/${held.json().held.id}/approve`, {
        body: 'Sorry! The second charge is being refunded.',
        note: 'Shorter, and no promise of timing',
      });
      assert.equal(approved.statusCode, 200, approved.body);
      assert.equal(approved.json().status, 'approved');
      const outbound = await listOutbound(desk.runtime.store.db, { ticketId: t.id });
      const publicOut = outbound.filter((o) => o.visibility === 'public');
      assert.equal(publicOut.length, 1);
      assert.equal(publicOut[0]!.body, 'Sorry! The second charge is being refunded.');
      const mine = (await call('wendy', 'GET', '/api/reviews?mine=true')).json().replies;
      assert.equal(mine[0].note, 'Shorter, and no promise of timing');
      assert.equal(mine[0].originalBody, 'Sorry about that, we are refunding the second charge.');
      // Returned with a note: nothing sent.
      const again = (
        await call('wendy', 'POST', `/api/tickets/${t.id}/replies`, {
          body: 'We will fix it asap',
          visibility: 'public',
        })
      ).json();
      const returned = await call('gus', 'POST', `/api/reviews/${again.held.id}/return`, {
        note: 'Say what we will do, not when',
      });
      assert.equal(returned.json().status, 'returned');
      assert.equal((await listOutbound(desk.runtime.store.db, { ticketId: t.id })).length, 2);
      const actions = (await call('root', 'GET', '/api/knowledge-audit'))
        .json()
        .entries.map((e: { action: string }) => e.action);
      for (const action of ['reply.held', 'reply.approved', 'reply.returned', 'belt.set'])
        assert.ok(actions.includes(action), action);
    });

    test('a white belt cannot approve a batch reply; a green belt can', async () => {
      const db = desk.runtime.store.db;
      const posts = await insertPosts(db, outageReports(3, new Date('2026-11-21T09:00:00.000Z')));
      const incident = await createIncident(
        db,
        { title: 'Portal down', severity: 'critical', terms: {}, responders: [ids.yara!, ids.gus!] },
        new Date().toISOString(),
      );
      await attachPosts(
        db,
        incident.id,
        posts.map((p) => p.id),
        new Date().toISOString(),
      );
      const draft = await call('yara', 'POST', `/api/incidents/${incident.id}/updates`, {
        body: 'We know the portal is down and are restoring it.',
      });
      assert.equal(draft.statusCode, 201, draft.body);
      const updateId = draft.json().update.id;
      const refused = await call('yara', 'POST', `/api/incident-updates/${updateId}/approve`);
      assert.equal(refused.statusCode, 403, refused.body);
      assert.match(refused.json().error.message, /white belt.*green belt/);
      const proposal = draft.json().proposals[0];
      if (proposal)
        assert.equal((await call('yara', 'POST', `/api/reply-proposals/${proposal.id}/approve`)).statusCode, 403);
      const allowed = await call('gus', 'POST', `/api/incident-updates/${updateId}/approve`);
      assert.equal(allowed.statusCode, 200, allowed.body);
    });

    test('a promotion when the criteria are met: a module quiz passed and the policies acknowledged', async () => {
      const article = (await call('gus', 'GET', '/api/articles?q=password')).json().articles[0];
      const module = await call('root', 'POST', '/api/modules', {
        title: 'Basics',
        articleIds: [article.id],
        quiz: [
          { question: 'Where is the reset?', choices: ['Settings → Security', 'Billing'], answer: 0 },
          { question: 'How long does the mail take?', choices: ['Days', 'About five minutes'], answer: 1 },
        ],
        passShare: 1,
      });
      assert.equal(module.statusCode, 201, module.body);
      const moduleId = module.json().id;
      const levels = (await call('root', 'GET', '/api/ladder')).json().levels;
      levels[1].criteria = {
        moduleIds: [moduleId],
        modulesPassed: 0,
        policiesAcknowledged: true,
        approvedReplies: 0,
        monthsActive: 0,
      };
      const saved = await call('root', 'PUT', '/api/ladder/levels', {
        levels: levels.map((l: { name: string; criteria: unknown }, i: number) => ({
          name: i === 1 ? 'yellow-ish' : l.name,
          criteria: l.criteria,
        })),
      });
      assert.equal(saved.statusCode, 200, saved.body);
      // The learner never sees the answers.
      const modules = (await call('wendy', 'GET', '/api/modules')).json().modules;
      assert.ok(!JSON.stringify(modules).includes('"answer"'));
      const failed = (await call('wendy', 'POST', `/api/modules/${moduleId}/attempts`, { answers: [0, 0] })).json();
      assert.deepEqual([failed.passed, failed.promotedTo], [false, []]);
      const passed = (await call('wendy', 'POST', `/api/modules/${moduleId}/attempts`, { answers: [0, 1] })).json();
      assert.deepEqual([passed.passed, passed.promotedTo], [true, []], 'a policy is still unacknowledged');
      let progress = (await call('wendy', 'GET', '/api/ladder/progress')).json();
      assert.equal(progress.name, 'white');
      assert.deepEqual(
        progress.next.criteria.map((c: { criterion: string; met: boolean }) => [c.criterion, c.met]),
        [
          ['modules', true],
          ['policies', false],
        ],
      );
      const pending = (await call('wendy', 'GET', '/api/policies/pending')).json().pending;
      const ack = (await call('wendy', 'POST', `/api/policy-versions/${pending[0].version.id}/acknowledge`)).json();
      assert.deepEqual(ack.promotedTo, [1]);
      progress = (await call('wendy', 'GET', '/api/ladder/progress')).json();
      assert.equal(progress.name, 'yellow-ish');
      const promoted = (await call('root', 'GET', `/api/knowledge-audit?action=belt.promoted&user=${ids.wendy}`)).json()
        .entries;
      assert.deepEqual(
        promoted.map((e: { data: { to: number } }) => e.data.to),
        [1],
      );
    });

    test("a contributor's page counts articles, improvements, views, helped votes and replies linking them", async () => {
      const page = (await call('wendy', 'GET', `/api/contributors/${ids.gus}`)).json();
      assert.ok(page.counts.written >= 2);
      assert.equal(page.counts.helped, 1);
      assert.equal(page.belt.name, 'green');
      assert.ok(page.badges.some((b: { id: string }) => b.id === 'helpful'));
      const yara = (await call('wendy', 'GET', `/api/contributors/${ids.yara}`)).json();
      assert.equal(yara.counts.improved, 1);
      const board = (await call('wendy', 'GET', '/api/leaderboard')).json();
      assert.ok(board.rows.length >= 2);
    });
  });
}
