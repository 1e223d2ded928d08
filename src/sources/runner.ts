/**
 * Runs one source for the supervisor: decodes its saved cursor (an unreadable one is reported
 * and the source starts fresh), then either schedules its polls or opens its stream, hands
 * every batch to the host and encodes and saves the batch's cursor only once the posts are
 * stored. One batch at a time, in order, so a cursor never passes a post that was not stored.
 * The supervisor adds restarts with backoff and health on top; tests drive a source with this
 * alone and a recording host.
 */
import { isEarshotError } from '../domain/errors.js';
import type { PostDraft } from '../domain/post.js';
import type { PollResult, Source, SourceContext, SourceHost, AnySource } from './source.js';

export const DEFAULT_POLL_INTERVAL_MS = 60_000;
/** The longest wait between polls of a failing source (or its interval, when that is longer). */
export const MAX_POLL_BACKOFF_MS = 15 * 60_000;

/**
 * How long to wait before the next poll after `failures` failed polls in a row: the interval,
 * doubling with each failure up to `MAX_POLL_BACKOFF_MS`; back to the interval after a success.
 */
export function pollDelayMs(intervalMs: number, failures: number): number {
  if (failures <= 0) return intervalMs;
  return Math.min(Math.max(intervalMs, MAX_POLL_BACKOFF_MS), intervalMs * 2 ** Math.min(failures, 20));
}

/** A started source. */
export interface SourceRun<Result = PollResult<unknown>> {
  /** The last cursor saved (encoded), or the one it started from. */
  cursor(): string | null;
  /** Polls now, whatever is due (a polling source); resolves once the batch and its cursor are stored. */
  poll(): Promise<Result>;
  /** Stops the schedule or the stream and waits for the batch in hand. */
  stop(): Promise<void>;
}

/** What a source's `poll` resolves with, extras (an RSS feed's outcomes) included. */
// biome-ignore lint/suspicious/noExplicitAny: matches a poll of any parameters, only its result is read
export type PollResultOf<S> = S extends { poll?(...args: any[]): Promise<infer Result> } ? Result : never;

/**
 * Starts `source` from `saved`. Resolves once the first poll is stored or the stream is open;
 * rejects when the source refuses to start (an `EarshotError` such as refused credentials),
 * after reporting status `failed`.
 */
export async function runSource<S extends AnySource>(
  source: S,
  host: SourceHost,
  saved: string | null,
): Promise<SourceRun<PollResultOf<S>>> {
  type C = S extends Source<infer Cursor> ? Cursor : never;
  const context: SourceContext = {
    log: host.log,
    clock: host.clock,
    reportSkipped: (reason) => host.reportSkipped?.(reason),
    reportStatus: (status, detail) => host.reportStatus?.(status, detail),
    reportError: (reason) => host.reportError?.(reason),
  };
  const interval = source.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  // Failed polls in a row: the wait grows with them and the state returns to healthy after a success.
  let failures = 0;
  let current: C | null = decodeSaved(source, host, saved);
  let savedText = current === null ? null : saved;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const controller = new AbortController();
  // Batches and their cursors go to the host one at a time, in order.
  let lane: Promise<unknown> = Promise.resolve();
  const inLane = <T>(work: () => Promise<T>): Promise<T> => {
    const run = lane.then(work);
    lane = run.catch(() => undefined);
    return run;
  };

  async function commit(drafts: readonly PostDraft[], next: C): Promise<void> {
    if (stopped) throw new Error('the source was stopped');
    if (drafts.length > 0) await host.emit(drafts);
    current = next;
    const text = source.cursor.encode(next);
    if (text !== savedText) {
      const previous = savedText;
      savedText = text;
      await host.saveCursor(text).catch((error: unknown) => {
        savedText = previous;
        throw error;
      });
    }
  }

  const pollOnce = (scheduled: boolean): Promise<PollResultOf<S>> =>
    inLane(async () => {
      const result = (await source.poll!(current, { ...context, scheduled })) as PollResult<C>;
      await commit(result.drafts, result.next);
      for (const failure of result.failures ?? []) host.reportError?.(failure);
      if (failures > 0) {
        host.log.info(`recovered after ${failures} failed poll${failures === 1 ? '' : 's'}`);
        host.reportStatus?.('polling', `recovered after ${failures} failed poll${failures === 1 ? '' : 's'}`);
      }
      failures = 0;
      return result as PollResultOf<S>;
    });

  /** A poll that failed but may work next time: counted, shown, and the next one waits longer. */
  function failedPoll(error: unknown, first: boolean): void {
    failures += 1;
    const waitMs = pollDelayMs(interval, failures);
    const message = `${first ? 'first poll' : 'poll'} failed (${failures} in a row): ${describe(error)}; next try in ${Math.round(waitMs / 1000)} s`;
    host.log.warn(message);
    host.reportStatus?.('backing-off', message);
  }

  /** Whether an error ends the run: the channel refused us, retrying the same way will not help. */
  const fatal = (error: unknown): boolean => isEarshotError(error);
  const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(
      async function pollOnSchedule() {
        timer = null;
        try {
          await pollOnce(true);
        } catch (error) {
          if (stopped) return;
          if (fatal(error)) {
            stopped = true;
            // Reported once, as the failure: the host counts and logs it when it restarts the source.
            host.reportStatus?.('failed', describe(error));
            return;
          }
          failedPoll(error, false);
        }
        schedule();
      },
      pollDelayMs(interval, failures),
    );
  }

  const run: SourceRun<PollResultOf<S>> = {
    cursor: () => savedText,
    poll: () => {
      if (!source.poll) return Promise.reject(new Error(`a ${source.kind} source streams; it cannot be polled`));
      return pollOnce(false);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      controller.abort();
      await lane;
      host.reportStatus?.('disconnected');
    },
  };

  if (source.stream) {
    const deliver = (drafts: readonly PostDraft[], next: C): Promise<void> => inLane(() => commit(drafts, next));
    try {
      await source.stream(current, { ...context, deliver }, controller.signal);
    } catch (error) {
      controller.abort();
      if (fatal(error)) host.reportStatus?.('failed', describe(error));
      throw error;
    }
    return run;
  }
  // A source that only sends (it reads nothing) just runs.
  if (!source.poll) return run;
  try {
    await pollOnce(false);
  } catch (error) {
    if (fatal(error)) {
      stopped = true;
      host.reportStatus?.('failed', describe(error));
      throw error;
    }
    failedPoll(error, true);
  }
  schedule();
  return run;
}

function decodeSaved<S extends AnySource>(
  source: S,
  host: SourceHost,
  saved: string | null,
): (S extends Source<infer C> ? C : never) | null {
  if (saved === null) return null;
  try {
    return source.cursor.decode(saved);
  } catch (error) {
    // An unreadable cursor is not a reason to stop: start fresh; the pipeline's dedupe absorbs repeats.
    const reason = `the saved cursor is unreadable (${(error as Error).message}); starting fresh`;
    host.log.warn(reason);
    host.reportSkipped?.(reason);
    return null;
  }
}
