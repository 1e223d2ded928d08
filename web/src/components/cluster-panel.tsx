/**
 * The distributed mode in the Sources view: which role this node plays and which leases it
 * holds, the work queue's lag, and the draft batches that failed on every delivery (dead
 * letters) with their error — the posts a source fetched that never reached the store.
 * Nothing is shown in one process.
 */
import { absoluteTime } from '../format.js';
import { useCluster } from '../data/resources.js';

const REFRESH_MS = 10_000;

export function ClusterPanel() {
  const { data: cluster } = useCluster(REFRESH_MS);
  if (!cluster?.distributed) return null;
  return (
    <section className="card" aria-labelledby="cluster-title">
      <h2 className="card-title" id="cluster-title">
        Cluster
      </h2>
      <p>
        This node: <strong>{cluster.role}</strong>
        {cluster.leases.length > 0 ? `, running ${cluster.leases.join(', ')}` : ''}.{' '}
        {cluster.queue
          ? `${cluster.queue.pending} batch(es) waiting for a worker, ${cluster.queue.ackPending} in hand.`
          : 'The work queue cannot be read.'}
      </p>
      {cluster.deadLetters.length === 0 ? (
        <p className="muted">No dead letters: every queued batch was stored.</p>
      ) : (
        <div className="table-scroll">
          <table className="sources-table">
            <caption>Dead letters: batches that failed on every delivery</caption>
            <thead>
              <tr>
                <th scope="col">Failed</th>
                <th scope="col">Sources</th>
                <th scope="col">Posts</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {cluster.deadLetters.map((letter) => (
                <tr key={letter.seq}>
                  <td>{absoluteTime(letter.failedAt)}</td>
                  <td>{letter.sources.join(', ') || '—'}</td>
                  <td title={letter.externalIds.join(', ')}>{letter.posts}</td>
                  <td>{letter.error}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
