/** A thread's answer state: answered (on time or late), overdue, or the time left to its deadline. */
import type { WallThread } from '../api-types.js';
import { absoluteTime, duration } from '../format.js';
import { useNow } from '../components/clock.js';

export function AnswerState({ thread }: { thread: WallThread }) {
  const now = useNow();
  if (thread.officialReplyId) {
    const late = thread.dueAt !== null && thread.answeredAt !== null && thread.answeredAt > thread.dueAt;
    return <span className={`wall-state ${late ? 'late' : 'answered'}`}>{late ? 'Answered late' : 'Answered'}</span>;
  }
  if (!thread.dueAt) return null;
  const left = Date.parse(thread.dueAt) - now;
  return left <= 0 ? (
    <span className="wall-state overdue" title={`Due ${absoluteTime(thread.dueAt)}`}>
      Overdue by {duration(left)}
    </span>
  ) : (
    <span className="wall-state due" title={`Due ${absoluteTime(thread.dueAt)}`}>
      Answer due in {duration(left)}
    </span>
  );
}
