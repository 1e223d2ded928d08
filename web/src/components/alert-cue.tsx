/**
 * The open-alert cue in the navigation: a count badge that pulses while alerts are open,
 * without any sound. It loads the count once, follows `alert` events on the live connection,
 * and reloads when a view acknowledges or closes one (`alertsChanged()`).
 */
import { useEffect } from 'react';
import { useAlerts } from '../data/resources.js';
import { useLive } from '../live.js';

const CHANGED = 'earshot:alerts-changed';

/** Tell the cue an alert was acknowledged or closed here. */
export function alertsChanged(): void {
  window.dispatchEvent(new Event(CHANGED));
}

export function useOpenAlertCount(): number | null {
  // Alerts acknowledged elsewhere have no live event yet: a slow poll catches them.
  const { data, reload, mutate } = useAlerts('open', 500, { refreshMs: 60_000 });
  useEffect(() => {
    const onChanged = () => void reload();
    window.addEventListener(CHANGED, onChanged);
    return () => window.removeEventListener(CHANGED, onChanged);
  }, [reload]);
  useLive(
    'alert',
    (alert) =>
      mutate((current) => (current?.some((known) => known.id === alert.id) ? current : [alert, ...(current ?? [])])),
    [],
  );
  return data?.length ?? null;
}

export function AlertCue() {
  const count = useOpenAlertCount();
  if (!count) return null;
  return (
    <span
      className="alert-cue"
      role="status"
      aria-label={`${count} open alert${count === 1 ? '' : 's'}`}
      data-count={count}
    >
      {count}
    </span>
  );
}
