/**
 * Channels come from the source's kind, on SQLite and PostgreSQL: a source named unlike its
 * kind gets its kind's capabilities, a post whose source is itself a kind is treated as one,
 * an incident's batch replies never offer a private message where the channel has none (RSS),
 * and a mail to our inbox counts as written to us (answered privately, the only way mail can).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../helpers/backends.js';
import { newPost } from '../helpers/posts.js';
import type { Store } from '../../src/store/open.js';
import type { User } from '../../src/domain/user.js';
import { InProcessBus } from '../../src/pipeline/bus.js';
import { insertPosts } from '../../src/store/posts.js';
import { upsertSourceByName } from '../../src/store/sources.js';
import { createUser } from '../../src/store/users.js';
import { attachPosts, createIncident } from '../../src/store/incidents.js';
import { channelResolver, type ChannelOf } from '../../src/desk/channels.js';
import { IncidentDesk } from '../../src/desk/incident-desk.js';
import { SOURCE_DEFINITIONS } from '../../src/sources/index.js';

for (const backend of await backends()) {
  describe(`${backend.name}: channels`, { skip: backend.skip ?? false }, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    let channels: ChannelOf;
    let ana: User;
    const now = new Date('2026-11-21T10:00:00.000Z');

    before(async () => {
      const opened = await backend.open();
      store = opened.store;
      dispose = opened.dispose;
      ana = await createUser(store.db, { username: 'ana', role: 'agent', password: 'pw-ana-123456' });
      const configured = { options: {}, sealedSecrets: null, secretsSet: [], enabled: false, origin: 'api' } as const;
      await upsertSourceByName(store.db, { ...configured, name: 'uni-mastodon', kind: 'mastodon' });
      await upsertSourceByName(store.db, { ...configured, name: 'campus-news', kind: 'rss' });
      await upsertSourceByName(store.db, { ...configured, name: 'helpdesk-inbox', kind: 'mail' });
      channels = channelResolver({ store, kinds: SOURCE_DEFINITIONS });
    });
    after(async () => dispose?.());

    test('a configured source is its kind, whatever its name', async () => {
      const channel = await channels('uni-mastodon');
      assert.equal(channel.kind, 'mastodon');
      assert.equal(channel.maxReplyLength, 500);
      assert.deepEqual(await channels('campus-news'), { ...(await channels('rss')), kind: 'rss' });
    });

    test('a post source that is a kind is that kind; anything else gets the default', async () => {
      assert.equal((await channels('bluesky')).maxReplyLength, 300);
      assert.deepEqual(await channels('twitter'), {
        canReplyPublicly: true,
        canDirectMessage: true,
        maxPerMinute: 20,
        kind: 'twitter',
        maxReplyLength: null,
      });
    });

    test('batch replies never offer a private message on an RSS post, and fit the kind’s limit elsewhere', async () => {
      const desk = new IncidentDesk({ store, bus: new InProcessBus(), clock: () => now, channels });
      const incident = await createIncident(
        store.db,
        { title: 'Portal down', severity: 'major', terms: { portal: 1 }, responders: [ana.id] },
        now.toISOString(),
      );
      const long = 'The portal is failing after a database upgrade; engineers are rolling it back now. '
        .repeat(7)
        .trim();
      const rows = await insertPosts(store.db, [
        // Wrote to us (direct), with personal data: elsewhere that earns a private reply.
        newPost({
          source: 'campus-news',
          externalId: 'rss-1',
          text: 'Portal down, call me on +44 20 7946 0958',
          extra: { direct: true },
        }),
        newPost({
          source: 'campus-news',
          externalId: 'rss-2',
          author: { handle: 'newsdesk', name: 'News', followers: 1, following: 1 },
          text: 'Portal outage reported',
        }),
        // A mail to our inbox was written to us: answered privately, the only way mail can.
        newPost({
          source: 'helpdesk-inbox',
          externalId: 'mail-1',
          author: { handle: 'cy@example.org', name: 'Cy', followers: null, following: null },
          text: 'Is the portal down?',
        }),
        newPost({
          source: 'uni-mastodon',
          externalId: 'm-1',
          author: { handle: '@bo@example.social', name: 'Bo', followers: 1, following: 1 },
          text: 'portal down',
        }),
      ]);
      await attachPosts(
        store.db,
        incident.id,
        rows.map((row) => row.id),
        now.toISOString(),
      );
      const { proposals, skipped } = await desk.draftUpdate(incident.id, long, ana);
      assert.ok(
        proposals.every((p) => p.source !== 'campus-news'),
        'no reply of any kind on RSS',
      );
      assert.deepEqual(skipped.map((s) => s.reason).sort(), [
        'campus-news takes no replies',
        'campus-news takes no replies',
      ]);
      assert.equal(proposals.find((p) => p.source === 'helpdesk-inbox')?.visibility, 'private');
      const mastodon = proposals.find((p) => p.source === 'uni-mastodon')!;
      assert.ok(mastodon.body.length > 500, 'the update alone is over Mastodon’s limit');
      assert.ok(
        mastodon.findings.some((f) => f.rule === 'length' && f.message.endsWith('mastodon allows 500')),
        JSON.stringify(mastodon.findings),
      );
    });
  });
}
