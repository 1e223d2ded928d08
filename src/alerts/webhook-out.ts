/**
 * Webhook subscriptions: alerts (`alerts.raised`) and new tickets (`tickets.created`) are
 * POSTed as signed JSON to every subscribed URL, with a Slack/Teams-compatible `text` line.
 * Deliveries run in the background (a slow receiver must not hold up ingest) but in order;
 * `flush()` waits for them (tests, shutdown). Every delivery, and every test sent from the
 * settings (`sendTestWebhook`), lands in the subscription's delivery log.
 */
import type { Alert } from '../domain/alert.js';
import type { Ticket } from '../domain/ticket.js';
import type { Bus } from '../pipeline/bus.js';
import type { Store } from '../store/open.js';
import type { WebhookEvent } from '../domain/escalation.js';
import type { WebhookSubscription } from '../domain/escalation.js';
import { listWebhooks, type SecretSealer } from '../store/escalation.js';
import { recordWebhookDelivery } from '../store/webhook-deliveries.js';
import { postWebhook, type WebhookOptions } from './notify-webhook.js';

export interface WebhookOutOptions {
  readonly store: Store;
  /** Opens the subscriptions' signing secrets (sealed at rest). */
  readonly secrets: SecretSealer;
  readonly bus: Bus;
  readonly webhook?: WebhookOptions;
  /** The desk's address, to link alerts and tickets from the message; null: no links. */
  readonly publicUrl?: string | null;
  readonly onError?: (error: unknown) => void;
  readonly clock?: () => Date;
}

export interface WebhookOut {
  flush(): Promise<void>;
  stop(): void;
}

export function startWebhookOut(options: WebhookOutOptions): WebhookOut {
  const onError = options.onError ?? ((error: unknown) => console.error('webhook out:', error));
  const base = options.publicUrl?.replace(/\/$/, '') ?? null;
  let chain: Promise<void> = Promise.resolve();
  // Set on stop: deliveries still waiting in the chain are dropped, not sent to a closed store.
  let stopped = false;

  function dispatch(event: WebhookEvent, payloads: () => { text: string; data: unknown }[]): void {
    chain = chain
      .then(async () => {
        if (stopped) return;
        const subscriptions = (await listWebhooks(options.store.db, options.secrets)).filter((subscription) =>
          subscription.events.includes(event),
        );
        if (subscriptions.length === 0) return;
        for (const { text, data } of payloads()) {
          const results = await Promise.allSettled(
            subscriptions.map((subscription) =>
              deliverLogged(options.store, subscription, event, { event, text, data }, options.webhook, {
                test: false,
                clock: options.clock,
              }),
            ),
          );
          for (const result of results) {
            if (result.status === 'rejected') onError(result.reason);
            else if (result.value.error !== null) onError(new Error(result.value.error));
          }
        }
      })
      .catch(onError);
  }

  const unsubscribers = [
    options.bus.subscribe('alerts.raised', ({ alert }) =>
      dispatch('alert', () => [{ text: alertText(alert, base), data: alert }]),
    ),
    options.bus.subscribe('tickets.created', ({ tickets }) =>
      dispatch('ticket', () => tickets.map((ticket) => ({ text: ticketText(ticket, base), data: ticket }))),
    ),
  ];

  return {
    flush: () => chain,
    stop() {
      stopped = true;
      for (const unsubscribe of unsubscribers) unsubscribe();
    },
  };
}

export function alertText(alert: Alert, base: string | null): string {
  const link = base ? ` ${base}/alerts` : '';
  return `[${alert.severity.toUpperCase()}] ${alert.title}${link}`;
}

export function ticketText(ticket: Ticket, base: string | null): string {
  const link = base ? ` ${base}/inbox/${ticket.id}` : '';
  return `New ${ticket.priority} ${ticket.type} #${ticket.id}: ${ticket.subject}${link}`;
}

export interface DeliveryOutcome {
  readonly ok: boolean;
  readonly error: string | null;
  readonly durationMs: number;
}

/**
 * Sends a test to one subscription now, once (no retries: the admin is waiting), signed like a
 * real delivery, and logs it; the outcome says whether it arrived and the receiver's error.
 */
export function sendTestWebhook(
  store: Store,
  subscription: WebhookSubscription,
  options: WebhookOptions = {},
  clock: () => Date = () => new Date(),
): Promise<DeliveryOutcome> {
  const event = subscription.events[0] ?? 'alert';
  const text = `Earshot test delivery to ${new URL(subscription.url).host}: if you can read this, the webhook works.`;
  return deliverLogged(
    store,
    subscription,
    event,
    { event, text, data: { test: true, webhookId: subscription.id } },
    { ...options, retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 }, timeoutMs: options.timeoutMs ?? 5_000 },
    { test: true, clock },
  );
}

/** One delivery with its outcome written to the log; a failure is returned, not thrown. */
async function deliverLogged(
  store: Store,
  subscription: WebhookSubscription,
  event: WebhookEvent,
  payload: { event: WebhookEvent; text: string; data: unknown },
  options: WebhookOptions | undefined,
  how: { test: boolean; clock?: () => Date },
): Promise<DeliveryOutcome> {
  const started = performance.now();
  let error: string | null = null;
  try {
    await postWebhook(subscription.url, payload, subscription.secret, options);
  } catch (caught) {
    error = caught instanceof Error ? caught.message : String(caught);
  }
  const outcome = { ok: error === null, error, durationMs: performance.now() - started };
  await recordWebhookDelivery(store.db, {
    webhookId: subscription.id,
    event,
    test: how.test,
    ...outcome,
    createdAt: (how.clock?.() ?? new Date()).toISOString(),
  });
  return outcome;
}
