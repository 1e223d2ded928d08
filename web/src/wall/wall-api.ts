/**
 * The wall's and rooms' calls, for the lazily loaded wall views. Calls made with the login go
 * through the desk's `request`; the anonymous ones go out with `credentials: 'omit'` (no cookie,
 * so the server cannot tell who sent them; docs/wall.md).
 */
import { ApiError, request } from '../api.js';
import type {
  DeadlineFigures,
  MoodWeek,
  RadarEntry,
  Room,
  RoomMessage,
  Space,
  ThreadKind,
  User,
  WallReply,
  WallThread,
} from '../api-types.js';
import type { AnonToken, TokenKey, TokenTransport } from './anon-client.js';

export interface Invited {
  readonly user: User;
  readonly email: string;
  readonly mailed: boolean;
  readonly link: string | null;
}

export const wallApi = {
  spaces: (signal?: AbortSignal) => request<{ spaces: Space[] }>('GET', '/wall/spaces', undefined, signal),
  space: (id: number, signal?: AbortSignal) =>
    request<{ space: Space; threads: WallThread[]; figures: DeadlineFigures }>(
      'GET',
      `/wall/spaces/${id}`,
      undefined,
      signal,
    ),
  thread: (id: string, signal?: AbortSignal) =>
    request<{ thread: WallThread; replies: WallReply[] }>(
      'GET',
      `/wall/threads/${encodeURIComponent(id)}`,
      undefined,
      signal,
    ),
  post: (spaceId: number, draft: { kind: ThreadKind; title: string; body: string }) =>
    request<WallThread>('POST', `/wall/spaces/${spaceId}/threads`, draft),
  reply: (threadId: string, body: string, official: boolean) =>
    request<WallReply>('POST', `/wall/threads/${encodeURIComponent(threadId)}/replies`, { body, official }),
  markOfficial: (threadId: string, replyId: string) =>
    request<WallThread>('POST', `/wall/threads/${encodeURIComponent(threadId)}/official`, { replyId }),
  vote: (threadId: string) => request<{ votes: number }>('POST', `/wall/threads/${encodeURIComponent(threadId)}/votes`),
  hide: (threadId: string, hidden: boolean, replyId?: string) =>
    request<void>('POST', `/wall/threads/${encodeURIComponent(threadId)}/hide`, { hidden, replyId }),
  radar: (spaceId: number, signal?: AbortSignal) =>
    request<{ entries: RadarEntry[] }>('GET', `/wall/spaces/${spaceId}/radar?days=7`, undefined, signal),
  faqDraft: (spaceId: number, question: string, threadIds: string[]) =>
    request<{ id: number }>('POST', `/wall/spaces/${spaceId}/faq-drafts`, { question, threadIds }),
  mood: (spaceId: number, signal?: AbortSignal) =>
    request<{ weeks: MoodWeek[] }>('GET', `/wall/spaces/${spaceId}/mood?weeks=12`, undefined, signal),
  rooms: (signal?: AbortSignal) => request<{ rooms: Room[] }>('GET', '/wall/rooms', undefined, signal),
  messages: (roomId: number, signal?: AbortSignal) =>
    request<{ messages: RoomMessage[] }>('GET', `/wall/rooms/${roomId}/messages`, undefined, signal),
  send: (roomId: number, body: string) => request<RoomMessage>('POST', `/wall/rooms/${roomId}/messages`, { body }),
  read: (roomId: number, lastReadId: number) => request<void>('POST', `/wall/rooms/${roomId}/read`, { lastReadId }),
  presence: (roomId: number, here: boolean) => request<void>('POST', `/wall/rooms/${roomId}/presence`, { here }),
  invite: (input: { email: string; name: string; username?: string }) =>
    request<Invited>('POST', '/wall/invitations', input),
  importCsv: (csv: string) =>
    request<{ invited: Invited[]; problems: { line: number; message: string }[] }>('POST', '/wall/invitations/csv', {
      csv,
    }),
  checkInvitation: (token: string) =>
    request<{ displayName: string; username: string }>('POST', '/wall/invitations/check', { token }),
  acceptInvitation: (token: string, password: string) =>
    request<{ username: string }>('POST', '/wall/invitations/accept', { token, password }),
};

/** The token client's transport: the day's key fetched without the cookie, the signing with it. */
export const tokenTransport: TokenTransport = {
  key: () => anonymous<TokenKey>('GET', '/wall/tokens/key'),
  sign: (blinded) => request<{ day: string; signatures: string[] }>('POST', '/wall/tokens', { blinded }),
};

export const anonymousApi = {
  post: (input: {
    token: AnonToken;
    spaceId: number;
    askerKey: string;
    kind: ThreadKind;
    title: string;
    body: string;
  }) => anonymous<WallThread>('POST', '/wall/anonymous/threads', input),
  reply: (threadId: string, input: { token: AnonToken; body: string; askerSignature?: string }) =>
    anonymous<WallReply>('POST', `/wall/anonymous/threads/${encodeURIComponent(threadId)}/replies`, input),
};

/** A call that carries nothing of the person: no cookie, no referrer. */
async function anonymous<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`/api${path}`, {
    method,
    credentials: 'omit',
    referrerPolicy: 'no-referrer',
    cache: 'no-store',
    headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = (await response.json().catch(() => null)) as unknown;
  if (!response.ok) {
    const error = (data as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(response.status, error?.code ?? 'ERR_HTTP', error?.message ?? `${response.status}`);
  }
  return data as T;
}
