/**
 * The tables as Kysely sees them. One schema for SQLite and PostgreSQL: timestamps are ISO-8601
 * UTC text (they sort as text on both), structured fields are JSON text (`JsonColumn<T>`, see
 * `json.ts`), and columns holding one of a closed set are typed as that set's union from
 * `src/domain`, so rows read back need no casts.
 */
import type { Generated } from 'kysely';
import type { AlertSeverity, AlertStatus } from '../domain/alert.js';
import type {
  EscalationPolicy,
  EscalationStatus,
  EscalationStep,
  OnCallSchedule,
  WebhookEvent,
} from '../domain/escalation.js';
import type { Finding, GuidelineRules } from '../domain/guideline.js';
import type { IncidentStatus, IncidentUpdateKind, IncidentUpdateStatus, ProposalStatus } from '../domain/incident.js';
import type { PostFlag, PostKind, Sentiment } from '../domain/post.js';
import type { SourceOrigin, SourceStatus } from '../domain/source.js';
import type { SlaPolicy, TicketRule } from '../domain/stream.js';
import type {
  OutboundStatus,
  ReplyVisibility,
  TicketEventType,
  TicketPriority,
  TicketStatus,
  TicketType,
} from '../domain/ticket.js';
import type { Role, TokenScope } from '../domain/user.js';
import type { ArticleStatus, ArticleVisibility } from '../domain/knowledge.js';
import type { BeltCriteria, HeldReplyStatus, QuizQuestion } from '../domain/ladder.js';
import type { BusinessCalendar, OpeningHours } from '../domain/calendar.js';
import type { ImprovementStatus, ServiceCustody, ServiceStage, ServiceTargets } from '../domain/service.js';
import type { JsonColumn, JsonColumnWithDefault } from './json.js';

export interface AuthorsTable {
  id: Generated<number>;
  source: string;
  handle: string;
  name: string | null;
  followers: number | null;
  following: number | null;
  account_created_at: string | null;
  first_seen_at: string;
  last_seen_at: string;
  post_count: number;
  /** Running sums for influence (2026-11-23e): engagement, link posts, repeated links, spam. */
  likes_total: Generated<number>;
  reposts_total: Generated<number>;
  replies_total: Generated<number>;
  link_posts: Generated<number>;
  repeated_link_posts: Generated<number>;
  spam_posts: Generated<number>;
}

/** How often an author posted each link (to spot the same link posted again and again). */
export interface AuthorLinksTable {
  author_id: number;
  link: string;
  count: number;
  last_seen_at: string;
}

export interface PostsTable {
  id: Generated<number>;
  source: string;
  external_id: string;
  author_id: number;
  author_handle: string;
  text: string;
  url: string | null;
  created_at: string;
  ingested_at: string;
  in_reply_to: string | null;
  likes: number;
  reposts: number;
  replies: number;
  sentiment: Sentiment;
  sentiment_score: number;
  kind: PostKind;
  /** The kind model's probability of `kind`; null for the rules and for posts stored before it. */
  kind_confidence: number | null;
  /** The runner-up kind when close, with its probability; null when none. */
  second_kind: PostKind | null;
  second_kind_confidence: number | null;
  lang: string;
  /** JSON array of `name@version`. */
  models: JsonColumn<string[]>;
  /** JSON object: the payload's fields Earshot does not model. */
  extra: JsonColumn<Record<string, unknown>>;
  /** JSON array of analysis flags (`impersonation`, `lure`, `lookalike-domain`…). */
  flags: JsonColumnWithDefault<PostFlag[]>;
}

export interface PostStreamsTable {
  post_id: number;
  stream_id: number;
}

export interface StreamsTable {
  id: Generated<number>;
  name: string;
  query: string;
  /** JSON array of TicketRule. */
  ticket_rules: JsonColumn<TicketRule[]>;
  /** JSON SlaPolicy. */
  sla: JsonColumn<SlaPolicy>;
  created_at: string;
  updated_at: string;
}

