/**
 * Refusing loopback and private addresses in a source's options unless an admin allowed them.
 * HTTP sources get the host's guarded `fetch`; sources that open their own sockets (IMAP,
 * SMTP) and services named by URL check the host name here, before connecting. Only literal
 * addresses and `localhost` are recognised: resolving names is the connecting layer's job.
 */
import { isIP } from 'node:net';
import { EarshotError } from '../domain/errors.js';

export function isPrivateHost(host: string): boolean {
  const name = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  const family = isIP(name);
  if (family === 4) {
    const [a = 0, b = 0] = name.split('.').map(Number);
    return a === 127 || a === 10 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
  }
  if (family === 6) {
    if (name === '::1' || name === '::') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(name);
    if (mapped) return isPrivateHost(mapped[1]!);
    return /^f[cd]/.test(name) || /^fe[89ab]/.test(name);
  }
  return false;
}

/** Throws ERR_SOURCE_OPTIONS_INVALID when `host` is private and the environment does not allow it. */
export function assertPublicHost(host: string, context: { name: string; path: string; allowPrivateNetwork: boolean }): void {
  if (context.allowPrivateNetwork || !isPrivateHost(host)) return;
  throw new EarshotError('ERR_SOURCE_OPTIONS_INVALID', {
    name: context.name,
    path: context.path,
    detail: `points at a loopback or private address (${host}); an admin must allow private networks for this`,
  });
}
