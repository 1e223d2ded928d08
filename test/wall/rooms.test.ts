/**
 * Rooms and offline delivery: a message sent while a person is away shows as unread (and a
 * mention as a mention) when they return, and reaches them in an e-mail digest sent over real
 * SMTP (`smtp-server` on loopback, parsed back with mailparser); a person connected to the live
 * channel gets the message live instead, with presence, and no digest.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { startSmtpPeer, type SmtpPeer } from '../sources/fakes/smtp-peer.js';
import { startTestDesk, type TestDesk } from '../helpers/app.js';
import { person, type Person } from '../helpers/wall.js';
import { setContact } from '../../src/store/escalation.js';

describe('rooms: live chat and offline delivery', () => {
  let desk: TestDesk;
  let smtp: SmtpPeer;
  let ann: Person;
  let bob: Person;
  let roomId: number;

  before(async () => {
    smtp = await startSmtpPeer();
    desk = await startTestDesk({
      env: { EARSHOT_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, EARSHOT_MAIL_FROM: 'Earshot <earshot@example.org>' },
    });
    const admin = await person(desk.runtime, 'admin', 'root');
    ann = await person(desk.runtime, 'employee', 'ann', 'Ann');
    bob = await person(desk.runtime, 'employee', 'bob', 'Bob');
    await setContact(
      desk.runtime.store.db,
      desk.runtime.sources.secrets,
      bob.user.id,
      { email: 'bob@example.org', webhookUrl: null },
      new Date().toISOString(),
    );
    await setContact(
      desk.runtime.store.db,
      desk.runtime.sources.secrets,
      ann.user.id,
      { email: 'ann@example.org', webhookUrl: null },
      new Date().toISOString(),
    );
    const room = await desk.app.inject({
      method: 'POST',
      url: '/api/wall/rooms',
      headers: admin.headers,
      payload: { name: 'Town hall', topic: 'Ask the CIO' },
    });
    roomId = room.json().id;
    // Both have looked at the rooms once (their read marks start there).
    for (const who of [ann, bob]) await desk.app.inject({ url: '/api/wall/rooms', headers: who.headers });
  });
  after(async () => {
    await desk?.close();
    await smtp?.close();
  });

  const rooms = async (who: Person) =>
    (await desk.app.inject({ url: '/api/wall/rooms', headers: who.headers })).json().rooms;

  test('a message to an offline person is unread on return, a mention counted, and in their digest', async () => {
    const sent = await desk.app.inject({
      method: 'POST',
      url: `/api/wall/rooms/${roomId}/messages`,
      headers: ann.headers,
      payload: { body: 'Hi @bob, will the town hall be recorded?' },
    });
    assert.equal(sent.statusCode, 201, sent.body);
    assert.deepEqual(sent.json().mentions, [bob.user.id]);
    await desk.app.inject({
      method: 'POST',
      url: `/api/wall/rooms/${roomId}/messages`,
      headers: ann.headers,
      payload: { body: 'And the slides shared?' },
    });
    const [room] = await rooms(bob);
    assert.equal(room.unread, 2);
    assert.equal(room.mentions, 1);
    assert.equal((await rooms(ann))[0].unread, 0, 'your own messages are read');

    assert.equal(await desk.runtime.wall.digest.send(), 1, 'one digest: Bob missed messages, Ann did not');
    assert.equal(smtp.delivered.length, 1);
    assert.deepEqual(smtp.delivered[0]!.to, ['bob@example.org']);
    const mail = await simpleParser(smtp.delivered[0]!.raw);
    assert.match(mail.subject ?? '', /2 messages you missed/);
    assert.match(mail.text ?? '', /You were mentioned:\n\[Town hall\] Ann: Hi @bob, will the town hall be recorded\?/);
    assert.match(mail.text ?? '', /And the slides shared\?/);
    assert.equal(await desk.runtime.wall.digest.send(), 0, 'each message is in one digest at most');
    // Still unread in the desk until Bob reads the room.
    assert.equal((await rooms(bob))[0].unread, 2);
    const messages = (await desk.app.inject({ url: `/api/wall/rooms/${roomId}/messages`, headers: bob.headers })).json()
      .messages;
    await desk.app.inject({
      method: 'POST',
      url: `/api/wall/rooms/${roomId}/read`,
      headers: bob.headers,
      payload: { lastReadId: messages.at(-1).id },
    });
    assert.equal((await rooms(bob))[0].unread, 0);
  });

  test('a connected person gets messages and presence live over /api/live, and no digest', async () => {
    await desk.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = desk.app.server.address() as AddressInfo;
    const controller = new AbortController();
    const response = await fetch(`http://127.0.0.1:${port}/api/live`, {
      headers: bob.headers,
      signal: controller.signal,
    });
    assert.equal(response.status, 200);
    const reader = response.body!.getReader();
    let text = '';
    const waitFor = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${pattern}`);
        text += new TextDecoder().decode(value);
      }
    };
    await waitFor(/retry: 3000/);
    await desk.app.inject({
      method: 'POST',
      url: `/api/wall/rooms/${roomId}/presence`,
      headers: bob.headers,
      payload: { here: true },
    });
    await waitFor(/event: room-presence\ndata: \{"roomId":\d+,"people":\[\{"id":\d+,"name":"Bob"\}\]\}/);
    await desk.app.inject({
      method: 'POST',
      url: `/api/wall/rooms/${roomId}/messages`,
      headers: ann.headers,
      payload: { body: 'Live now?' },
    });
    await waitFor(/event: room-message\ndata: .*"body":"Live now\?"/);
    assert.doesNotMatch(text, /event: (post|ticket|alert|incident)\b/, 'an employee gets only the wall and rooms');
    assert.equal(await desk.runtime.wall.digest.send(), 0, 'Bob is online: no digest');
    controller.abort();
  });
});
