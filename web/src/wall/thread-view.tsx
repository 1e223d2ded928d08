/**
 * One thread: the question, the official answer pinned first, then the replies in order. Anyone
 * who reads the space replies, with their name or anonymously; in a thread this browser asked
 * anonymously the reply goes out as "the asker" (signed with the key kept here). The space's
 * team answers officially or marks a reply as the official answer, and hides posts.
 */
import { type FormEvent, useState } from 'react';
import type { WallReply, WallThread } from '../api-types.js';
import { errorMessage, useResource } from '../data/resource.js';
import { FormError } from '../components/form-error.js';
import { LoadError } from '../components/load-error.js';
import { absoluteTime, relativeTime } from '../format.js';
import { useLive } from '../live.js';
import { linkHandler } from '../router.js';
import { AnswerState } from './deadline.js';
import { WallText } from './markdown.js';
import { wallApi } from './wall-api.js';
import { isMyAnonymousThread, replyAnonymously } from './wallet.js';

/** The official answer first, then the others oldest first. */
export function pinned(thread: WallThread, replies: readonly WallReply[]): WallReply[] {
  const official = replies.filter((reply) => reply.id === thread.officialReplyId);
  return [...official, ...replies.filter((reply) => reply.id !== thread.officialReplyId)];
}

export function ThreadView({ id }: { id: string }) {
  const loaded = useResource(`wall:thread:${id}`, (signal) => wallApi.thread(id, signal), { keepPrevious: true });
  const spaces = useResource('wall:spaces', (signal) => wallApi.spaces(signal));
  useLive('wall-changed', (event) => void (event.threadId === id && loaded.reload()), [id]);
  const [error, setError] = useState<string | null>(null);
  if (loaded.error && !loaded.data)
    return (
      <LoadError
        message={errorMessage(loaded.error, 'The thread could not be loaded')!}
        backTo="/wall"
        backLabel="Back to the wall"
      />
    );
  if (!loaded.data) return <p aria-busy="true">Loading…</p>;
  const { thread, replies } = loaded.data;
  const space = spaces.data?.spaces.find((candidate) => candidate.id === thread.spaceId);
  const team = space?.moderator ?? false;
  const mine = isMyAnonymousThread(thread.id);

  async function act(action: () => Promise<unknown>) {
    setError(null);
    try {
      await action();
      await loaded.reload();
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : 'That failed');
    }
  }

  return (
    <article className="wall wall-thread-view">
      <nav aria-label="Breadcrumb" className="muted small">
        <a href="/wall" onClick={linkHandler('/wall')}>
          Wall
        </a>
        {space ? (
          <>
            {' › '}
            <a href={`/wall/spaces/${space.id}`} onClick={linkHandler(`/wall/spaces/${space.id}`)}>
              {space.name}
            </a>
          </>
        ) : null}
      </nav>
      <h1>
        <span className={`wall-kind kind-${thread.kind}`}>{thread.kind}</span> {thread.title}
      </h1>
      <p className="muted small">
        {thread.anonymous ? 'Anonymous' : (thread.author?.name ?? 'someone')}
        {mine ? ' (you asked this, anonymously)' : ''} · {relativeTime(thread.createdAt)} · ▲ {thread.votes}{' '}
        <AnswerState thread={thread} />
      </p>
      <WallText text={thread.body} />
      <FormError message={error} />
      {team ? (
        <button
          type="button"
          className="btn btn-small btn-ghost"
          onClick={() => void act(() => wallApi.hide(thread.id, !thread.hidden))}
        >
          {thread.hidden ? 'Show the thread again' : 'Hide the thread'}
        </button>
      ) : null}
      <section aria-labelledby="replies-title">
        <h2 id="replies-title">Answers and replies</h2>
        {replies.length === 0 ? <p className="muted">No replies yet.</p> : null}
        <ol className="wall-replies">
          {pinned(thread, replies).map((reply) => (
            <li
              key={reply.id}
              className={`wall-reply${reply.official ? ' official' : ''}${reply.hidden ? ' hidden' : ''}`}
              aria-label={reply.official ? 'Official answer' : undefined}
            >
              {reply.official ? <p className="wall-official-label">Official answer</p> : null}
              <p className="muted small">
                {reply.byAsker ? 'The asker' : reply.anonymous ? 'Anonymous' : (reply.author?.name ?? 'someone')} ·{' '}
                <time dateTime={reply.createdAt} title={absoluteTime(reply.createdAt)}>
                  {relativeTime(reply.createdAt)}
                </time>
                {reply.hidden ? ' · hidden' : ''}
              </p>
              <WallText text={reply.body} />
              {team && !reply.official ? (
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => void act(() => wallApi.markOfficial(thread.id, reply.id))}
                >
                  Mark as the official answer
                </button>
              ) : null}
              {team ? (
                <button
                  type="button"
                  className="btn btn-small btn-ghost"
                  onClick={() => void act(() => wallApi.hide(thread.id, !reply.hidden, reply.id))}
                >
                  {reply.hidden ? 'Show' : 'Hide'}
                </button>
              ) : null}
            </li>
          ))}
        </ol>
      </section>
      <ReplyForm thread={thread} team={team} mine={mine} onSent={() => void loaded.reload()} />
    </article>
  );
}

function ReplyForm({
  thread,
  team,
  mine,
  onSent,
}: {
  thread: WallThread;
  team: boolean;
  mine: boolean;
  onSent: () => void;
}) {
  const [body, setBody] = useState('');
  const [official, setOfficial] = useState(false);
  // In a thread this browser asked anonymously, replying stays anonymous by default.
  const [anonymous, setAnonymous] = useState(mine);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (anonymous) await replyAnonymously(thread.id, body);
      else await wallApi.reply(thread.id, body, team && official);
      setBody('');
      setOfficial(false);
      onSent();
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : 'The reply failed');
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="card wall-reply-form" onSubmit={(event) => void submit(event)} aria-labelledby="reply-title">
      <h2 id="reply-title">{mine ? 'Follow up as the asker' : 'Reply'}</h2>
      <label className="field">
        Your reply (Markdown)
        <textarea rows={4} value={body} onChange={(event) => setBody(event.target.value)} required maxLength={10_000} />
      </label>
      {team && !anonymous ? (
        <label className="wall-switch">
          <input type="checkbox" checked={official} onChange={(event) => setOfficial(event.target.checked)} /> Official
          answer (pinned first)
        </label>
      ) : null}
      <label className="wall-switch">
        <input
          type="checkbox"
          role="switch"
          aria-checked={anonymous}
          checked={anonymous}
          onChange={(event) => {
            setAnonymous(event.target.checked);
            if (event.target.checked) setOfficial(false);
          }}
        />{' '}
        {mine ? 'Reply anonymously, as the asker' : 'Reply anonymously'}
      </label>
      <FormError message={error} />
      <button type="submit" className="btn btn-primary" disabled={busy}>
        Send reply
      </button>
    </form>
  );
}
