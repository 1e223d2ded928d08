/**
 * Wire shapes of the service catalogue, the improvement register and the reports. Kept beside
 * `schemas.ts` (whose helpers they use) so the catalogue's shapes read as one piece; the desk
 * imports their `Static` types through `web/src/api-types.ts`.
 */
import { type Static, Type } from '@sinclair/typebox';
import { WEEKDAYS } from '../domain/calendar.js';
import { IMPROVABLE_MEASURES, IMPROVEMENT_STATUSES, SERVICE_STAGES } from '../domain/service.js';
import { literals, Nullable } from './schemas.js';

const Text = (maxLength: number) => Type.String({ maxLength });
const Iso = Type.String({ format: 'date-time' });

export const CalendarSchema = Type.Object(
  {
    timeZone: Type.String({ minLength: 1, maxLength: 64 }),
    weekly: Type.Array(
      Type.Object(
        {
          day: literals(WEEKDAYS),
          from: Type.String({ pattern: '^\\d{2}:\\d{2}$' }),
          to: Type.String({ pattern: '^\\d{2}:\\d{2}$' }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 50 },
    ),
    holidays: Type.Array(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }), { maxItems: 400 }),
  },
  { additionalProperties: false },
);

export const TargetsSchema = Type.Object(
  {
    firstResponseMinutes: Type.Optional(Type.Number({ minimum: 0 })),
    resolutionMinutes: Type.Optional(Type.Number({ minimum: 0 })),
    slaAttainment: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    responseRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    sentimentRatio: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { additionalProperties: false },
);

export const CustodySchema = Type.Object(
  {
    credentialHolder: Nullable(Text(200)),
    twoFactor: Type.Boolean(),
    lastRotatedAt: Nullable(Iso),
    rotationDays: Type.Integer({ minimum: 1, maximum: 3650 }),
    recoveryContact: Nullable(Text(200)),
    recoveryPlan: Nullable(Text(4000)),
  },
  { additionalProperties: false },
);

export const ServiceInputSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 120 }),
    purpose: Type.Optional(Text(2000)),
    audience: Type.Optional(Text(500)),
    owner: Type.String({ minLength: 1, maxLength: 200 }),
    ownerEmail: Type.Optional(Nullable(Type.String({ format: 'email', maxLength: 254 }))),
    team: Type.Optional(Nullable(Text(120))),
    stage: Type.Optional(literals(SERVICE_STAGES)),
    sources: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 50 })),
    handles: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 300 }), { maxItems: 50 })),
    hours: Type.Optional(Nullable(CalendarSchema)),
    targets: Type.Optional(TargetsSchema),
    custody: Type.Optional(Type.Partial(CustodySchema)),
  },
  { additionalProperties: false },
);
export type ServiceInput = Static<typeof ServiceInputSchema>;

export const LookalikeSchema = Type.Object({
  alertId: Type.Integer(),
  handle: Type.String(),
  name: Nullable(Type.String()),
  source: Nullable(Type.String()),
  official: Type.String(),
  technique: Nullable(Type.String()),
  status: Type.String(),
  firstSeenAt: Type.String(),
  lastSeenAt: Type.String(),
});

export const ServiceSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  purpose: Type.String(),
  audience: Type.String(),
  owner: Type.String(),
  ownerEmail: Nullable(Type.String()),
  team: Nullable(Type.String()),
  stage: literals(SERVICE_STAGES),
  sources: Type.Array(Type.String()),
  handles: Type.Array(Type.String()),
  hours: Nullable(CalendarSchema),
  targets: TargetsSchema,
  custody: CustodySchema,
  rotation: Type.Object({ dueAt: Nullable(Type.String()), overdue: Type.Boolean(), daysOverdue: Type.Integer() }),
  lookalikes: Type.Array(LookalikeSchema),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type ServiceView = Static<typeof ServiceSchema>;

export const ImprovementInputSchema = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 300 }),
    owner: Type.String({ minLength: 1, maxLength: 200 }),
    dueAt: Iso,
    measure: literals(IMPROVABLE_MEASURES),
    baseline: Type.Optional(Nullable(Type.Number())),
    goal: Type.Optional(Nullable(Type.Number())),
    status: Type.Optional(literals(IMPROVEMENT_STATUSES)),
  },
  { additionalProperties: false },
);

export const ImprovementSchema = Type.Object({
  id: Type.Integer(),
  serviceId: Type.Integer(),
  title: Type.String(),
  owner: Type.String(),
  dueAt: Type.String(),
  measure: literals(IMPROVABLE_MEASURES),
  baseline: Nullable(Type.Number()),
  goal: Nullable(Type.Number()),
  status: literals(IMPROVEMENT_STATUSES),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type Improvement = Static<typeof ImprovementSchema>;

/** Which report: a period (default the last 30 days) and optional service, team and agent. */
export const ReportQuerySchema = Type.Object(
  {
    from: Type.Optional(Iso),
    to: Type.Optional(Iso),
    service: Type.Optional(Type.Integer({ minimum: 1 })),
    team: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
    agent: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);
export type ReportQuery = Static<typeof ReportQuerySchema>;

/** The report as `src/reports/report.ts` builds it; its measures are documented there. */
export const ReportSchema = Type.Object({}, { additionalProperties: true });
