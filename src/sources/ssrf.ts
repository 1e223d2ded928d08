/**
 * The SSRF guard for every URL a source fetches on an admin's or a feed's say-so. A feed URL
 * (or a redirect it answers with) could point at the metadata service, the database or the
 * admin's router; so unless an admin explicitly allowed the private network, only http(s) to
 * public unicast addresses is fetched. Every redirect hop is checked again (fetch follows
 * them silently otherwise).
 *
 * Limit: the address is checked before fetch resolves the name again, so a DNS server that
 * answers differently within milliseconds (rebinding) is not stopped here.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { EarshotError } from '../domain/errors.js';
import { isInListedNetwork, isListedHost } from '../domain/intranet-hosts.js';

export const MAX_REDIRECTS = 5;

/** Resolves a host name to every address it has (injectable for tests). */
export type Resolver = (hostname: string) => Promise<string[]>;

export interface GuardOptions {
  readonly allowPrivateNetwork: boolean;
  /**
   * Intranet hosts and networks an admin allowed (EARSHOT_ALLOWED_PRIVATE_HOSTS, the config
   * file's `allowedPrivateHosts`, the desk's Sources settings; `src/domain/intranet-hosts.ts`):
   * a listed name or address may be private; a private address inside a listed network may be
   * reached whatever name led to it. Everything else private may not.
   */
  readonly allowedPrivateHosts?: readonly string[];
  readonly resolve?: Resolver;
}

export interface GuardedFetchOptions extends GuardOptions {
  readonly fetch: typeof globalThis.fetch;
  readonly maxRedirects?: number;
}

export const resolveAll: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/** Why an address may not be fetched, or null when it is public unicast. */
export function privateAddressReason(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'it is not an IP address';
  let parsed = ipaddr.parse(address);
  // ::ffff:127.0.0.1 reaches 127.0.0.1: judge the IPv4 it carries.
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  // ::7f00:1 is the deprecated IPv4-compatible form of 127.0.0.1: judge the IPv4 it carries too.
  else if (parsed.kind() === 'ipv6') {
    const parts = (parsed as ipaddr.IPv6).parts;
    if (parts.slice(0, 6).every((part) => part === 0) && (parts[6]! !== 0 || parts[7]! > 1))
      parsed = ipaddr.fromByteArray([parts[6]! >> 8, parts[6]! & 0xff, parts[7]! >> 8, parts[7]! & 0xff]);
  }
  const range = parsed.range();
  // Only plain unicast passes: loopback, private, link-local, unique-local, CGNAT, multicast,
  // unspecified, NAT64/6to4/Teredo (which can embed private IPv4) and reserved ranges do not.
  return range === 'unicast' ? null : `${address} is a ${range} address`;
}

/** Whether an admin allowed this host (a listed name or address, or an address inside a listed network). */
export function isAllowedPrivateHost(host: string, allowed: readonly string[] | undefined): boolean {
  if (isListedHost(host, allowed)) return true;
  const bare = host.replace(/^\[|\]$/g, '');
  return isIP(bare) !== 0 && isInListedNetwork(bare, allowed);
}

/**
 * Why a host (name or literal address) may not be reached, or null when it may: the one rule every
 * channel applies, HTTP or not. A name is resolved and every address checked (a client may connect
 * to any of them); `localhost` names are private whatever they resolve to. Throws when the name
 * does not resolve (the caller decides whether that is a refusal or a network failure).
 */
export async function hostRefusal(hostname: string, options: GuardOptions): Promise<string | null> {
  if (options.allowPrivateNetwork) return null;
  const host = hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (isListedHost(host, options.allowedPrivateHosts)) return null;
  if (/^localhost$|\.localhost$/i.test(host))
    return `${host} is a loopback name and the private network is not allowed`;
  const addresses = isIP(host) ? [host] : await (options.resolve ?? resolveAll)(host);
  if (addresses.length === 0) return `${host} has no address`;
  for (const address of addresses) {
    const reason = privateAddressReason(address);
    if (reason && !isInListedNetwork(address, options.allowedPrivateHosts))
      return `${reason} and the private network is not allowed for this source`;
  }
  return null;
}

/** Throws ERR_SOURCE_URL_REFUSED unless `url` is http(s) to a host whose every address is public (or private is allowed). */
export async function assertFetchable(url: URL, options: GuardOptions): Promise<void> {
  const refuse = (detail: string): never => {
    throw new EarshotError('ERR_SOURCE_URL_REFUSED', { url: redact(url), detail });
  };
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    refuse(`only http and https are fetched, not ${url.protocol}`);
  let reason: string | null;
  try {
    reason = await hostRefusal(url.hostname, options);
  } catch (error) {
    return refuse(`its host does not resolve (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (reason) refuse(reason);
}

/**
 * fetch with the guard applied to the URL and to each redirect hop (at most `maxRedirects`).
 * Returns the final response and the URL it came from.
 */
export async function guardedFetch(
  input: string | URL,
  init: RequestInit,
  options: GuardedFetchOptions,
): Promise<{ response: Response; url: URL }> {
  const maxRedirects = options.maxRedirects ?? MAX_REDIRECTS;
  let url = parseUrl(input);
  let requestInit: RequestInit = { ...init, redirect: 'manual' };
  for (let hop = 0; ; hop++) {
    await assertFetchable(url, options);
    const response = await options.fetch(url, requestInit);
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || response.status === 304 || !location)
      return { response, url };
    await response.body?.cancel();
    if (hop >= maxRedirects)
      throw new EarshotError('ERR_SOURCE_URL_REFUSED', {
        url: redact(url),
        detail: `more than ${maxRedirects} redirects`,
      });
    const next = parseUrl(new URL(location, url).toString());
    // 303 (and 301/302 after a POST, as browsers do) turn into a GET without a body.
    if (
      response.status === 303 ||
      ((response.status === 301 || response.status === 302) && requestInit.method && requestInit.method !== 'GET')
    ) {
      requestInit = { ...requestInit, method: 'GET', body: null };
    }
    url = next;
  }
}

function parseUrl(input: string | URL): URL {
  try {
    return new URL(input);
  } catch {
    throw new EarshotError('ERR_SOURCE_URL_REFUSED', {
      url: String(input).slice(0, 200),
      detail: 'it is not a valid URL',
    });
  }
}

/** A URL as it may be logged or shown to agents: no `user:password@`, no query (it may hold a token). */
export function redactUrl(url: string): string {
  try {
    return redact(new URL(url));
  } catch {
    return url;
  }
}

/** Every http(s) URL in a text, redacted (log lines, health messages). */
export function redactUrlsIn(text: string): string {
  return text.replace(/\bhttps?:\/\/[^\s"'<>]+/g, (url) => redactUrl(url));
}

/** URLs may carry credentials (user:pass@, ?access_token=): never put those in a message. */
function redact(url: URL): string {
  const copy = new URL(url);
  if (copy.username || copy.password) {
    copy.username = '***';
    copy.password = '';
  }
  copy.search = copy.search ? '?…' : '';
  return copy.toString();
}
