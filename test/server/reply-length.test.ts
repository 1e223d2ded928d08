/**
 * Reply length limits come from the source's kind, through the real API: a Mastodon source
 * named `uni-mastodon` allows Mastodon's 500 characters (not the 1,000 of an unknown channel),
 * an admin's stricter rule for the kind still applies, and a looser one cannot lift the
 * channel's own limit.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestDesk, type TestDesk } from '../helpers/app.js';
import { ingestLine } from '../helpers/posts.js';
import { upsertSourceByName } from '../../src/store/sources.js';

let desk: TestDesk;
let cookie: string;
before(async () => {
  desk = await startTestDesk();
  cookie = await desk.login();
  // Configured, not running: only its kind matters here.
  await upsertSourceByName(desk.runtime.store.db, {
    name: 'uni-mastodon',
    kind: 'mastodon',
    options: {},
    sealedSecrets: null,
    secretsSet: [],
    enabled: false,
    origin: 'api',
  });
  const created = await desk.app.inject({
    method: 'POST',
    url: '/api/streams',
    headers: { cookie },
    // Every lift post is a ticket, whatever kind the model reads: this file is about reply lengths.
    payload: {
      name: 'Lifts',
      query: 'lift',
      ticketRules: [{ kinds: [], sentiments: [], ticketType: 'incident', priority: 'normal' }],
    },
  });
  assert.equal(created.statusCode, 201, created.body);
});
after(async () => desk?.close());

/** A ticket raised by a post from `source`. */
async function ticketFrom(source: string, text: string): Promise<number> {
  const ingest = await desk.app.inject({
    method: 'POST',
    url: '/api/ingest',
    headers: { cookie },
    payload: ingestLine({ source, text }),
  });
  assert.equal(ingest.statusCode, 200, ingest.body);
  const { tickets } = (await desk.app.inject({ url: '/api/tickets?status=new', headers: { cookie } })).json() as {
    tickets: { id: number; subject: string }[];
  };
  return tickets.find((ticket) => ticket.subject === text)!.id;
}

function reply(ticketId: number, body: string) {
  return desk.app.inject({
    method: 'POST',
    url: `/api/tickets/${ticketId}/replies`,
    headers: { cookie },
    payload: { body, visibility: 'public' },
  });
}

test('a source named unlike its kind gets its kind’s limit: 501 characters on uni-mastodon is refused', async () => {
  const id = await ticketFrom('uni-mastodon', 'The lift in block C is broken');
  const refused = await reply(id, 'a'.repeat(501));
  assert.equal(refused.statusCode, 422, refused.body);
  assert.equal(refused.json().error.code, 'ERR_GUIDELINE_BLOCKED');
  assert.match(refused.json().error.message, /501 characters; mastodon allows 500/);
  const check = (
    await desk.app.inject({
      method: 'POST',
      url: `/api/tickets/${id}/replies/check`,
      headers: { cookie },
      payload: { body: 'a'.repeat(501), visibility: 'public' },
    })
  ).json();
  assert.deepEqual(
    check.findings.map((finding: { rule: string; level: string }) => [finding.rule, finding.level]),
    [['length', 'block']],
  );
  assert.equal((await reply(id, 'a'.repeat(500))).statusCode, 201);
});

test('a post whose source is a kind (NDJSON `bluesky`) gets that kind’s limit', async () => {
  const id = await ticketFrom('bluesky', 'The lift in block D is broken');
  assert.match((await reply(id, 'a'.repeat(301))).json().error.message, /301 characters; bluesky allows 300/);
});

test('an admin’s rule for the kind applies when stricter; the channel’s own limit when the rule is looser', async () => {
  const { rules } = (await desk.app.inject({ url: '/api/guidelines', headers: { cookie } })).json();
  const { version: _version, ...editable } = rules;
  const save = (maxLength: Record<string, number>) =>
    desk.app.inject({
      method: 'PUT',
      url: '/api/guidelines',
      headers: { cookie },
      payload: { ...editable, maxLength },
    });
  assert.equal((await save({ ...editable.maxLength, mastodon: 200 })).statusCode, 200);
  const stricter = await ticketFrom('uni-mastodon', 'The lift in block E is broken');
  assert.match((await reply(stricter, 'a'.repeat(201))).json().error.message, /201 characters; mastodon allows 200/);
  assert.equal((await save({ ...editable.maxLength, mastodon: 5000 })).statusCode, 200);
  const looser = await ticketFrom('uni-mastodon', 'The lift in block F is broken');
  assert.match((await reply(looser, 'a'.repeat(501))).json().error.message, /501 characters; mastodon allows 500/);
});
