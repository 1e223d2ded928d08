/**
 * The business calendars SLA clocks count in, compiled and kept in memory so presenting a page
 * of tickets reads no table. Reloaded whenever `streams.changed` is published (the calendar
 * routes publish it too, and in a cluster the bus carries it to every node), so an answer given
 * after a change already counts with it.
 */
import { compileCalendar, type CompiledCalendar } from '../domain/calendar.js';
import type { Bus } from '../pipeline/bus.js';
import { listCalendars } from '../store/calendars.js';
import type { Store } from '../store/open.js';
import type { CalendarLookup } from './sla.js';

export interface SlaCalendars {
  readonly get: CalendarLookup;
  /** Reads the calendars again (after a change). */
  reload(): Promise<void>;
  stop(): void;
}

export async function loadSlaCalendars(
  store: Store,
  bus: Bus,
  onError: (error: unknown) => void = (error) => console.error('sla calendars:', error),
): Promise<SlaCalendars> {
  let compiled = new Map<number, CompiledCalendar>();
  const reload = async () => {
    const next = new Map<number, CompiledCalendar>();
    for (const calendar of await listCalendars(store.db)) {
      try {
        next.set(calendar.id, compileCalendar(calendar));
      } catch (error) {
        // Saved through the API it was valid; a zone the platform no longer knows reads as calendar time.
        onError(error);
      }
    }
    compiled = next;
  };
  await reload();
  const unsubscribe = bus.subscribe('streams.changed', () => reload().catch(onError));
  return { get: (id) => compiled.get(id), reload, stop: unsubscribe };
}
