/**
 * The work queue's order, filters and search as the tickets list reads them from its query
 * string: one definition for `GET /api/tickets` and for the filters a saved view keeps, so a
 * saved view can hold nothing the list would refuse.
 */
import { Type } from '@sinclair/typebox';
import { POST_KINDS, SENTIMENTS } from '../domain/post.js';
import { TICKET_SORTS } from '../store/ticket-queue.js';
import { literals } from './schemas.js';

export const QueueFilterFields = {
  // newest (the default), sla (soonest due first), priority, age (oldest first).
  sort: Type.Optional(literals(TICKET_SORTS)),
  // The kind of the ticket's post.
  kind: Type.Optional(literals(POST_KINDS)),
  channel: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'A source name' })),
  sentiment: Type.Optional(literals(SENTIMENTS)),
  language: Type.Optional(Type.String({ pattern: '^[a-z]{2,3}$' })),
  assignee: Type.Optional(Type.String({ pattern: '^(me|none|[0-9]+)$', description: 'me, none or a user id' })),
  q: Type.Optional(
    Type.String({ maxLength: 200, description: 'Words in the subject, post text or author (all must match)' }),
  ),
};
