/**
 * Who may speak for the organisation in public, as the desk asks it. The desk does not know
 * how levels are earned (that is the belt ladder, `src/ladder`): it asks a `ReplyGate` whether
 * a reply must wait for a reviewer and hands it over to be held, and asks an `ApprovalGate`
 * before a batch reply or crisis statement goes out. Without gates (the default) everyone who
 * may reply may send, and responders may approve, as before.
 */
import type { HeldReply } from '../domain/ladder.js';
import type { ReplyVisibility } from '../domain/ticket.js';
import type { User } from '../domain/user.js';

export interface ReplyGate {
  /** Whether this person's reply must be approved by a reviewer before it is sent. */
  mustReview(actor: User, visibility: ReplyVisibility): Promise<boolean>;
  /** Keeps the reply, checked already, in the review queue. */
  hold(input: { ticketId: number; body: string; visibility: ReplyVisibility }, actor: User): Promise<HeldReply>;
}

export const APPROVAL_KINDS = ['batch-reply', 'crisis-statement'] as const;
export type ApprovalKind = (typeof APPROVAL_KINDS)[number];

export interface ApprovalGate {
  /** Throws `ERR_AUTH_FORBIDDEN` when this person's level may not approve this kind of message. */
  assertMayApprove(actor: User, kind: ApprovalKind): Promise<void>;
}
