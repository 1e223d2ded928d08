/**
 * Tells screen readers what arrived while they work, without taking the focus: new tickets and
 * posts are counted and read out through one polite live region, at most every few seconds
 * (a burst of fifty posts is one sentence, not fifty interruptions).
 */
import { useEffect, useRef, useState } from 'react';
import { useLive } from '../live.js';

const EVERY_MS = 4000;

export function LiveAnnouncer() {
  const pending = useRef({ posts: 0, tickets: 0 });
  const [message, setMessage] = useState('');
  useLive('post', () => {
    pending.current.posts += 1;
  });
  useLive('ticket', () => {
    pending.current.tickets += 1;
  });
  useEffect(() => {
    const timer = window.setInterval(() => {
      const { posts, tickets } = pending.current;
      if (posts === 0 && tickets === 0) return;
      pending.current = { posts: 0, tickets: 0 };
      const parts = [
        tickets > 0 ? `${tickets} new ticket${tickets === 1 ? '' : 's'}` : '',
        posts > 0 ? `${posts} new post${posts === 1 ? '' : 's'}` : '',
      ].filter(Boolean);
      setMessage(parts.join(', '));
    }, EVERY_MS);
    return () => window.clearInterval(timer);
  }, []);
  return (
    <div className="sr-only" role="status" aria-live="polite" aria-atomic="true" data-testid="live-announcer">
      {message}
    </div>
  );
}
