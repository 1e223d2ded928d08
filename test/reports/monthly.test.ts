/**
 * The monthly report reaches each service owner over real SMTP (a local smtp-server, parsed back
 * with mailparser), with the PDF attached, once per month however often it runs.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { type ParsedMail, simpleParser } from 'mailparser';
import { smtpTransport } from '../../src/alerts/notify-email.js';
import { startMonthlyReports } from '../../src/reports/monthly.js';
import { printPdf } from '../../src/reports/pdf.js';
import { createService } from '../../src/store/services.js';
import { backends } from '../helpers/backends.js';
import { browserSkipReason, CHROMIUM_PATH } from '../helpers/browser.js';
import { generateMonth } from './month.js';

const skip = browserSkipReason();
const mails: ParsedMail[] = [];
let smtp: SMTPServer;
let port = 0;

before(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
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

test('each owner gets last month’s report with its PDF, once', { skip: skip ?? false }, async () => {
  const [sqlite] = await backends();
  const opened = await sqlite!.open();
  const transport = smtpTransport({ url: `smtp://127.0.0.1:${port}`, from: 'Earshot <earshot@example.org>' });
  try {
    await generateMonth(opened.store);
    const now = '2026-12-01T06:00:00.000Z';
    await createService(
      opened.store.db,
      {
        name: 'Mastodon care',
        owner: 'Dana',
        ownerEmail: 'dana@example.org',
        stage: 'live',
        sources: ['mast'],
        targets: { responseRate: 0.9 },
      },
      now,
    );
    await createService(opened.store.db, { name: 'No mail', owner: 'Eve', sources: ['rss'] }, now);
    const reports = startMonthlyReports({
      store: opened.store,
      mail: transport,
      print: (html) => printPdf(html, CHROMIUM_PATH),
      clock: () => new Date(now),
      intervalMs: 3_600_000,
    });
    try {
      assert.deepEqual(await reports.run(), ['Mastodon care']);
      assert.deepEqual(await reports.run(), []);
    } finally {
      reports.stop();
    }
    assert.equal(mails.length, 1);
    const mail = mails[0]!;
    assert.equal(mail.subject, '[Earshot] Mastodon care: service report for 2026-11');
    assert.match(mail.text ?? '', /Posts in: 100 \(previous month 1\)/);
    assert.match(mail.text ?? '', /Response rate: 0\.8 against 0\.9 \(missed\)/);
    assert.equal(mail.attachments.length, 1);
    assert.equal(mail.attachments[0]!.contentType, 'application/pdf');
    assert.equal(mail.attachments[0]!.content.subarray(0, 5).toString(), '%PDF-');
  } finally {
    transport.close();
    await opened.dispose();
  }
});
