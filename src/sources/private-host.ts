/**
 * Refusing loopback and private addresses in a source's options unless an admin allowed them.
 * HTTP sources get the host's guarded `fetch`; sources that open their own sockets (IMAP,
 * SMTP) check the host here: `assertPublicHost` on literal addresses and `localhost` when the
 * options are read, and `assertConnectableHost` at connect time, which resolves the name and
 * checks every address by the same rule (`hostRefusal` in ssrf.ts) as the HTTP guard.
 */
import { isIP } from 'node:net';
import { EarshotError } from '../domain/errors.js';
import { hostRefusal, isAllowedPrivateHost, privateAddressReason, type Resolver } from './ssrf.js';

export function isPrivateHost(host: string): boolean {
  const name = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  // Literal addresses are judged by the one SSRF rule set (loopback, private, link-local, CGNAT, mapped…).
  return isIP(name) !== 0 && privateAddressReason(name) !== null;
}

/** Throws ERR_SOURCE_OPTIONS_INVALID when `host` is private and the environment does not allow it. */
export function assertPublicHost(
  host: string,
  context: { name: string; path: string; allowPrivateNetwork: boolean; allowedPrivateHosts?: readonly string[] },
): void {
  if (context.allowPrivateNetwork || !isPrivateHost(host) || isAllowedPrivateHost(host, context.allowedPrivateHosts))
    return;
  throw new EarshotError('ERR_SOURCE_OPTIONS_INVALID', {
    name: context.name,
    path: context.path,
    detail: `points at a loopback or private address (${host}); an admin must allow private networks for this`,
  });
}

/**
 * Resolves `host` and throws ERR_SOURCE_OPTIONS_INVALID when any of its addresses is private and
 * not allowed. A name that does not resolve is rethrown as is: a network failure, retried.
 */
export async function assertConnectableHost(
  host: string,
  context: {
    name: string;
    path: string;
    allowPrivateNetwork: boolean;
    allowedPrivateHosts?: readonly string[];
    resolve?: Resolver;
  },
): Promise<void> {
  const reason = await hostRefusal(host, context);
  if (reason === null) return;
  throw new EarshotError('ERR_SOURCE_OPTIONS_INVALID', {
    name: context.name,
    path: context.path,
    detail: `${reason} (${host}); an admin can allow this host in EARSHOT_ALLOWED_PRIVATE_HOSTS or allowedPrivateHosts`,
  });
}
