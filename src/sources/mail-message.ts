/**
 * One inbound mail → a `PostDraft`. The message is parsed with mailparser; the author is the
 * From address, the text is the plain body (mailparser derives it from HTML when there is no
 * plain part) with the quoted history of earlier mails cut off, and `extra` keeps what a
 * threaded answer needs: Message-ID, References, subject, Reply-To. Messages Earshot cannot use
 * (no sender, unparseable, automatic replies, too large) come back as a reason string, to be
 * counted as skipped: a mailbox always holds some of those.
 */
import type { AddressObject, ParsedMail } from 'mailparser';
import type { PostDraft } from '../domain/post.js';

export interface MailMeta {
  readonly uid: number;
  readonly uidValidity: string;
  readonly mailbox: string;
  readonly internalDate: Date | null;
}

/** Larger messages are attachments with a note, not something to read as a post. */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

export async function draftFromMessage(sourceName: string, raw: Buffer, meta: MailMeta): Promise<PostDraft | string> {
  if (raw.length === 0) return 'an empty message';
  if (raw.length > MAX_MESSAGE_BYTES) return `a message of ${raw.length} bytes (limit ${MAX_MESSAGE_BYTES})`;
  let parsed: ParsedMail;
  try {
    // Loaded on first use: hosts without a mail source need not load it.
    const { simpleParser } = await import('mailparser');
    parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
  } catch (error) {
    return `an unparseable message (${(error as Error).message})`;
  }
  const from = firstAddress(parsed.from);
  if (!from) return 'a message with no sender address';
  // Out-of-office notes and bounces answer us; answering them back would start a loop.
  const autoSubmitted = String(parsed.headers.get('auto-submitted') ?? 'no').toLowerCase();
  if (autoSubmitted !== 'no') return `an automatic message (Auto-Submitted: ${autoSubmitted}) from ${from.address}`;
  if (/^(mailer-daemon|postmaster)@/i.test(from.address)) return `a delivery report from ${from.address}`;

  const subject = (parsed.subject ?? '').trim();
  const body = stripQuoted(parsed.text ?? '');
  const text = body || subject;
  if (!text) return `a message from ${from.address} with neither text nor subject`;
  const messageId = normalizeId(parsed.messageId);
  const inReplyTo = normalizeId(parsed.inReplyTo);
  const date = parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date : meta.internalDate;
  if (!date) return `a message from ${from.address} with no date`;
  return {
    source: sourceName,
    externalId: messageId ?? `imap:${meta.mailbox}:${meta.uidValidity}:${meta.uid}`,
    author: { handle: from.address, name: from.name, followers: null, following: null },
    text,
    url: null,
    createdAt: date.toISOString(),
    inReplyTo,
    metrics: { likes: 0, reposts: 0, replies: 0 },
    extra: {
      messageId,
      subject,
      references: referencesOf(parsed.references),
      replyTo: firstAddress(parsed.replyTo)?.address ?? null,
      to: addresses(parsed.to),
      hasHtml: typeof parsed.html === 'string',
      attachments: parsed.attachments.map((attachment) => ({
        filename: attachment.filename ?? null,
        contentType: attachment.contentType,
        size: attachment.size,
      })),
      imap: { mailbox: meta.mailbox, uidValidity: meta.uidValidity, uid: meta.uid },
    },
  };
}

/**
 * Cuts the quoted history under a reply: `>` lines and everything from an attribution line
 * ("On Mon, … wrote:", "Am … schrieb …:", Outlook's "-----Original Message-----") down. Keeps
 * the whole text when that would leave nothing (a mail that is only a quote is still a mail).
 */
export function stripQuoted(text: string): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const kept: string[] = [];
  for (const line of lines) {
    if (
      /^\s*(-{2,}\s*Original Message\s*-{2,}|On .{4,200} wrote:|Am .{4,200} schrieb .{1,100}:|Le .{4,200} a écrit\s*:)\s*$/i.test(
        line,
      )
    )
      break;
    if (/^\s*>/.test(line)) continue;
    kept.push(line);
  }
  const result = kept
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return result || text.trim();
}

export function normalizeId(value: string | undefined | null): string | null {
  if (!value) return null;
  const match = /<[^<>\s]+>/.exec(value);
  if (match) return match[0];
  const bare = value.trim();
  return bare && !/\s/.test(bare) ? `<${bare}>` : null;
}

function referencesOf(value: string | string[] | undefined): string[] {
  const list = Array.isArray(value) ? value : value ? value.split(/\s+/) : [];
  return list.map(normalizeId).filter((id): id is string => id !== null);
}

function firstAddress(
  value: AddressObject | AddressObject[] | undefined,
): { address: string; name: string | null } | null {
  for (const object of Array.isArray(value) ? value : value ? [value] : []) {
    for (const entry of object.value) {
      if (entry.address && /^[^@\s]+@[^@\s]+$/.test(entry.address))
        return { address: entry.address.toLowerCase(), name: entry.name || null };
    }
  }
  return null;
}

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  return (Array.isArray(value) ? value : value ? [value] : [])
    .flatMap((object) => object.value.map((entry) => entry.address ?? ''))
    .filter(Boolean);
}
