// Visitors, visits, views, bounce rate and visit duration, each with its change.
import type { Stats } from '../lib/api';
import { change, formatDuration, formatNumber, formatPercent } from '../lib/format';

interface Item {
  label: string;
  value: number;
  prev: number;
  format: (n: number) => string;
  /** For bounce rate, lower is better. */
  invert?: boolean;
}

export function statItems(s: Stats): Item[] {
  const visits = s.visits.value;
  const pvisits = s.visits.prev;
  const bounce = (v: number, b: number) => (v ? Math.min(v, b) / v : 0);
  return [
    { label: 'Visitors', value: s.visitors.value, prev: s.visitors.prev, format: formatNumber },
    { label: 'Visits', value: visits, prev: pvisits, format: formatNumber },
    { label: 'Views', value: s.pageviews.value, prev: s.pageviews.prev, format: formatNumber },
    { label: 'Bounce rate', value: bounce(visits, s.bounces.value), prev: bounce(pvisits, s.bounces.prev), format: formatPercent, invert: true },
    { label: 'Visit duration', value: visits ? s.totaltime.value / visits : 0, prev: pvisits ? s.totaltime.prev / pvisits : 0, format: formatDuration },
  ];
}

export function MetricsBar({ stats, compare, loading }: { stats: Stats | undefined; compare: boolean; loading?: boolean }) {
  const items = stats ? statItems(stats) : null;
  return (
    <section className={`metrics-bar${loading ? ' is-loading' : ''}`} aria-label="Summary" aria-busy={loading}>
      {(items ?? ['Visitors', 'Visits', 'Views', 'Bounce rate', 'Visit duration'].map((label) => ({ label }) as Item)).map((it) => {
        const c = items ? change(it.value, it.prev) : null;
        const good = c === null || c === 0 ? null : it.invert ? c < 0 : c > 0;
        return (
          <div className="metric" key={it.label} data-metric={it.label.toLowerCase().replace(/ /g, '-')}>
            <div className="metric-value">{items ? it.format(it.value) : '–'}</div>
            <div className="metric-label">{it.label}</div>
            {compare && items && c !== null && (
              <div className={`metric-change ${good === null ? '' : good ? 'up' : 'down'}`} title={`Previous period: ${it.format(it.prev)}`}>
                <span aria-hidden="true">{c > 0 ? '▲' : c < 0 ? '▼' : ''}</span> {formatPercent(Math.abs(c))}
                <span className="sr-only">
                  {c > 0 ? 'up' : c < 0 ? 'down' : 'unchanged'} from {it.format(it.prev)} in the previous period
                </span>
              </div>
            )}
          </div>
        );
      })}
    </section>
  );
}

/** Plain totals in the metrics bar's layout (no comparison); undefined shows a dash. */
export function Totals({ label, items }: { label: string; items: { key: string; label: string; value: number | undefined }[] }) {
  return (
    <section className="metrics-bar" aria-label={label}>
      {items.map((it) => (
        <div className="metric" key={it.key} data-metric={it.key}>
          <div className="metric-value">{it.value === undefined ? '–' : formatNumber(it.value)}</div>
          <div className="metric-label">{it.label}</div>
        </div>
      ))}
    </section>
  );
}
