/**
 * What one Earshot process does. `all` is the single-process default; in the distributed mode
 * (NATS JetStream + PostgreSQL) each node takes one role and they can be scaled apart.
 */
export const NODE_ROLES = ['all', 'api', 'ingest', 'worker'] as const;
export type NodeRole = (typeof NODE_ROLES)[number];

export const NODE_ROLE_DUTIES: Readonly<Record<NodeRole, string>> = Object.freeze({
  all: 'everything in one process (the default)',
  api: 'the desk and the API; live events from every node reach its SSE clients',
  ingest: 'the configured sources and the outbound replies, on one ingest node at a time (a lease)',
  worker: 'the pipeline over queued drafts; the crisis watch and escalations on one worker at a time (leases)',
});

/** Whether a node of this role serves the desk and the API. */
export function servesApi(role: NodeRole): boolean {
  return role === 'all' || role === 'api';
}

/** Whether a node of this role may run the sources and send replies (under the `sources` lease). */
export function runsSources(role: NodeRole): boolean {
  return role === 'all' || role === 'ingest';
}

/** Whether a node of this role consumes drafts and may run the watches (under their leases). */
export function runsWorker(role: NodeRole): boolean {
  return role === 'all' || role === 'worker';
}
