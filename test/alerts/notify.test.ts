/**
 * Notifications leave Earshot over the real protocols, to receivers on loopback: e-mail through
 * nodemailer to an `smtp-server` and parsed back with mailparser; webhooks to a node:http server
 * that verifies the HMAC signature the way a receiver would, answering 503 once so the retry
 * shows; and webhook subscriptions fed by the runtime's bus (alerts and new tickets).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import { emailNotifier, smtpTransport } from '../../src/alerts/notify-email.js';
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  postWebhook,
  sign,
  verifySignature,
  webhookNotifier,
} from '../../src/alerts/notify-webhook.js';
import type { Notification } from '../../src/alerts/escalation.js';
import { loadConfig } from '../../src/config.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { createWebhook } from '../../src/store/escalation.js';
import { raiseAlert } from '../../src/store/alerts.js';
import { createTickets } from '../../src/store/tickets.js';

const notification: Notification = {
  escalationId: 'incident:7',
  userIds: [3],
  step: 0,
  round: 0,
  subject: 'Major incident: portal down (42 reporters)',
  exhausted: false,
};
const noSleep = { attempts: 4, baseDelayMs: 1, maxDelayMs: 5, sleep: async () => {} };

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly status: number;
}

/** A webhook receiver: answers with the next scripted status (then 200), recording each request. */
async function receiver(script: number[] = []): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const status = script.shift() ?? 200;
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      response.writeHead(status, status === 503 ? { 'retry-after': '0' } : {}).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, server };
}

describe('e-mail notification', () => {
  let smtp: SMTPServer;
  let port = 0;
  const mails: ParsedMail[] = [];
  const envelopes: string[][] = [];

  before(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        envelopes.push(session.envelope.rcptTo.map((rcpt) => rcpt.address));
        simpleParser(stream).then(
          (mail) => {
            mails.push(mail);
            callback();
          },
          (error: Error) => callback(error),
        );
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    port = (smtp.server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => smtp.close(() => resolve())));

  test('is delivered over SMTP with the subject, the step and the recipient’s acknowledgement link', async () => {
    const transport = smtpTransport({ url: `smtp://127.0.0.1:${port}`, from: 'Earshot <earshot@example.org>' });
    try {
      await emailNotifier(transport).notify(notification, [
        {
          id: 3,
          name: 'Cy',
          email: 'cy@example.org',
          ackUrl: 'https://earshot.example.org/api/escalations/ack?token=abcdefghijklmnopqrstuvwx',
        },
        { id: 4, name: 'No mail', email: null },
      ]);
    } finally {
      transport.close();
    }
    assert.equal(mails.length, 1, 'only the person with an address gets mail');
    assert.deepEqual(envelopes[0], ['cy@example.org']);
    const mail = mails[0]!;
    assert.equal(mail.subject, '[Earshot] Major incident: portal down (42 reporters)');
    assert.equal(mail.from?.value[0]?.address, 'earshot@example.org');
    assert.match(mail.text ?? '', /Escalation step 1, round 1/);
    assert.match(
      mail.text ?? '',
      /https:\/\/earshot\.example\.org\/api\/escalations\/ack\?token=abcdefghijklmnopqrstuvwx/,
    );
  });
});

