/**
 * Earshot's configuration, read once at start from the environment into one frozen object
 * and passed down; nothing deeper reads `process.env`.
 */
import { resolve } from 'node:path';
import { EarshotError } from './domain/errors.js';
import { normaliseIntranetEntries } from './domain/intranet-hosts.js';

export interface Config {
  /** Folder for the SQLite file and other local state. */
  readonly dataDir: string;
  /** `postgres://…` to use PostgreSQL; null for the embedded SQLite file. */
  readonly databaseUrl: string | null;
  readonly port: number;
  readonly host: string;
  /** Password for the first `admin` user; null means generate one and print it once. */
  readonly adminPassword: string | null;
  readonly logLevel: string;
  /** Largest request body the API accepts, in bytes (EARSHOT_BODY_LIMIT; default 1 MB). */
  readonly bodyLimit: number;
  /** Largest body `POST /api/ingest` accepts once the caller is known (EARSHOT_INGEST_BODY_LIMIT; default 64 MB). */
  readonly ingestBodyLimit: number;
  /** Time to receive a whole request, in ms (EARSHOT_REQUEST_TIMEOUT_MS; default 60 s). */
  readonly requestTimeoutMs: number;
  /**
   * Which proxies to believe about the client's address (EARSHOT_TRUST_PROXY): false (default),
   * true (any), a hop count, or comma-separated addresses/CIDRs. Rate limits key on that address.
   */
  readonly trustProxy: boolean | number | readonly string[];
  /**
   * Intranet hosts that sources and webhooks may reach although they are private
   * (EARSHOT_ALLOWED_PRIVATE_HOSTS, comma-separated host names, addresses or CIDR networks).
   */
  readonly allowedPrivateHosts: readonly string[];
  /**
   * Key sealing sources' credentials (EARSHOT_SECRET_KEY: 32 bytes as base64 or hex, or a
   * passphrase); null means use (or create) `secret.key` in the data folder.
   */
  readonly secretKey: string | null;
  /** `earshot.config.yaml` to read (EARSHOT_CONFIG); null means the one beside the data folder, if any. */
  readonly configFile: string | null;
  /** Outgoing mail for notifications (EARSHOT_SMTP_URL, EARSHOT_MAIL_FROM); null: no e-mail. */
  readonly smtp: { readonly url: string; readonly from: string } | null;
  /** Where people reach the desk (EARSHOT_PUBLIC_URL), for links in notifications; null: no links. */
  readonly publicUrl: string | null;
  /**
   * The organisation's official handles and web domains (EARSHOT_OFFICIAL_HANDLES,
   * EARSHOT_OFFICIAL_DOMAINS, comma-separated), for the impersonation and scam watch.
   */
  readonly organisation: { readonly handles: readonly string[]; readonly domains: readonly string[] };
  /**
   * The distributed mode (EARSHOT_NATS_URL, `nats://host:4222`): drafts flow through NATS JetStream
   * from ingest nodes to workers and live events reach every API node. Needs PostgreSQL; null: one process.
   */
  readonly nats: { readonly url: string; readonly prefix: string } | null;
  /** Chromium that prints report PDFs (EARSHOT_CHROMIUM); started only when a PDF is asked for. */
  readonly chromiumPath: string;
}

/** The shortest password Earshot accepts, for the first admin as for every user. */
export const MIN_PASSWORD_CHARS = 10;

/** The demo's fictional organisation; `serve --demo` uses it when none is configured. */
export const DEMO_ORGANISATION: Config['organisation'] = Object.freeze({
  handles: Object.freeze(['@northwind_it']),
  domains: Object.freeze(['northwind.example']),
});

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const port = Number(env.EARSHOT_PORT ?? 7410);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new EarshotError('ERR_CONFIG_INVALID', {
      detail: `EARSHOT_PORT must be a port number, got ${env.EARSHOT_PORT}`,
    });
  }
  const databaseUrl = env.EARSHOT_DATABASE_URL?.trim() || null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new EarshotError('ERR_CONFIG_INVALID', { detail: 'EARSHOT_DATABASE_URL must start with postgres://' });
  }
  const bodyLimit = positiveInteger(env, 'EARSHOT_BODY_LIMIT', 1024 * 1024);
  const ingestBodyLimit = Math.max(bodyLimit, positiveInteger(env, 'EARSHOT_INGEST_BODY_LIMIT', 64 * 1024 * 1024));
  const requestTimeoutMs = positiveInteger(env, 'EARSHOT_REQUEST_TIMEOUT_MS', 60_000);
  const trustProxy = parseTrustProxy(env.EARSHOT_TRUST_PROXY);
  const smtpUrl = env.EARSHOT_SMTP_URL?.trim() || null;
  if (smtpUrl !== null && !/^smtps?:\/\//.test(smtpUrl)) {
    throw new EarshotError('ERR_CONFIG_INVALID', { detail: 'EARSHOT_SMTP_URL must start with smtp:// or smtps://' });
  }
  const adminPassword = env.EARSHOT_ADMIN_PASSWORD || null;
  if (adminPassword !== null && adminPassword.length < MIN_PASSWORD_CHARS)
    throw new EarshotError('ERR_CONFIG_INVALID', {
      detail: `EARSHOT_ADMIN_PASSWORD must be at least ${MIN_PASSWORD_CHARS} characters`,
    });
  const nats = natsSettings(env, databaseUrl);
  const publicUrl = env.EARSHOT_PUBLIC_URL?.trim().replace(/\/$/, '') || null;
  if (publicUrl !== null && !/^https?:\/\//.test(publicUrl)) {
    throw new EarshotError('ERR_CONFIG_INVALID', { detail: 'EARSHOT_PUBLIC_URL must start with http:// or https://' });
  }
  const organisation = Object.freeze({
    handles: Object.freeze(officialHandles(env.EARSHOT_OFFICIAL_HANDLES)),
    domains: Object.freeze(officialDomains(env.EARSHOT_OFFICIAL_DOMAINS)),
  });
  return Object.freeze({
    dataDir: resolve(env.EARSHOT_DATA_DIR ?? './earshot-data'),
    databaseUrl,
    port,
    host: env.EARSHOT_HOST ?? '127.0.0.1',
    adminPassword,
    logLevel: env.EARSHOT_LOG_LEVEL ?? 'info',
    bodyLimit,
    ingestBodyLimit,
    requestTimeoutMs,
    trustProxy,
    allowedPrivateHosts: Object.freeze(intranetHosts(env.EARSHOT_ALLOWED_PRIVATE_HOSTS)),
    secretKey: env.EARSHOT_SECRET_KEY?.trim() || null,
    configFile: env.EARSHOT_CONFIG?.trim() ? resolve(env.EARSHOT_CONFIG.trim()) : null,
    smtp: smtpUrl ? { url: smtpUrl, from: env.EARSHOT_MAIL_FROM?.trim() || 'Earshot <earshot@localhost>' } : null,
    publicUrl,
    organisation,
    nats,
    chromiumPath: env.EARSHOT_CHROMIUM?.trim() || '/usr/bin/chromium',
    ...overrides,
  });
}

