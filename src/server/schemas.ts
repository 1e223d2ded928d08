/**
 * The API's shapes as TypeBox schemas, the one definition of Earshot's wire types: Fastify
 * validates requests and serialises responses with them, the OpenAPI document at /api/docs is
 * made from them, the live events (`LIVE_EVENTS`) reuse them, and the web desk imports their
 * `Static` types (type-only, `web/src/api-types.ts`). Shapes used in several places are
 * `shared`: registered once by `$id` (see `build`), referred to by `$ref` everywhere else.
 */
import { Type, type Static, type TLiteral, type TSchema, type TUnion, type TUnsafe } from '@sinclair/typebox';
import { POST_FLAGS, POST_KINDS, SENTIMENTS } from '../domain/post.js';
import {
  REPLY_VISIBILITIES,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  TICKET_TYPES,
  OUTBOUND_STATUSES,
  TICKET_EVENT_TYPES,
} from '../domain/ticket.js';
import { ROLES, TOKEN_SCOPES } from '../domain/user.js';
import { ALERT_SEVERITIES, ALERT_STATUSES } from '../domain/alert.js';
import { FINDING_LEVELS, FINDING_RULES } from '../domain/guideline.js';
import {
  INCIDENT_STATUSES,
  INCIDENT_UPDATE_KINDS,
  INCIDENT_UPDATE_STATUSES,
  PROPOSAL_STATUSES,
} from '../domain/incident.js';
import { ESCALATION_STATUSES } from '../domain/escalation.js';

/** A union of string literals from one of the domain's `const` lists. */
export const literals = <T extends readonly string[]>(values: T): TUnion<TLiteral<T[number]>[]> =>
  Type.Union(values.map((value) => Type.Literal(value))) as unknown as TUnion<TLiteral<T[number]>[]>;
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** Every schema with an `$id`, for `app.addSchema` (in order: a schema after those it refers to). */
export const SHARED_SCHEMAS: TSchema[] = [];

/** Registers a schema under its `$id` and returns a `$ref` to it, typed as the schema. */
function shared<T extends TSchema>(id: string, schema: T): TUnsafe<Static<T>> {
  SHARED_SCHEMAS.push({ ...schema, $id: id });
  return Type.Unsafe<Static<T>>(Type.Ref(id));
}

export const ErrorBody = shared(
  'Error',
  Type.Object({
    error: Type.Object({ code: Type.String(), message: Type.String(), status: Type.Integer() }),
  }),
);

export const AuthorSchema = shared(
  'Author',
  Type.Object({
    handle: Type.String(),
    name: Nullable(Type.String()),
    followers: Nullable(Type.Integer()),
    following: Nullable(Type.Integer()),
    createdAt: Type.Optional(Nullable(Type.String())),
    /** 0–100 from engagement, reach and account age (docs/analysis.md). */
    influence: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    likelySpammer: Type.Optional(Type.Boolean()),
    spamReasons: Type.Optional(Type.Array(Type.String())),
  }),
);

export const PostSchema = shared(
  'Post',
  Type.Object({
    id: Type.Integer(),
    source: Type.String(),
    externalId: Type.String(),
    author: AuthorSchema,
    text: Type.String(),
    url: Nullable(Type.String()),
    createdAt: Type.String(),
    ingestedAt: Type.String(),
    inReplyTo: Nullable(Type.String()),
    metrics: Type.Object({ likes: Type.Integer(), reposts: Type.Integer(), replies: Type.Integer() }),
    sentiment: literals(SENTIMENTS),
    sentimentScore: Type.Number(),
    kind: literals(POST_KINDS),
    /** The kind model's probability of `kind` (0…1); absent when the rules chose it. */
    kindConfidence: Type.Optional(Type.Number()),
    /** The runner-up kind when it is close ("is the vpn down?": outage, then question), with its probability. */
    secondKind: Type.Optional(Nullable(literals(POST_KINDS))),
    secondKindConfidence: Type.Optional(Type.Number()),
    /** Detected language: ISO 639-1 code, or `und`. */
    lang: Type.String(),
    models: Type.Array(Type.String()),
    extra: Type.Record(Type.String(), Type.Unknown()),
    /** Impersonation and scam watch warnings: impersonation, lure, lookalike-domain, likely-spammer. */
    flags: Type.Optional(Type.Array(literals(POST_FLAGS))),
    streamIds: Type.Array(Type.Integer()),
  }),
);

