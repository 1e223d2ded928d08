/**
 * The mail source, for the customers who are not on social media: reads a mailbox over IMAP
 * (imapflow) and answers by SMTP (nodemailer). Its `stream` catches up from the cursor the
 * supervisor saved (UIDVALIDITY + last UID), then waits in IDLE for new mail; a dropped connection is reopened with backoff and
 * caught up the same way, so nothing is lost and nothing read twice. Replies are threaded
 * (In-Reply-To, References, "Re:" subject) and carry a Message-ID derived from the idempotency
 * key; with `sentMailbox` set, a copy goes there and a retry that finds it does not send again.
 * Mail is private by nature: capabilities say so, and both visibilities send the same mail.
 */
import { createHash } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import type { ImapFlow } from 'imapflow';
import { EarshotError, isEarshotError } from '../domain/errors.js';
import {
  jsonCursor,
  type OutboundReply,
  type SendResult,
  type Source,
  type SourceDefinition,
  type SourceEnvironment,
  type StreamContext,
} from './source.js';
import { sourceCapabilities } from '../domain/source.js';
import { RemoteError } from './retry.js';
import { assertConnectableHost, assertPublicHost } from './private-host.js';
import { draftFromMessage } from './mail-message.js';
import type { PostDraft } from '../domain/post.js';

/** The default quiet time before re-entering IDLE (imapflow's own is 15 s). */
export const MAIL_IDLE_DELAY_MS = 500;

export const mailOptions = Type.Object(
  {
    imapHost: Type.String({ minLength: 1 }),
    imapPort: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, default: 993 })),
    imapSecure: Type.Optional(
      Type.Boolean({ default: true, description: 'TLS from the start (993); false uses STARTTLS when offered' }),
    ),
    imapUser: Type.String({ minLength: 1 }),
    imapPassword: Type.String({ minLength: 1 }),
    mailbox: Type.Optional(Type.String({ minLength: 1, default: 'INBOX' })),
    smtpHost: Type.String({ minLength: 1 }),
    smtpPort: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, default: 465 })),
    smtpSecure: Type.Optional(Type.Boolean({ default: true })),
    smtpUser: Type.Optional(Type.String()),
    smtpPassword: Type.Optional(Type.String()),
    fromAddress: Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$' }),
    fromName: Type.Optional(Type.String()),
    /** Where sent replies are filed; also what makes a retried send find the first one. */
    sentMailbox: Type.Optional(Type.String({ minLength: 1 })),
    /** Messages read on the very first start (older mail stays unread by Earshot). */
    initialBacklog: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, default: 50 })),
    /**
     * Quiet time after a command before the client re-enters IDLE. imapflow waits 15 s, so a mail arriving
     * soon after the previous one waited up to 15 s; half a second keeps IDLE re-entry cheap and prompt.
     */
    idleDelayMs: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 60_000, default: MAIL_IDLE_DELAY_MS, description: 'ms before IDLE again' }),
    ),
  },
  { additionalProperties: false },
);
export type MailOptions = Static<typeof mailOptions>;

export interface MailTuning {
  /** First reconnect delay; doubles up to a minute. */
  readonly reconnectBaseMs?: number;
  /** Quiet time before the client enters IDLE; overrides the `idleDelayMs` option. */
  readonly idleDelayMs?: number;
}

/** Where reading stopped: the mailbox's UIDVALIDITY and the last UID handed over (the shape earlier versions saved). */
const MailCursor = Type.Object({
  v: Type.Literal(1),
  uidValidity: Type.String(),
  lastUid: Type.Integer({ minimum: 0 }),
});
export type MailCursor = Static<typeof MailCursor>;
const MAIL_CURSOR = jsonCursor(MailCursor);

export type MailSource = Source<MailCursor> & Required<Pick<Source<MailCursor>, 'stream' | 'send'>>;

const BATCH = 50;

