/**
 * One space: its answer record, the ask form, the threads ranked by "me too", and for the
 * space's team the rumour radar and the mood by week (never below 10 posts a week).
 */
import type { Space, WallThread } from '../api-types.js';
import { errorMessage, useResource } from '../data/resource.js';
import { FormError } from '../components/form-error.js';
import { LoadError } from '../components/load-error.js';
import { relativeTime } from '../format.js';
import { useLive } from '../live.js';
import { linkHandler } from '../router.js';
import { AskForm } from './ask-form.js';
import { AnswerState } from './deadline.js';
import { TeamPanels } from './team-panels.js';
import { wallApi } from './wall-api.js';
import { useState } from 'react';

/** Most "me too" first; among equals the newest. */
export function ranked(threads: readonly WallThread[]): WallThread[] {
  return [...threads].sort((a, b) => b.votes - a.votes || b.createdAt.localeCompare(a.createdAt));
}

export function SpaceView({ id }: { id: number }) {
  const loaded = useResource(`wall:space:${id}`, (signal) => wallApi.space(id, signal), { keepPrevious: true });
  useLive('wall-changed', (event) => void (event.spaceId === id && loaded.reload()), [id]);
  if (loaded.error && !loaded.data)
    return (
      <LoadError
        message={errorMessage(loaded.error, 'The space could not be loaded')!}
        backTo="/wall"
        backLabel="Back to the wall"
      />
    );
  if (!loaded.data) return <p aria-busy="true">Loading…</p>;
  const { space, threads, figures } = loaded.data;
  return (
    <section className="wall">
      <nav aria-label="Breadcrumb" className="muted small">
        <a href="/wall" onClick={linkHandler('/wall')}>
          Wall
        </a>
      </nav>
      <h1>{space.name}</h1>
      <p>{space.description}</p>
      <dl className="wall-figures" aria-label="Answer record">
        <div>
          <dt>Answered within deadline</dt>
          <dd>
            {figures.answeredWithinDeadline === null ? '—' : `${Math.round(figures.answeredWithinDeadline * 100)} %`}
          </dd>
        </div>
        <div>
          <dt>Median time to official answer</dt>
          <dd>{figures.medianHoursToAnswer === null ? '—' : `${figures.medianHoursToAnswer.toFixed(1)} h`}</dd>
        </div>
        <div>
          <dt>Overdue now</dt>
          <dd>{figures.overdue}</dd>
        </div>
        <div>
          <dt>Deadline</dt>
          <dd>{space.slaHours} h</dd>
        </div>
      </dl>
      <AskForm space={space} />
      <Threads space={space} threads={threads} onVoted={() => void loaded.reload()} />
      {space.moderator ? <TeamPanels space={space} /> : null}
    </section>
  );
}

function Threads({ space, threads, onVoted }: { space: Space; threads: WallThread[]; onVoted: () => void }) {
  const [error, setError] = useState<string | null>(null);
  async function vote(thread: WallThread) {
    setError(null);
    try {
      await wallApi.vote(thread.id);
      onVoted();
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : 'The vote failed');
    }
  }
  return (
    <section aria-labelledby="threads-title">
      <h2 id="threads-title">Questions, ideas and concerns</h2>
      <FormError message={error} />
      {threads.length === 0 ? <p className="muted">Nothing asked yet in {space.name}.</p> : null}
      <ol className="wall-threads">
        {ranked(threads).map((thread) => (
          <li key={thread.id} className={`wall-thread${thread.hidden ? ' hidden' : ''}`}>
            <button
              type="button"
              className="btn btn-small wall-vote"
              onClick={() => void vote(thread)}
              aria-label={`Me too: ${thread.title} (${thread.votes})`}
            >
              ▲ {thread.votes}
            </button>
            <div>
              <span className={`wall-kind kind-${thread.kind}`}>{thread.kind}</span>{' '}
              <a href={`/wall/threads/${thread.id}`} onClick={linkHandler(`/wall/threads/${thread.id}`)}>
                {thread.title}
              </a>
              <div className="muted small">
                {thread.anonymous ? 'Anonymous' : (thread.author?.name ?? 'someone')} · {relativeTime(thread.createdAt)}{' '}
                · {thread.replyCount} {thread.replyCount === 1 ? 'reply' : 'replies'} <AnswerState thread={thread} />
                {thread.hidden ? ' · hidden' : ''}
              </div>
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}
