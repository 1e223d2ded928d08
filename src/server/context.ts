/**
 * What every route plugin is given: the runtime's parts (built in `src/runtime.ts`) plus the
 * config and the clock. Its own module so routes and `app.ts` import it without importing
 * each other.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { Store } from '../store/open.js';
import type { Bus } from '../pipeline/bus.js';
import type { IngestPipeline } from '../pipeline/ingest.js';
import type { Desk } from '../desk/desk.js';
import type { IncidentDesk } from '../desk/incident-desk.js';
import type { DeskActions } from '../desk/desk-actions.js';
import type { SourceSupervisor } from '../sources/supervisor.js';
import type { GuardOptions } from '../sources/ssrf.js';
import type { DeadLetter } from '../pipeline/draft-queue.js';
import type { WallServices } from '../wall/services.js';
import type { KnowledgeParts } from '../ladder/knowledge-parts.js';

/** This node in the distributed mode: its role, its leases, the work queue and what died in it. */
export interface NodeInfo {
  readonly role: string;
  /** The leases this node holds now (`sources`, `watches`, `escalation`). */
  leases(): readonly string[];
  /** Batches waiting for a worker and batches a worker holds unacked; null when NATS cannot say. */
  queue(): Promise<{ readonly pending: number; readonly ackPending: number; readonly redelivered: number } | null>;
  /** Drafts this node's worker stored since it started. */
  stored(): number;
  deadLetters(limit: number): Promise<(DeadLetter & { readonly seq: number })[]>;
}
import type { SecretSealer } from '../store/escalation.js';
import type { SlaCalendars } from '../desk/sla-calendars.js';

export interface AppDeps {
  readonly store: Store;
  /** Seals and opens secrets at rest (webhook signing secrets), under EARSHOT_SECRET_KEY. */
  readonly secrets: SecretSealer;
  readonly bus: Bus;
  readonly pipeline: IngestPipeline;
  readonly desk: Desk;
  /** What responders do to major incidents. */
  readonly incidents: IncidentDesk;
  /** Acting from a post card, saved replies, customer history, presence; its routes only when given. */
  readonly deskActions?: DeskActions;
  /** The knowledge base, policies and belt ladder; their routes are registered only when given. */
  readonly knowledge?: KnowledgeParts;
  readonly clock?: () => Date;
  /** Runs the configured sources; the sources API needs it. */
  readonly sources?: SourceSupervisor;
  /** The SSRF guard's settings for webhook URLs, checked when saved; default: public addresses only. */
  readonly webhookGuard?: GuardOptions;
  /** This node of a cluster (EARSHOT_NATS_URL); absent in one process. */
  readonly node?: NodeInfo;
  /** The wall and rooms (employees' side); absent: their routes answer 404. */
  readonly wall?: WallServices;
  /** The business calendars SLA clocks count in; absent: every clock in calendar time. */
  readonly slaCalendars?: SlaCalendars;
  /** Extra plugins that serve more (the web desk), registered last. */
  readonly extras?: readonly ((app: FastifyInstance) => Promise<void>)[];
}

export type RouteContext = AppDeps & { readonly config: Config; readonly clock: () => Date };