export interface TicketsTable {
  id: Generated<number>;
  type: TicketType;
  status: TicketStatus;
  priority: TicketPriority;
  subject: string;
  post_id: number | null;
  stream_id: number | null;
  source: string | null;
  assignee_id: number | null;
  created_at: string;
  updated_at: string;
  sla_due_at: string | null;
  first_responded_at: string | null;
  resolved_at: string | null;
  /** The business calendar the SLA due time was counted in (2026-12-04b); null: calendar time. */
  sla_calendar_id: Generated<number | null>;
}

export interface TicketEventsTable {
  id: Generated<number>;
  ticket_id: number;
  type: TicketEventType;
  actor_id: number | null;
  body: string | null;
  data: JsonColumn<Record<string, unknown>>;
  created_at: string;
}

/** A later post of a customer's conversation that joined the ticket an earlier one raised. */
export interface TicketMessagesTable {
  post_id: number;
  ticket_id: number;
  created_at: string;
}

export interface OutboundMessagesTable {
  id: Generated<number>;
  ticket_id: number;
  event_id: number;
  source: string;
  in_reply_to: string | null;
  visibility: ReplyVisibility;
  body: string;
  status: OutboundStatus;
  remote_id: string | null;
  remote_url: string | null;
  error: string | null;
  created_at: string;
  updated_at: string;
  /** Sends tried so far (a claim counts, so a crash mid-send is counted too). */
  attempts: Generated<number>;
  /** A queued message waits until then after a retryable failure; null: now. */
  next_attempt_at: string | null;
  /** The lease of the worker holding it; past this another worker may claim it. */
  claimed_until: string | null;
  claim_token: string | null;
}

export interface AlertsTable {
  id: Generated<number>;
  type: string;
  severity: AlertSeverity;
  status: AlertStatus;
  title: string;
  key: string;
  evidence: JsonColumn<Record<string, unknown>>;
  created_at: string;
  updated_at: string;
  /** When someone first acknowledged it (2026-12-03h); null before, or for older alerts. */
  acknowledged_at: Generated<string | null>;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  role: Role;
  password_hash: string;
  created_at: string;
}

export interface SessionsTable {
  /** SHA-256 of the cookie token: a leaked table does not leak sessions. */
  token_hash: string;
  user_id: number;
  created_at: string;
  expires_at: string;
}

export interface ApiTokensTable {
  id: Generated<number>;
  name: string;
  token_hash: string;
  user_id: number;
  created_at: string;
  last_used_at: string | null;
  /** JSON array of TokenScope; tokens made before scopes existed hold every scope. */
  scopes: JsonColumnWithDefault<TokenScope[]>;
  /** When it stops working; null: never. */
  expires_at: string | null;
  /** When it was revoked; null: it was not. */
  revoked_at: string | null;
}

export interface SourceCursorsTable {
  /** The configured source's name. */
  name: string;
  cursor: string;
  updated_at: string;
}

export interface SourcesTable {
  id: Generated<number>;
  name: string;
  kind: string;
  /** JSON object of the non-secret options. */
  options: JsonColumn<Record<string, unknown>>;
  /** Sealed (AES-256-GCM) JSON of the secret options, or null. */
  secrets: string | null;
  /** JSON array of the secret option names that are set. */
  secret_names: JsonColumnWithDefault<string[]>;
  /** 1 or 0. */
  enabled: number;
  /** `api` or `file`. */
  origin: SourceOrigin;
  created_at: string;
  updated_at: string;
}

export interface SourceHealthTable {
  name: string;
  status: SourceStatus;
  detail: string | null;
  last_post_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
  posts: Generated<number>;
  skipped: Generated<number>;
  errors: Generated<number>;
  updated_at: string;
}

export interface IncidentsTable {
  id: Generated<number>;
  title: string;
  status: IncidentStatus;
  severity: string;
  /** JSON object: the cluster's weighted terms. */
  terms: JsonColumn<Record<string, number>>;
  /** JSON array of user ids who may approve outbound updates. */
  responders: JsonColumn<number[]>;
  created_at: string;
  updated_at: string;
  resolved_at: string | null;
  /** When the incident last took in a report (null: before this was recorded; see `updated_at`). */
  last_report_at: string | null;
}

