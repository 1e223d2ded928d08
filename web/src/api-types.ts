/**
 * The shapes the desk reads from Earshot's API: type-only re-exports of the server's wire
 * schemas (src/server/schemas.ts, the one definition; also /api/docs). `export type` is erased
 * from the bundle, so the browser imports nothing from the server.
 */

// The closed sets and the ticket lifecycle are Earshot's domain itself (src/domain has no
// server code): the desk needs them at runtime, and cannot disagree with the server about them.
export { SENTIMENTS, POST_KINDS, type Sentiment, type PostKind, type PostFlag } from '../../src/domain/post.js';
export {
  TICKET_STATUSES,
  TICKET_PRIORITIES,
  TICKET_TYPES,
  TICKET_TRANSITIONS,
  type TicketStatus,
  type TicketPriority,
  type TicketType,
} from '../../src/domain/ticket.js';
export { ROLE_RANK, ROLES, TOKEN_SCOPES, type Role, type TokenScope } from '../../src/domain/user.js';

export type {
  Alert,
  Author,
  CheckResult,
  ClusterState,
  ConfiguredSource,
  Escalation as EscalationSummary,
  Finding,
  Incident,
  IncidentDetail,
  IncidentUpdate,
  JsonSchemaField,
  JsonSchemaObject,
  Outbound,
  Post,
  ReplyProposal,
  SourceDefinitionInfo,
  SourceHealth,
  Stats,
  Stream,
  Ticket,
  TicketDetail,
  TicketEvent,
  TicketRule,
  User,
  ApiTokenView,
} from '../../src/server/schemas.js';

export type {
  ArticleWire,
  PolicyWire,
  HeldReplyWire,
  BeltProgressWire,
  ContributorWire,
  TrainingModuleWire,
} from '../../src/server/knowledge-schemas.js';
export type { ServiceView, Improvement, ServiceInput } from '../../src/server/service-schemas.js';
export type {
  AuthorDecisionWire,
  CustomerHistoryWire,
  SavedReplyWire,
} from '../../src/server/desk-action-schemas.js';
export type { SourceSettings } from '../../src/server/source-settings-schemas.js';
export type { SavedViewWire, SavedViewFiltersWire } from '../../src/server/saved-view-schemas.js';
export { SAVED_VIEW_QUEUES, type SavedViewQueue, type SavedViewScope } from '../../src/domain/saved-view.js';
export type { Report, ReportSection } from '../../src/reports/report.js';
export type { ReportTable } from '../../src/reports/tables.js';
export { IMPROVABLE_MEASURES, SERVICE_STAGES, type ImprovableMeasure } from '../../src/domain/service.js';
export type {
  Space,
  WallThread,
  WallReply,
  DeadlineFigures,
  RadarEntry,
  MoodWeek,
  Room,
} from '../../src/server/wall-schemas.js';
export type { RoomMessage } from '../../src/server/schemas.js';
export { THREAD_KINDS, type ThreadKind } from '../../src/domain/wall.js';
// Settings screens: the weekdays of a business calendar, webhook events, personal-data kinds.
export { WEEKDAYS, type Weekday } from '../../src/domain/calendar.js';
export { WEBHOOK_EVENTS, type WebhookEvent } from '../../src/domain/escalation.js';
export { PERSONAL_DATA_KINDS, type PersonalDataKind } from '../../src/domain/guideline.js';
export { DEFAULT_SLA, DEFAULT_TICKET_RULES } from '../../src/domain/stream.js';
