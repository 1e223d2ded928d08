/**
 * The desk's one way to call the API: JSON in and out, the session cookie sent along, and
 * errors turned into `ApiError` carrying the server's stable code.
 */
import type {
  Alert,
  ApiTokenView,
  TokenScope,
  Post,
  Stats,
  Stream,
  Ticket,
  TicketDetail,
  TicketPriority,
  TicketStatus,
  User,
} from './api-types.js';
import type { ClusterState, ConfiguredSource, SourceDefinitionInfo, SourceSettings } from './api-types.js';
import type { Outbound } from './api-types.js';
import type { AuthorDecisionWire, CustomerHistoryWire, SavedReplyWire } from './api-types.js';
import type { SavedViewFiltersWire, SavedViewScope, SavedViewWire } from './api-types.js';
import type {
  CheckResult,
  EscalationSummary,
  Incident,
  IncidentDetail,
  IncidentUpdate,
  ReplyProposal,
} from './api-types.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Called when any request answers 401, so the app can return to the login page. */
let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

export async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const response = await fetch(`/api${path}`, {
    method,
    credentials: 'same-origin',
    headers:
      body === undefined
        ? { accept: 'application/json' }
        : { accept: 'application/json', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  if (response.status === 204) return undefined as T;
  const data = (await response.json().catch(() => null)) as unknown;
  if (!response.ok) {
    const error = (data as { error?: { code?: string; message?: string } } | null)?.error;
    if (response.status === 401 && !path.startsWith('/auth/')) onUnauthorized();
    throw new ApiError(
      response.status,
      error?.code ?? 'ERR_HTTP',
      error?.message ?? `${response.status} ${response.statusText}`,
    );
  }
  return data as T;
}

/** Query string from the defined, non-empty values only. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

export interface PostFilter {
  q?: string;
  sentiment?: string;
  kind?: string;
  stream?: number;
  limit?: number;
  before?: number;
}

export interface TicketFilter {
  status?: string;
  type?: string;
  assignee?: string;
  breached?: boolean;
  sort?: 'newest' | 'sla' | 'priority' | 'age';
  kind?: string;
  channel?: string;
  sentiment?: string;
  language?: string;
  q?: string;
  limit?: number;
  before?: number;
  offset?: number;
}

/** Who wrote the post behind a ticket, keyed by ticket id. */
export type TicketAuthors = Record<string, { handle: string; name: string | null }>;

export interface TicketUpdate {
  status?: TicketStatus;
  priority?: TicketPriority;
  assigneeId?: number | null;
}

export const api = {
  login: (username: string, password: string) => request<{ user: User }>('POST', '/auth/login', { username, password }),
  logout: () => request<void>('POST', '/auth/logout'),
  me: () => request<{ user: User }>('GET', '/me'),
  users: (signal?: AbortSignal) => request<{ users: User[] }>('GET', '/users', undefined, signal),
  posts: (filter: PostFilter, signal?: AbortSignal) =>
    request<{ posts: Post[]; nextBefore: number | null }>('GET', `/posts${query({ ...filter })}`, undefined, signal),
  streams: (signal?: AbortSignal) => request<{ streams: Stream[] }>('GET', '/streams', undefined, signal),
  createStream: (input: { name: string; query: string; ticketRules?: Stream['ticketRules'] }) =>
    request<Stream>('POST', '/streams', input),
  updateStream: (id: number, input: { name?: string; query?: string; ticketRules?: Stream['ticketRules'] }) =>
    request<Stream>('PATCH', `/streams/${id}`, input),
  deleteStream: (id: number) => request<void>('DELETE', `/streams/${id}`),
  preview: (queryText: string, signal?: AbortSignal) =>
    request<{ posts: Post[]; scanned: number; matched: number }>(
      'POST',
      '/streams/preview',
      { query: queryText, limit: 8 },
      signal,
    ),
  tickets: (filter: TicketFilter, signal?: AbortSignal) =>
    request<{ tickets: Ticket[]; authors: TicketAuthors; nextBefore: number | null; nextOffset: number | null }>(
      'GET',
      `/tickets${query({ ...filter })}`,
      undefined,
      signal,
    ),
  ticket: (id: number, signal?: AbortSignal) => request<TicketDetail>('GET', `/tickets/${id}`, undefined, signal),
  updateTicket: (id: number, update: TicketUpdate) => request<Ticket>('PATCH', `/tickets/${id}`, update),
  bulkUpdate: (ids: number[], update: TicketUpdate) =>
    request<{ updated: Ticket[]; failed: { id: number; code: string; message: string }[] }>('POST', '/tickets/bulk', {
      ids,
      update,
    }),
  addNote: (id: number, body: string) => request<unknown>('POST', `/tickets/${id}/notes`, { body }),
  reply: (id: number, body: string, visibility: 'public' | 'private', acknowledgeWarnings?: boolean) =>
    request<{ ticket: Ticket; held?: undefined } | { held: { id: number; status: string }; ticket?: undefined }>(
      'POST',
      `/tickets/${id}/replies`,
      acknowledgeWarnings ? { body, visibility, acknowledgeWarnings } : { body, visibility },
    ),
  /** Edit and resend: the failed reply is superseded by a new one with this text (its visibility kept). */
  resendReply: (id: number, outboundId: number, body: string, acknowledgeWarnings?: boolean) =>
    request<{ ticket: Ticket; held?: undefined } | { held: { id: number; status: string }; ticket?: undefined }>(
      'POST',
      `/tickets/${id}/replies/${outboundId}/resend`,
      acknowledgeWarnings ? { body, acknowledgeWarnings } : { body },
    ),
  retryReply: (id: number, outboundId: number) =>
    request<Outbound>('POST', `/tickets/${id}/replies/${outboundId}/retry`),
  checkReply: (id: number, body: string, visibility: 'public' | 'private', signal?: AbortSignal) =>
    request<CheckResult>('POST', `/tickets/${id}/replies/check`, { body, visibility }, signal),
  stats: (window: string, stream?: number, signal?: AbortSignal) =>
    request<Stats>('GET', `/stats${query({ window, stream })}`, undefined, signal),
  alertsByStatus: (status: 'open' | 'acknowledged' | 'closed', limit = 100, signal?: AbortSignal) =>
    request<{ alerts: Alert[] }>('GET', `/alerts${query({ status, limit })}`, undefined, signal),
  setAlertStatus: (id: number, status: 'open' | 'acknowledged' | 'closed') =>
    request<Alert>('PATCH', `/alerts/${id}`, { status }),
  incidents: (status?: 'open' | 'resolved', signal?: AbortSignal) =>
    request<{ incidents: Incident[] }>('GET', `/incidents${query({ status })}`, undefined, signal),
  incident: (id: number, signal?: AbortSignal) => request<IncidentDetail>('GET', `/incidents/${id}`, undefined, signal),
  setResponders: (id: number, userIds: number[]) =>
    request<Incident>('PUT', `/incidents/${id}/responders`, { userIds }),
  draftUpdate: (id: number, body: string) =>
    request<{ update: IncidentUpdate; proposals: ReplyProposal[]; skipped: { postId: number; reason: string }[] }>(
      'POST',
      `/incidents/${id}/updates`,
      { body },
    ),
  resolveIncident: (id: number, body: string) =>
    request<{ incident: Incident }>('POST', `/incidents/${id}/resolve`, { body }),
  approveUpdate: (updateId: number) =>
    request<{ update: IncidentUpdate; approved: number; queued: number }>(
      'POST',
      `/incident-updates/${updateId}/approve`,
    ),
  unlinkPosts: (id: number, postIds: number[]) =>
    request<{ unlinked: number[] }>('POST', `/incidents/${id}/unlink`, { postIds }),
  splitIncident: (id: number, postIds: number[]) =>
    request<{ incident: Incident; moved: number[] }>('POST', `/incidents/${id}/split`, { postIds }),
  mergeIncident: (id: number, intoId: number) =>
    request<{ incident: Incident; moved: number }>('POST', `/incidents/${id}/merge`, { intoId }),
  retryProposal: (id: number) => request<ReplyProposal>('POST', `/reply-proposals/${id}/retry`),
  approveProposal: (id: number) => request<ReplyProposal>('POST', `/reply-proposals/${id}/approve`),
  rejectProposal: (id: number) => request<ReplyProposal>('POST', `/reply-proposals/${id}/reject`),
  editProposal: (id: number, body: string) => request<ReplyProposal>('PATCH', `/reply-proposals/${id}`, { body }),
  escalations: (status?: string, signal?: AbortSignal) =>
    request<{ escalations: EscalationSummary[] }>('GET', `/escalations${query({ status })}`, undefined, signal),
  ackEscalation: (id: string) => request<EscalationSummary>('POST', `/escalations/${encodeURIComponent(id)}/ack`),
  sourceDefinitions: (signal?: AbortSignal) =>
    request<{ definitions: SourceDefinitionInfo[] }>('GET', '/sources/definitions', undefined, signal),
  sources: (signal?: AbortSignal) => request<{ sources: ConfiguredSource[] }>('GET', '/sources', undefined, signal),
  cluster: (signal?: AbortSignal) => request<ClusterState>('GET', '/cluster', undefined, signal),
  createSource: (input: {
    name: string;
    kind: string;
    options: Record<string, unknown>;
    enabled?: boolean;
    skipCheck?: boolean;
  }) => request<ConfiguredSource>('POST', '/sources', input),
  updateSource: (id: number, input: { options?: Record<string, unknown>; enabled?: boolean; skipCheck?: boolean }) =>
    request<ConfiguredSource>('PATCH', `/sources/${id}`, input),
  restartSource: (id: number) => request<ConfiguredSource>('POST', `/sources/${id}/restart`),
  deleteSource: (id: number) => request<void>('DELETE', `/sources/${id}`),
  sourceSettings: (signal?: AbortSignal) => request<SourceSettings>('GET', '/sources/settings', undefined, signal),
  saveSourceSettings: (input: { allowedPrivateHosts: string[] }) =>
    request<SourceSettings>('PUT', '/sources/settings', input),
  tokens: (signal?: AbortSignal) => request<{ tokens: ApiTokenView[] }>('GET', '/tokens', undefined, signal),
  createToken: (input: { name: string; scopes: TokenScope[]; expiresInDays: number | null }) =>
    request<{ id: number; token: string }>('POST', '/tokens', input),
  revokeToken: (id: number) => request<void>('DELETE', `/tokens/${id}`),
  // Acting from anywhere and the composer's helpers (src/server/routes/desk-actions.ts).
  post: (id: number, signal?: AbortSignal) => request<Post>('GET', `/posts/${id}`, undefined, signal),
  openPostTicket: (postId: number) => request<{ ticket: Ticket; created: boolean }>('POST', `/posts/${postId}/ticket`),
  authorDecisions: (signal?: AbortSignal) =>
    request<AuthorDecisionWire[]>('GET', '/authors/decisions', undefined, signal),
  decideAuthor: (author: { source: string; handle: string }, action: 'mute' | 'block' | null) =>
    request<void>('PUT', '/authors/decisions', { ...author, action }),
  savedReplies: (signal?: AbortSignal) => request<SavedReplyWire[]>('GET', '/saved-replies', undefined, signal),
  createSavedReply: (input: { title: string; body: string }) =>
    request<SavedReplyWire>('POST', '/saved-replies', input),
  updateSavedReply: (id: number, input: { title?: string; body?: string }) =>
    request<SavedReplyWire>('PATCH', `/saved-replies/${id}`, input),
  deleteSavedReply: (id: number) => request<void>('DELETE', `/saved-replies/${id}`),
  savedViews: (signal?: AbortSignal) =>
    request<{ views: SavedViewWire[] }>('GET', '/saved-views', undefined, signal).then(({ views }) => views),
  createSavedView: (input: { name: string; scope: SavedViewScope; filters: SavedViewFiltersWire }) =>
    request<SavedViewWire>('POST', '/saved-views', input),
  updateSavedView: (id: number, change: { name?: string; scope?: SavedViewScope; filters?: SavedViewFiltersWire }) =>
    request<SavedViewWire>('PATCH', `/saved-views/${id}`, change),
  deleteSavedView: (id: number) => request<void>('DELETE', `/saved-views/${id}`),
  fillSavedReply: (ticketId: number, replyId: number) =>
    request<{ body: string }>('POST', `/tickets/${ticketId}/saved-replies/${replyId}`),
  customerHistory: (ticketId: number, signal?: AbortSignal) =>
    request<{ history: CustomerHistoryWire | null }>('GET', `/tickets/${ticketId}/history`, undefined, signal),
  presence: (ticketId: number, state: 'viewing' | 'typing' | 'left') =>
    request<void>('POST', `/tickets/${ticketId}/presence`, { state }),
};