export const TicketRuleSchema = shared(
  'TicketRule',
  Type.Object(
    {
      kinds: Type.Array(literals(POST_KINDS), { maxItems: POST_KINDS.length }),
      sentiments: Type.Array(literals(SENTIMENTS), { maxItems: SENTIMENTS.length }),
      ticketType: literals(TICKET_TYPES),
      priority: literals(TICKET_PRIORITIES),
    },
    { additionalProperties: false },
  ),
);

const minutes = Type.Integer({ minimum: 1, maximum: 525_600 });
export const SlaSchema = shared(
  'Sla',
  Type.Object(
    {
      firstResponseMinutes: Type.Object(
        { urgent: minutes, high: minutes, normal: minutes, low: minutes },
        { additionalProperties: false },
      ),
      calendarId: Type.Optional(
        Nullable(Type.Integer({ minimum: 1, description: 'Business-hours calendar the minutes count in' })),
      ),
    },
    { additionalProperties: false },
  ),
);

export const StreamSchema = shared(
  'Stream',
  Type.Object({
    id: Type.Integer(),
    name: Type.String(),
    query: Type.String(),
    ticketRules: Type.Array(TicketRuleSchema),
    sla: SlaSchema,
    createdAt: Type.String(),
  }),
);

export const StreamInputSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 80 }),
    query: Type.String({ minLength: 1, maxLength: 2000 }),
    ticketRules: Type.Optional(Type.Array(TicketRuleSchema, { maxItems: 20 })),
    sla: Type.Optional(SlaSchema),
  },
  { additionalProperties: false },
);

export const SlaStateSchema = shared(
  'SlaState',
  Type.Object({
    dueAt: Nullable(Type.String()),
    breached: Type.Boolean(),
    remainingMs: Nullable(Type.Number()),
    paused: Type.Boolean({ description: 'Running, but its business calendar is closed now' }),
  }),
);

export const TicketSchema = shared(
  'Ticket',
  Type.Object({
    id: Type.Integer(),
    type: literals(TICKET_TYPES),
    status: literals(TICKET_STATUSES),
    priority: literals(TICKET_PRIORITIES),
    subject: Type.String(),
    postId: Nullable(Type.Integer()),
    streamId: Nullable(Type.Integer()),
    source: Nullable(Type.String()),
    assigneeId: Nullable(Type.Integer()),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    slaDueAt: Nullable(Type.String()),
    slaCalendarId: Type.Optional(Nullable(Type.Integer())),
    firstRespondedAt: Nullable(Type.String()),
    resolvedAt: Nullable(Type.String()),
    sla: SlaStateSchema,
  }),
);

export const TicketEventSchema = shared(
  'TicketEvent',
  Type.Object({
    id: Type.Integer(),
    ticketId: Type.Integer(),
    type: literals(TICKET_EVENT_TYPES),
    actorId: Nullable(Type.Integer()),
    body: Nullable(Type.String()),
    data: Type.Record(Type.String(), Type.Unknown()),
    createdAt: Type.String(),
  }),
);

export const OutboundSchema = shared(
  'Outbound',
  Type.Object({
    id: Type.Integer(),
    ticketId: Type.Integer(),
    eventId: Type.Integer(),
    source: Type.String(),
    inReplyTo: Nullable(Type.String()),
    visibility: literals(REPLY_VISIBILITIES),
    body: Type.String(),
    status: literals(OUTBOUND_STATUSES),
    remoteId: Nullable(Type.String()),
    remoteUrl: Nullable(Type.String()),
    error: Nullable(Type.String()),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  }),
);

export const UserSchema = shared(
  'User',
  Type.Object({
    id: Type.Integer(),
    username: Type.String(),
    displayName: Type.String(),
    role: literals(ROLES),
    createdAt: Type.String(),
  }),
);