describe('webhook notification', () => {
  const servers: Server[] = [];
  after(() => Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())))));

  test('is signed with HMAC over the timestamp and raw body, and retried after a 503', async () => {
    const hook = await receiver([503]);
    servers.push(hook.server);
    const secret = 'per-person-secret';
    await webhookNotifier({ retry: noSleep, allowPrivateNetwork: true }).notify(notification, [
      { id: 3, name: 'Cy', webhookUrl: hook.url, webhookSecret: secret, ackUrl: 'https://earshot.example.org/ack' },
    ]);
    assert.deepEqual(
      hook.received.map((r) => r.status),
      [503, 200],
      'the 503 was retried',
    );
    const delivered = hook.received[1]!;
    const headers = {
      timestamp: delivered.headers[TIMESTAMP_HEADER] as string,
      signature: delivered.headers[SIGNATURE_HEADER] as string,
    };
    assert.match(headers.signature, /^sha256=[0-9a-f]{64}$/);
    assert.ok(verifySignature(secret, headers, delivered.body), 'the receiver verifies the signature');
    assert.equal(verifySignature('another-secret', headers, delivered.body), false);
    assert.equal(
      verifySignature(secret, headers, delivered.body.replace('portal', 'p0rtal')),
      false,
      'a changed body fails',
    );
    const payload = JSON.parse(delivered.body) as Record<string, unknown>;
    assert.match(String(payload.text), /^Major incident: portal down/);
    assert.equal(payload.escalationId, 'incident:7');
    assert.equal(payload.ackUrl, 'https://earshot.example.org/ack');
  });

  test('a 4xx is not retried and is reported; a stale timestamp does not verify', async () => {
    const hook = await receiver([410]);
    servers.push(hook.server);
    await assert.rejects(
      postWebhook(hook.url, { text: 'x' }, 's3cret', { retry: noSleep, allowPrivateNetwork: true }),
      /HTTP 410/,
    );
    assert.equal(hook.received.length, 1);
    const old = Math.floor(Date.now() / 1000) - 3600;
    assert.equal(
      verifySignature('s3cret', { timestamp: String(old), signature: sign('s3cret', old, '{}') }, '{}'),
      false,
    );
  });
});

describe('webhook subscriptions', () => {
  let runtime: Runtime;
  let dataDir: string;
  let hook: Awaited<ReturnType<typeof receiver>>;

  before(async () => {
    hook = await receiver([429]);
    dataDir = mkdtempSync(join(tmpdir(), 'earshot-hooks-'));
    const config = loadConfig({
      EARSHOT_DATA_DIR: dataDir,
      EARSHOT_ADMIN_PASSWORD: 'pw-for-hooks-123',
      EARSHOT_LOG_LEVEL: 'silent',
      EARSHOT_PUBLIC_URL: 'https://desk.example.org',
    });
    runtime = await createRuntime(config, {
      escalationTickMs: 0,
      webhook: { retry: noSleep, allowPrivateNetwork: true },
    });
  });
  after(async () => {
    await runtime?.close();
    await new Promise<void>((resolve) => hook.server.close(() => resolve()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('alerts and new tickets reach the subscribed URL as signed Slack-style JSON; a 429 is retried', async () => {
    const subscription = await createWebhook(
      runtime.store.db,
      runtime.sources.secrets,
      { url: hook.url, events: ['alert', 'ticket'] },
      new Date().toISOString(),
    );
    const { alert } = await raiseAlert(runtime.store.db, {
      type: 'burst',
      severity: 'critical',
      title: 'Burst of negative posts in all posts: 40 in 10 min',
      key: 'burst:all',
      evidence: {},
    });
    await runtime.bus.publish('alerts.raised', { alert });
    const tickets = await createTickets(runtime.store.db, [
      {
        type: 'incident',
        priority: 'high',
        subject: 'Portal down for me',
        postId: null,
        streamId: null,
        source: 'mastodon',
        slaDueAt: null,
      },
    ]);
    await runtime.bus.publish('tickets.created', { tickets });
    await runtime.webhooksOut.flush();

    const delivered = hook.received.filter((r) => r.status === 200);
    assert.deepEqual(
      hook.received.map((r) => r.status),
      [429, 200, 200],
    );
    for (const r of delivered) {
      assert.ok(
        verifySignature(
          subscription.secret,
          { timestamp: r.headers[TIMESTAMP_HEADER] as string, signature: r.headers[SIGNATURE_HEADER] as string },
          r.body,
        ),
      );
    }
    const [alertBody, ticketBody] = delivered.map(
      (r) => JSON.parse(r.body) as { event: string; text: string; data: { id: number } },
    );
    assert.equal(alertBody!.event, 'alert');
    assert.equal(
      alertBody!.text,
      '[CRITICAL] Burst of negative posts in all posts: 40 in 10 min https://desk.example.org/alerts',
    );
    assert.equal(alertBody!.data.id, alert.id);
    assert.equal(ticketBody!.event, 'ticket');
    assert.equal(
      ticketBody!.text,
      `New high incident #${tickets[0]!.id}: Portal down for me https://desk.example.org/inbox/${tickets[0]!.id}`,
    );
  });
});