export interface IncidentPostsTable {
  incident_id: number;
  post_id: number;
  attached_at: string;
}

export interface IncidentUpdatesTable {
  id: Generated<number>;
  incident_id: number;
  kind: IncidentUpdateKind;
  body: string;
  author_id: number | null;
  status: IncidentUpdateStatus;
  created_at: string;
  approved_at: string | null;
}

export interface ReplyProposalsTable {
  id: Generated<number>;
  incident_id: number;
  update_id: number;
  post_id: number;
  source: string;
  recipient: string;
  in_reply_to: string | null;
  visibility: ReplyVisibility;
  body: string;
  /** JSON array of guideline findings. */
  findings: JsonColumn<Finding[]>;
  guideline_version: number;
  send_after: string;
  status: ProposalStatus;
  created_at: string;
  updated_at: string;
  /** The outbound message this reply became once approved. */
  outbound_id: number | null;
}

export interface IncidentAuditTable {
  id: Generated<number>;
  incident_id: number;
  actor_id: number | null;
  action: string;
  data: JsonColumn<Record<string, unknown>>;
  created_at: string;
}

export interface GuidelineVersionsTable {
  id: Generated<number>;
  version: number;
  /** JSON GuidelineRules. */
  rules: JsonColumn<Partial<Omit<GuidelineRules, 'version'>>>;
  author_id: number | null;
  created_at: string;
  /** The policy version these rules come from (2026-12-03g); null when none was named. */
  policy_version_id: Generated<number | null>;
}

export interface UserContactsTable {
  user_id: number;
  email: string | null;
  webhook_url: string | null;
  webhook_secret: string | null;
  updated_at: string;
}

export interface OncallSchedulesTable {
  id: string;
  name: string;
  /** JSON array of user ids in rotation order. */
  user_ids: JsonColumn<readonly number[]>;
  starts_at: string;
  shift_hours: number;
  /** JSON array of { userId, from, to }. */
  overrides: JsonColumn<NonNullable<OnCallSchedule['overrides']>>;
  updated_at: string;
}

export interface EscalationPoliciesTable {
  id: string;
  name: string;
  /** JSON array of EscalationStep. */
  steps: JsonColumn<readonly EscalationStep[]>;
  repeat: number;
  /** 1 or 0: started for every new major incident. */
  is_default: number;
  updated_at: string;
}

