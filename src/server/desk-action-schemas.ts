/**
 * Wire shapes of acting from anywhere and the composer's helpers: saved replies, author
 * decisions, a customer's history. Their own file, like `knowledge-schemas.ts`, so the shared
 * `schemas.ts` is left alone; the desk imports the `Static` types (type-only).
 */
import { type Static, Type } from '@sinclair/typebox';
import { AUTHOR_ACTIONS } from '../domain/author-action.js';
import { TICKET_STATUSES } from '../domain/ticket.js';
import { literals, Nullable } from './schemas.js';

export const SavedReplySchema = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  body: Type.String({ description: 'Placeholders: {name}, {ticket}, {incident_status}' }),
  authorId: Nullable(Type.Integer()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const SavedReplyInput = Type.Object(
  { title: Type.String({ minLength: 1, maxLength: 100 }), body: Type.String({ minLength: 1, maxLength: 5000 }) },
  { additionalProperties: false },
);

export const AuthorKey = {
  source: Type.String({ minLength: 1, maxLength: 200 }),
  handle: Type.String({ minLength: 1, maxLength: 300 }),
};

export const AuthorDecisionSchema = Type.Object({
  ...AuthorKey,
  action: literals(AUTHOR_ACTIONS),
  actorId: Nullable(Type.Integer()),
  createdAt: Type.String(),
});

export const CustomerHistorySchema = Type.Object({
  author: Type.Object({ handle: Type.String(), name: Nullable(Type.String()), source: Type.String() }),
  since: Type.String({ description: 'The start of this month (UTC): postsSince counts from it' }),
  postsSince: Type.Integer(),
  postsTotal: Type.Integer(),
  tickets: Type.Array(
    Type.Object({
      id: Type.Integer(),
      subject: Type.String(),
      status: literals(TICKET_STATUSES),
      createdAt: Type.String(),
    }),
  ),
});

export type SavedReplyWire = Static<typeof SavedReplySchema>;
export type AuthorDecisionWire = Static<typeof AuthorDecisionSchema>;
export type CustomerHistoryWire = Static<typeof CustomerHistorySchema>;
