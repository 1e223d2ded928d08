/**
 * One Server-Sent Events connection to `/api/live` for the whole desk, shared by every view.
 * Views subscribe to an event name; the connection state (and a count of posts seen) is
 * observable so the header can show that the desk is live.
 */
import { useEffect, useSyncExternalStore } from 'react';
import type { LiveEventName, LiveEvents } from '../../src/server/schemas.js';

export type { LiveEventName, LiveEvents } from '../../src/server/schemas.js';
const EVENT_NAMES = [
  'post',
  'ticket',
  'ticket-updated',
  'alert',
  'incident',
  'escalation',
  'wall-changed',
  'room-message',
  'room-presence',
  'ticket-presence',
] as const satisfies readonly LiveEventName[];
// The compiler checks the list names every event of the shared map (the map itself is server code).
type Unlisted = Exclude<LiveEventName, (typeof EVENT_NAMES)[number]>;
export type EveryLiveEventListed = [Unlisted] extends [never] ? true : Unlisted;
true satisfies EveryLiveEventListed;

export type LiveState = 'connecting' | 'live' | 'offline';

type Listener<K extends LiveEventName> = (data: LiveEvents[K]) => void;

let source: EventSource | null = null;
let state: LiveState = 'offline';
let postsSeen = 0;
const listeners = new Map<LiveEventName, Set<Listener<LiveEventName>>>();
const stateListeners = new Set<() => void>();

function setState(next: LiveState): void {
  state = next;
  for (const notify of stateListeners) notify();
}

/** Opens the connection (idempotent); EventSource reconnects by itself after drops. */
export function connectLive(): void {
  if (source) return;
  setState('connecting');
  source = new EventSource('/api/live');
  source.onopen = () => setState('live');
  source.onerror = () => setState(source?.readyState === EventSource.CLOSED ? 'offline' : 'connecting');
  for (const name of EVENT_NAMES) {
    source.addEventListener(name, function onLiveEvent(message: MessageEvent<string>) {
      let data: unknown;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      if (name === 'post') {
        postsSeen += 1;
        for (const notify of stateListeners) notify();
      }
      for (const listener of listeners.get(name) ?? []) listener(data as LiveEvents[typeof name]);
    });
  }
}

export function disconnectLive(): void {
  source?.close();
  source = null;
  setState('offline');
}

export function subscribeLive<K extends LiveEventName>(name: K, listener: Listener<K>): () => void {
  const set = listeners.get(name) ?? new Set();
  listeners.set(name, set);
  set.add(listener as Listener<LiveEventName>);
  return () => set.delete(listener as Listener<LiveEventName>);
}

/** Calls `listener` for each live event of `name` while the component is mounted. */
export function useLive<K extends LiveEventName>(name: K, listener: Listener<K>, deps: readonly unknown[] = []): void {
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller names what the listener depends on, as with useEffect itself
  useEffect(() => subscribeLive(name, listener), deps);
}

let snapshot: { state: LiveState; postsSeen: number } = { state, postsSeen };
function getSnapshot() {
  if (snapshot.state !== state || snapshot.postsSeen !== postsSeen) snapshot = { state, postsSeen };
  return snapshot;
}
function subscribeState(notify: () => void): () => void {
  stateListeners.add(notify);
  return () => stateListeners.delete(notify);
}

export function useLiveState(): { state: LiveState; postsSeen: number } {
  return useSyncExternalStore(subscribeState, getSnapshot);
}
