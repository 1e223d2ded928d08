/** Volume by sentiment over time, drawn with uPlot (small, fast, canvas). */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Stats } from '../api-types.js';

export const SENTIMENT_COLOURS = { negative: '#dc2626', neutral: '#64748b', positive: '#16a34a' } as const;

/** "2026-11-22T09" (hour), "…T09:37" (minute) or "2026-11-22" (day), all UTC → seconds. */
export function bucketTime(bucket: string): number {
  const iso =
    bucket.length === 10 ? `${bucket}T00:00:00Z` : bucket.length === 13 ? `${bucket}:00:00Z` : `${bucket}:00Z`;
  return Date.parse(iso) / 1000;
}

export function VolumeChart({ series, label }: { series: Stats['series']; label: string }) {
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const data: uPlot.AlignedData = [
      series.map((point) => bucketTime(point.bucket)),
      series.map((point) => point.negative),
      series.map((point) => point.neutral),
      series.map((point) => point.positive),
    ];
    const line = (name: string, colour: string): uPlot.Series => ({
      label: name,
      stroke: colour,
      width: 2,
      fill: `${colour}1f`,
      points: { show: series.length < 40, size: 4 },
    });
    const options: uPlot.Options = {
      width: Math.max(280, element.clientWidth),
      height: 260,
      series: [
        {},
        line('Negative', SENTIMENT_COLOURS.negative),
        line('Neutral', SENTIMENT_COLOURS.neutral),
        line('Positive', SENTIMENT_COLOURS.positive),
      ],
      axes: [
        { stroke: '#64748b', grid: { stroke: '#eef0f4' }, ticks: { stroke: '#e2e8f0' } },
        { stroke: '#64748b', grid: { stroke: '#eef0f4' }, ticks: { stroke: '#e2e8f0' }, size: 40 },
      ],
      scales: { y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.15))] } },
      legend: { live: true },
      cursor: { points: { size: 6 } },
    };
    plot.current?.destroy();
    plot.current = new uPlot(options, data, element);
    const resize = new ResizeObserver(() =>
      plot.current?.setSize({ width: Math.max(280, element.clientWidth), height: 260 }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [series]);

  return <div ref={holder} className="chart" role="img" aria-label={label} />;
}