/** EARSHOT_ALLOWED_PRIVATE_HOSTS: names, addresses and CIDR networks; a typo is refused, not ignored. */
function intranetHosts(text: string | undefined): string[] {
  try {
    return normaliseIntranetEntries(commaList(text), 'EARSHOT_ALLOWED_PRIVATE_HOSTS');
  } catch (error) {
    throw new EarshotError('ERR_CONFIG_INVALID', { detail: (error as Error).message });
  }
}

/**
 * EARSHOT_NATS_URL and EARSHOT_NATS_PREFIX (default `earshot`: the subjects and streams of one
 * install, so two installs — or two test runs — can share a NATS server).
 */
function natsSettings(env: NodeJS.ProcessEnv, databaseUrl: string | null): Config['nats'] {
  const url = env.EARSHOT_NATS_URL?.trim();
  if (!url) return null;
  if (!/^(nats|tls):\/\/[^\s]+$/.test(url))
    throw new EarshotError('ERR_CONFIG_INVALID', {
      detail: `EARSHOT_NATS_URL must start with nats:// or tls://, got ${url}`,
    });
  // Workers on several machines share state only through PostgreSQL; SQLite is one machine's file.
  if (databaseUrl === null)
    throw new EarshotError('ERR_CONFIG_INVALID', {
      detail: 'EARSHOT_NATS_URL needs EARSHOT_DATABASE_URL (PostgreSQL)',
    });
  const prefix = env.EARSHOT_NATS_PREFIX?.trim() || 'earshot';
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(prefix))
    throw new EarshotError('ERR_CONFIG_INVALID', {
      detail: `EARSHOT_NATS_PREFIX must be 1–32 letters, digits, _ or -, got ${prefix}`,
    });
  return Object.freeze({ url, prefix });
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new EarshotError('ERR_CONFIG_INVALID', { detail: `${name} must be a positive integer, got ${text}` });
  return value;
}

function parseTrustProxy(value: string | undefined): Config['trustProxy'] {
  const text = value?.trim().toLowerCase() ?? '';
  if (text === '' || text === 'false' || text === '0') return false;
  if (text === 'true') return true;
  if (/^\d+$/.test(text)) return Number(text);
  const addresses = commaList(text);
  for (const address of addresses) {
    if (!/^[0-9a-f.:]+(\/\d{1,3})?$/.test(address))
      throw new EarshotError('ERR_CONFIG_INVALID', {
        detail: `EARSHOT_TRUST_PROXY must be true, false, a hop count or addresses, got "${address}"`,
      });
  }
  return Object.freeze(addresses);
}

function officialHandles(value: string | undefined): string[] {
  const handles = commaList(value);
  for (const handle of handles) {
    if (/\s/.test(handle) || handle.replace(/^@/, '').length === 0)
      throw new EarshotError('ERR_CONFIG_INVALID', { detail: `EARSHOT_OFFICIAL_HANDLES: "${handle}" is not a handle` });
  }
  return handles;
}

function officialDomains(value: string | undefined): string[] {
  const domains = commaList(value)
    .map((domain) =>
      domain
        .toLowerCase()
        .replace(/^https?:\/\//, '')
        .replace(/\/.*$/, ''),
    )
    .filter((domain) => domain.length > 0);
  for (const domain of domains) {
    if (!/^[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+$/u.test(domain))
      throw new EarshotError('ERR_CONFIG_INVALID', {
        detail: `EARSHOT_OFFICIAL_DOMAINS: "${domain}" is not a domain name`,
      });
  }
  return domains;
}

/** A comma-separated setting as its trimmed, non-empty items. */
function commaList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
