/**
 * The API's shapes as TypeBox schemas: Fastify validates requests and serialises responses
 * with them, and the OpenAPI document at /api/docs is made from them.
 */
import { Type, type Static, type TLiteral, type TSchema, type TUnion } from '@sinclair/typebox';
import { POST_FLAGS, POST_KINDS, SENTIMENTS } from '../domain/post.js';
import { REPLY_VISIBILITIES, TICKET_PRIORITIES, TICKET_STATUSES, TICKET_TYPES, OUTBOUND_STATUSES, TICKET_EVENT_TYPES } from '../domain/ticket.js';
import { ROLES } from '../domain/user.js';
import { ALERT_SEVERITIES, ALERT_STATUSES } from '../domain/alert.js';

/** A union of string literals from one of the domain's `const` lists. */
export const literals = <T extends readonly string[]>(values: T): TUnion<TLiteral<T[number]>[]> =>
  Type.Union(values.map((value) => Type.Literal(value))) as unknown as TUnion<TLiteral<T[number]>[]>;
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const ErrorBody = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), status: Type.Integer() }),
});

export const AuthorSchema = Type.Object({
  handle: Type.String(),
  name: Nullable(Type.String()),
  followers: Nullable(Type.Integer()),
  following: Nullable(Type.Integer()),
  createdAt: Type.Optional(Nullable(Type.String())),
  /** 0–100 from engagement, reach and account age (docs/analysis.md). */
  influence: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  likelySpammer: Type.Optional(Type.Boolean()),
  spamReasons: Type.Optional(Type.Array(Type.String())),
});

export const PostSchema = Type.Object({
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
  lang: Type.String(),
  models: Type.Array(Type.String()),
  extra: Type.Record(Type.String(), Type.Unknown()),
  /** Impersonation and scam watch warnings: impersonation, lure, lookalike-domain, likely-spammer. */
  flags: Type.Optional(Type.Array(literals(POST_FLAGS))),
  streamIds: Type.Array(Type.Integer()),
});

export const TicketRuleSchema = Type.Object(
  {
    kinds: Type.Array(literals(POST_KINDS), { maxItems: POST_KINDS.length }),
    sentiments: Type.Array(literals(SENTIMENTS), { maxItems: SENTIMENTS.length }),
    ticketType: literals(TICKET_TYPES),
    priority: literals(TICKET_PRIORITIES),
  },
  { additionalProperties: false },
);

const minutes = Type.Integer({ minimum: 1, maximum: 525_600 });
export const SlaSchema = Type.Object(
  { firstResponseMinutes: Type.Object({ urgent: minutes, high: minutes, normal: minutes, low: minutes }, { additionalProperties: false }) },
  { additionalProperties: false },
);

export const StreamSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  query: Type.String(),
  ticketRules: Type.Array(TicketRuleSchema),
  sla: SlaSchema,
  createdAt: Type.String(),
});

export const StreamInputSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 80 }),
    query: Type.String({ minLength: 1, maxLength: 2000 }),
    ticketRules: Type.Optional(Type.Array(TicketRuleSchema, { maxItems: 20 })),
    sla: Type.Optional(SlaSchema),
  },
  { additionalProperties: false },
);

export const SlaStateSchema = Type.Object({ dueAt: Nullable(Type.String()), breached: Type.Boolean(), remainingMs: Nullable(Type.Number()) });

export const TicketSchema = Type.Object({
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
  firstRespondedAt: Nullable(Type.String()),
  resolvedAt: Nullable(Type.String()),
  sla: SlaStateSchema,
});

export const TicketEventSchema = Type.Object({
  id: Type.Integer(),
  ticketId: Type.Integer(),
  type: literals(TICKET_EVENT_TYPES),
  actorId: Nullable(Type.Integer()),
  body: Nullable(Type.String()),
  data: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.String(),
});

export const OutboundSchema = Type.Object({
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
});

export const UserSchema = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  displayName: Type.String(),
  role: literals(ROLES),
  createdAt: Type.String(),
});

export const AlertSchema = Type.Object({
  id: Type.Integer(),
  type: Type.String(),
  severity: literals(ALERT_SEVERITIES),
  status: literals(ALERT_STATUSES),
  title: Type.String(),
  key: Type.String(),
  evidence: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
export type IdParams = Static<typeof IdParams>;

/** Common error responses, so every route documents them. */
export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
} as const;
