/**
 * Every question in a space is due an official answer within the space's SLA. A question past
 * its deadline starts an escalation in the existing engine (`alerts/escalation-runner.ts`): the
 * space's team first, then leadership after another SLA period, until an official answer
 * acknowledges it. The escalation starts when the deadline passes, not when the question is
 * posted, so no escalation row carries the moment an anonymous question was written.
 */
import type { EscalationPolicy } from '../domain/escalation.js';
import type { EscalationRunner } from '../alerts/escalation-runner.js';
import type { Store } from '../store/open.js';
import { acknowledgeEscalationRow, getEscalation } from '../store/escalation.js';
import { getSpace, overdueQuestions, questionTimes } from '../store/wall.js';

export function escalationIdOf(threadId: string): string {
  return `wall:${threadId}`;
}

export class WallDeadlines {
  readonly #store: Store;
  readonly #runner: EscalationRunner;
  readonly #clock: () => Date;

  constructor(options: { store: Store; escalation: EscalationRunner; clock?: () => Date }) {
    this.#store = options.store;
    this.#runner = options.escalation;
    this.#clock = options.clock ?? (() => new Date());
  }

  /** Starts the escalation of every overdue, unanswered question that has none yet; returns their thread ids. */
  async tick(at?: Date): Promise<string[]> {
    const now = (at ?? this.#clock()).toISOString();
    const started: string[] = [];
    for (const question of await overdueQuestions(this.#store.db, now)) {
      const id = escalationIdOf(question.id);
      if (await getEscalation(this.#store.db, id)) continue;
      const space = await getSpace(this.#store.db, question.spaceId);
      if (!space) continue;
      const policy = policyFor(space.id, space.slaHours, space.team, space.leadership);
      if (policy.steps.length === 0) continue;
      const sent = await this.#runner.start(id, policy, `Unanswered on the wall (${space.name}): ${question.title}`);
      if (sent.length > 0) started.push(question.id);
    }
    return started;
  }

  /** An official answer stops the question's escalation (acknowledged by whoever answered). */
  async answered(threadId: string, userId: number): Promise<void> {
    await acknowledgeEscalationRow(this.#store.db, escalationIdOf(threadId), userId, this.#clock().toISOString());
  }
}

export function policyFor(
  spaceId: number,
  slaHours: number,
  team: readonly number[],
  leadership: readonly number[],
): EscalationPolicy {
  const wait = slaHours * 60;
  const steps = [team, leadership]
    .filter((people) => people.length > 0)
    .map((people) => ({ targets: people.map((userId) => ({ userId })), waitMinutes: wait }));
  return { id: `wall-space:${spaceId}`, steps };
}

export interface DeadlineFigures {
  /** Questions whose deadline has passed or that were answered. */
  readonly questions: number;
  readonly answered: number;
  /** Share answered officially by their deadline, of those due or answered (null: none yet). */
  readonly answeredWithinDeadline: number | null;
  /** Median hours from question to official answer (null: none answered). */
  readonly medianHoursToAnswer: number | null;
  /** Open questions now past their deadline. */
  readonly overdue: number;
}

/** The space's answer record over the last `days` days. */
export async function deadlineFigures(store: Store, spaceId: number, now: Date, days = 90): Promise<DeadlineFigures> {
  const since = new Date(now.getTime() - days * 86_400_000).toISOString();
  const rows = await questionTimes(store.db, spaceId, since);
  const nowIso = now.toISOString();
  const counted = rows.filter((row) => row.answeredAt !== null || (row.dueAt !== null && row.dueAt <= nowIso));
  const inTime = counted.filter(
    (row) => row.answeredAt !== null && (row.dueAt === null || row.answeredAt <= row.dueAt),
  );
  const hours = rows
    .filter((row) => row.answeredAt !== null)
    .map((row) => (Date.parse(row.answeredAt!) - Date.parse(row.createdAt)) / 3_600_000)
    .sort((a, b) => a - b);
  return {
    questions: counted.length,
    answered: hours.length,
    answeredWithinDeadline: counted.length === 0 ? null : inTime.length / counted.length,
    medianHoursToAnswer: hours.length === 0 ? null : median(hours),
    overdue: counted.filter((row) => row.answeredAt === null).length,
  };
}

function median(sorted: readonly number[]): number {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
