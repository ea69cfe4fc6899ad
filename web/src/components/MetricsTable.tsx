// A breakdown table (/metrics): value, count and share; clicking a value filters by it.
// "View more" opens the expanded table (/metrics/expanded), loaded on demand.
import { lazy, Suspense, useState } from 'react';
import type { MetricRow } from '../lib/api';
import { DIMENSION_BY_KEY } from '../lib/dimensions';
import { formatNumber, formatPercent } from '../lib/format';
import { useApi } from '../lib/useApi';
import { FilterValue, type TableContext } from './FilterValue';
import { Tabs } from './Tabs';
import { Fetched, Loading, Modal, Panel } from './ui';

const ExpandedTable = lazy(() => import('./ExpandedTable'));

const UNIT_LABEL: Record<string, string> = { views: 'Views', visitors: 'Visitors', visits: 'Visits', events: 'Count' };

function Rows({ rows, type, total, ctx, unitLabel }: { rows: MetricRow[]; type: string; total: number; ctx: TableContext; unitLabel: string }) {
  return (
    <table className="metrics-table">
      <thead>
        <tr>
          <th scope="col">{DIMENSION_BY_KEY.get(type)?.label ?? type}</th>
          <th scope="col" className="num">
            {unitLabel}
          </th>
          <th scope="col" className="num pct">
            <span className="sr-only">Share</span>%
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => {
          const share = total > 0 ? Math.min(1, r.y / total) : 0;
          return (
            <tr key={`${r.x}-${r.country ?? ''}-${i}`} style={{ ['--share' as string]: `${share * 100}%` }}>
              <td className="label-cell">
                <FilterValue type={type} value={r.x} country={r.country} filters={ctx.filters} />
              </td>
              <td className="num">{formatNumber(r.y)}</td>
              <td className="num pct">{formatPercent(share)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function MetricsTable({ type, ctx, limit = 10 }: { type: string; ctx: TableContext; limit?: number }) {
  const dim = DIMENSION_BY_KEY.get(type);
  const label = dim?.label ?? type;
  const unit = dim?.unit ?? 'views';
  const res = useApi<MetricRow[]>(`/websites/${ctx.websiteId}/metrics`, { ...ctx.api, type, limit });
  const [more, setMore] = useState(false);
  const rows = Array.isArray(res.data) ? res.data : [];
  const total = unit === 'events' || !ctx.totals ? rows.reduce((a, r) => a + r.y, 0) : ctx.totals[unit];
  return (
    <div className="metrics-body">
      <Fetched res={res} errorTitle="Could not load this table" isEmpty={() => rows.length === 0}>
        {() => (
          <>
            <Rows rows={rows} type={type} total={total} ctx={ctx} unitLabel={UNIT_LABEL[unit]} />
            <button type="button" className="btn small link more" aria-haspopup="dialog" aria-label={`View more: ${label}`} onClick={() => setMore(true)}>
              View more
            </button>
          </>
        )}
      </Fetched>
      <Modal title={label} open={more} onClose={() => setMore(false)} wide>
        <Suspense fallback={<Loading />}>
          <ExpandedTable type={type} ctx={ctx} onFilter={() => setMore(false)} />
        </Suspense>
      </Modal>
    </div>
  );
}

/** A card with tabs over several breakdowns (Pages: path/entry/exit, ...). */
export function MetricsPanel({ title, types, ctx }: { title: string; types: string[]; ctx: TableContext }) {
  const [type, setType] = useState(types[0]);
  const tabs = types.map((key) => {
    const dim = DIMENSION_BY_KEY.get(key);
    return { key, label: dim?.tab ?? dim?.label ?? key };
  });
  return (
    <Panel title={title} className="card panel" actions={tabs.length > 1 && <Tabs tabs={tabs} value={type} onChange={setType} label={`${title} breakdown`} />}>
      <MetricsTable key={type} type={type} ctx={ctx} />
    </Panel>
  );
}
