/**
 * The wall's bus topics, merged into the bus's `Topics` (declaration merging) so the wall
 * publishes and the live route subscribes like every other part, with no wall types in the bus.
 */
import type { RoomMessage } from '../domain/wall.js';

export interface RoomPresence {
  readonly roomId: number;
  readonly people: readonly { readonly id: number; readonly name: string }[];
}

declare module '../pipeline/bus.js' {
  interface Topics {
    /** A thread was posted, answered, replied to or moderated (ids only: readers fetch what they may see). */
    'wall.changed': { readonly spaceId: number; readonly threadId: string };
    'wall.room-message': { readonly message: RoomMessage };
    'wall.presence': RoomPresence;
  }
}
