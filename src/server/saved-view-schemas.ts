/**
 * Wire shapes of saved views. The filters are the tickets list's own query fields
 * (`ticket-queue-schemas.ts`) plus the inbox tab; any other field is refused by name.
 */
import { type Static, Type } from '@sinclair/typebox';
import { SAVED_VIEW_QUEUES, SAVED_VIEW_SCOPES } from '../domain/saved-view.js';
import { literals } from './schemas.js';
import { QueueFilterFields } from './ticket-queue-schemas.js';

export const SavedViewFiltersSchema = Type.Object(
  { queue: Type.Optional(literals(SAVED_VIEW_QUEUES)), ...QueueFilterFields },
  {
    additionalProperties: false,
    description: 'The inbox tab and the query fields of GET /api/tickets it applies; absent means any',
  },
);

const Name = Type.String({ minLength: 1, maxLength: 80, pattern: '\\S' });

export const SavedViewInput = Type.Object(
  {
    name: Name,
    scope: literals(SAVED_VIEW_SCOPES),
    filters: SavedViewFiltersSchema,
  },
  { additionalProperties: false },
);

export const SavedViewChange = Type.Object(
  {
    name: Type.Optional(Name),
    scope: Type.Optional(literals(SAVED_VIEW_SCOPES)),
    filters: Type.Optional(SavedViewFiltersSchema),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const SavedViewSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  scope: literals(SAVED_VIEW_SCOPES),
  ownerId: Type.Integer(),
  filters: SavedViewFiltersSchema,
  /** Whether the caller may rename, change or delete it (its owner; a lead or admin for a shared one). */
  canChange: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export type SavedViewWire = Static<typeof SavedViewSchema>;
export type SavedViewFiltersWire = Static<typeof SavedViewFiltersSchema>;
