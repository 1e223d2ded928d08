/**
 * The intranet hosts and networks an admin lets sources reach although they are private: host
 * names and literal addresses (matched exactly) and networks in CIDR notation (matched against
 * every address a name resolves to). Three places may list them — EARSHOT_ALLOWED_PRIVATE_HOSTS,
 * `allowedPrivateHosts:` in earshot.config.yaml and the desk's Sources settings — and the guard
 * applies their union; the parsing and matching live here so all three read entries alike.
 */
import ipaddr from 'ipaddr.js';

/** At most this many entries per list: a list that long is a sign of `allow everything` by other means. */
export const MAX_INTRANET_ENTRIES = 200;

const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/i;

/** Why an entry cannot be used, or null when it is a host name, an address or a network. */
export function intranetEntryProblem(entry: string): string | null {
  const value = entry.trim();
  if (value === '') return 'is empty';
  if (value.includes('/')) {
    let network: [ipaddr.IPv4 | ipaddr.IPv6, number];
    try {
      network = ipaddr.parseCIDR(value);
    } catch {
      return `"${value.slice(0, 80)}" is not a network in CIDR notation (like 10.20.0.0/16 or fd00::/8)`;
    }
    // A /0 (or ::/0) is "the private network is allowed", which is not what this list is for.
    if (network[1] === 0) return `"${value}" would allow every address; list the intranet's own networks`;
    return null;
  }
  const bare = value.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(bare)) return null;
  if (/^[*.]/.test(value)) return `"${value.slice(0, 80)}" is a pattern; list each host name, or its network`;
  if (!HOST_NAME.test(value.replace(/\.$/, '')))
    return `"${value.slice(0, 80)}" is not a host name, address or network`;
  return null;
}

/** Trims, lowercases and de-duplicates a list; throws with the first unusable entry. */
export function normaliseIntranetEntries(entries: readonly string[], where: string): string[] {
  if (entries.length > MAX_INTRANET_ENTRIES)
    throw new Error(`${where}: at most ${MAX_INTRANET_ENTRIES} entries, got ${entries.length}`);
  const out: string[] = [];
  for (const entry of entries) {
    const problem = intranetEntryProblem(entry);
    if (problem) throw new Error(`${where}: ${problem}`);
    const value = entry.trim().toLowerCase().replace(/\.$/, '');
    if (!out.includes(value)) out.push(value);
  }
  return out;
}

/** The union of several lists, in order, without repeats. */
export function mergeIntranetEntries(...lists: readonly (readonly string[] | undefined)[]): string[] {
  const out: string[] = [];
  for (const list of lists)
    for (const entry of list ?? []) {
      const value = entry.trim().toLowerCase();
      if (value && !out.includes(value)) out.push(value);
    }
  return out;
}

/** Whether a host name or literal address is listed itself (exactly, case and brackets aside). */
export function isListedHost(host: string, entries: readonly string[] | undefined): boolean {
  if (!entries || entries.length === 0) return false;
  const name = bareHost(host);
  return entries.some((entry) => !entry.includes('/') && bareHost(entry) === name);
}

/** Whether an address lies in one of the listed networks (an IPv4-mapped IPv6 address counts as its IPv4). */
export function isInListedNetwork(address: string, entries: readonly string[] | undefined): boolean {
  if (!entries || entries.length === 0 || !ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  for (const entry of entries) {
    if (!entry.includes('/')) continue;
    try {
      const network = ipaddr.parseCIDR(entry);
      if (network[0].kind() === parsed.kind() && parsed.match(network)) return true;
    } catch {
      // Entries are validated where they are set; one that is not a network simply matches nothing.
    }
  }
  return false;
}

function bareHost(host: string): string {
  return host
    .trim()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
}
