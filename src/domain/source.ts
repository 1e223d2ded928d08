/**
 * Configured sources: a channel an admin set up (by the desk, the config file or the CLI),
 * under a name, with its options and sealed secrets, and the health it reports. The kinds and
 * their options are `src/sources`; the store keeps these rows.
 */

/** The connection state a source reports, shown in the desk's source health. */
export const SOURCE_STATUSES = ['connecting', 'connected', 'polling', 'backing-off', 'disconnected', 'failed'] as const;
export type SourceStatus = (typeof SOURCE_STATUSES)[number];

/** Where a source was set up: the desk (`api`), earshot.config.yaml (`file`) or the CLI for the demo (`cli`). */
export const SOURCE_ORIGINS = ['api', 'file', 'cli'] as const;
export type SourceOrigin = (typeof SOURCE_ORIGINS)[number];

export interface ConfiguredSource {
  readonly id: number;
  readonly name: string;
  readonly kind: string;
  /** The non-secret options. */
  readonly options: Record<string, unknown>;
  /** The sealed secret options, or null; opened only by the supervisor. */
  readonly sealedSecrets: string | null;
  /** Which secret options are set (never their values). */
  readonly secretsSet: string[];
  readonly enabled: boolean;
  readonly origin: SourceOrigin;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface SourceHealth {
  readonly name: string;
  readonly status: SourceStatus;
  readonly detail: string | null;
  readonly lastPostAt: string | null;
  readonly lastError: string | null;
  readonly lastErrorAt: string | null;
  readonly posts: number;
  readonly skipped: number;
  readonly errors: number;
  readonly updatedAt: string;
}

/**
 * What every source of one kind can do. Differences between channels are these flags, read by
 * the desk's reply policy and the guideline check, never `if (kind === …)`.
 */
export interface SourceCapabilities {
  readonly canReplyPublicly: boolean;
  readonly canDirectMessage: boolean;
  readonly hasEdits: boolean;
  /** The longest reply the channel accepts, in characters; null where it cannot reply at all. */
  readonly maxReplyLength: number | null;
}

/**
 * A kind's capabilities, frozen, from what it can do: a channel can do nothing it does not
 * claim (no public replies, no direct messages, no edits, no replies at all).
 */
export function sourceCapabilities(can: Partial<SourceCapabilities>): SourceCapabilities {
  return Object.freeze({
    canReplyPublicly: false,
    canDirectMessage: false,
    hasEdits: false,
    maxReplyLength: null,
    ...can,
  });
}
