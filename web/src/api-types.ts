/**
 * The shapes the desk reads from Earshot's API (see src/server/schemas.ts, the source of truth,
 * and /api/docs). Kept here as plain types so the browser bundle imports nothing from the server.
 */

// The closed sets and the ticket lifecycle are Earshot's domain types themselves (src/domain has
// no server code), so the desk and the server cannot disagree about them.
export { SENTIMENTS, POST_KINDS, type Sentiment, type PostKind } from '../../src/domain/post.js';
export { TICKET_STATUSES, TICKET_PRIORITIES, TICKET_TYPES, TICKET_TRANSITIONS, type TicketStatus, type TicketPriority, type TicketType } from '../../src/domain/ticket.js';
import type { Sentiment, PostKind } from '../../src/domain/post.js';
import type { TicketPriority, TicketType, Ticket as DomainTicket } from '../../src/domain/ticket.js';

export type Role = 'admin' | 'agent' | 'employee';

export interface User {
  readonly id: number;
  readonly username: string;
  readonly displayName: string;
  readonly role: Role;
}

export interface Author {
  readonly handle: string;
  readonly name: string | null;
  readonly followers: number | null;
  readonly following: number | null;
  /** 0–100 from engagement, reach and account age; absent until the author is stored. */
  readonly influence?: number;
  readonly likelySpammer?: boolean;
  readonly spamReasons?: readonly string[];
}

/** Warnings from the impersonation and scam watch. */
export type PostFlag = 'impersonation' | 'lure' | 'lookalike-domain' | 'likely-spammer';

export interface Post {
  readonly id: number;
  readonly source: string;
  readonly externalId: string;
  readonly author: Author;
  readonly text: string;
  readonly url: string | null;
  readonly createdAt: string;
  readonly inReplyTo: string | null;
  readonly sentiment: Sentiment;
  readonly sentimentScore: number;
  readonly kind: PostKind;
  readonly lang: string;
  readonly metrics: { readonly likes: number; readonly reposts: number; readonly replies: number };
  readonly streamIds: readonly number[];
  readonly extra: Readonly<Record<string, unknown>>;
  /** Added by a later analysis stage; shown when present. */
  readonly influence?: number;
  /** Impersonation / scam warnings; absent or empty when none. */
  readonly flags?: readonly PostFlag[];
}

export interface TicketRule {
  readonly kinds: PostKind[];
  readonly sentiments: Sentiment[];
  readonly ticketType: TicketType;
  readonly priority: TicketPriority;
}

export interface Stream {
  readonly id: number;
  readonly name: string;
  readonly query: string;
  readonly ticketRules: TicketRule[];
  readonly sla: { readonly firstResponseMinutes: Record<TicketPriority, number> };
  readonly createdAt: string;
}

export interface Ticket extends DomainTicket {
  /** Present on tickets from the REST API; live `ticket` events may lack it. */
  readonly sla?: { readonly dueAt: string | null; readonly breached: boolean; readonly remainingMs: number | null };
}

export interface TicketEvent {
  readonly id: number;
  readonly ticketId: number;
  readonly type: 'created' | 'note' | 'reply' | 'status' | 'assign' | 'priority';
  readonly actorId: number | null;
  readonly body: string | null;
  readonly data: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
}

export interface Outbound {
  readonly id: number;
  readonly eventId: number;
  readonly visibility: 'public' | 'private';
  readonly body: string;
  readonly status: 'queued' | 'sent' | 'failed';
  readonly remoteUrl: string | null;
  readonly error: string | null;
  readonly createdAt: string;
}

export interface TicketDetail {
  readonly ticket: Ticket;
  readonly post: Post | null;
  readonly thread: Post[];
  readonly events: TicketEvent[];
  readonly outbound: Outbound[];
}

