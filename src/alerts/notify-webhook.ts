/**
 * Webhooks out: a JSON POST signed with HMAC-SHA256, retried on 5xx, 429 and dropped
 * connections. Used for escalation notifications (each person's own URL) and for alert and
 * new-ticket subscriptions (`webhook-out.ts`). The body carries a Slack/Teams-compatible `text`.
 *
 * Signature: `X-Earshot-Timestamp: <unix seconds>` and
 * `X-Earshot-Signature: sha256=<hex HMAC of "<timestamp>.<raw body>">`. Signing the timestamp
 * with the body lets a receiver refuse replays of an old, captured request.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { checkResponse, withRetry, type RetryPolicy } from '../sources/retry.js';
import { guardedFetch, type Resolver } from '../sources/ssrf.js';
import { describeNotification, type Notifier } from './escalation.js';

export const SIGNATURE_HEADER = 'x-earshot-signature';
export const TIMESTAMP_HEADER = 'x-earshot-timestamp';

export interface WebhookOptions {
  readonly fetch?: typeof fetch;
  /**
   * Lets webhooks reach loopback and private addresses (tests with local receivers, or an admin
   * who allowed the intranet). Off by default: an agent's contact URL must not make the server
   * call inside its own network.
   */
  readonly allowPrivateNetwork?: boolean;
  /** Intranet hosts an admin allowed (EARSHOT_ALLOWED_PRIVATE_HOSTS). */
  readonly allowedPrivateHosts?: readonly string[];
  readonly resolve?: Resolver;
  readonly timeoutMs?: number;
  readonly retry?: RetryPolicy;
  /** Seconds since the epoch, for the timestamp header (injected in tests). */
  readonly now?: () => number;
}

const DEFAULT_WEBHOOK_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 1_000, maxDelayMs: 30_000 };

export function sign(secret: string, timestamp: number | string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

/** What a receiver does: recompute and compare in constant time, and refuse stale timestamps. */
export function verifySignature(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  rawBody: string,
  options: { now?: number; toleranceSeconds?: number } = {},
): boolean {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(sign(secret, timestamp, rawBody));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** POSTs `payload` as JSON to `url`, signed with `secret` when there is one; throws after the last retry. */
export async function postWebhook(
  url: string,
  payload: unknown,
  secret: string | null,
  options: WebhookOptions = {},
): Promise<void> {
  const fetcher = options.fetch ?? fetch;
  const body = JSON.stringify(payload);
  await withRetry(async function deliverWebhook() {
    // A fresh timestamp per attempt: a retry minutes later must still verify.
    const timestamp = Math.floor(options.now?.() ?? Date.now() / 1000);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Earshot-Webhook/1' };
    if (secret) {
      headers[TIMESTAMP_HEADER] = String(timestamp);
      headers[SIGNATURE_HEADER] = sign(secret, timestamp, body);
    }
    // Through the SSRF guard, checked at the moment of sending (the address may have changed
    // since the URL was saved), and no redirect is followed: a 3xx is a failed delivery.
    const { response } = await guardedFetch(
      url,
      { method: 'POST', headers, body, signal: AbortSignal.timeout(options.timeoutMs ?? 5_000) },
      {
        fetch: fetcher,
        allowPrivateNetwork: options.allowPrivateNetwork ?? false,
        allowedPrivateHosts: options.allowedPrivateHosts,
        resolve: options.resolve,
        maxRedirects: 0,
      },
    );
    await checkResponse(response, `webhook ${new URL(url).host}`);
    await response.body?.cancel().catch(() => {});
  }, options.retry ?? DEFAULT_WEBHOOK_RETRY);
}

/** Escalation notifications to each recipient's own webhook (chat, pager, phone bridge). */
export function webhookNotifier(options: WebhookOptions = {}): Notifier {
  return {
    async notify(notification, recipients) {
      const results = await Promise.allSettled(
        recipients
          .filter((recipient) => recipient.webhookUrl)
          .map((recipient) =>
            postWebhook(
              recipient.webhookUrl!,
              {
                text: describeNotification(notification, recipient),
                event: 'escalation',
                ...notification,
                userId: recipient.id,
                ackUrl: recipient.ackUrl ?? null,
              },
              recipient.webhookSecret ?? null,
              options,
            ),
          ),
      );
      const failed = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (failed.length > 0)
        throw new AggregateError(
          failed.map((result) => result.reason),
          `${failed.length} webhook notification(s) failed`,
        );
    },
  };
}
