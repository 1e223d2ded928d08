/**
 * Webhook URLs (escalation contacts, admin subscriptions) are checked by the sources' SSRF guard
 * when saved, so an agent learns at once that an inside address is refused; delivery checks again.
 */
import { invalid } from '../domain/errors.js';
import { assertFetchable } from '../sources/ssrf.js';
import type { RouteContext } from './context.js';

/** A webhook URL is refused when saved if it points inside (it is checked again when used). */
export async function checkWebhookUrl(url: string | null | undefined, context: RouteContext): Promise<void> {
  if (!url) return;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(`webhookUrl must be a URL, got ${JSON.stringify(url.slice(0, 64))}`);
  }
  await assertFetchable(parsed, context.webhookGuard ?? { allowPrivateNetwork: false });
}
