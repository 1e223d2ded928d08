/**
 * The mail source against a real IMAP server (Dovecot on loopback, reached through a TCP relay
 * that can cut the line) and a real SMTP peer (`smtp-server`): mail already in the box and mail
 * arriving during IDLE are ingested, malformed and automatic mail is skipped and counted, a
 * dropped connection is caught up after reconnecting, a restart resumes from the cursor, and
 * replies arrive threaded (In-Reply-To, References, Re: subject), once per idempotency key.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';
import { createMailSource, mailSourceDefinition, type MailOptions } from '../../src/sources/mail.js';
import { stripQuoted } from '../../src/sources/mail-message.js';
import { RemoteError } from '../../src/sources/retry.js';
import { isEarshotError } from '../../src/domain/errors.js';
import type { PostDraft } from '../../src/domain/post.js';
import type { SourceEnvironment } from '../../src/sources/source.js';
import type { ReplyTarget } from '../../src/sources/source.js';
import { drive, recordingContext } from './fakes/source-context.js';
import { dovecotSkip, startDovecot, type Dovecot } from './fakes/dovecot.js';
import { startTcpRelay, type TcpRelay } from './fakes/tcp-relay.js';
import { startSmtpPeer, type SmtpPeer } from './fakes/smtp-peer.js';
import { startEarshotHost } from './fakes/earshot-host.js';

let serial = 0;
function mail(fields: {
  from?: string | null;
  subject?: string;
  body?: string;
  messageId?: string;
  inReplyTo?: string;
  references?: string;
  headers?: string[];
}): string {
  serial++;
  const lines = [
    ...(fields.from === null ? [] : [`From: ${fields.from ?? 'Ana Costa <ana@customer.example>'}`]),
    'To: help@desk.example',
    `Subject: ${fields.subject ?? `Question ${serial}`}`,
    `Date: ${new Date(Date.UTC(2026, 10, 20, 9, serial)).toUTCString()}`,
    `Message-ID: ${fields.messageId ?? `<m${serial}.${Date.now()}@customer.example>`}`,
    ...(fields.inReplyTo ? [`In-Reply-To: ${fields.inReplyTo}`] : []),
    ...(fields.references ? [`References: ${fields.references}`] : []),
    ...(fields.headers ?? []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    fields.body ?? `Body ${serial}`,
    '',
  ];
  return lines.join('\r\n');
}

describe('mail source on real IMAP and SMTP', { skip: dovecotSkip() }, () => {
  let dovecot: Dovecot;
  let relay: TcpRelay;
  let smtp: SmtpPeer;
  let mailbox = 0;

  before(async () => {
    dovecot = await startDovecot();
    relay = await startTcpRelay(dovecot.port);
    smtp = await startSmtpPeer();
  });
  after(async () => {
    await smtp?.close();
    await relay?.close();
    await dovecot?.stop();
  });

  const env = (): SourceEnvironment => ({
    name: 'support-mail',
    fetch: globalThis.fetch,
    clock: () => new Date(),
    allowPrivateNetwork: true,
  });
  /** Each test gets its own user (its own maildir), so tests do not see each other's mail. */
  const freshUser = () => `desk${++mailbox}`;
  const options = (user: string, extra: Partial<MailOptions> = {}): MailOptions => ({
    imapHost: '127.0.0.1',
    imapPort: relay.port,
    imapSecure: false,
    imapUser: user,
    imapPassword: dovecot.password,
    smtpHost: '127.0.0.1',
    smtpPort: smtp.port,
    smtpSecure: false,
    fromAddress: 'help@desk.example',
    fromName: 'Northwind Help',
    ...extra,
  });
  /** Delivers into the user's INBOX directly at the server, as the MTA would. */
  async function deliver(user: string, ...messages: string[]): Promise<void> {
    const imap = new ImapFlow({
      host: dovecot.host,
      port: dovecot.port,
      secure: false,
      auth: { user, pass: dovecot.password },
      logger: false,
    });
    await imap.connect();
    for (const message of messages) await imap.append('INBOX', message);
    await imap.logout();
  }
  const tuning = { reconnectBaseMs: 100, idleDelayMs: 100 };
  const targetOf = (draft: PostDraft): ReplyTarget => ({
    externalId: draft.externalId,
    url: draft.url,
    authorHandle: draft.author.handle,
    extra: draft.extra,
  });

  it('ingests the mailbox, then mail that arrives while it waits in IDLE', async () => {
    const user = freshUser();
    await deliver(
      user,
      mail({
        subject: 'VPN broken',
        body: 'The VPN drops every few minutes.\n\nOn Mon, 20 Nov 2026 Desk <help@desk.example> wrote:\n> Have you tried turning it off?',
        messageId: '<vpn-2@customer.example>',
        inReplyTo: '<desk-1@desk.example>',
        references: '<vpn-1@customer.example> <desk-1@desk.example>',
      }),
      mail({ from: 'ben@customer.example', subject: 'Printer' }),
    );
    const context = recordingContext();
    const source = drive(createMailSource(options(user), env(), tuning));
    await source.start(context, null);
    try {
      assert.equal(context.emitted.length, 2);
      const [vpn, printer] = context.emitted as [PostDraft, PostDraft];
      assert.equal(vpn.source, 'support-mail');
      assert.equal(vpn.externalId, '<vpn-2@customer.example>');
      assert.equal(vpn.author.handle, 'ana@customer.example');
      assert.equal(vpn.author.name, 'Ana Costa');
      assert.equal(vpn.text, 'The VPN drops every few minutes.', 'the quoted history is cut off');
      assert.equal(vpn.inReplyTo, '<desk-1@desk.example>');
      assert.equal(vpn.extra.subject, 'VPN broken');
      assert.deepEqual(vpn.extra.references, ['<vpn-1@customer.example>', '<desk-1@desk.example>']);
      assert.equal(printer.author.handle, 'ben@customer.example');

      // Nothing polls: only the server's EXISTS during IDLE can bring this one in.
      for (let waited = 0; !/IDLE\r\n/.test(relay.sent()) && waited < 5000; waited += 50)
        await new Promise((resolve) => setTimeout(resolve, 50));
      assert.match(relay.sent(), /IDLE\r\n/, 'the client entered IDLE');
      await deliver(user, mail({ subject: 'Wifi', body: 'No wifi in B12', messageId: '<wifi@customer.example>' }));
      await context.waitForPosts(3, 5000);
      assert.equal(context.emitted[2]!.externalId, '<wifi@customer.example>');
      assert.deepEqual(JSON.parse(source.cursor()!).lastUid, 3);
    } finally {
      await source.stop();
    }
  });

  it('at default settings, a mail arriving soon after the previous one is read within a couple of seconds', async () => {
    const user = freshUser();
    const context = recordingContext();
    // No idle tuning: the source's own default decides how soon it is back in IDLE (imapflow's is 15 s).
    const source = drive(createMailSource(options(user), env(), { reconnectBaseMs: 100 }));
    await source.start(context, null);
    try {
      const waits: number[] = [];
      for (const subject of ['First', 'Second', 'Third']) {
        const sent = performance.now();
        await deliver(user, mail({ subject, body: `${subject} mail` }));
        await context.waitFor(() => context.emitted.some((draft) => draft.extra.subject === subject), 10_000, subject);
        waits.push(performance.now() - sent);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      assert.ok(
        waits.every((wait) => wait < 3000),
        `arrival to post: ${waits.map((wait) => Math.round(wait)).join(', ')} ms`,
      );
    } finally {
      await source.stop();
    }
  });

  it('skips and counts malformed and automatic mail, and keeps reading', async () => {
    const user = freshUser();
    await deliver(
      user,
      'this is not a mail at all, just a line of bytes \u0000\u0001 with no headers\r\n',
      mail({ from: null, subject: 'No sender' }),
      mail({ subject: 'Out of office', headers: ['Auto-Submitted: auto-replied'] }),
      mail({ subject: 'Real question', body: 'How do I reset my password?', messageId: '<real@customer.example>' }),
    );
    const context = recordingContext();
    const source = drive(createMailSource(options(user), env(), tuning));
    await source.start(context, null);
    await source.stop();
    assert.equal(context.skipped.length, 3, context.skipped.join('; '));
    assert.match(context.skipped.join('; '), /no sender address/);
    assert.match(context.skipped.join('; '), /Auto-Submitted: auto-replied/);
    assert.deepEqual(
      context.emitted.map((draft) => draft.externalId),
      ['<real@customer.example>'],
    );
    assert.equal(JSON.parse(source.cursor()!).lastUid, 4, 'the cursor moves past skipped mail');
  });

  it('catches up after the connection drops, once the server is reachable again', async () => {
    const user = freshUser();
    await deliver(user, mail({ messageId: '<before@customer.example>' }));
    const context = recordingContext();
    const source = drive(createMailSource(options(user), env(), tuning));
    await source.start(context, null);
    try {
      assert.equal(context.emitted.length, 1);
      relay.down();
      relay.cut();
      await context.waitFor(() => context.statuses.some((s) => s.status === 'backing-off'), 5000, 'backing-off');
      // Mail keeps arriving while Earshot cannot reach the server.
      await deliver(
        user,
        mail({ messageId: '<during-1@customer.example>' }),
        mail({ messageId: '<during-2@customer.example>' }),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      relay.up();
      await context.waitForPosts(3, 10_000);
      assert.deepEqual(
        context.emitted.map((draft) => draft.externalId),
        ['<before@customer.example>', '<during-1@customer.example>', '<during-2@customer.example>'],
      );
      assert.equal(context.statuses.at(-1)?.status, 'connected');
    } finally {
      relay.up();
      await source.stop();
    }
  });

  it('resumes after a restart from the saved cursor: nothing lost, nothing doubled', async () => {
    const user = freshUser();
    await deliver(user, mail({ messageId: '<one@customer.example>' }), mail({ messageId: '<two@customer.example>' }));
    const first = recordingContext();
    const a = drive(createMailSource(options(user), env(), tuning));
    await a.start(first, null);
    await a.stop();
    await deliver(
      user,
      mail({ messageId: '<three@customer.example>' }),
      mail({ messageId: '<four@customer.example>' }),
    );
    const second = recordingContext();
    const b = drive(createMailSource(options(user), env(), tuning));
    await b.start(second, first.savedCursor);
    await b.stop();
    assert.deepEqual(
      first.emitted.map((draft) => draft.externalId),
      ['<one@customer.example>', '<two@customer.example>'],
    );
    assert.deepEqual(
      second.emitted.map((draft) => draft.externalId),
      ['<three@customer.example>', '<four@customer.example>'],
    );
  });

  it('replies by SMTP in the thread, once per idempotency key', async () => {
    const user = freshUser();
    await deliver(
      user,
      mail({
        from: 'Ana Costa <ana@customer.example>',
        subject: 'VPN broken',
        messageId: '<vpn-2@customer.example>',
        references: '<vpn-1@customer.example>',
        headers: ['Reply-To: ana.private@customer.example'],
      }),
    );
    const context = recordingContext();
    const source = drive(createMailSource(options(user, { sentMailbox: 'Sent' }), env(), tuning));
    await source.start(context, null);
    await source.stop();
    const target = targetOf(context.emitted[0]!);
    const before = smtp.delivered.length;
    const reply = {
      idempotencyKey: 'outbound-9',
      inReplyTo: target.externalId,
      visibility: 'private' as const,
      body: 'Hi Ana, we reset the VPN profile; please try again.',
      target,
    };
    const sent = await source.send!(reply);
    const again = await source.send!(reply);
    assert.equal(again.remoteId, sent.remoteId);
    assert.equal(smtp.delivered.length, before + 1, 'the retry found the filed copy and sent nothing');

    const delivered = smtp.delivered.at(-1)!;
    assert.deepEqual(delivered.to, ['ana.private@customer.example'], 'Reply-To wins over From');
    assert.equal(delivered.from, 'help@desk.example');
    const parsed = await simpleParser(delivered.raw);
    assert.equal(parsed.subject, 'Re: VPN broken');
    assert.equal(parsed.inReplyTo, '<vpn-2@customer.example>');
    assert.deepEqual(parsed.references, ['<vpn-1@customer.example>', '<vpn-2@customer.example>']);
    assert.equal(parsed.messageId, sent.remoteId);
    assert.match(sent.remoteId, /^<earshot\.[0-9a-f]{32}@desk\.example>$/);
    assert.equal(parsed.text?.trim(), 'Hi Ana, we reset the VPN profile; please try again.');
  });

  it('end to end: Earshot stores the mail, an agent replies from the desk, the reply arrives threaded', async () => {
    const user = freshUser();
    await deliver(
      user,
      mail({
        from: 'Dara Byrne <dara@customer.example>',
        subject: 'Locked out',
        body: 'I cannot log in to the library system.',
        messageId: '<locked@customer.example>',
      }),
    );
    const host = await startEarshotHost();
    try {
      await host.addSource('support-mail', 'mail', { ...options(user), initialBacklog: 10 });
      const postId = await host.waitForPost('support-mail', '<locked@customer.example>');
      const before = smtp.delivered.length;
      const sent = await host.replyFromDesk(
        postId,
        'support-mail',
        'Hi Dara, we have unlocked your account.',
        'private',
      );
      assert.equal(sent.status, 'sent', sent.error ?? '');
      assert.equal(smtp.delivered.length, before + 1);
      const parsed = await simpleParser(smtp.delivered.at(-1)!.raw);
      assert.equal(parsed.messageId, sent.remoteId);
      assert.equal(parsed.inReplyTo, '<locked@customer.example>');
      assert.equal(parsed.subject, 'Re: Locked out');
      assert.deepEqual(smtp.delivered.at(-1)!.to, ['dara@customer.example']);

      // The agent resolves it; Dara answers our mail from her client: the answer joins the same ticket and re-opens it.
      const ticket = (await host.ticketOf(postId))!;
      await host.store.db.updateTable('tickets').set({ status: 'resolved' }).where('id', '=', ticket.id).execute();
      await deliver(
        user,
        mail({
          from: 'Dara Byrne <dara@customer.example>',
          subject: 'Re: Locked out',
          body: 'Thanks, but it still says my account is locked.',
          messageId: '<locked-2@customer.example>',
          inReplyTo: sent.remoteId!,
          references: `<locked@customer.example> ${sent.remoteId}`,
        }),
      );
      const answerId = await host.waitForPost('support-mail', '<locked-2@customer.example>');
      const after = (await host.ticketOf(answerId))!;
      assert.equal(after.id, ticket.id, 'the answer joined the ticket of the first mail');
      assert.equal(after.status, 'open', 're-opened by the customer');
      assert.deepEqual(after.events.slice(-2), ['message', 'status']);
      const tickets = await host.store.db.selectFrom('tickets').select('id').execute();
      assert.equal(tickets.length, 1, 'no second ticket');
    } finally {
      await host.close();
    }
  });

  it('a fresh install on a mailbox holding an earlier install’s reply in Sent still sends its own', async () => {
    const user = freshUser();
    await deliver(
      user,
      mail({
        from: 'Dara Byrne <dara@customer.example>',
        subject: 'Printer',
        body: 'The printer on floor 3 is offline.',
        messageId: '<printer@customer.example>',
      }),
    );
    // Two installs (two databases) on one mailbox with a Sent folder: each one's first reply is row 1.
    const hosts = [await startEarshotHost(), await startEarshotHost()];
    try {
      const before = smtp.delivered.length;
      const sent = [];
      for (const [index, host] of hosts.entries()) {
        await host.addSource('support-mail', 'mail', { ...options(user, { sentMailbox: 'Sent' }), initialBacklog: 10 });
        const postId = await host.waitForPost('support-mail', '<printer@customer.example>');
        sent.push(await host.replyFromDesk(postId, 'support-mail', `Install ${index + 1}: on our way.`, 'private'));
      }
      for (const reply of sent) assert.equal(reply.status, 'sent', reply.error ?? '');
      assert.notEqual(sent[0]!.remoteId, sent[1]!.remoteId, 'each install its own Message-ID');
      assert.equal(smtp.delivered.length, before + 2, 'the second install sent its reply too');
      const texts = await Promise.all(
        smtp.delivered.slice(before).map(async (delivered) => (await simpleParser(delivered.raw)).text?.trim()),
      );
      assert.deepEqual(texts, ['Install 1: on our way.', 'Install 2: on our way.']);
    } finally {
      for (const host of hosts) await host.close();
    }
  });

  it('tells a refusal (550) from a try-later (451), and refuses wrong credentials clearly', async () => {
    const user = freshUser();
    const source = drive(createMailSource(options(user), env(), tuning));
    const target: ReplyTarget = {
      externalId: '<x@customer.example>',
      url: null,
      authorHandle: 'nobody@customer.example',
      extra: { messageId: '<x@customer.example>', subject: 'Hi' },
    };
    smtp.refuseNext(550, 'No such user here');
    await assert.rejects(
      source.send!({ idempotencyKey: 'a', inReplyTo: null, visibility: 'private', body: 'hi', target }),
      (error) => error instanceof RemoteError && !error.retryable && /No such user/.test(error.message),
    );
    smtp.refuseNext(451, 'Try again later');
    await assert.rejects(
      source.send!({ idempotencyKey: 'b', inReplyTo: null, visibility: 'private', body: 'hi', target }),
      (error) => error instanceof RemoteError && error.retryable,
    );
    await assert.rejects(
      source.send!({ idempotencyKey: 'c', inReplyTo: null, visibility: 'private', body: 'hi', target: null }),
      (error) => isEarshotError(error) && error.code === 'ERR_SOURCE_REPLY_UNSUPPORTED',
    );

    const context = recordingContext();
    const wrong = drive(createMailSource(options(user, { imapPassword: 'wrong-password' }), env(), tuning));
    await assert.rejects(
      wrong.start(context, null),
      (error) =>
        isEarshotError(error) && error.code === 'ERR_SOURCE_AUTH_FAILED' && !error.message.includes('wrong-password'),
    );
    assert.equal(context.statuses.at(-1)?.status, 'failed');
    await wrong.stop();
    await assert.rejects(
      mailSourceDefinition.check(options(user, { imapPassword: 'wrong-password' }), env()),
      (error) => isEarshotError(error) && error.code === 'ERR_SOURCE_AUTH_FAILED',
    );
    await mailSourceDefinition.check(options(user), env());
    assert.throws(
      () => createMailSource(options(user), { ...env(), allowPrivateNetwork: false }),
      (error) => isEarshotError(error) && error.code === 'ERR_SOURCE_OPTIONS_INVALID',
    );
  });
});

describe('mail quoting', () => {
  it('cuts quoted history and attribution lines, but keeps a mail that is only a quote', () => {
    assert.equal(stripQuoted('Thanks!\n\nOn Tue, 21 Nov 2026, Desk wrote:\n> old\n> older'), 'Thanks!');
    assert.equal(stripQuoted('Danke\nAm 21.11.2026 schrieb Desk <help@desk.example>:\n> alt'), 'Danke');
    assert.equal(stripQuoted('Answer\n-----Original Message-----\nFrom: desk'), 'Answer');
    assert.equal(stripQuoted('> only a quote'), '> only a quote');
  });
});
