/**
 * Cooperative time slicing for long synchronous loops on the event loop (a 50,000-post import,
 * the NDJSON body it came in). Counting items per slice is not enough: a slice of 200 posts is
 * 10 ms of analysis on one text and 60 ms on another, and the API's answer waits for the whole
 * slice. So a loop asks `due()` after each item and yields once `budgetMs` of work has passed.
 */
import { setImmediate } from 'node:timers/promises';

/** Work between two yields: small enough that a health check waits at most about this long. */
export const SLICE_MS = 10;

export class TimeSlice {
  readonly #budgetMs: number;
  #start = performance.now();

  constructor(budgetMs: number = SLICE_MS) {
    this.#budgetMs = budgetMs;
  }

  /** Whether this slice's budget is spent (a cheap check, for every item of a loop). */
  due(): boolean {
    return performance.now() - this.#start >= this.#budgetMs;
  }

  /** Lets I/O and timers run (a macrotask, not a microtask), then starts a new slice. */
  async yield(): Promise<void> {
    await setImmediate();
    this.#start = performance.now();
  }
}
