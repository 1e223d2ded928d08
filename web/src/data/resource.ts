/**
 * One way for a view to hold what it fetched: `useResource(key, fetcher)` loads when the key is
 * set or changes, aborts the request on unmount or a new key, keeps the data while it reloads
 * (live events and actions call `reload`), and lets live updates edit the data in place
 * (`mutate`). The views use the named hooks in `resources.ts`, built on this.
 */
import { ApiError } from '../api.js';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';

export interface Resource<T> {
  /** The last data loaded for this key, `null` until the first load settles. */
  readonly data: T | null;
  /** Why the last load failed, `null` once one succeeds. */
  readonly error: unknown;
  readonly loading: boolean;
  /** Loads again, keeping the data meanwhile; aborts a load still in flight. Never rejects. */
  reload(): Promise<void>;
  /** Changes the data in place, for live events and the answers of actions. */
  mutate(change: (current: T | null) => T | null): void;
}

export interface ResourceOptions {
  /** Keep the data and error of the previous key until the new key's load settles. */
  readonly keepPrevious?: boolean;
  /** Wait this long after the key changes before loading (debounces typing). */
  readonly delayMs?: number;
  /** Reload on this interval while mounted. */
  readonly refreshMs?: number;
}

interface State<T> {
  readonly key: string | null;
  readonly data: T | null;
  readonly error: unknown;
  readonly loading: boolean;
}

/**
 * Loads `fetcher(signal)` for `key`; a `null` key loads nothing. The fetcher may be a new
 * closure on each render: the latest one is used, and only the key decides when to load.
 */
export function useResource<T>(
  key: string | null,
  fetcher: (signal: AbortSignal) => Promise<T>,
  options: ResourceOptions = {},
): Resource<T> {
  const { keepPrevious = false, delayMs = 0, refreshMs = 0 } = options;
  const [state, setState] = useState<State<T>>(() => ({ key, data: null, error: null, loading: key !== null }));
  const latest = useRef({ key, fetcher });
  const inFlight = useRef<AbortController | null>(null);
  useLayoutEffect(() => {
    latest.current = { key, fetcher };
  });

  // A new key starts from nothing (or from the previous key's data), in this same render.
  let current = state;
  if (state.key !== key) {
    current =
      keepPrevious && key !== null
        ? { ...state, key, loading: true }
        : { key, data: null, error: null, loading: key !== null };
    setState(current);
  }

  const reload = useCallback(async function reloadResource(): Promise<void> {
    const { key: loadKey, fetcher: load } = latest.current;
    if (loadKey === null) return;
    inFlight.current?.abort();
    const controller = new AbortController();
    inFlight.current = controller;
    setState((previous) => (previous.loading ? previous : { ...previous, loading: true }));
    const settle = (next: Partial<State<T>>) => {
      if (controller.signal.aborted) return;
      inFlight.current = null;
      setState((previous) => (previous.key === loadKey ? { ...previous, ...next, loading: false } : previous));
    };
    try {
      settle({ data: await load(controller.signal), error: null });
    } catch (error) {
      settle({ error });
    }
  }, []);

  const mutate = useCallback(
    (change: (data: T | null) => T | null) => setState((previous) => ({ ...previous, data: change(previous.data) })),
    [],
  );

  useEffect(() => {
    if (key === null) return;
    let timer: number | undefined;
    if (delayMs > 0) timer = window.setTimeout(() => void reload(), delayMs);
    else void reload();
    const interval = refreshMs > 0 ? window.setInterval(() => void reload(), refreshMs) : undefined;
    return () => {
      window.clearTimeout(timer);
      window.clearInterval(interval);
      inFlight.current?.abort();
      inFlight.current = null;
    };
  }, [key, delayMs, refreshMs, reload]);

  return { data: current.data, error: current.error, loading: current.loading, reload, mutate };
}

/** The message of a failed load (`fallback` when the error has none), or `null` when it did not fail. */
export function errorMessage(error: unknown, fallback: string): string | null {
  if (error === null || error === undefined) return null;
  return error instanceof Error ? error.message : fallback;
}

/** Whether a load failed because the record does not exist. */
export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}
