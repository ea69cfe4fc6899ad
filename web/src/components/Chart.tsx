// Time series chart (uPlot: small and fast). Bars for the current period, an optional dashed
// line for the comparison period. Width follows the container.
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { axisLabel, formatBucket, type Unit } from '../lib/dates';
import { formatNumber } from '../lib/format';

export interface ChartSeries {
  label: string;
  values: number[];
  color: string;
  kind?: 'bars' | 'line';
  dash?: boolean;
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

export function Chart({ labels, series, unit, height = 260, title }: { labels: string[]; series: ChartSeries[]; unit: Unit; height?: number; title: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // Colours come from CSS variables: redraw when the theme changes.
  const [theme, setTheme] = useState(0);
  useEffect(() => {
    const bump = () => setTheme((n) => n + 1);
    window.addEventListener('dashi:theme', bump);
    return () => window.removeEventListener('dashi:theme', bump);
  }, []);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const text = cssVar('--muted', '#666');
    const multiDay = labels.length > 1 && labels[0].slice(0, 10) !== labels[labels.length - 1].slice(0, 10);
    const grid = cssVar('--border', '#ddd');
    const bars = uPlot.paths.bars!({ size: [0.7, 60], gap: 2 });
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      scales: { x: { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] }, y: { range: (_u, _min, max) => [0, Math.max(4, max * 1.1)] } },
      axes: [
        {
          stroke: text,
          grid: { show: false },
          ticks: { stroke: grid },
          values: (_u, splits) => splits.map((i) => (Number.isInteger(i) && labels[i] ? axisLabel(labels[i], unit, multiDay) : '')),
          space: unit === 'hour' && multiDay ? 110 : 70,
        },
        { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { show: false }, values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? formatNumber(v) : '')), size: 50 },
      ],
      series: [
        { label: 'Time', value: (_u, i) => (i === null || !labels[i] ? '' : formatBucket(labels[i], unit)) },
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          fill: s.kind === 'line' ? undefined : s.color + 'cc',
          width: s.kind === 'line' ? 2 : 0,
          dash: s.dash ? [6, 4] : undefined,
          paths: s.kind === 'line' ? undefined : bars,
          points: { show: s.kind === 'line' && labels.length < 40 },
          value: (_u: uPlot, v: number | null) => (v === null ? '–' : formatNumber(v)),
        })),
      ],
    };
    const data: uPlot.AlignedData = [labels.map((_, i) => i), ...series.map((s) => s.values)];
    plot.current?.destroy();
    plot.current = new uPlot(opts, data, el);
    const ro = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(200, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [labels, series, unit, height, theme]);

  const summary = series.map((s) => `${s.label}: ${formatNumber(s.values.reduce((a, b) => a + b, 0))}`).join(', ');
  return <div className="chart" ref={box} role="img" aria-label={`${title}. ${summary}`} />;
}

/** A tiny inline bar chart for lists (plain SVG, no library). */
export function Sparkline({ values, label }: { values: number[]; label: string }) {
  const max = Math.max(1, ...values);
  const w = 120;
  const h = 32;
  const bw = w / Math.max(1, values.length);
  return (
    <svg className="sparkline" viewBox={`0 0 ${w} ${h}`} width={w} height={h} role="img" aria-label={label}>
      {values.map((v, i) => {
        const bh = v ? Math.max(2, (v / max) * (h - 2)) : 1;
        return <rect key={i} x={i * bw + 1} y={h - bh} width={Math.max(1, bw - 2)} height={bh} rx={1} fill={v ? 'var(--accent)' : 'var(--border)'} />;
      })}
    </svg>
  );
}
