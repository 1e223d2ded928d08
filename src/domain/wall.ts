/**
 * The wall: spaces (one per programme or topic) where staff ask, propose and worry aloud, a team
 * answers, and anyone may post anonymously with a blind-signed token. Also rooms (live chat).
 * Plain data and pure functions; the rules live in `src/wall`.
 */

export const THREAD_KINDS = ['question', 'idea', 'concern'] as const;
export type ThreadKind = (typeof THREAD_KINDS)[number];
export function isThreadKind(value: unknown): value is ThreadKind {
  return typeof value === 'string' && (THREAD_KINDS as readonly string[]).includes(value);
}

export interface Space {
  readonly id: number;
  readonly name: string;
  readonly description: string;
  /** Hours the team has to answer a question officially. */
  readonly slaHours: number;
  /** Who answers (notified first when a question runs past its deadline). */
  readonly team: number[];
  /** Who is told next (IT leadership). */
  readonly leadership: number[];
  /** Who may read and post with their name; null: everyone with a login. */
  readonly audience: number[] | null;
  readonly createdAt: string;
}

/** Who wrote something, as shown: a person, or nobody the server knows. */
export type WallAuthor = { readonly id: number; readonly name: string } | null;

export interface WallReply {
  readonly id: string;
  readonly threadId: string;
  readonly body: string;
  readonly author: WallAuthor;
  readonly anonymous: boolean;
  /** Written by the thread's anonymous asker (proved with the key only their browser holds). */
  readonly byAsker: boolean;
  readonly official: boolean;
  readonly hidden: boolean;
  readonly createdAt: string;
}

export interface WallThread {
  readonly id: string;
  readonly spaceId: number;
  readonly kind: ThreadKind;
  readonly title: string;
  readonly body: string;
  readonly author: WallAuthor;
  readonly anonymous: boolean;
  readonly hidden: boolean;
  readonly votes: number;
  readonly replyCount: number;
  readonly officialReplyId: string | null;
  readonly answeredAt: string | null;
  /** When the official answer is due (questions only). */
  readonly dueAt: string | null;
  readonly createdAt: string;
}

/** Anonymous posts keep only the hour they were written in: an exact time could be matched to a login. */
export const ANONYMOUS_TIME_GRAIN_MS = 3_600_000;

export function roundedTime(at: Date, grainMs = ANONYMOUS_TIME_GRAIN_MS): string {
  return new Date(Math.floor(at.getTime() / grainMs) * grainMs).toISOString();
}

/** The UTC day a token batch belongs to (`2026-12-03`): keys rotate daily. */
export function tokenDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** Mood is never shown for fewer posts than this in a group: a tiny group's mood points at people. */
export const MOOD_MIN_GROUP = 10;

export interface Room {
  readonly id: number;
  readonly name: string;
  readonly topic: string;
  readonly createdAt: string;
}

export interface RoomMessage {
  readonly id: number;
  readonly roomId: number;
  readonly author: { readonly id: number; readonly name: string };
  readonly body: string;
  readonly mentions: number[];
  readonly createdAt: string;
}

/** `@username` mentions in a message (lower-cased, unique). */
export function mentionedNames(body: string): string[] {
  const names = new Set<string>();
  for (const match of body.matchAll(/(^|[\s(])@([a-z0-9._-]{2,64})/gi)) names.add(match[2]!.toLowerCase());
  return [...names];
}
