/**
 * Search speaks the stream query language: every operator through `GET /api/posts?q=` returns
 * exactly the posts the stream matcher accepts among the same stored posts, on SQLite and
 * PostgreSQL (one parser, one meaning). `vpn OR portal` used to return nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../helpers/backends.js';
import { startTestDesk, type TestDesk } from '../helpers/app.js';
import { ingestLine } from '../helpers/posts.js';
import { compileQuery, matchablePost } from '../../src/pipeline/query.js';
import { insertSource, sourceKinds } from '../../src/store/sources.js';

const TEXTS: readonly [source: string, handle: string, text: string][] = [
  ['mastodon', '@ana@uni.social', 'The VPN is down again, cannot reach the library'],
  ['mastodon', '@ben@uni.social', 'Student portal not loading since 9am'],
  ['mastodon', '@cara@uni.social', 'vpn and portal both dead. great start to exam week'],
  ['mastodon', '@ana@uni.social', 'Logging in works now, thanks @campusit!'],
  ['mastodon', '@dev@uni.social', 'Can’t log into the portal #outage'],
  ['mastodon', '@eli@uni.social', "can't download the slides, the site is down #outage #help"],
  ['campus-mail', 'student@uni.edu', 'Le wifi de la bibliothèque est en panne depuis ce matin'],
  ['campus-mail', 'staff@uni.edu', 'Café in building B is closed today'],
  ['campus-mail', 'prof@uni.edu', 'Cafe menu looks great, thank you!'],
  ['campus-mail', 'it@uni.edu', 'Please update your e-mail client to v2.0 before Friday'],
  ['bluesky', 'carl.bsky.social', 'vpn.uni.edu times out from home, anyone else?'],
  ['bluesky', 'dana.bsky.social', 'Thank you so much for fixing the wifi so fast'],
  ['bluesky', 'dana.bsky.social', 'The wifi is down in dorm C and nobody answers the phone'],
  ['bluesky', 'erin.bsky.social', 'Login page says 500 error, portal down?'],
  ['bluesky', 'fay.bsky.social', 'I love the new library hours 💙'],
  ['mastodon', '@gus@uni.social', 'is the vpn down or is it just me'],
  ['mastodon', '@hal@uni.social', 'the lecture stream or the recording, either works'],
];

const QUERIES = [
  'vpn OR portal',
  'vpn portal',
  'vpn AND portal',
  'vpn or portal',
  'vpn -portal',
  'NOT vpn',
  'vpn NOT down',
  '(vpn OR portal) down',
  'wifi OR (portal AND -down)',
  'log*',
  'down*',
  '"is down"',
  '"own"',
  '"thank you"',
  '#outage',
  '@campusit',
  'from:@ana@uni.social',
  'from:dana.bsky.social',
  'lang:fr',
  'lang:en -wifi',
  'sentiment:negative',
  'sentiment:positive OR kind:praise',
  'kind:outage',
  '-kind:praise',
  'vpn OR kind:praise',
  'source:campus-mail',
  'source:campus-mail cafe',
  'channel:mail',
  'channel:mastodon',
  'channel:bluesky -wifi',
  "can't",
  'café',
  'e-mail',
  'v2.0',
  'stream',
];

for (const backend of await backends()) {
  describe(`${backend.name}: search with the query language`, { skip: backend.skip ?? false }, () => {
    let desk: TestDesk;
    let token: string;
    let dispose: () => Promise<void> = async () => {};
    before(async () => {
      let databaseUrl: string | null = null;
      if (backend.name === 'postgres') {
        const opened = await backend.open();
        databaseUrl = opened.databaseUrl;
        dispose = opened.dispose;
      }
      desk = await startTestDesk({ databaseUrl });
      token = await desk.tokenFor('admin');
      await insertSource(desk.runtime.store.db, {
        name: 'campus-mail',
        kind: 'mail',
        options: {},
        sealedSecrets: null,
        secretsSet: [],
        enabled: false,
        origin: 'api',
      });
      const response = await desk.app.inject({
        method: 'POST',
        url: '/api/ingest',
        headers: { authorization: `Bearer ${token}` },
        payload: TEXTS.map(([source, handle, text]) =>
          ingestLine({ source, text, author: { handle, name: null, followers: 10, following: 1 } }),
        ),
      });
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.json().new, TEXTS.length);
    });
    after(async () => {
      await desk?.close();
      await dispose();
    });

    async function search(q: string, extra = ''): Promise<{ id: number; text: string }[]> {
      const response = await desk.app.inject({
        method: 'GET',
        url: `/api/posts?limit=500&q=${encodeURIComponent(q)}${extra}`,
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(response.statusCode, 200, `${q}: ${response.body}`);
      return response.json().posts;
    }

    test('`vpn OR portal` finds posts with either word', async () => {
      const vpn = await search('vpn');
      const portal = await search('portal');
      const either = await search('vpn OR portal');
      assert.ok(vpn.length > 0 && portal.length > 0);
      const union = new Set([...vpn, ...portal].map((post) => post.id));
      assert.deepEqual(new Set(either.map((post) => post.id)), union);
    });

    test('every operator means in search what it means in a stream', async () => {
      const all = await search('', '');
      assert.equal(all.length, TEXTS.length);
      const stored = await (async () => {
        const response = await desk.app.inject({
          method: 'GET',
          url: '/api/posts?limit=500',
          headers: { authorization: `Bearer ${token}` },
        });
        return response.json().posts as (Parameters<typeof matchablePost>[0] & { id: number })[];
      })();
      const channelOf = await sourceKinds(desk.runtime.store.db);
      for (const q of QUERIES) {
        const matches = compileQuery(q);
        const expected = stored
          .filter((post) => matches(matchablePost(post, channelOf)))
          .map((post) => post.id)
          .sort((a, b) => b - a);
        const found = (await search(q)).map((post) => post.id);
        assert.deepEqual(found, expected, `q=${q}`);
      }
    });

    test('pages through a query the index cannot narrow, newest first, none twice', async () => {
      const seen: number[] = [];
      let before: number | null = null;
      for (let guard = 0; guard < 50; guard++) {
        const response = await desk.app.inject({
          method: 'GET',
          url: `/api/posts?limit=2&q=${encodeURIComponent('NOT "zzz" -kind:praise')}${before ? `&before=${before}` : ''}`,
          headers: { authorization: `Bearer ${token}` },
        });
        const page = response.json() as { posts: { id: number }[]; nextBefore: number | null };
        seen.push(...page.posts.map((post) => post.id));
        before = page.nextBefore;
        if (before === null) break;
      }
      const expected = (await search('-kind:praise')).map((post) => post.id);
      assert.deepEqual(seen, expected);
    });

    test('a malformed query is a 400 with its position, not an empty page', async () => {
      const response = await desk.app.inject({
        method: 'GET',
        url: `/api/posts?q=${encodeURIComponent('vpn OR (portal')}`,
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().error.code, 'ERR_QUERY_SYNTAX');
    });
  });
}
