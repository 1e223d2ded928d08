/** Beside a ticket: how often its customer wrote to us this month, and their other tickets. */
import { useCustomerHistory } from '../data/resources.js';
import { linkHandler } from '../router.js';
import { StatusBadge } from './badges.js';

export function CustomerHistory({ ticketId }: { ticketId: number }) {
  const { data: history } = useCustomerHistory(ticketId);
  if (!history) return null;
  const who = history.author.name ?? history.author.handle;
  const times = history.postsSince === 1 ? 'once' : `${history.postsSince} times`;
  return (
    <section className="customer-history" aria-labelledby="customer-history-title">
      <h2 id="customer-history-title" className="timeline-label">
        Customer history
      </h2>
      <p className="small">
        <strong>{who}</strong> wrote to us {times} this month ({history.postsTotal} in all).
      </p>
      {history.tickets.length > 0 ? (
        <ul className="plain-list history-tickets">
          {history.tickets.map((ticket) => (
            <li key={ticket.id}>
              <a href={`/inbox/${ticket.id}`} onClick={linkHandler(`/inbox/${ticket.id}`)}>
                #{ticket.id} {ticket.subject}
              </a>{' '}
              <StatusBadge status={ticket.status} />
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted small">No earlier tickets.</p>
      )}
    </section>
  );
}
