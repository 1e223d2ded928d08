/**
 * Who is on a ticket right now: each desk tab says "viewing" while a ticket is open, "typing"
 * while its composer is being written in, and "left" when it closes. The server keeps no state:
 * each change goes out on the bus (so every API node of a cluster forwards it) with how long it
 * holds, and each desk keeps the others' marks until they expire — a closed laptop simply stops
 * renewing its mark. The composer turns another agent's mark into a collision warning.
 */
import type { Bus } from '../pipeline/bus.js';
import type { User } from '../domain/user.js';

export const PRESENCE_STATES = ['viewing', 'typing', 'left'] as const;
export type PresenceState = (typeof PRESENCE_STATES)[number];

/** How long a mark holds without renewal: a desk renews "viewing" every 15 s and "typing" every 2 s. */
export const PRESENCE_TTL_MS: Readonly<Record<PresenceState, number>> = { viewing: 40_000, typing: 6_000, left: 0 };

export interface TicketPresence {
  readonly ticketId: number;
  readonly user: { readonly id: number; readonly name: string };
  readonly state: PresenceState;
  readonly ttlMs: number;
}

declare module '../pipeline/bus.js' {
  interface Topics {
    'tickets.presence': TicketPresence;
  }
}

export async function announcePresence(bus: Bus, ticketId: number, user: User, state: PresenceState): Promise<void> {
  await bus.publish('tickets.presence', {
    ticketId,
    user: { id: user.id, name: user.displayName },
    state,
    ttlMs: PRESENCE_TTL_MS[state],
  });
}