export const ApiTokenSchema = shared(
  'ApiToken',
  Type.Object({
    id: Type.Integer(),
    name: Type.String(),
    userId: Type.Integer(),
    username: Type.String(),
    scopes: Type.Array(literals(TOKEN_SCOPES)),
    createdAt: Type.String(),
    expiresAt: Nullable(Type.String()),
    lastUsedAt: Nullable(Type.String()),
    revokedAt: Nullable(Type.String()),
  }),
);

export const AlertSchema = shared(
  'Alert',
  Type.Object({
    id: Type.Integer(),
    type: Type.String(),
    severity: literals(ALERT_SEVERITIES),
    status: literals(ALERT_STATUSES),
    title: Type.String(),
    key: Type.String(),
    evidence: Type.Record(Type.String(), Type.Unknown()),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  }),
);

/** One thing the guideline check found in a reply (see src/desk/guideline.ts). */
export const FindingSchema = shared(
  'Finding',
  Type.Object({
    rule: literals(FINDING_RULES),
    level: literals(FINDING_LEVELS),
    message: Type.String(),
    span: Type.Optional(
      Type.Unsafe<readonly [number, number]>(Type.Array(Type.Integer(), { minItems: 2, maxItems: 2 })),
    ),
  }),
);

export const CheckResultSchema = shared(
  'CheckResult',
  Type.Object({ ok: Type.Boolean(), findings: Type.Array(FindingSchema), version: Type.Integer() }),
);

export const IncidentSchema = shared(
  'Incident',
  Type.Object({
    id: Type.Integer(),
    title: Type.String(),
    status: literals(INCIDENT_STATUSES),
    severity: Type.String(),
    responders: Type.Array(Type.Integer()),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    resolvedAt: Nullable(Type.String()),
    lastReportAt: Nullable(Type.String()),
    /** Open but idle past the window: it takes no new reports; resolve it (or reports start a new one). */
    idle: Type.Optional(Type.Boolean()),
    postCount: Type.Optional(Type.Integer()),
  }),
);

export const ProposalSchema = shared(
  'ReplyProposal',
  Type.Object({
    id: Type.Integer(),
    incidentId: Type.Integer(),
    updateId: Type.Integer(),
    postId: Type.Integer(),
    source: Type.String(),
    recipient: Type.String(),
    inReplyTo: Nullable(Type.String()),
    visibility: literals(REPLY_VISIBILITIES),
    body: Type.String(),
    findings: Type.Array(FindingSchema),
    guidelineVersion: Type.Integer(),
    sendAfter: Type.String(),
    status: literals(PROPOSAL_STATUSES),
    delivery: Type.Optional(
      Nullable(
        Type.Object({
          outboundId: Type.Integer(),
          status: literals(OUTBOUND_STATUSES),
          remoteUrl: Nullable(Type.String()),
          error: Nullable(Type.String()),
          attempts: Type.Integer(),
        }),
      ),
    ),
    /** No configured source sends on this reply's channel: it would fail, so it is flagged before approval. */
    noSource: Type.Optional(Type.Boolean()),
  }),
);

const incidentUpdateFields = {
  id: Type.Integer(),
  incidentId: Type.Integer(),
  kind: literals(INCIDENT_UPDATE_KINDS),
  body: Type.String(),
  authorId: Nullable(Type.Integer()),
  status: literals(INCIDENT_UPDATE_STATUSES),
  createdAt: Type.String(),
  approvedAt: Nullable(Type.String()),
};
export const IncidentUpdateSchema = shared('IncidentUpdate', Type.Object(incidentUpdateFields));

/** Where an escalation stands: the part an incident's page shows too. */
const escalationProgressFields = {
  status: literals(ESCALATION_STATUSES),
  step: Type.Integer(),
  round: Type.Integer(),
  deadline: Type.String(),
  notified: Type.Array(Type.Integer()),
  acknowledgedBy: Nullable(Type.Integer()),
  acknowledgedAt: Nullable(Type.String()),
};
export const EscalationSchema = shared(
  'Escalation',
  Type.Object({
    id: Type.String(),
    policyId: Type.String(),
    incidentId: Nullable(Type.Integer()),
    subject: Type.String(),
    ...escalationProgressFields,
    createdAt: Type.String(),
  }),
);

/** An escalation as an incident's page shows it. */
export const EscalationSummarySchema = Type.Object({ id: Type.String(), ...escalationProgressFields });

