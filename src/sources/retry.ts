/**
 * Retrying a channel's remote calls: rate limits (429) wait as long as the peer's Retry-After
 * says, server errors (5xx) and dropped connections back off exponentially with jitter, and
 * anything else (4xx) fails at once — retrying a bad request only repeats it.
 */

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Injected so tests do not sleep. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => number;
  /** Told before each wait, e.g. to show "backing off" in source health. */
  readonly onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 60_000 };

/** An HTTP failure a retry may cure, or not; thrown by `checkResponse`. */
export class RemoteError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'RemoteError';
  }

  get retryable(): boolean {
    return this.status === null || this.status === 429 || this.status === 408 || this.status >= 500;
  }
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * How long until a rate-limit window resets, from Mastodon's `X-RateLimit-Reset` (an ISO 8601 time)
 * or the epoch seconds other servers send under the same name; null when absent or unreadable.
 */
export function parseRateLimitReset(value: string | null | undefined, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  const at = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * The wait a refused response asks for: Retry-After when sent, else the rate-limit window's reset
 * when the response says no calls remain (`X-RateLimit-Remaining: 0`) or it is a 429.
 */
export function waitAskedBy(headers: Headers, status: number, now = Date.now()): number | null {
  const retryAfter = parseRetryAfter(headers.get('retry-after'), now);
  if (retryAfter !== null) return retryAfter;
  if (status !== 429 && headers.get('x-ratelimit-remaining')?.trim() !== '0') return null;
  return parseRateLimitReset(headers.get('x-ratelimit-reset'), now);
}

/** Throws a `RemoteError` for a non-2xx response, carrying Retry-After when the peer sent one. */
export async function checkResponse(response: Response, what: string, now = Date.now()): Promise<Response> {
  if (response.ok) return response;
  const body = await response.text().catch(() => '');
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'), now);
  throw new RemoteError(
    `${what}: HTTP ${response.status}${body ? ` ${body.slice(0, 200)}` : ''}`,
    response.status,
    retryAfter,
  );
}

function isRetryable(error: unknown): boolean {
  if (error instanceof RemoteError) return error.retryable;
  // Errors that are not HTTP answers (refused, reset, timed out) are network trouble.
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return error instanceof TypeError || (typeof code === 'string' && /^(E[A-Z]+$|UND_ERR)/.test(code));
}

export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<T> {
  const sleep = policy.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = policy.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= policy.attempts || !isRetryable(error)) throw error;
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const hinted = error instanceof RemoteError ? error.retryAfterMs : null;
      // Full jitter on our own backoff; the peer's Retry-After is honoured as a floor.
      const delayMs = Math.min(policy.maxDelayMs, Math.max(hinted ?? 0, Math.round(backoff * (0.5 + random() / 2))));
      policy.onRetry?.({ attempt, delayMs, reason: (error as Error).message });
      await sleep(delayMs);
    }
  }
}