export interface Stats {
  readonly total: number;
  readonly bySentiment: Record<Sentiment, number>;
  readonly byKind: Record<string, number>;
  readonly negativePositiveRatio: number | null;
  readonly series: { bucket: string; negative: number; neutral: number; positive: number }[];
  readonly tickets: Record<string, number>;
}

export interface Alert {
  readonly id: number;
  readonly type: string;
  readonly severity: string;
  readonly status: string;
  readonly title: string;
  readonly createdAt: string;
}

/** A kind of source Earshot can listen to; `options` is the JSON Schema an admin fills in. */
export interface SourceDefinitionInfo {
  readonly kind: string;
  readonly label: string;
  readonly description: string;
  readonly options: JsonSchemaObject;
  /** Option names holding credentials: write-only, shown as password fields, never pre-filled. */
  readonly secrets: readonly string[];
  readonly canCheck: boolean;
}

export interface JsonSchemaObject {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, JsonSchemaField>>;
  readonly required?: readonly string[];
}

export interface JsonSchemaField {
  readonly type?: string | readonly string[];
  readonly description?: string;
  readonly title?: string;
  readonly default?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly format?: string;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly JsonSchemaField[];
  readonly const?: unknown;
  readonly items?: JsonSchemaField;
}

export interface SourceHealth {
  readonly status: string;
  readonly detail: string | null;
  readonly lastPostAt: string | null;
  readonly lastError: string | null;
  readonly lastErrorAt: string | null;
  readonly posts: number;
  readonly skipped: number;
  readonly errors: number;
  readonly updatedAt: string;
}

export interface ConfiguredSource {
  readonly id: number;
  readonly name: string;
  readonly kind: string;
  readonly label: string;
  readonly options: Readonly<Record<string, unknown>>;
  /** Which secret options are set; their values never leave the server. */
  readonly secretsSet: readonly string[];
  readonly enabled: boolean;
  readonly origin: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly health: SourceHealth | null;
}

/** One thing the guideline check found in a reply (see src/desk/guideline.ts). */
export interface Finding {
  readonly rule: string;
  readonly level: 'block' | 'warn' | 'advice';
  readonly message: string;
  readonly span?: readonly [number, number];
}

export interface CheckResult {
  readonly ok: boolean;
  readonly findings: Finding[];
  readonly version: number;
}

export interface Incident {
  readonly id: number;
  readonly title: string;
  readonly status: 'open' | 'resolved';
  readonly severity: string;
  readonly responders: number[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly resolvedAt: string | null;
  readonly postCount?: number;
}

export interface ReplyProposal {
  readonly id: number;
  readonly incidentId: number;
  readonly updateId: number;
  readonly postId: number;
  readonly source: string;
  readonly recipient: string;
  readonly visibility: 'public' | 'private';
  readonly body: string;
  readonly findings: Finding[];
  readonly guidelineVersion: number;
  readonly sendAfter: string;
  readonly status: 'proposed' | 'approved' | 'rejected';
}

export interface IncidentUpdate {
  readonly id: number;
  readonly incidentId: number;
  readonly kind: 'status' | 'closing';
  readonly body: string;
  readonly authorId: number | null;
  readonly status: 'draft' | 'approved';
  readonly createdAt: string;
  readonly approvedAt: string | null;
}

export interface EscalationSummary {
  readonly id: string;
  readonly status: 'running' | 'acknowledged' | 'exhausted' | 'stopped';
  readonly step: number;
  readonly round: number;
  readonly deadline: string;
  readonly notified: number[];
  readonly acknowledgedBy: number | null;
  readonly acknowledgedAt: string | null;
  readonly subject?: string;
  readonly incidentId?: number | null;
}

export interface IncidentDetail {
  readonly incident: Incident;
  readonly posts: Post[];
  readonly responders: User[];
  readonly updates: (IncidentUpdate & { proposals: ReplyProposal[] })[];
  readonly audit: { id: number; actorId: number | null; action: string; data: Record<string, unknown>; createdAt: string }[];
  readonly escalations: EscalationSummary[];
}
