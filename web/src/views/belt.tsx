/**
 * Belt: where a person stands on the ladder and what the next belt needs, the policies waiting
 * for their acknowledgement, the training modules with their quizzes, their held replies with
 * reviewers' notes, and (for higher belts) the review queue to approve or return others' replies.
 */
import { useState } from 'react';
import { request } from '../api.js';
import type { BeltProgressWire, HeldReplyWire, PolicyWire, TrainingModuleWire } from '../api-types.js';
import { useResource } from '../data/resource.js';

type Pending = { policy: PolicyWire; version: { id: number; version: number; body: string }; reminders: number };

export function BeltView() {
  const progress = useResource('belt:progress', (signal) =>
    request<BeltProgressWire>('GET', '/ladder/progress', undefined, signal),
  );
  const pending = useResource('belt:pending', (signal) =>
    request<{ pending: Pending[] }>('GET', '/policies/pending', undefined, signal),
  );
  const modules = useResource('belt:modules', (signal) =>
    request<{ modules: TrainingModuleWire[] }>('GET', '/modules', undefined, signal),
  );
  const mine = useResource('belt:mine', (signal) =>
    request<{ replies: HeldReplyWire[] }>('GET', '/reviews?mine=true', undefined, signal),
  );
  const reloadAll = () => {
    void progress.reload();
    void pending.reload();
    void modules.reload();
  };
  const p = progress.data;
  return (
    <section className="belt">
      <h1>Belt</h1>
      {p ? (
        <section className="belt-progress" aria-label="Belt progress">
          <p>
            You hold the <strong data-belt={p.name}>{p.name}</strong> belt.
          </p>
          {p.next ? (
            <>
              <p>The {p.next.name} belt needs:</p>
              <ul>
                {p.next.criteria.map((c) => (
                  <li key={c.criterion} className={c.met ? 'met' : 'unmet'}>
                    {c.met ? '✓' : '○'} {c.label}: {c.have} / {c.need}
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <p>You are at the top of the ladder.</p>
          )}
          {p.mustReview ? <p className="muted">Your public replies wait for a higher belt’s review.</p> : null}
        </section>
      ) : null}

      <h2>Policies to acknowledge</h2>
      {(pending.data?.pending ?? []).length === 0 ? <p className="muted">None waiting.</p> : null}
      {(pending.data?.pending ?? []).map((item) => (
        <article key={item.version.id} className="belt-policy">
          <h3>
            {item.policy.title} (version {item.version.version})
          </h3>
          <p>{item.version.body}</p>
          <button
            type="button"
            className="btn btn-primary"
            onClick={async () => {
              await request('POST', `/policy-versions/${item.version.id}/acknowledge`);
              reloadAll();
            }}
          >
            I have read and acknowledge {item.policy.title}
          </button>
        </article>
      ))}

      <h2>Training modules</h2>
      {(modules.data?.modules ?? []).map((module) => (
        <Quiz key={module.id} module={module} onDone={reloadAll} />
      ))}

      <h2>Your held replies</h2>
      <ul>
        {(mine.data?.replies ?? []).map((reply) => (
          <li key={reply.id}>
            #{reply.id} {reply.status}: “{reply.body}”{reply.note ? ` — reviewer’s note: ${reply.note}` : ''}
          </li>
        ))}
      </ul>

      {p?.mayReview ? <ReviewQueue /> : null}
    </section>
  );
}

function Quiz({ module, onDone }: { module: TrainingModuleWire; onDone: () => void }) {
  const [answers, setAnswers] = useState<number[]>(() => module.quiz.map(() => -1));
  const [result, setResult] = useState<string | null>(null);
  return (
    <form
      className="belt-quiz"
      aria-label={`Quiz: ${module.title}`}
      onSubmit={async (event) => {
        event.preventDefault();
        const outcome = await request<{ right: number; total: number; passed: boolean }>(
          'POST',
          `/modules/${module.id}/attempts`,
          { answers },
        );
        setResult(`${outcome.right} of ${outcome.total} right: ${outcome.passed ? 'passed' : 'not passed yet'}`);
        onDone();
      }}
    >
      <h3>
        {module.title} {module.passed ? '(passed)' : ''}
      </h3>
      {module.quiz.map((question, i) => (
        <fieldset key={question.question}>
          <legend>{question.question}</legend>
          {question.choices.map((choice, j) => (
            <label key={choice}>
              <input
                type="radio"
                name={`q-${module.id}-${i}`}
                checked={answers[i] === j}
                onChange={() => setAnswers((current) => current.map((value, k) => (k === i ? j : value)))}
              />{' '}
              {choice}
            </label>
          ))}
        </fieldset>
      ))}
      <button type="submit" className="btn" disabled={answers.includes(-1)}>
        Submit answers
      </button>
      {result ? <p role="status">{result}</p> : null}
    </form>
  );
}

function ReviewQueue() {
  const queue = useResource('belt:queue', (signal) =>
    request<{ replies: HeldReplyWire[] }>('GET', '/reviews', undefined, signal),
  );
  const [notes, setNotes] = useState<Record<number, string>>({});
  const [error, setError] = useState<string | null>(null);
  async function decide(id: number, action: 'approve' | 'return') {
    setError(null);
    try {
      const note = notes[id]?.trim();
      await request(
        'POST',
        `/reviews/${id}/${action}`,
        action === 'return' ? { note: note ?? '' } : note ? { note } : {},
      );
      await queue.reload();
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : 'Failed');
    }
  }
  return (
    <section aria-label="Review queue">
      <h2>Review queue</h2>
      {error ? <p className="error">{error}</p> : null}
      {(queue.data?.replies ?? []).length === 0 ? <p className="muted">Nothing waiting.</p> : null}
      <ul className="belt-queue">
        {(queue.data?.replies ?? []).map((reply) => (
          <li key={reply.id} data-held={reply.id}>
            <p>
              Ticket #{reply.ticketId}: “{reply.body}”
            </p>
            <label>
              Note for the author{' '}
              <input
                value={notes[reply.id] ?? ''}
                onChange={(event) => setNotes((current) => ({ ...current, [reply.id]: event.target.value }))}
              />
            </label>
            <button type="button" className="btn btn-primary" onClick={() => void decide(reply.id, 'approve')}>
              Approve and send
            </button>
            <button type="button" className="btn" onClick={() => void decide(reply.id, 'return')}>
              Return
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