export function createMailSource(options: MailOptions, env: SourceEnvironment, tuning: MailTuning = {}): MailSource {
  assertMailHostsAllowed(options, env);
  const mailbox = options.mailbox ?? 'INBOX';
  let context: StreamContext<MailCursor> | null = null;
  let position: MailCursor | null = null;
  let client: ImapFlow | null = null;
  let stopped = true;
  let failures = 0;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let catching: Promise<void> | null = null;
  let again = false;

  async function connect(): Promise<void> {
    const ctx = context!;
    ctx.reportStatus?.('connecting');
    // Names are resolved and every address checked at each connect, as the HTTP guard does.
    await assertConnectableHost(options.imapHost, guardOf(env, 'imapHost'));
    const imap = await imapClient(options, tuning.idleDelayMs ?? options.idleDelayMs ?? MAIL_IDLE_DELAY_MS);
    imap.on('error', (error: Error) => ctx.log.warn(`mail ${env.name}: ${error.message}`));
    imap.on('exists', () => void catchUp());
    imap.on('close', () => {
      if (client !== imap) return;
      client = null;
      if (!stopped) reconnectLater('the IMAP connection closed');
    });
    try {
      await imap.connect();
      await imap.mailboxOpen(mailbox);
    } catch (error) {
      imap.close();
      throw (error as { authenticationFailed?: boolean }).authenticationFailed
        ? authFailed(env.name, 'IMAP', error)
        : error;
    }
    if (stopped) return void imap.close();
    client = imap;
    failures = 0;
    ctx.reportStatus?.('connected', `IDLE on ${mailbox}`);
    await catchUp();
  }

  function reconnectLater(reason: string): void {
    if (stopped || reconnectTimer) return;
    failures++;
    const base = tuning.reconnectBaseMs ?? 1000;
    const delay = Math.min(60_000, base * 2 ** Math.min(failures - 1, 10)) * (0.75 + Math.random() / 4);
    context?.reportStatus?.('backing-off', `${reason}; reconnecting in ${Math.round(delay)} ms`);
    context?.log.warn(`mail ${env.name}: ${reason}; reconnecting in ${Math.round(delay)} ms`);
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      connect().catch((error: unknown) => {
        if (error instanceof EarshotError) {
          stopped = true;
          // Reported once: the host counts and logs the failure as it restarts the source.
          context?.reportStatus?.('failed', error.message);
        } else reconnectLater((error as Error).message);
      });
    }, delay);
  }

  /** Reads everything past the cursor; runs once at a time, and again if mail arrived meanwhile. */
  function catchUp(): Promise<void> {
    if (catching) {
      again = true;
      return catching;
    }
    catching = (async () => {
      do {
        again = false;
        await readNew();
      } while (again && client);
    })()
      .catch((error: unknown) => {
        if (stopped) return;
        // Whatever failed (the pipeline, the connection), a fresh connection catches up from the cursor.
        context?.log.warn(`mail ${env.name}: catching up failed: ${(error as Error).message}`);
        const broken = client;
        client = null;
        broken?.close();
        reconnectLater('catching up failed');
      })
      .finally(() => {
        catching = null;
      });
    return catching;
  }

  async function readNew(): Promise<void> {
    const imap = client;
    const ctx = context;
    if (!imap || !ctx || !imap.mailbox) return;
    const uidValidity = String(imap.mailbox.uidValidity);
    if (position && position.uidValidity !== uidValidity) {
      // The server renumbered the mailbox: read it again; Message-IDs keep the pipeline from storing doubles.
      ctx.log.warn(
        `mail ${env.name}: UIDVALIDITY of ${mailbox} changed (${position.uidValidity} → ${uidValidity}); reading it again`,
      );
      position = { v: 1, uidValidity, lastUid: 0 };
    }
    const last = position?.lastUid ?? 0;
    const found = (await imap.search({ uid: `${last + 1}:*` }, { uid: true })) || [];
    // `N:*` always matches the newest message, even when its UID is below N.
    let uids = found.filter((uid) => uid > last).sort((a, b) => a - b);
    if (!position) uids = uids.slice(-(options.initialBacklog ?? 50));
    for (let i = 0; i < uids.length; i += BATCH) {
      const chunk = uids.slice(i, i + BATCH);
      const messages = await imap.fetchAll(
        chunk.join(','),
        { uid: true, source: true, internalDate: true },
        { uid: true },
      );
      const drafts: PostDraft[] = [];
      for (const message of messages.sort((a, b) => a.uid - b.uid)) {
        const internalDate = message.internalDate ? new Date(message.internalDate) : null;
        const draft = await draftFromMessage(env.name, message.source ?? Buffer.alloc(0), {
          uid: message.uid,
          uidValidity,
          mailbox,
          internalDate,
        });
        if (typeof draft === 'string') ctx.reportSkipped?.(`uid ${message.uid}: ${draft}`);
        else drafts.push(draft);
      }
      const next: MailCursor = { v: 1, uidValidity, lastUid: chunk.at(-1)! };
      await ctx.deliver(drafts, next);
      position = next;
    }
    if (!position) {
      const next: MailCursor = { v: 1, uidValidity, lastUid: last };
      await ctx.deliver([], next);
      position = next;
    }
  }

  /** Ends the stream on the host's signal; a catch-up in progress finds no one to deliver to and stops. */
  function close(): void {
    stopped = true;
    if (reconnectTimer) clearTimeout(reconnectTimer);
    reconnectTimer = null;
    const open = client;
    client = null;
    if (open) void open.logout().catch(() => open.close());
  }

  return {
    kind: 'mail',
    capabilities: MAIL_CAPABILITIES,
    cursor: MAIL_CURSOR,
    async stream(cursor, ctx, signal) {
      context = ctx;
      position = cursor;
      stopped = false;
      signal.addEventListener('abort', close, { once: true });
      try {
        await connect();
      } catch (error) {
        if (error instanceof EarshotError) {
          close();
          throw error;
        }
        reconnectLater(`could not connect: ${(error as Error).message}`);
      }
    },
    send: (reply) => sendReply(options, env, reply),
  };
}

