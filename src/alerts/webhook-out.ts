/**
 * Webhook subscriptions: alerts (`alerts.raised`) and new tickets (`tickets.created`) are
 * POSTed as signed JSON to every subscribed URL, with a Slack/Teams-compatible `text` line.
 * Deliveries run in the background (a slow receiver must not hold up ingest) but in order;
 * `flush()` waits for them (tests, shutdown).
 */
import type { Alert } from '../domain/alert.js';
import type { Ticket } from '../domain/ticket.js';
import type { Bus } from '../pipeline/bus.js';
import type { Store } from '../store/open.js';
import type { WebhookEvent } from '../domain/escalation.js';
import { listWebhooks, type SecretSealer } from '../store/escalation.js';
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
              postWebhook(subscription.url, { event, text, data }, subscription.secret, options.webhook),
            ),
          );
          for (const result of results) if (result.status === 'rejected') onError(result.reason);
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
