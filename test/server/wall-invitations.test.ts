/**
 * Invitations through the API: an admin invites an employee by e-mail (real SMTP on loopback,
 * the mail parsed back), the link's token sets the password once and the person logs in as an
 * employee; a CSV upload creates the good rows and reports every bad one by its line number;
 * only admins invite.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { simpleParser } from 'mailparser';
import { startSmtpPeer, type SmtpPeer } from '../sources/fakes/smtp-peer.js';
import { startTestDesk, type TestDesk } from '../helpers/app.js';
import { person, type Person } from '../helpers/wall.js';

describe('wall invitations', () => {
  let desk: TestDesk;
  let smtp: SmtpPeer;
  let admin: Person;
  let agent: Person;

  const post = (who: Person | null, url: string, payload: unknown) =>
    desk.app.inject({ method: 'POST', url, headers: who?.headers ?? {}, payload: payload as object });

  before(async () => {
    smtp = await startSmtpPeer();
    desk = await startTestDesk({
      env: {
        EARSHOT_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
        EARSHOT_MAIL_FROM: 'Earshot <earshot@example.org>',
        EARSHOT_PUBLIC_URL: 'https://earshot.example.org',
      },
    });
    admin = await person(desk.runtime, 'admin', 'root');
    agent = await person(desk.runtime, 'agent', 'gus');
  });
  after(async () => {
    await desk?.close();
    await smtp?.close();
  });

  test('an invited employee gets the link by e-mail, sets a password once, and logs in as an employee', async () => {
    const invited = await post(admin, '/api/wall/invitations', { email: 'Erin@Example.org', name: 'Erin Example' });
    assert.equal(invited.statusCode, 201, invited.body);
    const body = invited.json();
    assert.equal(body.mailed, true);
    assert.equal(body.link, null, 'a mailed link is not shown to the admin');
    assert.equal(body.user.role, 'employee');
    assert.equal(body.user.username, 'erin');
    assert.equal(smtp.delivered.length, 1);
    const mail = await simpleParser(smtp.delivered[0]!.raw);
    assert.equal((mail.to as { text: string }).text, 'erin@example.org');
    const token = /https:\/\/earshot\.example\.org\/invite#([A-Za-z0-9_-]+)/.exec(mail.text ?? '')?.[1];
    assert.ok(token, mail.text);

    // The account does not open before the link is used (nobody knows its password).
    assert.equal((await post(null, '/api/wall/invitations/check', { token })).json().displayName, 'Erin Example');
    const accepted = await post(null, '/api/wall/invitations/accept', { token, password: 'erins-own-password' });
    assert.equal(accepted.statusCode, 200, accepted.body);
    assert.equal(
      (await post(null, '/api/wall/invitations/accept', { token, password: 'another-password' })).statusCode,
      404,
    );
    assert.equal((await post(null, '/api/wall/invitations/check', { token })).statusCode, 404);
    const cookie = await desk.login('erin', 'erins-own-password');
    const me = await desk.app.inject({ url: '/api/me', headers: { cookie } });
    assert.equal(me.json().user.role, 'employee');

    // The same address again is a conflict, a bad one a clear 400.
    assert.equal(
      (await post(admin, '/api/wall/invitations', { email: 'erin@example.org', name: 'E' })).statusCode,
      409,
    );
    const bad = await post(admin, '/api/wall/invitations', { email: 'not-an-address', name: 'X' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().error.message, /not an e-mail address/);
  });

  test('a CSV creates the good rows and reports each bad one by line number', async () => {
    const before = smtp.delivered.length;
    const csv = [
      'email,name,username',
      'frank@example.org,Frank Fox,',
      'not-an-address,Nobody,',
      '"gina@example.org","Gina ""G"" Green",gina.g',
      'hank@example.org,,',
      'erin@example.org,Erin Again,',
      '',
      'ivy@example.org,Ivy,bad name',
      'frank@example.org,Frank Twice,',
      'jo@example.org,"Jo, Junior",root',
      'kim@example.org;Kim Kay',
    ].join('\r\n');
    const response = await post(admin, '/api/wall/invitations/csv', { csv });
    assert.equal(response.statusCode, 200, response.body);
    const { invited, problems } = response.json() as {
      invited: { user: { username: string; displayName: string }; mailed: boolean }[];
      problems: { line: number; message: string }[];
    };
    assert.deepEqual(
      invited.map((row) => [row.user.username, row.user.displayName, row.mailed]),
      [
        ['frank', 'Frank Fox', true],
        ['gina.g', 'Gina "G" Green', true],
        ['kim', 'Kim Kay', true],
      ],
    );
    assert.deepEqual(
      problems.map((problem) => problem.line),
      [3, 5, 6, 8, 9, 10],
    );
    assert.match(problems[0]!.message, /"not-an-address" is not an e-mail address/);
    assert.match(problems[1]!.message, /name is missing/);
    assert.match(problems[2]!.message, /has an account already/);
    assert.match(problems[3]!.message, /not a username/);
    assert.match(problems[4]!.message, /already on line 2/);
    assert.match(problems[5]!.message, /username root is taken/);
    assert.equal(smtp.delivered.length - before, 3);
  });

  test('only admins invite', async () => {
    assert.equal((await post(agent, '/api/wall/invitations', { email: 'x@example.org', name: 'X' })).statusCode, 403);
    assert.equal((await post(agent, '/api/wall/invitations/csv', { csv: 'x@example.org,X' })).statusCode, 403);
    assert.equal(
      (await post(null, '/api/wall/invitations/accept', { token: 'x'.repeat(32), password: 'whatever-long' }))
        .statusCode,
      404,
    );
  });
});
