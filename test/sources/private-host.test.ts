/**
 * The one private-network rule for channels that open their own connections: mail (IMAP, SMTP) and
 * Bluesky resolve a host *name* at connect time and check every address, as RSS and Mastodon do,
 * so an intranet name is refused unless an admin allowed it (EARSHOT_ALLOWED_PRIVATE_HOSTS), and
 * an allowed one is reached. The name used is this machine's own host name, resolved by the real
 * resolver; where it does not resolve to a private address the suite says so and skips.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { lookup } from 'node:dns/promises';
import { assertConnectableHost } from '../../src/sources/private-host.js';
import { privateAddressReason } from '../../src/sources/ssrf.js';
import { createMailSource, mailSourceDefinition } from '../../src/sources/mail.js';
import { blueskySourceDefinition, createBlueskySource } from '../../src/sources/bluesky.js';
import { isEarshotError } from '../../src/domain/errors.js';
import type { SourceEnvironment } from '../../src/sources/source.js';
import { recordingContext } from './fakes/source-context.js';

const name = hostname();
const addresses = await lookup(name, { all: true }).catch(() => []);
const skip =
  addresses.length > 0 && addresses.every((entry) => privateAddressReason(entry.address))
    ? false
    : `the host name ${name} does not resolve to private addresses here`;

const env = (allowedPrivateHosts: string[] = []): SourceEnvironment => ({
  name: 'intranet',
  fetch: globalThis.fetch,
  clock: () => new Date(),
  allowPrivateNetwork: false,
  allowedPrivateHosts,
});
const refusedFor = (path: string) => (error: unknown) =>
  isEarshotError(error) &&
  error.code === 'ERR_SOURCE_OPTIONS_INVALID' &&
  error.message.includes(path) &&
  /EARSHOT_ALLOWED_PRIVATE_HOSTS/.test(error.message);

describe('private hosts by name, for every channel', { skip }, () => {
  test('a name resolving to a private address is refused, unless an admin allowed it', async () => {
    const guard = { name: 'intranet', path: 'imapHost', allowPrivateNetwork: false };
    await assert.rejects(assertConnectableHost(name, guard), refusedFor('imapHost'));
    await assertConnectableHost(name, { ...guard, allowedPrivateHosts: [name.toUpperCase()] });
  });

  test('mail: an IMAP host named on the intranet is refused at connect time with a clear error', async () => {
    const options = {
      imapHost: name,
      imapPort: 1,
      imapSecure: false,
      imapUser: 'desk',
      imapPassword: 'secret-password',
      smtpHost: name,
      smtpPort: 1,
      smtpSecure: false,
      fromAddress: 'help@desk.example',
    };
    const source = createMailSource(options, env());
    const context = recordingContext();
    const controller = new AbortController();
    await assert.rejects(
      source.stream(null, { ...context, deliver: async () => {} }, controller.signal),
      refusedFor('imapHost'),
    );
    controller.abort();
    await assert.rejects(mailSourceDefinition.check!(options, env()), refusedFor('imapHost'));
    // Allowed: the guard lets it through and the failure is the connection itself (nothing listens on port 1).
    await assert.rejects(mailSourceDefinition.check!(options, env([name])), (error: unknown) => {
      return isEarshotError(error) && error.code === 'ERR_SOURCE_CHECK_FAILED' && !/ALLOWED/.test(error.message);
    });
  });

  test('bluesky: a PDS named on the intranet is refused before a session is opened', async () => {
    const options = { service: `http://${name}:1`, identifier: 'desk.test', appPassword: 'app-password' };
    const source = createBlueskySource(options, env());
    await assert.rejects(source.poll!(null, { ...recordingContext(), scheduled: false }), refusedFor('service'));
    await assert.rejects(blueskySourceDefinition.check!(options, env()), refusedFor('service'));
    await assert.rejects(blueskySourceDefinition.check!(options, env([name])), (error: unknown) => {
      return isEarshotError(error) && error.code === 'ERR_SOURCE_CHECK_FAILED';
    });
  });
});
