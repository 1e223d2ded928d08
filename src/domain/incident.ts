/**
 * Major incidents: many reports of one problem, linked together, with status updates that go
 * to every reporter as reply proposals a person approves, and an audit of who did what.
 */
import type { Finding } from './guideline.js';
import type { OutboundStatus, ReplyVisibility } from './ticket.js';

/** `open`: new reports of the problem link to it; `resolved`: a responder closed it, drafting the closing update. */
export const INCIDENT_STATUSES = ['open', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** A `status` update tells reporters how it stands; the `closing` one tells them it is fixed. */
export const INCIDENT_UPDATE_KINDS = ['status', 'closing'] as const;
export type IncidentUpdateKind = (typeof INCIDENT_UPDATE_KINDS)[number];

/** A `draft` update has its replies proposed but nothing sent; approving it queues those replies. */
export const INCIDENT_UPDATE_STATUSES = ['draft', 'approved'] as const;
export type IncidentUpdateStatus = (typeof INCIDENT_UPDATE_STATUSES)[number];

/** One reporter's reply: `proposed` waits for a responder, `approved` is queued to send, `rejected` is never sent. */
export const PROPOSAL_STATUSES = ['proposed', 'approved', 'rejected'] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

export interface Incident {
  readonly id: number;
  readonly title: string;
  readonly status: IncidentStatus;
  readonly severity: string;
  readonly terms: Record<string, number>;
  readonly responders: number[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly resolvedAt: string | null;
  /** When the incident last took in a report; after an idle spell it takes no more and suggests resolving. */
  readonly lastReportAt: string | null;
}

export interface IncidentUpdate {
  readonly id: number;
  readonly incidentId: number;
  readonly kind: IncidentUpdateKind;
  readonly body: string;
  readonly authorId: number | null;
  readonly status: IncidentUpdateStatus;
  readonly createdAt: string;
  readonly approvedAt: string | null;
}

/** One reporter's reply to an update, as proposed, checked and stored. */
/** Where an approved reply stands: waiting to send, sent (with a link when the channel gives one), or failed. */
export interface ProposalDelivery {
  readonly outboundId: number;
  readonly status: OutboundStatus;
  readonly remoteUrl: string | null;
  /** The channel's error: the last one for a failed message, or the one a retry waits out. */
  readonly error: string | null;
  readonly attempts: number;
}

export interface StoredProposal {
  readonly id: number;
  readonly incidentId: number;
  readonly updateId: number;
  readonly postId: number;
  readonly source: string;
  readonly recipient: string;
  readonly inReplyTo: string | null;
  readonly visibility: ReplyVisibility;
  readonly body: string;
  readonly findings: Finding[];
  readonly guidelineVersion: number;
  readonly sendAfter: string;
  readonly status: ProposalStatus;
  /** Once approved: how its sending goes. */
  readonly delivery?: ProposalDelivery | null;
}

export interface AuditEntry {
  readonly id: number;
  readonly incidentId: number;
  readonly actorId: number | null;
  readonly action: string;
  readonly data: Record<string, unknown>;
  readonly createdAt: string;
}
