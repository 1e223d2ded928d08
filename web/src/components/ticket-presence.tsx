/**
 * The collision warning: who else is viewing or typing on this ticket, from the live channel.
 * This desk says "viewing" while the ticket is open (renewed every 15 s), "typing" while the
 * composer changes (at most every 2 s), and "left" when it closes; the others' marks are kept
 * until their `ttlMs` runs out (src/desk/presence.ts), so a closed laptop fades by itself.
 */
import { useEffect, useRef, useState } from 'react';
import { api } from '../api.js';
import { useLive } from '../live.js';

const VIEWING_EVERY_MS = 15_000;
const TYPING_EVERY_MS = 2_000;

interface Mark {
  readonly name: string;
  readonly viewingUntil: number;
  readonly typingUntil: number;
}

/** Announces this desk on ticket `id` and returns the others there now. */
export function useTicketPresence(id: number, me: number, draft: string): { name: string; typing: boolean }[] {
  const [marks, setMarks] = useState<ReadonlyMap<number, Mark>>(new Map());
  const [now, setNow] = useState(() => Date.now());
  const lastTyping = useRef(0);

  useEffect(() => {
    setMarks(new Map());
    const say = (state: 'viewing' | 'left') => void api.presence(id, state).catch(() => {});
    say('viewing');
    const timer = window.setInterval(() => say('viewing'), VIEWING_EVERY_MS);
    // A closed tab unmounts nothing: say "left" as the page goes (keepalive outlives the page).
    const onPageHide = () =>
      void fetch(`/api/tickets/${id}/presence`, {
        method: 'POST',
        keepalive: true,
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ state: 'left' }),
      }).catch(() => {});
    window.addEventListener('pagehide', onPageHide);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener('pagehide', onPageHide);
      say('left');
    };
  }, [id]);

  useEffect(() => {
    if (draft.trim() === '') return;
    const say = () => {
      lastTyping.current = Date.now();
      void api.presence(id, 'typing').catch(() => {});
    };
    const wait = lastTyping.current + TYPING_EVERY_MS - Date.now();
    if (wait <= 0) return say();
    // A change inside the 2 s window is said at its end: dropping it would hide a draft typed right
    // after an insert (a saved reply) from the colleague who opens the ticket meanwhile.
    const timer = window.setTimeout(say, wait);
    return () => window.clearTimeout(timer);
  }, [id, draft]);

  useLive(
    'ticket-presence',
    (event) => {
      if (event.ticketId !== id || event.user.id === me) return;
      const at = Date.now();
      setMarks((current) => {
        const next = new Map(current);
        const known = current.get(event.user.id);
        if (event.state === 'left') next.delete(event.user.id);
        else
          next.set(event.user.id, {
            name: event.user.name,
            viewingUntil:
              event.state === 'viewing' ? at + event.ttlMs : Math.max(known?.viewingUntil ?? 0, at + event.ttlMs),
            typingUntil: event.state === 'typing' ? at + event.ttlMs : (known?.typingUntil ?? 0),
          });
        return next;
      });
      setNow(at);
    },
    [id, me],
  );

  // Marks expire without an event: look again every second while someone is here.
  useEffect(() => {
    if (marks.size === 0) return;
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [marks.size]);

  return [...marks.values()]
    .filter((mark) => mark.viewingUntil > now || mark.typingUntil > now)
    .map((mark) => ({ name: mark.name, typing: mark.typingUntil > now }));
}

export function CollisionWarning({ others }: { others: readonly { name: string; typing: boolean }[] }) {
  const typing = others.filter((other) => other.typing).map((other) => other.name);
  const viewing = others.filter((other) => !other.typing).map((other) => other.name);
  return (
    <div className="collision" role="status" aria-live="polite">
      {typing.length > 0 ? (
        <p className="collision-warning">
          <span aria-hidden="true">⚠ </span>
          {listOf(typing)} {typing.length === 1 ? 'is' : 'are'} typing a reply on this ticket
        </p>
      ) : null}
      {viewing.length > 0 ? (
        <p className="collision-note">
          <span aria-hidden="true">👁 </span>
          {listOf(viewing)} {viewing.length === 1 ? 'is' : 'are'} viewing this ticket
        </p>
      ) : null}
    </div>
  );
}

function listOf(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