export const IncidentDetailSchema = Type.Object({
  incident: IncidentSchema,
  posts: Type.Array(PostSchema),
  responders: Type.Array(UserSchema),
  updates: Type.Array(Type.Object({ ...incidentUpdateFields, proposals: Type.Array(ProposalSchema) })),
  audit: Type.Array(
    Type.Object({
      id: Type.Integer(),
      actorId: Nullable(Type.Integer()),
      action: Type.String(),
      data: Type.Record(Type.String(), Type.Unknown()),
      createdAt: Type.String(),
    }),
  ),
  escalations: Type.Array(EscalationSummarySchema),
});

export const TicketDetailSchema = Type.Object({
  ticket: TicketSchema,
  post: Nullable(PostSchema),
  thread: Type.Array(PostSchema),
  events: Type.Array(TicketEventSchema),
  outbound: Type.Array(OutboundSchema),
});

export const StatsSchema = Type.Object({
  since: Type.String(),
  until: Type.String(),
  total: Type.Integer(),
  bySentiment: Type.Object({ negative: Type.Integer(), neutral: Type.Integer(), positive: Type.Integer() }),
  byKind: Type.Record(Type.String(), Type.Integer()),
  negativePositiveRatio: Nullable(Type.Number()),
  series: Type.Array(
    Type.Object({ bucket: Type.String(), negative: Type.Integer(), neutral: Type.Integer(), positive: Type.Integer() }),
  ),
  tickets: Type.Record(Type.String(), Type.Integer()),
});

export const SourceHealthSchema = shared(
  'SourceHealth',
  Type.Object({
    status: Type.String(),
    detail: Nullable(Type.String()),
    lastPostAt: Nullable(Type.String()),
    lastError: Nullable(Type.String()),
    lastErrorAt: Nullable(Type.String()),
    posts: Type.Integer(),
    skipped: Type.Integer(),
    errors: Type.Integer(),
    updatedAt: Type.String(),
  }),
);

export const ConfiguredSourceSchema = shared(
  'ConfiguredSource',
  Type.Object({
    id: Type.Integer(),
    name: Type.String(),
    kind: Type.String(),
    label: Type.String(),
    options: Type.Record(Type.String(), Type.Unknown()),
    /** Which secret options are set; their values never leave the server. */
    secretsSet: Type.Array(Type.String()),
    enabled: Type.Boolean(),
    origin: Type.String(),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    health: Nullable(SourceHealthSchema),
  }),
);

/** A JSON Schema as the sources form reads it (the subset it renders). */
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
export interface JsonSchemaObject {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, JsonSchemaField>>;
  readonly required?: readonly string[];
}

/** A kind of source Earshot can listen to; `options` is the JSON Schema an admin fills in. */
export const SourceDefinitionSchema = shared(
  'SourceDefinition',
  Type.Object({
    kind: Type.String(),
    label: Type.String(),
    description: Type.String(),
    options: Type.Unsafe<JsonSchemaObject>(Type.Unknown({ description: 'JSON Schema of the options' })),
    /** Option names holding credentials: write-only, shown as password fields, never pre-filled. */
    secrets: Type.Array(Type.String()),
    canCheck: Type.Boolean(),
  }),
);

/**
 * The events of `GET /api/live` (Server-Sent Events), name → payload: the same shapes as the
 * REST responses, serialised with these schemas.
 */
/** A room message, as the rooms API and the live channel send it. */
export const RoomMessageSchema = shared(
  'RoomMessage',
  Type.Object({
    id: Type.Integer(),
    roomId: Type.Integer(),
    author: Type.Object({ id: Type.Integer(), name: Type.String() }),
    body: Type.String(),
    mentions: Type.Array(Type.Integer()),
    createdAt: Type.String(),
  }),
);
export type RoomMessage = Static<typeof RoomMessageSchema>;

/** The live events an employee receives (the wall and rooms); the others are the social desk's. */
export const WALL_LIVE_EVENTS = ['wall-changed', 'room-message', 'room-presence'] as const;

