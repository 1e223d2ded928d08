/**
 * Sends the desk's queued replies through their sources. A message is claimed under a lease
 * (two workers, or one restarted mid-send, never hold it at once), sent with the stable
 * idempotency key `earshot-<install id>-outbound-<id>` (so a send repeated after a crash is
 * recognised by the channel, not posted twice, while another install's message with the same row
 * id on the same account is not mistaken for it), then marked `sent` with the remote id and URL, due again
 * with backoff after a retryable failure (429, 5xx, network), or `failed` with the remote
 * error. Each change is published so the desk updates.
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '../store/open.js';
import type { Bus } from '../pipeline/bus.js';
import type { ReplyVisibility } from '../domain/ticket.js';
import { RemoteError } from '../sources/retry.js';
import type { SenderState } from '../sources/supervisor.js';
import {
  claimDueOutbound,
  markOutboundFailed,
  markOutboundRetry,
  markOutboundSent,
  outboundTarget,
  releaseOutboundClaims,
  type ClaimedOutbound,
} from '../store/outbound.js';
import { listOutbound, getTicket } from '../store/tickets.js';
import { ensureInstall, type Install } from '../store/install.js';

export interface OutboundWorkerOptions {
  readonly store: Store;
  readonly bus: Bus;
  /** Where a message's source is looked up (the supervisor). */
  readonly senders: { sender(name: string): Promise<SenderState> };
  readonly clock?: () => Date;
  /** How often to look for due messages; 0 means only when `runOnce` is called. */
  readonly intervalMs?: number;
  /** How long a claim holds; longer than any one send may take. */
  readonly leaseMs?: number;
  /** Sends in all before a retryable failure becomes final. */
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly batch?: number;
  readonly log?: { warn(message: string): void };
}

export interface OutboundRound {
  readonly sent: number;
  readonly retried: number;
  readonly failed: number;
}

/**
 * The key a message is sent with: the install's random id and the row id, unique across installs.
 * Messages queued before the install had an id keep the key they were first tried with.
 */
export const idempotencyKeyFor = (id: number, install: Install | null): string =>
  install && id > install.legacyOutboundMax ? `earshot-${install.id}-outbound-${id}` : `earshot-outbound-${id}`;

export class OutboundWorker {
  readonly #options: OutboundWorkerOptions;
  readonly #clock: () => Date;
  /** Identifies this worker's claims. */
  readonly #token = randomUUID();
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<OutboundRound> | null = null;
  #stopped = false;
  #install: Promise<Install> | null = null;

  constructor(options: OutboundWorkerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? (() => new Date());
  }

  start(): void {
    const interval = this.#options.intervalMs ?? 2000;
    if (interval <= 0 || this.#timer || this.#stopped) return;
    const tick = async () => {
      await this.runOnce().catch((error: unknown) =>
        this.#options.log?.warn(`outbound: round failed: ${(error as Error).message}`),
      );
      if (!this.#stopped) this.#timer = setTimeout(() => void tick(), interval);
    };
    this.#timer = setTimeout(() => void tick(), interval);
  }

  /**
   * Makes this worker the install's only sender: the claims other workers hold are freed, so the
   * messages a dead sender had in hand go out now rather than when its claims run out. Only for
   * a worker that runs under a lease (the cluster's `sources` lease); returns how many were freed.
   */
  async takeOver(): Promise<number> {
    return releaseOutboundClaims(this.#options.store.db, { except: this.#token, now: this.#clock().toISOString() });
  }

  /** Stops the timer and waits for a round in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running?.catch(() => {});
  }

  /** Claims and handles what is due now; one round at a time per worker. */
  runOnce(): Promise<OutboundRound> {
    this.#running ??= this.#round().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #round(): Promise<OutboundRound> {
    const { store } = this.#options;
    // Read (or made) once, before anything is claimed.
    this.#install ??= ensureInstall(store.db, randomUUID).catch((error: unknown) => {
      this.#install = null;
      throw error;
    });
    const install = await this.#install;
    const now = this.#clock();
    const claimed = await claimDueOutbound(store.db, {
      now: now.toISOString(),
      leaseUntil: new Date(now.getTime() + (this.#options.leaseMs ?? 5 * 60_000)).toISOString(),
      token: this.#token,
      limit: this.#options.batch ?? 20,
    });
    const round = { sent: 0, retried: 0, failed: 0 };
    for (const message of claimed) round[await this.#handle(message, install)] += 1;
    return round;
  }

  async #handle(message: ClaimedOutbound, install: Install): Promise<'sent' | 'retried' | 'failed'> {
    const { store } = this.#options;
    const sender = await this.#options.senders.sender(message.source);
    let outcome: 'sent' | 'retried' | 'failed';
    if (!sender.ok) {
      outcome = await this.#failure(message, sender.reason, sender.retryable, null);
    } else {
      try {
        const target = await outboundTarget(store.db, message.ticketId);
        const result = await sender.source.send({
          idempotencyKey: idempotencyKeyFor(message.id, install),
          inReplyTo: message.inReplyTo,
          visibility: message.visibility as ReplyVisibility,
          body: message.body,
          target,
        });
        await markOutboundSent(store.db, message, result, this.#clock().toISOString());
        outcome = 'sent';
      } catch (error) {
        const retryable = error instanceof RemoteError ? error.retryable : isNetworkError(error);
        outcome = await this.#failure(
          message,
          (error as Error).message ?? String(error),
          retryable,
          error instanceof RemoteError ? error.retryAfterMs : null,
        );
      }
    }
    await this.#publish(message);
    return outcome;
  }

  async #failure(
    message: ClaimedOutbound,
    reason: string,
    retryable: boolean,
    retryAfterMs: number | null,
  ): Promise<'retried' | 'failed'> {
    const now = this.#clock();
    const maxAttempts = this.#options.maxAttempts ?? 6;
    if (retryable && message.attempts < maxAttempts) {
      const backoff = Math.min(
        this.#options.maxDelayMs ?? 15 * 60_000,
        (this.#options.baseDelayMs ?? 5000) * 2 ** (message.attempts - 1),
      );
      const delay = Math.max(backoff, retryAfterMs ?? 0);
      await markOutboundRetry(
        this.#options.store.db,
        message,
        reason,
        new Date(now.getTime() + delay).toISOString(),
        now.toISOString(),
      );
      return 'retried';
    }
    const final = retryable ? `${reason} (gave up after ${message.attempts} attempts)` : reason;
    this.#options.log?.warn(`outbound ${message.id}: failed: ${final}`);
    await markOutboundFailed(this.#options.store.db, message, final, now.toISOString());
    return 'failed';
  }

  async #publish(message: ClaimedOutbound): Promise<void> {
    const { store, bus } = this.#options;
    const [current] = (await listOutbound(store.db, { ticketId: message.ticketId })).filter(
      (candidate) => candidate.id === message.id,
    );
    if (current) await bus.publish('outbound.updated', { message: current });
    // The ticket view listens for ticket updates; an outbound change is one.
    const ticket = await getTicket(store.db, message.ticketId);
    if (ticket) await bus.publish('tickets.updated', { ticket, event: null });
  }
}

function isNetworkError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return error instanceof TypeError || (typeof code === 'string' && /^(E[A-Z]+$|UND_ERR)/.test(code));
}