async function sendReply(options: MailOptions, env: SourceEnvironment, reply: OutboundReply): Promise<SendResult> {
  const target = reply.target;
  const to = String(target?.extra.replyTo ?? target?.authorHandle ?? '');
  if (!target || !/^[^@\s]+@[^@\s]+$/.test(to)) {
    throw new EarshotError('ERR_SOURCE_REPLY_UNSUPPORTED', {
      name: env.name,
      detail: 'a mail reply needs the message it answers, with a sender address',
    });
  }
  const original = typeof target.extra.messageId === 'string' ? target.extra.messageId : null;
  const references = [
    ...(Array.isArray(target.extra.references) ? target.extra.references.map(String) : []),
    ...(original ? [original] : []),
  ];
  const subject = String(target.extra.subject ?? '').trim();
  const domain = options.fromAddress.split('@')[1]!;
  const messageId = `<earshot.${createHash('sha256').update(reply.idempotencyKey).digest('hex').slice(0, 32)}@${domain}>`;
  // Mail libraries load on first use, so hosts without a mail source do not pay for them.
  const { default: MailComposer } = await import('nodemailer/lib/mail-composer');
  const { default: nodemailer } = await import('nodemailer');
  const raw = await new MailComposer({
    from: options.fromName ? { name: options.fromName, address: options.fromAddress } : options.fromAddress,
    to,
    subject: /^re:/i.test(subject) ? subject : `Re: ${subject || '(no subject)'}`,
    text: reply.body,
    messageId,
    date: env.clock(),
    ...(original ? { inReplyTo: original } : {}),
    references: [...new Set(references)],
  })
    .compile()
    .build();

  if (options.sentMailbox && (await inSentMailbox(options, messageId, original)))
    return { remoteId: messageId, remoteUrl: null };
  await assertConnectableHost(options.smtpHost, guardOf(env, 'smtpHost'));
  const transport = nodemailer.createTransport({
    host: options.smtpHost,
    port: options.smtpPort ?? 465,
    secure: options.smtpSecure ?? true,
    ...(options.smtpUser ? { auth: { user: options.smtpUser, pass: options.smtpPassword ?? '' } } : {}),
  });
  try {
    await transport.sendMail({ envelope: { from: options.fromAddress, to: [to] }, raw });
  } catch (error) {
    throw smtpError(env.name, error);
  } finally {
    transport.close();
  }
  if (options.sentMailbox) {
    // Filing the copy is what lets a retry see the mail went out; failing to file it is not a failed send.
    await fileSentCopy(options, raw).catch(() => undefined);
  }
  return { remoteId: messageId, remoteUrl: null };
}

/**
 * Whether this reply was sent already: its Message-ID (unique to this install and message) in the
 * sent folder, answering the same message. A copy that answers another message is not this reply.
 */
async function inSentMailbox(options: MailOptions, messageId: string, inReplyTo: string | null): Promise<boolean> {
  const imap = await imapClient(options);
  await imap.connect();
  try {
    const lock = await imap.getMailboxLock(options.sentMailbox!);
    try {
      const found = await imap.search(
        { header: { 'message-id': messageId, ...(inReplyTo ? { 'in-reply-to': inReplyTo } : {}) } },
        { uid: true },
      );
      return Array.isArray(found) && found.length > 0;
    } finally {
      lock.release();
    }
  } catch (error) {
    // No such folder yet: nothing was filed there.
    const failure = error as { mailboxMissing?: boolean; serverResponseCode?: string };
    if (failure.mailboxMissing || failure.serverResponseCode === 'NONEXISTENT') return false;
    throw error;
  } finally {
    await imap.logout().catch(() => imap.close());
  }
}

