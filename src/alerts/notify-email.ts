/**
 * E-mail notifications over SMTP (nodemailer). The transport is created once from the
 * configured SMTP URL; each notification is one message per recipient with an e-mail address,
 * carrying the recipient's own acknowledgement link.
 */
import { describeNotification, type Notifier } from './escalation.js';

export interface SmtpSettings {
  /** `smtp://user:pass@host:587` or `smtps://…`. */
  readonly url: string;
  /** The From address, e.g. `Earshot <earshot@example.org>`. */
  readonly from: string;
}

/** The narrow mail interface notifications need (an SMTP client or a mail API fits it). */
export interface MailTransport {
  send(message: {
    to: string;
    subject: string;
    text: string;
    /** Files to attach (the monthly service report's PDF). */
    attachments?: readonly { filename: string; content: Buffer; contentType: string }[];
  }): Promise<void>;
  close(): void;
}

export function smtpTransport(settings: SmtpSettings): MailTransport {
  // nodemailer is loaded with the first e-mail: most starts never send one.
  const transporter = import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(settings.url));
  return {
    async send(message) {
      await (await transporter).sendMail({
        from: settings.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        ...(message.attachments && { attachments: [...message.attachments] }),
      });
    },
    close: () =>
      void transporter.then(
        (t) => t.close(),
        () => {},
      ),
  };
}

export function emailNotifier(transport: Pick<MailTransport, 'send'>): Notifier {
  return {
    async notify(notification, recipients) {
      const subject = notification.exhausted
        ? `[Earshot] Unacknowledged: ${notification.subject}`
        : `[Earshot] ${notification.subject}`;
      const results = await Promise.allSettled(
        recipients
          .filter((recipient) => recipient.email)
          .map((recipient) =>
            transport.send({ to: recipient.email!, subject, text: describeNotification(notification, recipient) }),
          ),
      );
      const failed = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (failed.length > 0)
        throw new AggregateError(
          failed.map((result) => result.reason),
          `${failed.length} e-mail notification(s) failed`,
        );
    },
  };
}
