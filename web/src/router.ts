/**
 * A small path router over the History API: the server answers every non-API path with the
 * desk's index.html, so `/inbox/12` can be bookmarked and reloaded.
 */
import { useSyncExternalStore, type MouseEvent } from 'react';

const listeners = new Set<() => void>();

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === location.pathname + location.search) return;
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  for (const notify of listeners) notify();
}

window.addEventListener('popstate', () => {
  for (const notify of listeners) notify();
});

export function usePath(): string {
  return useSyncExternalStore(
    (notify) => {
      listeners.add(notify);
      return () => listeners.delete(notify);
    },
    () => location.pathname,
  );
}

/** For `<a href>` links: navigates in-app on a plain click, lets modified clicks open tabs. */
export function linkHandler(to: string) {
  return function onLinkClick(event: MouseEvent<HTMLAnchorElement>) {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
}
