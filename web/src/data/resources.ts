/**
 * The desk's resources, one hook each, all on `useResource`: what a view loads, keyed by what
 * it asked for, so a new filter loads again and a stale answer never lands.
 */
import { api, query, type PostFilter, type TicketAuthors, type TicketFilter } from '../api.js';
import type {
  Alert,
  ApiTokenView,
  CheckResult,
  ClusterState,
  ConfiguredSource,
  EscalationSummary,
  Incident,
  IncidentDetail,
  Post,
  SourceDefinitionInfo,
  Stats,
  Stream,
  Ticket,
  TicketDetail,
  User,
} from '../api-types.js';
import type { AuthorDecisionWire, CustomerHistoryWire, SavedReplyWire, SavedViewWire } from '../api-types.js';
import { useResource, type Resource, type ResourceOptions } from './resource.js';

export interface Page<T> {
  readonly items: T[];
  readonly nextBefore: number | null;
}

/** `current` and then the items of `older` it does not hold yet (live arrivals may have brought them). */
export function appendNew<T extends { readonly id: number }>(current: readonly T[], older: readonly T[]): T[] {
  const known = new Set(current.map((item) => item.id));
  return [...current, ...older.filter((item) => !known.has(item.id))];
}

/** A page of the ticket queue: with each ticket's author, and where the next page starts in sorted orders. */
export interface TicketPage extends Page<Ticket> {
  readonly authors: TicketAuthors;
  readonly nextOffset: number | null;
}

/** One page of tickets; the inbox appends older pages and live arrivals with `mutate`. */
export function useTickets(filter: TicketFilter): Resource<TicketPage> {
  return useResource(`tickets${query({ ...filter })}`, (signal) =>
    api.tickets(filter, signal).then((page) => ({
      items: page.tickets,
      authors: page.authors,
      nextBefore: page.nextBefore,
      nextOffset: page.nextOffset,
    })),
  );
}

export function useTicket(id: number): Resource<TicketDetail> {
  return useResource(`ticket/${id}`, (signal) => api.ticket(id, signal));
}

export interface CheckedDraft {
  readonly body: string;
  readonly mode: 'public' | 'private';
  readonly result: CheckResult;
}

const CHECK_DEBOUNCE_MS = 350;

/** The guideline check of a reply draft, a moment after typing stops; nothing for an empty draft. */
export function useReplyCheck(id: number, body: string, mode: 'public' | 'private' | 'note'): Resource<CheckedDraft> {
  const text = body.trim();
  const key = mode === 'note' || text === '' ? null : `check/${id}/${mode}\u0000${text}`;
  return useResource(
    key,
    (signal) =>
      api
        .checkReply(id, text, mode as CheckedDraft['mode'], signal)
        .then((result) => ({ body: text, mode: mode as CheckedDraft['mode'], result })),
    {
      keepPrevious: true,
      delayMs: CHECK_DEBOUNCE_MS,
    },
  );
}

/** One page of posts for a stream column (no stream: every post). */
export function usePosts(filter: PostFilter, streamQuery?: string): Resource<Page<Post>> {
  return useResource(`posts${query({ ...filter })}#${streamQuery ?? ''}`, (signal) =>
    api.posts(filter, signal).then((page) => ({ items: page.posts, nextBefore: page.nextBefore })),
  );
}

export function useStreams(): Resource<Stream[]> {
  return useResource('streams', (signal) => api.streams(signal).then(({ streams }) => streams));
}

/** What a stream query would match among recent posts, a moment after typing stops. */
export function useStreamPreview(queryText: string): Resource<{ posts: Post[]; scanned: number; matched: number }> {
  const text = queryText.trim();
  return useResource(text ? `preview/${text}` : null, (signal) => api.preview(text, signal), {
    keepPrevious: true,
    delayMs: 250,
  });
}

/** Pulse's numbers, refreshed every `refreshMs`; a new window keeps the old numbers until it loads. */
export function useStats(window: string, streamId: number | undefined, refreshMs: number): Resource<Stats> {
  return useResource(`stats${query({ window, stream: streamId })}`, (signal) => api.stats(window, streamId, signal), {
    keepPrevious: true,
    refreshMs,
  });
}

export type AlertStatus = Parameters<typeof api.alertsByStatus>[0];

export function useAlerts(status: AlertStatus, limit?: number, options?: ResourceOptions): Resource<Alert[]> {
  return useResource(
    `alerts${query({ status, limit })}`,
    (signal) => api.alertsByStatus(status, limit, signal).then(({ alerts }) => alerts),
    options,
  );
}

export function useEscalations(status: string): Resource<EscalationSummary[]> {
  return useResource(`escalations/${status}`, (signal) =>
    api.escalations(status, signal).then(({ escalations }) => escalations),
  );
}

export function useIncidents(status: 'open' | 'resolved'): Resource<Incident[]> {
  return useResource(`incidents/${status}`, (signal) =>
    api.incidents(status, signal).then(({ incidents }) => incidents),
  );
}

export function useIncident(id: number): Resource<IncidentDetail> {
  return useResource(`incident/${id}`, (signal) => api.incident(id, signal));
}

/** Every source with its health, refreshed every `refreshMs`. */
export function useSources(refreshMs: number): Resource<ConfiguredSource[]> {
  return useResource('sources', (signal) => api.sources(signal).then(({ sources }) => sources), { refreshMs });
}

/** This node's part in the distributed mode, with the dead letters; `distributed: false` in one process. */
export function useCluster(refreshMs: number): Resource<ClusterState> {
  return useResource('cluster', (signal) => api.cluster(signal), { refreshMs });
}

export function useSourceDefinitions(): Resource<SourceDefinitionInfo[]> {
  return useResource('source-definitions', (signal) =>
    api.sourceDefinitions(signal).then(({ definitions }) => definitions),
  );
}

/** API tokens: the caller's own, or everyone's for an admin (Settings → API tokens). */
export function useApiTokens(): Resource<ApiTokenView[]> {
  return useResource('tokens', (signal) => api.tokens(signal).then(({ tokens }) => tokens));
}

/** Until the people are loaded. */
export const NO_USERS: User[] = [];

let users: Promise<User[]> | null = null;

/** The desk's people, fetched once and shared (names for assignees and actors); `[]` if that fails. */
function loadUsers(fresh: boolean): Promise<User[]> {
  if (!users || fresh)
    users = api.users().then(
      ({ users: list }) => list,
      () => [],
    );
  return users;
}

/** The shared list of people; `fresh` asks the server again (the People view). */
export function useUsers({ fresh = false } = {}): Resource<User[]> {
  return useResource(fresh ? 'users/fresh' : 'users', () => loadUsers(fresh));
}

/** Saved replies (shared by the whole desk), for the composer's picker. */
export function useSavedReplies(): Resource<SavedReplyWire[]> {
  return useResource('saved-replies', (signal) => api.savedReplies(signal));
}

/** The work queue's saved views this person sees: their own, then the shared ones. */
export function useSavedViews(): Resource<SavedViewWire[]> {
  return useResource('saved-views', (signal) => api.savedViews(signal));
}

/** The customer behind a ticket: posts this month, other tickets. */
export function useCustomerHistory(ticketId: number): Resource<CustomerHistoryWire | null> {
  return useResource(`ticket/${ticketId}/history`, (signal) =>
    api.customerHistory(ticketId, signal).then(({ history }) => history),
  );
}

/** Authors muted or blocked by the desk: the streams board hides their posts. */
export function useAuthorDecisions(): Resource<AuthorDecisionWire[]> {
  return useResource('authors/decisions', (signal) => api.authorDecisions(signal));
}
