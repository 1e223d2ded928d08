/**
 * What an agent may decide about an author from a post card. `mute` hides their posts from the
 * streams board (their tickets still open: a muted person may still need help); `block` also
 * stops their new posts from opening tickets.
 */
export const AUTHOR_ACTIONS = ['mute', 'block'] as const;
export type AuthorAction = (typeof AUTHOR_ACTIONS)[number];

export function isAuthorAction(value: string): value is AuthorAction {
  return (AUTHOR_ACTIONS as readonly string[]).includes(value);
}

export interface AuthorDecision {
  readonly source: string;
  readonly handle: string;
  readonly action: AuthorAction;
  readonly actorId: number | null;
  readonly createdAt: string;
}

/** A saved reply: a title and a body with `{name}`, `{ticket}`, `{incident_status}` placeholders. */
export interface SavedReply {
  readonly id: number;
  readonly title: string;
  readonly body: string;
  readonly authorId: number | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}