export const LIVE_EVENTS = {
  post: PostSchema,
  ticket: TicketSchema,
  'ticket-updated': Type.Object({ ticket: TicketSchema, event: Nullable(TicketEventSchema) }),
  alert: AlertSchema,
  incident: Type.Object({ incident: IncidentSchema, attached: Type.Integer() }),
  escalation: Type.Object({
    incidentId: Type.Integer(),
    step: Type.Integer(),
    userIds: Type.Array(Type.Integer()),
    exhausted: Type.Boolean(),
  }),
  'wall-changed': Type.Object({ spaceId: Type.Integer(), threadId: Type.String() }),
  'room-message': RoomMessageSchema,
  'room-presence': Type.Object({
    roomId: Type.Integer(),
    people: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String() })),
  }),
  // Someone is viewing or typing on a ticket (src/desk/presence.ts); a desk keeps the mark `ttlMs`.
  'ticket-presence': Type.Object({
    ticketId: Type.Integer(),
    user: Type.Object({ id: Type.Integer(), name: Type.String() }),
    state: Type.Union([Type.Literal('viewing'), Type.Literal('typing'), Type.Literal('left')]),
    ttlMs: Type.Integer(),
  }),
} as const;
export type LiveEventName = keyof typeof LIVE_EVENTS;
export type LiveEvents = { [K in LiveEventName]: Static<(typeof LIVE_EVENTS)[K]> };

/** Ids are 32-bit on PostgreSQL (`serial`): a larger one is a 400, never a database error. */
export const MAX_ROW_ID = 2_147_483_647;
export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: MAX_ROW_ID }) });
export type IdParams = Static<typeof IdParams>;

/** Common error responses, so every route documents them. */
export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
} as const;

// The wire types, for the web desk (`web/src/api-types.ts`) and typed handlers.
export type ErrorBody = Static<typeof ErrorBody>;
export type Author = Static<typeof AuthorSchema>;
export type Post = Static<typeof PostSchema>;
export type TicketRule = Static<typeof TicketRuleSchema>;
export type Stream = Static<typeof StreamSchema>;
export type StreamInput = Static<typeof StreamInputSchema>;
export type SlaState = Static<typeof SlaStateSchema>;
export type Ticket = Static<typeof TicketSchema>;
export type TicketEvent = Static<typeof TicketEventSchema>;
export type Outbound = Static<typeof OutboundSchema>;
export type TicketDetail = Static<typeof TicketDetailSchema>;
export type User = Static<typeof UserSchema>;
export type ApiTokenView = Static<typeof ApiTokenSchema>;
export type Alert = Static<typeof AlertSchema>;
export type Stats = Static<typeof StatsSchema>;
export type Finding = Static<typeof FindingSchema>;
export type CheckResult = Static<typeof CheckResultSchema>;
export type Incident = Static<typeof IncidentSchema>;
export type ReplyProposal = Static<typeof ProposalSchema>;
export type IncidentUpdate = Static<typeof IncidentUpdateSchema>;
export type IncidentDetail = Static<typeof IncidentDetailSchema>;
export type Escalation = Static<typeof EscalationSchema>;
export type EscalationSummary = Static<typeof EscalationSummarySchema>;
export type SourceHealth = Static<typeof SourceHealthSchema>;
export type ConfiguredSource = Static<typeof ConfiguredSourceSchema>;
export type SourceDefinitionInfo = Static<typeof SourceDefinitionSchema>;

// The distributed mode: this node's role and leases, the work queue, its dead letters (`/api/cluster`).
const DeadLetterSchema = Type.Object({
  seq: Type.Integer(),
  error: Type.String(),
  deliveries: Type.Integer(),
  failedAt: Type.String(),
  posts: Type.Integer({ description: 'Drafts in the dead letter' }),
  sources: Type.Array(Type.String()),
  externalIds: Type.Array(Type.String(), { description: 'The first ten external ids' }),
});

export const ClusterSchema = Type.Object({
  distributed: Type.Boolean(),
  role: Type.String(),
  leases: Type.Array(Type.String()),
  queue: Type.Union([
    Type.Object({ pending: Type.Integer(), ackPending: Type.Integer(), redelivered: Type.Integer() }),
    Type.Null(),
  ]),
  deadLetters: Type.Array(DeadLetterSchema),
});
export type ClusterState = Static<typeof ClusterSchema>;
