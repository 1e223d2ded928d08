/**
 * `source:` and `channel:` in stream queries, the way an agent uses them: a stream "All mail"
 * (`channel:mail`) made through the API takes every post of every mail source, from before
 * (backfill) and after (routing, with its ticket rule), and nothing from other channels; the
 * preview answers `source:` by the configured name.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestDesk, type TestDesk } from '../helpers/app.js';
import { ingestLine } from '../helpers/posts.js';
import { insertSource } from '../../src/store/sources.js';

let desk: TestDesk;
let cookie: string;
before(async () => {
  desk = await startTestDesk();
  cookie = await desk.login();
  for (const [name, kind] of [
    ['helpdesk-mail', 'mail'],
    ['faculty-mail', 'mail'],
    ['uni-masto', 'mastodon'],
  ] as const)
    await insertSource(desk.runtime.store.db, {
      name,
      kind,
      options: {},
      sealedSecrets: null,
      secretsSet: [],
      enabled: false,
      origin: 'api',
    });
});
after(() => desk?.close());

const ingest = (source: string, text: string) =>
  desk.runtime.pipeline.ingest([{ value: ingestLine({ source, text }) }]);
const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
  desk.app.inject({ method, url: `/api${url}`, headers: { cookie }, ...(payload ? { payload } : {}) });

test('a channel:mail stream takes every mail source, before and after it was made, and opens their tickets', async () => {
  await ingest('helpdesk-mail', 'My password reset link has expired');
  await ingest('uni-masto', 'My password reset link has expired too');
  await ingest('mastodon', 'an imported post whose source is its own channel');

  const created = await call('POST', '/streams', {
    name: 'All mail',
    query: 'channel:mail',
    ticketRules: [{ kinds: [], sentiments: [], ticketType: 'request', priority: 'normal' }],
  });
  assert.equal(created.statusCode, 201, created.body);
  const streamId = (created.json() as { id: number }).id;
  const inStream = async () =>
    ((await call('GET', `/posts?stream=${streamId}`)).json() as { posts: { source: string }[] }).posts
      .map((post) => post.source)
      .sort();
  assert.deepEqual(await inStream(), ['helpdesk-mail'], 'backfilled: the mail post, not the Mastodon one');

  const mail = await ingest('faculty-mail', 'The printer in room 2.14 is jammed');
  const masto = await ingest('uni-masto', 'The printer in room 2.14 is jammed');
  assert.equal(mail.tickets.length, 1, 'the stream’s rule opened a ticket for the mail');
  assert.equal(mail.tickets[0]!.streamId, streamId);
  assert.equal(masto.tickets.length, 0, 'nothing from Mastodon');
  assert.deepEqual(await inStream(), ['faculty-mail', 'helpdesk-mail']);

  const preview = await call('POST', '/streams/preview', { query: 'source:uni-masto password' });
  assert.equal(preview.statusCode, 200, preview.body);
  assert.deepEqual(
    (preview.json() as { posts: { source: string }[] }).posts.map((post) => post.source),
    ['uni-masto'],
  );
  const imported = await call('POST', '/streams/preview', { query: 'channel:mastodon' });
  assert.deepEqual((imported.json() as { posts: { source: string }[] }).posts.map((post) => post.source).sort(), [
    'mastodon',
    'uni-masto',
    'uni-masto',
  ]);

  const refused = await call('POST', '/streams', { name: 'Bad', query: 'channel:m@il' });
  assert.equal(refused.statusCode, 400);
  assert.match(refused.body, /channel: expects a channel kind/);
});