async function fileSentCopy(options: MailOptions, raw: Buffer): Promise<void> {
  const imap = await imapClient(options);
  await imap.connect();
  try {
    await imap.mailboxCreate(options.sentMailbox!).catch(() => undefined);
    await imap.append(options.sentMailbox!, raw, ['\\Seen']);
  } finally {
    await imap.logout().catch(() => imap.close());
  }
}

async function imapClient(options: MailOptions, idleDelayMs = MAIL_IDLE_DELAY_MS): Promise<ImapFlow> {
  const { ImapFlow } = await import('imapflow');
  return new ImapFlow({
    host: options.imapHost,
    port: options.imapPort ?? 993,
    secure: options.imapSecure ?? true,
    auth: { user: options.imapUser, pass: options.imapPassword },
    // imapflow's own logger would print protocol traffic; credentials must never reach a log.
    logger: false,
    autoIdleDelay: idleDelayMs,
  });
}

/** SMTP 4xx and dropped connections may pass on a retry; 5xx are the server's final word. */
function smtpError(name: string, error: unknown): Error {
  const { responseCode, response, code } = error as { responseCode?: number; response?: string; code?: string };
  if (code === 'EAUTH') return authFailed(name, 'SMTP', error);
  const detail = response ?? (error as Error).message;
  if (typeof responseCode === 'number' && responseCode >= 500)
    return new RemoteError(`SMTP refused the reply: ${detail}`, 422);
  return new RemoteError(`SMTP: ${detail}`, typeof responseCode === 'number' ? 503 : null);
}

function authFailed(name: string, remote: string, error: unknown): EarshotError {
  const detail =
    (error as { responseText?: string; response?: string }).responseText ??
    (error as { response?: string }).response ??
    'authentication failed';
  return new EarshotError(
    'ERR_SOURCE_AUTH_FAILED',
    { name, remote, detail: String(detail).slice(0, 200) },
    { cause: error },
  );
}

/** What the mail channel can do, the same for every source of this kind. */
export const MAIL_CAPABILITIES = sourceCapabilities({ canDirectMessage: true, maxReplyLength: 10_000 });

export const mailSourceDefinition = {
  capabilities: MAIL_CAPABILITIES,
  kind: 'mail',
  label: 'Mail (IMAP + SMTP)',
  description: 'A support mailbox: new mail read over IMAP with IDLE, replies sent by SMTP in the same thread.',
  options: mailOptions,
  secrets: ['imapPassword', 'smtpPassword'],
  create: (options: MailOptions, env: SourceEnvironment) => createMailSource(options, env),
  async check(options: MailOptions, env: SourceEnvironment) {
    assertMailHostsAllowed(options, env);
    for (const path of ['imapHost', 'smtpHost'] as const)
      await assertConnectableHost(options[path], guardOf(env, path)).catch((error: unknown) => {
        throw isEarshotError(error)
          ? error
          : new EarshotError('ERR_SOURCE_CHECK_FAILED', {
              name: env.name,
              detail: `${path}: ${(error as Error).message}`,
            });
      });
    const imap = await imapClient(options);
    try {
      await imap.connect();
      await imap.mailboxOpen(options.mailbox ?? 'INBOX', { readOnly: true });
    } catch (error) {
      if ((error as { authenticationFailed?: boolean }).authenticationFailed) throw authFailed(env.name, 'IMAP', error);
      throw new EarshotError('ERR_SOURCE_CHECK_FAILED', {
        name: env.name,
        detail: `IMAP: ${(error as Error).message}`,
      });
    } finally {
      await imap.logout().catch(() => imap.close());
    }
  },
} satisfies SourceDefinition<typeof mailOptions>;

/** Both servers must be public unless an admin allowed private networks: checked before any connection. */
function assertMailHostsAllowed(options: MailOptions, env: SourceEnvironment): void {
  for (const path of ['imapHost', 'smtpHost'] as const) {
    assertPublicHost(options[path], {
      name: env.name,
      path,
      allowPrivateNetwork: env.allowPrivateNetwork,
      allowedPrivateHosts: env.allowedPrivateHosts,
    });
  }
}

function guardOf(env: SourceEnvironment, path: 'imapHost' | 'smtpHost') {
  return {
    name: env.name,
    path,
    allowPrivateNetwork: env.allowPrivateNetwork,
    allowedPrivateHosts: env.allowedPrivateHosts,
  };
}
