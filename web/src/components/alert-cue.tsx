/**
 * The open-alert cue in the navigation: a count badge that pulses while alerts are open,
 * without any sound. It loads the count once, follows `alert` events on the live connection,
 * and reloads when a view acknowledges or closes one (`alertsChanged()`).
 */
import { useEffect, useState } from 'react';
import { api } from '../api.js';
import { useLive } from '../live.js';

const CHANGED = 'earshot:alerts-changed';

/** Tell the cue an alert was acknowledged or closed here. */
export function alertsChanged(): void {
  window.dispatchEvent(new Event(CHANGED));
}

export function useOpenAlertCount(): number | null {
  const [ids, setIds] = useState<Set<number> | null>(null);
  useEffect(() => {
    const load = () =>
      api.alertsByStatus('open', 500).then(
        ({ alerts }) => setIds(new Set(alerts.map((alert) => alert.id))),
        () => {},
      );
    void load();
    window.addEventListener(CHANGED, load);
    // Alerts acknowledged elsewhere have no live event yet: a slow poll catches them.
    const timer = window.setInterval(() => void load(), 60_000);
    return () => {
      window.removeEventListener(CHANGED, load);
      window.clearInterval(timer);
    };
  }, []);
  useLive('alert', (alert) => setIds((current) => new Set([...(current ?? []), alert.id])), []);
  return ids?.size ?? null;
}

export function AlertCue() {
  const count = useOpenAlertCount();
  if (!count) return null;
  return (
    <span className="alert-cue" role="status" aria-label={`${count} open alert${count === 1 ? '' : 's'}`} data-count={count}>
      {count}
    </span>
  );
}
