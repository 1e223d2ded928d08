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
import type { SourceSupervisor } from '../sources/supervisor.js';
import type { GuardOptions } from '../sources/ssrf.js';
import type { SecretSealer } from '../store/escalation.js';

export interface AppDeps {
  readonly store: Store;
  /** Seals and opens secrets at rest (webhook signing secrets), under EARSHOT_SECRET_KEY. */
  readonly secrets: SecretSealer;
  readonly bus: Bus;
  readonly pipeline: IngestPipeline;
  readonly desk: Desk;
  /** What responders do to major incidents. */
  readonly incidents: IncidentDesk;
  readonly clock?: () => Date;
  /** Runs the configured sources; the sources API needs it. */
  readonly sources?: SourceSupervisor;
  /** The SSRF guard's settings for webhook URLs, checked when saved; default: public addresses only. */
  readonly webhookGuard?: GuardOptions;
  /** Extra plugins that serve more (the web desk), registered last. */
  readonly extras?: readonly ((app: FastifyInstance) => Promise<void>)[];
}

export type RouteContext = AppDeps & { readonly config: Config; readonly clock: () => Date };