export interface EscalationsTable {
  id: string;
  policy_id: string;
  /** JSON EscalationPolicy as it was at the start. */
  policy: JsonColumn<EscalationPolicy>;
  incident_id: number | null;
  subject: string;
  status: EscalationStatus;
  step: number;
  round: number;
  deadline: string;
  /** JSON array of user ids notified so far. */
  notified: JsonColumn<number[]>;
  acknowledged_by: number | null;
  acknowledged_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface EscalationAckTokensTable {
  token_hash: string;
  escalation_id: string;
  user_id: number;
  created_at: string;
}

export interface WebhookSubscriptionsTable {
  id: Generated<number>;
  url: string;
  secret: string;
  /** JSON array of event names. */
  events: JsonColumn<WebhookEvent[]>;
  created_at: string;
}

/** One row: this install's random id, made on the first start (see `store/install.ts`). */
export interface InstallTable {
  singleton: number;
  install_id: string;
  /** Outbound messages up to this id were queued before the install had an id; they keep their old keys. */
  legacy_outbound_max: number;
  created_at: string;
}

/** The desk's source settings (one row, `singleton` = 1). */
export interface SourceSettingsTable {
  singleton: number;
  /** JSON list of intranet host names, addresses and CIDR networks sources may reach. */
  allowed_private_hosts: JsonColumnWithDefault<string[]>;
  updated_at: string;
  updated_by: number | null;
}

/** Every change of a source setting: who, when, the value before and after (JSON). */
export interface SourceSettingsAuditTable {
  id: Generated<number>;
  at: string;
  user_id: number | null;
  username: string;
  setting: string;
  before: string;
  after: string;
}

/** Posts counted per minute, hour or (since 2026-12-04g) UTC day, by stream (0: every post), sentiment and kind. */
export interface PostRollupsTable {
  granularity: 'minute' | 'hour' | 'day';
  stream_id: number;
  bucket: string;
  sentiment: Sentiment;
  kind: PostKind;
  count: number;
}

/** Posts counted per hour (`YYYY-MM-DDTHH`), by source, sentiment and kind (2026-12-04g): the reports' post counts. */
export interface PostSourceRollupsTable {
  source: string;
  hour: string;
  sentiment: Sentiment;
  kind: PostKind;
  count: number;
}

/** The same counts per UTC day (`YYYY-MM-DD`, 2026-12-06b): a month of the reports' post counts in ~30 rows per key. */
export interface PostSourceDayRollupsTable {
  source: string;
  day: string;
  sentiment: Sentiment;
  kind: PostKind;
  count: number;
}

/** The service catalogue (2026-12-03h): see `src/domain/service.ts`. */
export interface ServicesTable {
  id: Generated<number>;
  name: string;
  purpose: string;
  audience: string;
  owner: string;
  owner_email: string | null;
  team: string | null;
  stage: ServiceStage;
  sources: JsonColumn<string[]>;
  handles: JsonColumn<string[]>;
  hours: JsonColumn<BusinessCalendar | null>;
  targets: JsonColumn<ServiceTargets>;
  custody: JsonColumn<ServiceCustody>;
  created_at: string;
  updated_at: string;
}

export interface ImprovementActionsTable {
  id: Generated<number>;
  service_id: number;
  title: string;
  owner: string;
  due_at: string;
  /** One of `IMPROVABLE_MEASURES`. */
  measure: string;
  baseline: number | null;
  goal: number | null;
  status: ImprovementStatus;
  created_at: string;
  updated_at: string;
}

/** Monthly reports mailed: one row per service and `YYYY-MM`. */
export interface ReportDeliveriesTable {
  service_id: number;
  period: string;
  sent_at: string;
}

export interface Database {
  authors: AuthorsTable;
  author_links: AuthorLinksTable;
  posts: PostsTable;
  post_streams: PostStreamsTable;
  post_rollups: PostRollupsTable;
  post_source_rollups: PostSourceRollupsTable;
  post_source_day_rollups: PostSourceDayRollupsTable;
  streams: StreamsTable;
  tickets: TicketsTable;
  ticket_events: TicketEventsTable;
  ticket_messages: TicketMessagesTable;
  outbound_messages: OutboundMessagesTable;
  alerts: AlertsTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  source_cursors: SourceCursorsTable;
  sources: SourcesTable;
  source_health: SourceHealthTable;
  incidents: IncidentsTable;
  incident_posts: IncidentPostsTable;
  incident_updates: IncidentUpdatesTable;
  reply_proposals: ReplyProposalsTable;
  incident_audit: IncidentAuditTable;
  guideline_versions: GuidelineVersionsTable;
  user_contacts: UserContactsTable;
  oncall_schedules: OncallSchedulesTable;
  escalation_policies: EscalationPoliciesTable;
  escalations: EscalationsTable;
  escalation_ack_tokens: EscalationAckTokensTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  install: InstallTable;
  services: ServicesTable;
  source_settings: SourceSettingsTable;
  source_settings_audit: SourceSettingsAuditTable;
  improvement_actions: ImprovementActionsTable;
  report_deliveries: ReportDeliveriesTable;
  articles: ArticlesTable;
  article_versions: ArticleVersionsTable;
  article_links: ArticleLinksTable;
  article_votes: ArticleVotesTable;
  policies: PoliciesTable;
  policy_versions: PolicyVersionsTable;
  policy_acks: PolicyAcksTable;
  belt_levels: BeltLevelsTable;
  ladder_settings: LadderSettingsTable;
  user_belts: UserBeltsTable;
  training_modules: TrainingModulesTable;
  module_attempts: ModuleAttemptsTable;
  held_replies: HeldRepliesTable;
  knowledge_audit: KnowledgeAuditTable;
  business_calendars: BusinessCalendarsTable;
  webhook_deliveries: WebhookDeliveriesTable;
}

/** Knowledge base (2026-12-03g): the current version of each article; every version is in `article_versions`. */
export interface ArticlesTable {
  id: Generated<number>;
  slug: string;
  title: string;
  body: string;
  tags: JsonColumnWithDefault<string[]>;
  visibility: ArticleVisibility;
  status: ArticleStatus;
  version: number;
  author_id: number | null;
  owner_id: number | null;
  review_due: string | null;
  source_ticket_id: number | null;
  views: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface ArticleVersionsTable {
  id: Generated<number>;
  article_id: number;
  version: number;
  title: string;
  body: string;
  author_id: number | null;
  note: string | null;
  created_at: string;
}

export interface ArticleLinksTable {
  from_id: number;
  to_id: number;
}

export interface ArticleVotesTable {
  id: Generated<number>;
  article_id: number;
  /** 1: it helped; 0: it did not. */
  helped: number;
  user_id: number | null;
  created_at: string;
}

export interface PoliciesTable {
  id: Generated<number>;
  title: string;
  owner_id: number | null;
  /** Who must acknowledge: a role, and everyone ranked above it. */
  audience: Role;
  review_every_days: number;
  created_at: string;
}

export interface PolicyVersionsTable {
  id: Generated<number>;
  policy_id: number;
  version: number;
  body: string;
  author_id: number | null;
  published_at: string;
}

/** One row per person asked to acknowledge a version; `acknowledged_at` null while they have not. */
export interface PolicyAcksTable {
  policy_version_id: number;
  user_id: number;
  acknowledged_at: string | null;
  reminded_at: string | null;
  reminders: Generated<number>;
}

export interface BeltLevelsTable {
  rank: number;
  name: string;
  criteria: JsonColumn<BeltCriteria>;
}

export interface LadderSettingsTable {
  singleton: number;
  review_below: number | null;
  approve_batch_from: number | null;
  approve_reviews_from: number;
}

export interface UserBeltsTable {
  user_id: number;
  rank: number;
  since: string;
}

export interface TrainingModulesTable {
  id: Generated<number>;
  title: string;
  article_ids: JsonColumn<number[]>;
  quiz: JsonColumn<QuizQuestion[]>;
  pass_share: number;
  created_at: string;
}

export interface ModuleAttemptsTable {
  id: Generated<number>;
  module_id: number;
  user_id: number;
  score: number;
  passed: number;
  created_at: string;
}

export interface HeldRepliesTable {
  id: Generated<number>;
  ticket_id: number;
  author_id: number;
  body: string;
  original_body: string;
  visibility: ReplyVisibility;
  status: HeldReplyStatus;
  reviewer_id: number | null;
  note: string | null;
  outbound_id: number | null;
  created_at: string;
  decided_at: string | null;
}

export interface KnowledgeAuditTable {
  id: Generated<number>;
  actor_id: number | null;
  action: string;
  subject_user_id: number | null;
  data: JsonColumn<Record<string, unknown>>;
  created_at: string;
}

/** Business-hours calendars an SLA policy may name (2026-12-04b). */
export interface BusinessCalendarsTable {
  id: Generated<number>;
  name: string;
  time_zone: string;
  weekly: JsonColumn<OpeningHours[]>;
  holidays: JsonColumn<string[]>;
  created_at: string;
  updated_at: string;
}

/** One attempt to deliver to a webhook subscription, real or a test (2026-12-04b). */
export interface WebhookDeliveriesTable {
  id: Generated<number>;
  webhook_id: number;
  event: string;
  /** 1 for a "send test" from the settings, 0 for a real event. */
  test: number;
  ok: number;
  error: string | null;
  duration_ms: number;
  created_at: string;
}
