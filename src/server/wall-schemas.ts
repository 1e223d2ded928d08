/**
 * Wire shapes of the wall and rooms (kept apart from `schemas.ts`, which holds the social desk's;
 * the room message and the wall's live events are there, in `LIVE_EVENTS`). The desk imports
 * their `Static` types through `web/src/api-types.ts`.
 */
import { Type, type Static } from '@sinclair/typebox';
import { SENTIMENTS } from '../domain/post.js';
import { THREAD_KINDS } from '../domain/wall.js';
import { literals, Nullable } from './schemas.js';

const AuthorSchema = Nullable(Type.Object({ id: Type.Integer(), name: Type.String() }));

export const SpaceSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  description: Type.String(),
  slaHours: Type.Integer(),
  team: Type.Array(Type.Integer()),
  leadership: Type.Array(Type.Integer()),
  audience: Nullable(Type.Array(Type.Integer())),
  createdAt: Type.String(),
  /** Whether the caller answers officially and moderates here. */
  moderator: Type.Boolean(),
});
export type Space = Static<typeof SpaceSchema>;

export const SpaceInputSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    description: Type.String({ maxLength: 2000 }),
    slaHours: Type.Integer({ minimum: 1, maximum: 24 * 60 }),
    team: Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 200 }),
    leadership: Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 200 }),
    audience: Nullable(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 100_000 })),
  },
  { additionalProperties: false },
);

export const ThreadSchema = Type.Object({
  id: Type.String(),
  spaceId: Type.Integer(),
  kind: literals(THREAD_KINDS),
  title: Type.String(),
  body: Type.String(),
  author: AuthorSchema,
  anonymous: Type.Boolean(),
  hidden: Type.Boolean(),
  votes: Type.Integer(),
  replyCount: Type.Integer(),
  officialReplyId: Nullable(Type.String()),
  answeredAt: Nullable(Type.String()),
  dueAt: Nullable(Type.String()),
  createdAt: Type.String(),
});
export type WallThread = Static<typeof ThreadSchema>;

export const ReplySchema = Type.Object({
  id: Type.String(),
  threadId: Type.String(),
  body: Type.String(),
  author: AuthorSchema,
  anonymous: Type.Boolean(),
  byAsker: Type.Boolean(),
  official: Type.Boolean(),
  hidden: Type.Boolean(),
  createdAt: Type.String(),
});
export type WallReply = Static<typeof ReplySchema>;

export const ThreadDraftSchema = {
  kind: literals(THREAD_KINDS),
  title: Type.String({ minLength: 1, maxLength: 200 }),
  body: Type.String({ maxLength: 10_000 }),
};

/** A spent token: the day of its key, the prepared message and the unblinded signature (base64url). */
export const SpentTokenSchema = Type.Object(
  {
    day: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
    message: Type.String({ minLength: 1, maxLength: 400, pattern: '^[A-Za-z0-9_-]+$' }),
    signature: Type.String({ minLength: 1, maxLength: 1400, pattern: '^[A-Za-z0-9_-]+$' }),
  },
  { additionalProperties: false },
);

export const DeadlineFiguresSchema = Type.Object({
  questions: Type.Integer(),
  answered: Type.Integer(),
  answeredWithinDeadline: Nullable(Type.Number()),
  medianHoursToAnswer: Nullable(Type.Number()),
  overdue: Type.Integer(),
});
export type DeadlineFigures = Static<typeof DeadlineFiguresSchema>;

export const RadarEntrySchema = Type.Object({
  question: Type.String(),
  asked: Type.Integer(),
  days: Type.Integer(),
  threadIds: Type.Array(Type.String()),
  officiallyAnswered: Type.Boolean(),
});
export type RadarEntry = Static<typeof RadarEntrySchema>;

export const MoodWeekSchema = Type.Object({
  week: Type.String(),
  posts: Type.Integer(),
  /** Null when fewer than the minimum group size posted: the mood of a few points at people. */
  mood: Nullable(Type.Number()),
  shares: Nullable(Type.Record(literals(SENTIMENTS), Type.Number())),
});
export type MoodWeek = Static<typeof MoodWeekSchema>;

export const RoomSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  topic: Type.String(),
  createdAt: Type.String(),
  unread: Type.Integer(),
  mentions: Type.Integer(),
  lastReadId: Type.Integer(),
  present: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String() })),
});
export type Room = Static<typeof RoomSchema>;
