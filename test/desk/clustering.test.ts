/**
 * Incidents people can trust, on SQLite and PostgreSQL: two outages at once (the VPN and the
 * learning platform) whose reports share generic words become two incidents; an incident stops
 * absorbing once idle and says so; its title follows its reports; repeated how-to questions and
 * requests open none. The clusterer alone: subjects keep services apart.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../helpers/backends.js';
import { newPost } from '../helpers/posts.js';
import type { Store } from '../../src/store/open.js';
import type { NewPost } from '../../src/store/posts.js';
import { InProcessBus } from '../../src/pipeline/bus.js';
import { getPostsByIds, insertPosts } from '../../src/store/posts.js';
import { incidentPostIds, listOpenIncidents } from '../../src/store/incidents.js';
import { startCrisisWatch, type CrisisWatch } from '../../src/alerts/crisis-watch.js';
import { Clusterer } from '../../src/desk/cluster.js';
import { isIdle } from '../../src/desk/incidents.js';

const GENERIC = [
  'students can’t submit their assignments before class today',
  'nothing works this morning and the exam is at noon',
  'whole campus affected, my group project is due',
  'been like this for an hour, please fix',
  'tried from home and from the library',
  'we have a deadline tonight',
];
const VPN = [
  'The VPN is down again',
  'VPN not connecting from off campus',
  'Anyone else unable to connect to the VPN?',
  'vpn keeps dropping, timeout every time',
  'GlobalProtect VPN error, can’t connect',
];
const CANVAS = [
  'Canvas is down again',
  'Canvas not loading, blank page',
  'Anyone else getting a 502 on Canvas?',
  'canvas keeps timing out when I upload',
  'Canvas login broken',
];

function report(service: 'vpn' | 'canvas', i: number, start: number): NewPost {
  const openings = service === 'vpn' ? VPN : CANVAS;
  return newPost({
    externalId: `${service}-${i}-${start}`,
    author: { handle: `@${service}${i}-${start}@example.social`, name: 'Student', followers: 10, following: 5 },
    text: `${openings[i % openings.length]} — ${GENERIC[(i * 5) % GENERIC.length]} #NorthwindIT`,
    createdAt: new Date(start + i * 20_000).toISOString(),
    sentiment: 'negative',
    sentimentScore: -0.6,
    kind: 'outage',
  });
}

describe('clusterer', () => {
  test('a post naming another service does not join, however many generic words it shares', () => {
    const clusterer = new Clusterer();
    const at = Date.parse('2026-11-21T09:00:00Z');
    const vpn = clusterer.assign({ id: 1, text: `The VPN is down — ${GENERIC[0]}`, at, author: 'a' });
    clusterer.assign({ id: 2, text: `VPN not connecting — ${GENERIC[0]}`, at, author: 'b' });
    const canvas = clusterer.assign({ id: 3, text: `Canvas is down — ${GENERIC[0]}`, at, author: 'c' });
    assert.notEqual(canvas.id, vpn.id);
    assert.equal(clusterer.assign({ id: 4, text: 'canvas not loading for me either', at, author: 'd' }).id, canvas.id);
  });

  test('re-posts keep one signature; an evicted cluster leaves nothing in the index', () => {
    const clusterer = new Clusterer({ maxClusters: 2 });
    const at = Date.parse('2026-11-21T09:00:00Z');
    const text = 'The VPN gateway is down for everyone on campus since nine this morning';
    const first = clusterer.assign({ id: 1, text, at, author: 'a' });
    for (let i = 2; i <= 20; i += 1) assert.equal(clusterer.assign({ id: i, text, at, author: `a${i}` }).id, first.id);
    assert.equal(first.signatures.length, 1, 'copies add no signature');
    const other = 'Canvas shows a blank page for every course page after the update tonight';
    clusterer.assign({ id: 21, text: other, at, author: 'b' });
    clusterer.assign({
      id: 22,
      text: 'Payroll portal rejects my timesheet with error code seven again',
      at,
      author: 'c',
    });
    assert.equal(clusterer.get(first.id), undefined, 'the oldest cluster was evicted');
    // Its terms and bands left the index: a copy starts a new cluster (a stale entry would point at nothing).
    const again = clusterer.assign({ id: 23, text, at, author: 'd' });
    assert.notEqual(again.id, first.id);
    assert.equal(again.size, 1);
  });

  test('idle clusters expire; the state stays bounded', () => {
    const clusterer = new Clusterer({ windowMinutes: 10 });
    const at = Date.parse('2026-11-21T09:00:00Z');
    for (let i = 0; i < 50; i += 1)
      clusterer.assign({ id: i, text: `Service${i} is down, error ${i}`, at: at + i * 60_000, author: `a${i}` });
    assert.ok(clusterer.size <= 11, `${clusterer.size} live clusters`);
  });
});

for (const backend of await backends()) {
  describe(`${backend.name}: incident clustering`, { skip: backend.skip ?? false }, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    let watch: CrisisWatch;
    const bus = new InProcessBus();
    let now = new Date('2026-11-21T09:00:00.000Z');

    before(async () => {
      const opened = await backend.open();
      store = opened.store;
      dispose = opened.dispose;
      watch = startCrisisWatch({ store, bus, clock: () => now, tickEveryMs: 0, incidents: { idleMinutes: 60 } });
    });
    after(async () => {
      watch?.stop();
      await dispose?.();
    });

    async function publish(posts: NewPost[]): Promise<number[]> {
      const inserted = await insertPosts(store.db, posts);
      const stored = await getPostsByIds(
        store.db,
        inserted.map((row) => row.id),
      );
      stored.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      for (const post of stored) {
        now = new Date(Math.max(now.getTime(), Date.parse(post.createdAt)));
        await bus.publish('posts.stored', { posts: [post] });
      }
      return stored.map((post) => post.id);
    }

    test('repeated how-to questions and requests open no major incident', async () => {
      const start = Date.parse('2026-11-21T08:00:00.000Z');
      await publish(
        Array.from({ length: 30 }, (_, i) =>
          newPost({
            externalId: `howto-${i}`,
            author: { handle: `@asker${i}@example.social`, name: 'Asker', followers: 10, following: 5 },
            text:
              i % 2 === 0
                ? 'How do I connect my phone to the eduroam wifi? The guide link seems old. @northwind_it'
                : 'Could someone at @northwind_it please reset my password? I am locked out after the holiday.',
            createdAt: new Date(start + i * 30_000).toISOString(),
            sentiment: 'negative',
            sentimentScore: -0.4,
            kind: i % 2 === 0 ? 'question' : 'request',
          }),
        ),
      );
      assert.deepEqual(await listOpenIncidents(store.db), []);
    });

    test('a VPN outage and a Canvas outage at once, sharing generic words, are two incidents', async () => {
      const start = Date.parse('2026-11-21T09:00:00.000Z');
      const posts = Array.from({ length: 30 }, (_, i) => [report('vpn', i, start), report('canvas', i, start + 7_000)]);
      const ids = await publish(posts.flat());
      const byExternal = new Map(posts.flat().map((post, i) => [post.externalId, ids[i]]));
      const incidents = await listOpenIncidents(store.db);
      assert.equal(incidents.length, 2, incidents.map((incident) => incident.title).join(' | '));
      const vpn = incidents.find((incident) => /vpn/i.test(incident.title));
      const canvas = incidents.find((incident) => /canvas/i.test(incident.title));
      assert.ok(vpn && canvas, incidents.map((incident) => incident.title).join(' | '));
      const vpnPosts = new Set(await incidentPostIds(store.db, vpn.id));
      const canvasPosts = new Set(await incidentPostIds(store.db, canvas.id));
      for (const [externalId] of byExternal) {
        const id = ids[[...byExternal.keys()].indexOf(externalId)]!;
        if (externalId.startsWith('vpn')) assert.ok(!canvasPosts.has(id), `${externalId} stays out of Canvas`);
        else assert.ok(!vpnPosts.has(id), `${externalId} stays out of the VPN`);
      }
      assert.ok(vpnPosts.size >= 25, `${vpnPosts.size} VPN reports linked`);
      assert.ok(canvasPosts.size >= 25, `${canvasPosts.size} Canvas reports linked`);
      assert.match(vpn.title, /\(\d+ reporters\)/);
    });

    test('an idle incident stops absorbing reports and suggests resolving', async () => {
      const [vpn] = (await listOpenIncidents(store.db)).filter((incident) => /vpn/i.test(incident.title));
      const before = (await incidentPostIds(store.db, vpn!.id)).length;
      // Two hours on, well past the 60-minute idle window.
      const later = Date.parse('2026-11-21T11:30:00.000Z');
      const [id] = await publish([report('vpn', 99, later)]);
      const linked = await incidentPostIds(store.db, vpn!.id);
      assert.equal(linked.length, before);
      assert.ok(!linked.includes(id!));
      const [stored] = (await listOpenIncidents(store.db)).filter((incident) => incident.id === vpn!.id);
      assert.ok(isIdle(stored!, later, 60), 'the desk offers to resolve it');
    });
  });
}
