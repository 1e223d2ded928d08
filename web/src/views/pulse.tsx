/**
 * Pulse, the view a lead opens first: how negative the conversation is against how positive,
 * volume by sentiment over time, what kinds of posts dominate, and a live count of arrivals.
 */
import { useState } from 'react';
import { errorMessage } from '../data/resource.js';
import { useAlerts, useStats, useStreams } from '../data/resources.js';
import { useLive, useLiveState } from '../live.js';
import { linkHandler } from '../router.js';
import { compactNumber } from '../format.js';
import { FormError } from '../components/form-error.js';
import { Options } from '../components/options.js';
import { SENTIMENT_COLOURS, VolumeChart } from '../components/volume-chart.js';

const WINDOWS = [
  { id: '1h', label: '1 hour' },
  { id: '6h', label: '6 hours' },
  { id: '24h', label: '24 hours' },
  { id: '7d', label: '7 days' },
  { id: '30d', label: '30 days' },
] as const;
const REFRESH_MS = 30_000;

export function PulseView() {
  const [window_, setWindow] = useState<string>('24h');
  const [streamId, setStreamId] = useState<number | undefined>(undefined);
  const streams = useStreams().data ?? [];
  const statsResource = useStats(window_, streamId, REFRESH_MS);
  const stats = statsResource.data;
  const alerts = useAlerts('open', 20);
  const [sinceOpen, setSinceOpen] = useState({ total: 0, negative: 0 });
  const { state } = useLiveState();

  useLive(
    'post',
    (post) => {
      if (streamId !== undefined && !post.streamIds.includes(streamId)) return;
      setSinceOpen((current) => ({
        total: current.total + 1,
        negative: current.negative + (post.sentiment === 'negative' ? 1 : 0),
      }));
      statsResource.mutate((current) => {
        if (!current) return current;
        const bySentiment = { ...current.bySentiment, [post.sentiment]: current.bySentiment[post.sentiment] + 1 };
        return {
          ...current,
          total: current.total + 1,
          bySentiment,
          byKind: { ...current.byKind, [post.kind]: (current.byKind[post.kind] ?? 0) + 1 },
          negativePositiveRatio: bySentiment.positive > 0 ? bySentiment.negative / bySentiment.positive : null,
        };
      });
    },
    [streamId],
  );
  useLive(
    'alert',
    (alert) => alerts.mutate((current) => [alert, ...(current ?? []).filter((known) => known.id !== alert.id)]),
    [],
  );

  const ratio = stats?.negativePositiveRatio ?? null;
  const ratioTone = ratio === null ? 'neutral' : ratio >= 1 ? 'bad' : ratio >= 0.5 ? 'warn' : 'good';
  const kinds = Object.entries(stats?.byKind ?? {}).sort((a, b) => b[1] - a[1]);
  const topKind = kinds[0]?.[1] ?? 1;
  const openTickets = (stats?.tickets.new ?? 0) + (stats?.tickets.open ?? 0) + (stats?.tickets.pending ?? 0);
  const windowLabel = WINDOWS.find((candidate) => candidate.id === window_)!.label;

  return (
    <div className="view pulse-view">
      <header className="view-head">
        <h1>Pulse</h1>
        {/* biome-ignore lint/a11y/useSemanticElements: a segmented control of buttons; a fieldset would bring a legend and borders it does not have */}
        <div className="segmented" role="group" aria-label="Time window">
          {WINDOWS.map((candidate) => (
            <button
              key={candidate.id}
              type="button"
              aria-pressed={candidate.id === window_}
              onClick={() => setWindow(candidate.id)}
            >
              {candidate.id}
            </button>
          ))}
        </div>
        <label className="field-inline">
          <span className="sr-only">Stream</span>
          <select
            value={streamId ?? ''}
            onChange={(event) => setStreamId(event.target.value ? Number(event.target.value) : undefined)}
          >
            <option value="">All streams</option>
            <Options items={streams} value={(stream) => stream.id} label={(stream) => stream.name} />
          </select>
        </label>
      </header>
      <FormError message={errorMessage(statsResource.error, 'Could not load the numbers')} />
      {alerts.data?.length ? (
        <ul className="alerts" aria-label="Open alerts">
          {alerts.data.slice(0, 3).map((alert) => (
            <li key={alert.id} className={`alert alert-${alert.severity}`}>
              <strong>{alert.severity}</strong> {alert.title}
            </li>
          ))}
        </ul>
      ) : null}
      <section className="kpis" aria-label="Key numbers">
        <div className={`kpi kpi-${ratioTone}`}>
          <span className="kpi-label">Negative : positive</span>
          <span className="kpi-value" data-testid="ratio">
            {ratio === null ? '—' : ratio.toFixed(2)}
          </span>
          <span className="kpi-note">
            {ratio === null
              ? 'no positive posts yet'
              : ratio >= 1
                ? 'more negative than positive'
                : `${Math.round(ratio * 100)} negative per 100 positive`}
          </span>
        </div>
        <div className="kpi">
          <span className="kpi-label">Posts, last {windowLabel}</span>
          <span className="kpi-value">{stats ? compactNumber(stats.total) : '—'}</span>
          {/* biome-ignore lint/a11y/useSemanticElements: three inline counts inside a sentence-like note; a fieldset would break the line */}
          <span className="kpi-note sentiment-split" role="group" aria-label="By sentiment">
            {stats ? (
              <>
                <span className="dot-label negative">{stats.bySentiment.negative} negative</span>
                <span className="dot-label neutral">{stats.bySentiment.neutral} neutral</span>
                <span className="dot-label positive">{stats.bySentiment.positive} positive</span>
              </>
            ) : null}
          </span>
        </div>
        <div className="kpi kpi-live">
          <span className="kpi-label">
            <span className={`live-dot live-${state}`} aria-hidden="true" /> Live since you opened Pulse
          </span>
          <span className="kpi-value" aria-live="polite" data-testid="live-counter">
            {sinceOpen.total}
          </span>
          <span className="kpi-note">{sinceOpen.negative} negative</span>
        </div>
        <a className="kpi kpi-link" href="/inbox" onClick={linkHandler('/inbox')}>
          <span className="kpi-label">Open tickets</span>
          <span className="kpi-value">{stats ? openTickets : '—'}</span>
          <span className="kpi-note">
            {stats?.tickets.new ?? 0} new · {stats?.tickets.pending ?? 0} pending
          </span>
        </a>
      </section>
      <div className="pulse-grid">
        <section className="card" aria-labelledby="volume-title">
          <header className="card-head">
            <h2 id="volume-title">Volume by sentiment</h2>
            <span className="legend" aria-hidden="true">
              {(['negative', 'neutral', 'positive'] as const).map((sentiment) => (
                <span key={sentiment} className="legend-item">
                  <span className="swatch" style={{ background: SENTIMENT_COLOURS[sentiment] }} />
                  {sentiment}
                </span>
              ))}
            </span>
          </header>
          {stats && stats.series.length > 0 ? (
            <VolumeChart
              series={stats.series}
              label={`Posts per ${window_ === '7d' ? 'hour' : window_ === '30d' ? 'day' : window_ === '24h' ? 'hour' : 'minute'} by sentiment over the last ${windowLabel}`}
            />
          ) : (
            <p className="muted pad">{stats ? 'No posts in this window.' : 'Loading…'}</p>
          )}
        </section>
        <section className="card" aria-labelledby="kinds-title">
          <header className="card-head">
            <h2 id="kinds-title">Top kinds</h2>
          </header>
          <ul className="bars">
            {kinds.map(([kind, count]) => (
              <li key={kind}>
                <span className="bar-label">{kind}</span>
                <span className="bar-track" aria-hidden="true">
                  <span className={`bar-fill kind-fill-${kind}`} style={{ width: `${(count / topKind) * 100}%` }} />
                </span>
                <span className="bar-value">{count}</span>
              </li>
            ))}
            {kinds.length === 0 ? <li className="muted">No posts yet.</li> : null}
          </ul>
        </section>
      </div>
    </div>
  );
}
