/**
 * What the space's team sees beyond the threads: the rumour radar (recurring questions and
 * concerns, with one click to draft an FAQ entry) and the mood by week, shown only for weeks of
 * 10 posts or more (the server leaves the others out; docs/wall.md).
 */
import { useState } from 'react';
import type { RadarEntry, Space } from '../api-types.js';
import { errorMessage, useResource } from '../data/resource.js';
import { FormError } from '../components/form-error.js';
import { wallApi } from './wall-api.js';

export function TeamPanels({ space }: { space: Space }) {
  const radar = useResource(`wall:radar:${space.id}`, (signal) => wallApi.radar(space.id, signal));
  const mood = useResource(`wall:mood:${space.id}`, (signal) => wallApi.mood(space.id, signal));
  return (
    <div className="wall-team">
      <section className="card" aria-labelledby="radar-title">
        <h2 id="radar-title">Rumour radar</h2>
        <FormError message={errorMessage(radar.error, 'The radar could not be loaded')} />
        {radar.data && radar.data.entries.length === 0 ? (
          <p className="muted">Nothing recurring in the last 7 days.</p>
        ) : null}
        <ul>
          {(radar.data?.entries ?? []).map((entry) => (
            <RadarItem key={entry.threadIds.join()} space={space} entry={entry} />
          ))}
        </ul>
      </section>
      <section className="card" aria-labelledby="mood-title">
        <h2 id="mood-title">Mood by week</h2>
        <FormError message={errorMessage(mood.error, 'The mood could not be loaded')} />
        <table className="wall-mood">
          <caption className="sr-only">Posts and mean sentiment per week, anonymous posts included</caption>
          <thead>
            <tr>
              <th scope="col">Week</th>
              <th scope="col">Posts</th>
              <th scope="col">Mood</th>
            </tr>
          </thead>
          <tbody>
            {(mood.data?.weeks ?? []).map((week) => (
              <tr key={week.week}>
                <td>{week.week}</td>
                <td>{week.posts}</td>
                <td>{week.mood === null ? 'too few posts to show (under 10)' : week.mood.toFixed(2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}

function RadarItem({ space, entry }: { space: Space; entry: RadarEntry }) {
  const [state, setState] = useState<{ ok: boolean; text: string } | null>(null);
  async function draft() {
    try {
      await wallApi.faqDraft(space.id, entry.question, entry.threadIds);
      setState({ ok: true, text: 'FAQ draft saved for the knowledge base' });
    } catch (caught) {
      setState({ ok: false, text: caught instanceof Error ? caught.message : 'Drafting failed' });
    }
  }
  return (
    <li>
      <strong>{entry.question}</strong>{' '}
      <span className="muted">
        asked {entry.asked} times in {entry.days} days
        {entry.officiallyAnswered ? '' : ', no official answer'}
      </span>{' '}
      <button type="button" className="btn btn-small" onClick={() => void draft()}>
        Draft an FAQ entry
      </button>
      {state?.ok ? <span role="status"> {state.text}</span> : <FormError message={state?.text} />}
    </li>
  );
}
