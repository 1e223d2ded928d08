/**
 * The service catalogue and its improvement register (continual service improvement), and the
 * record of monthly reports mailed. Rows in, domain objects out; JSON fields read back without
 * trusting them.
 */
import type { Kysely, Selectable } from 'kysely';
import type { BusinessCalendar } from '../domain/calendar.js';
import {
  DEFAULT_CUSTODY,
  type ImprovableMeasure,
  type ImprovementAction,
  type ImprovementStatus,
  type Service,
  type ServiceCustody,
  type ServiceStage,
  type ServiceTargets,
} from '../domain/service.js';
import type { Database, ImprovementActionsTable, ServicesTable } from './schema.js';
import { fromJson, toJson } from './json.js';

export interface ServiceInput {
  readonly name: string;
  readonly purpose?: string;
  readonly audience?: string;
  readonly owner: string;
  readonly ownerEmail?: string | null;
  readonly team?: string | null;
  readonly stage?: ServiceStage;
  readonly sources?: readonly string[];
  readonly handles?: readonly string[];
  readonly hours?: BusinessCalendar | null;
  readonly targets?: ServiceTargets;
  readonly custody?: Partial<ServiceCustody>;
}

export async function listServices(db: Kysely<Database>): Promise<Service[]> {
  return (await db.selectFrom('services').selectAll().orderBy('name').execute()).map(toService);
}

export async function getService(db: Kysely<Database>, id: number): Promise<Service | undefined> {
  const row = await db.selectFrom('services').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toService(row) : undefined;
}

export async function getServiceByName(db: Kysely<Database>, name: string): Promise<Service | undefined> {
  const row = await db.selectFrom('services').selectAll().where('name', '=', name).executeTakeFirst();
  return row ? toService(row) : undefined;
}

export async function createService(db: Kysely<Database>, input: ServiceInput, now: string): Promise<Service> {
  const row = await db
    .insertInto('services')
    .values({
      name: input.name,
      purpose: input.purpose ?? '',
      audience: input.audience ?? '',
      owner: input.owner,
      owner_email: input.ownerEmail ?? null,
      team: input.team ?? null,
      stage: input.stage ?? 'proposed',
      sources: toJson(input.sources ?? []),
      handles: toJson(input.handles ?? []),
      hours: toJson(input.hours ?? null),
      targets: toJson(input.targets ?? {}),
      custody: toJson({ ...DEFAULT_CUSTODY, ...input.custody }),
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toService(row);
}

/** Changes the fields given; custody and targets merge into what is stored. */
export async function updateService(
  db: Kysely<Database>,
  id: number,
  input: Partial<ServiceInput>,
  now: string,
): Promise<Service | undefined> {
  const current = await getService(db, id);
  if (!current) return undefined;
  const row = await db
    .updateTable('services')
    .set({
      ...(input.name !== undefined && { name: input.name }),
      ...(input.purpose !== undefined && { purpose: input.purpose }),
      ...(input.audience !== undefined && { audience: input.audience }),
      ...(input.owner !== undefined && { owner: input.owner }),
      ...(input.ownerEmail !== undefined && { owner_email: input.ownerEmail }),
      ...(input.team !== undefined && { team: input.team }),
      ...(input.stage !== undefined && { stage: input.stage }),
      ...(input.sources !== undefined && { sources: toJson(input.sources) }),
      ...(input.handles !== undefined && { handles: toJson(input.handles) }),
      ...(input.hours !== undefined && { hours: toJson(input.hours) }),
      ...(input.targets !== undefined && { targets: toJson({ ...current.targets, ...input.targets }) }),
      ...(input.custody !== undefined && { custody: toJson({ ...current.custody, ...input.custody }) }),
      updated_at: now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row ? toService(row) : undefined;
}

export async function deleteService(db: Kysely<Database>, id: number): Promise<boolean> {
  const result = await db.deleteFrom('services').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export interface ImprovementInput {
  readonly title: string;
  readonly owner: string;
  readonly dueAt: string;
  readonly measure: ImprovableMeasure;
  readonly baseline?: number | null;
  readonly goal?: number | null;
  readonly status?: ImprovementStatus;
}

export async function listImprovements(db: Kysely<Database>, serviceId?: number): Promise<ImprovementAction[]> {
  let query = db.selectFrom('improvement_actions').selectAll();
  if (serviceId !== undefined) query = query.where('service_id', '=', serviceId);
  return (await query.orderBy('id').execute()).map(toImprovement);
}

export async function createImprovement(
  db: Kysely<Database>,
  serviceId: number,
  input: ImprovementInput,
  now: string,
): Promise<ImprovementAction> {
  const row = await db
    .insertInto('improvement_actions')
    .values({
      service_id: serviceId,
      title: input.title,
      owner: input.owner,
      due_at: input.dueAt,
      measure: input.measure,
      baseline: input.baseline ?? null,
      goal: input.goal ?? null,
      status: input.status ?? 'open',
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toImprovement(row);
}

export async function updateImprovement(
  db: Kysely<Database>,
  id: number,
  input: Partial<ImprovementInput>,
  now: string,
): Promise<ImprovementAction | undefined> {
  const row = await db
    .updateTable('improvement_actions')
    .set({
      ...(input.title !== undefined && { title: input.title }),
      ...(input.owner !== undefined && { owner: input.owner }),
      ...(input.dueAt !== undefined && { due_at: input.dueAt }),
      ...(input.measure !== undefined && { measure: input.measure }),
      ...(input.baseline !== undefined && { baseline: input.baseline }),
      ...(input.goal !== undefined && { goal: input.goal }),
      ...(input.status !== undefined && { status: input.status }),
      updated_at: now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row ? toImprovement(row) : undefined;
}

/** Records a month's report as mailed; false when it already was (another process, or a restart). */
export async function claimReportDelivery(
  db: Kysely<Database>,
  serviceId: number,
  period: string,
  now: string,
): Promise<boolean> {
  const inserted = await db
    .insertInto('report_deliveries')
    .values({ service_id: serviceId, period, sent_at: now })
    .onConflict((oc) => oc.columns(['service_id', 'period']).doNothing())
    .returning('service_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Forgets a claim whose mail could not be sent, so the next run tries again. */
export async function releaseReportDelivery(db: Kysely<Database>, serviceId: number, period: string): Promise<void> {
  await db.deleteFrom('report_deliveries').where('service_id', '=', serviceId).where('period', '=', period).execute();
}

function toService(row: Selectable<ServicesTable>): Service {
  return {
    id: row.id,
    name: row.name,
    purpose: row.purpose,
    audience: row.audience,
    owner: row.owner,
    ownerEmail: row.owner_email,
    team: row.team,
    stage: row.stage,
    sources: fromJson(row.sources, []),
    handles: fromJson(row.handles, []),
    hours: fromJson(row.hours, null),
    targets: fromJson(row.targets, {}),
    custody: { ...DEFAULT_CUSTODY, ...fromJson(row.custody, DEFAULT_CUSTODY) },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toImprovement(row: Selectable<ImprovementActionsTable>): ImprovementAction {
  return {
    id: row.id,
    serviceId: row.service_id,
    title: row.title,
    owner: row.owner,
    dueAt: row.due_at,
    measure: row.measure as ImprovableMeasure,
    baseline: row.baseline === null ? null : Number(row.baseline),
    goal: row.goal === null ? null : Number(row.goal),
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
