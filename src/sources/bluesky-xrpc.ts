/**
 * The XRPC edge of the Bluesky source: loading @atproto/api on first use, turning its errors
 * into `RemoteError`s that `withRetry` understands (429 with Retry-After or `ratelimit-reset`,
 * 5xx, network), telling "this PDS has no AppView" apart, and checking the service URL.
 */
import type { AtpAgent } from '@atproto/api';
import { EarshotError } from '../domain/errors.js';
import type { SourceEnvironment } from './source.js';
import { RemoteError } from './retry.js';
import { assertConnectableHost, assertPublicHost } from './private-host.js';

export type { AtpAgent };

// @atproto/api is large (its lexicons); loaded on first use so hosts without Bluesky sources start fast.
const loadApi = () => import('@atproto/api');
let api: ReturnType<typeof loadApi> | null = null;
export const atproto = () => (api ??= loadApi());

/** The PDS answers app.bsky.* itself only by proxying to an AppView; these mean there is none. */
export class NoAppView extends Error {}

/** Runs one XRPC call, translating its failure into a `RemoteError` that `withRetry` understands. */
export async function xrpc<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (!(error instanceof (await atproto()).XRPCError)) throw error;
    if (
      error.status === 501 ||
      (error.status === 502 && error.error === 'UpstreamFailure') ||
      error.error === 'MethodNotImplemented'
    )
      throw new NoAppView(error.message);
    const headers = error.headers ?? {};
    const status = error.status >= 100 ? error.status : null;
    throw new RemoteError(
      `${what}: ${status ?? 'network error'} ${error.error}: ${error.message}`,
      status,
      retryAfterMs(headers),
    );
  }
}

/** Bluesky sends `ratelimit-reset` (epoch seconds); other servers may send Retry-After. */
function retryAfterMs(headers: Record<string, string | undefined>): number | null {
  const after = headers['retry-after'];
  if (after && /^\d+$/.test(after.trim())) return Number(after) * 1000;
  const reset = headers['ratelimit-reset'];
  if (reset && /^\d+$/.test(reset.trim())) return Math.max(0, Number(reset) * 1000 - Date.now());
  return null;
}

export function serviceUrl(options: { readonly service: string }, env: SourceEnvironment): URL {
  let url: URL;
  try {
    url = new URL(options.service);
  } catch {
    throw new EarshotError('ERR_SOURCE_OPTIONS_INVALID', { name: env.name, path: 'service', detail: 'is not a URL' });
  }
  assertPublicHost(url.hostname, {
    name: env.name,
    path: 'service',
    allowPrivateNetwork: env.allowPrivateNetwork,
    allowedPrivateHosts: env.allowedPrivateHosts,
  });
  return url;
}

export function authError(name: string, error: unknown): EarshotError | null {
  if (error instanceof RemoteError && (error.status === 401 || error.status === 400)) {
    return new EarshotError('ERR_SOURCE_AUTH_FAILED', {
      name,
      remote: 'Bluesky',
      detail: error.message.replace(/^createSession: /, ''),
    });
  }
  return null;
}

/**
 * Resolves the service's name and checks every address by the one private-network rule, before a
 * session is opened (the options check only sees literal addresses). A name that does not resolve
 * is a network failure, retried like one.
 */
export async function assertServiceConnectable(service: URL, env: SourceEnvironment): Promise<void> {
  await assertConnectableHost(service.hostname, {
    name: env.name,
    path: 'service',
    allowPrivateNetwork: env.allowPrivateNetwork,
    allowedPrivateHosts: env.allowedPrivateHosts,
  });
}
