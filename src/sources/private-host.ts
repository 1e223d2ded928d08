/**
 * Refusing loopback and private addresses in a source's options unless an admin allowed them.
 * HTTP sources get the host's guarded `fetch`; sources that open their own sockets (IMAP,
 * SMTP) and services named by URL check the host name here, before connecting. Only literal
 * addresses and `localhost` are recognised: resolving names is the connecting layer's job.
 */
import { isIP } from 'node:net';
import { EarshotError } from '../domain/errors.js';
import { isAllowedPrivateHost, privateAddressReason } from './ssrf.js';

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
