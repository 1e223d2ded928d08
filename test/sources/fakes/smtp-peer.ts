/**
 * The receiving mail server for reply tests: `smtp-server` on loopback speaking real SMTP,
 * keeping each delivered message (envelope and raw bytes) and able to refuse the next
 * recipients with a given reply code (451 try later, 550 no such user).
 */
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface DeliveredMail {
  readonly from: string;
  readonly to: string[];
  readonly raw: Buffer;
}

export interface SmtpPeer {
  readonly port: number;
  readonly delivered: DeliveredMail[];
  /** The next `times` RCPT TO commands are answered `code message`. */
  refuseNext(code: number, message: string, times?: number): void;
  close(): Promise<void>;
}

export async function startSmtpPeer(): Promise<SmtpPeer> {
  const delivered: DeliveredMail[] = [];
  let refusal: { code: number; message: string; times: number } | null = null;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (refusal && refusal.times > 0) {
        refusal.times--;
        const error = Object.assign(new Error(refusal.message), { responseCode: refusal.code });
        return callback(error);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        delivered.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    delivered,
    refuseNext(code, message, times = 1) {
      refusal = { code, message, times };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
