/**
 * A recording `SourceHost` for source tests: what the source emitted, skipped, reported and
 * saved as its cursor, plus a way to wait until it has emitted enough. It plays the host, not
 * the network, so it is the part of the runtime a source test needs. `drive` runs a source on
 * it through the supervisor's own runner (schedule, typed cursor), as Earshot would.
 */
import type { PostDraft } from '../../../src/domain/post.js';
import type { SourceHost, AnySource } from '../../../src/sources/source.js';
import type { SourceStatus } from '../../../src/domain/source.js';
import { runSource, type PollResultOf, type SourceRun } from '../../../src/sources/runner.js';

/** A source with the start/stop of a running one: what channel tests drive. */
export type Driven<S extends AnySource> = {
  readonly source: S;
  /** Starts it from `saved` (an encoded cursor), as the supervisor does. */
  start(host: SourceHost, saved: string | null): Promise<void>;
  stop(): Promise<void>;
  /** The encoded cursor saved last. */
  cursor(): string | null;
  /** Polls now and waits until the batch and its cursor are stored. */
  poll(): Promise<PollResultOf<S>>;
  send: S['send'];
};

export function drive<S extends AnySource>(source: S): Driven<S> {
  let run: SourceRun<PollResultOf<S>> | null = null;
  return {
    source,
    async start(host, saved) {
      run = await runSource(source, host, saved);
    },
    async stop() {
      await run?.stop();
    },
    cursor: () => run?.cursor() ?? null,
    poll: () => run!.poll(),
    send: source.send?.bind(source) as S['send'],
  };
}

export interface RecordingContext extends SourceHost {
  readonly emitted: PostDraft[];
  readonly skipped: string[];
  /** Failed attempts, as the supervisor counts them: `reportError` and each `backing-off` report. */
  readonly errors: string[];
  readonly statuses: { status: SourceStatus; detail?: string }[];
  readonly logs: string[];
  savedCursor: string | null;
  /** Makes the next `emit` calls reject, as a failing pipeline would. */
  failEmits: number;
  /** Resolves once at least `count` posts have been emitted (rejects after `timeoutMs`). */
  waitForPosts(count: number, timeoutMs?: number): Promise<PostDraft[]>;
  /** Resolves once `predicate` holds, checked after each event. */
  waitFor(predicate: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
}

export function recordingContext(clock: () => Date = () => new Date()): RecordingContext {
  const waiters = new Set<() => void>();
  const poke = () => {
    for (const waiter of [...waiters]) waiter();
  };
  const context: RecordingContext = {
    emitted: [],
    skipped: [],
    errors: [],
    statuses: [],
    logs: [],
    savedCursor: null,
    failEmits: 0,
    clock,
    async emit(drafts) {
      if (context.failEmits > 0) {
        context.failEmits--;
        throw new Error('pipeline unavailable');
      }
      context.emitted.push(...drafts);
      poke();
    },
    reportSkipped(reason) {
      context.skipped.push(reason);
      poke();
    },
    reportStatus(status, detail) {
      context.statuses.push(detail === undefined ? { status } : { status, detail });
      if (status === 'backing-off') context.errors.push(detail ?? 'an attempt failed');
      poke();
    },
    reportError(reason) {
      context.errors.push(reason);
      poke();
    },
    async saveCursor(cursor) {
      context.savedCursor = cursor;
      poke();
    },
    log: {
      info: (message) => void context.logs.push(`info: ${message}`),
      warn: (message) => void context.logs.push(`warn: ${message}`),
      error: (message) => void context.logs.push(`error: ${message}`),
    },
    waitFor(predicate, timeoutMs = 5000, what = 'condition') {
      if (predicate()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          clearInterval(poll);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs);
        // Also checked on a short interval, for conditions outside the context (a fake server's state).
        const poll = setInterval(() => check(), 20);
        const check = () => {
          if (!predicate()) return;
          clearTimeout(timer);
          clearInterval(poll);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
    async waitForPosts(count, timeoutMs = 5000) {
      await context.waitFor(
        () => context.emitted.length >= count,
        timeoutMs,
        `${count} posts (have ${context.emitted.length})`,
      );
      return context.emitted;
    },
  };
  return context;
}
