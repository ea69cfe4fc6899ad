// A breakdown table (/metrics): value, count and share; clicking a value filters by it.
import { useState } from 'react';
import type { MetricRow } from '../lib/api';
import { DIMENSION_BY_KEY, type ActiveFilter } from '../lib/dimensions';
import { displayValue, formatNumber, formatPercent } from '../lib/format';
import { useApi } from '../lib/useApi';
import { addFilter } from './Controls';
import { Tabs } from './Tabs';
import { Empty, ErrorBox, Loading, Modal } from './ui';

const UNIT_LABEL: Record<string, string> = { views: 'Views', visitors: 'Visitors', visits: 'Visits', events: 'Count' };

export interface TableContext {
  websiteId: string;
  api: Record<string, string | number>;
  filters: ActiveFilter[];
  /** Totals to compute shares against (from /stats). */
  totals?: { views: number; visitors: number; visits: number };
  readOnly?: boolean;
}

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
          const text = displayValue(type, r.x, { country: r.country });
          return (
            <tr key={`${r.x}-${r.country ?? ''}-${i}`} style={{ ['--share' as string]: `${share * 100}%` }}>
              <td className="label-cell">
                {r.x === null || r.x === '' ? (
                  <span className="muted">{text}</span>
                ) : (
                  <button type="button" className="row-filter" title={`Filter by ${text}`} onClick={() => addFilter(ctx.filters, type, r.x)}>
                    {text}
                  </button>
                )}
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
  const unit = dim?.unit ?? 'views';
  const res = useApi<MetricRow[]>(`/websites/${ctx.websiteId}/metrics`, { ...ctx.api, type, limit });
  const [more, setMore] = useState(false);
  const rows = Array.isArray(res.data) ? res.data : [];
  const total = unit === 'events' || !ctx.totals ? rows.reduce((a, r) => a + r.y, 0) : ctx.totals[unit];
  return (
    <div className="metrics-body">
      {res.error ? (
        <ErrorBox error={res.error} retry={res.reload} title="Could not load this table" />
      ) : res.data === undefined ? (
        <Loading />
      ) : rows.length === 0 ? (
        <Empty />
      ) : (
        <>
          <Rows rows={rows} type={type} total={total} ctx={ctx} unitLabel={UNIT_LABEL[unit]} />
          {rows.length >= limit && (
            <button type="button" className="btn small link more" onClick={() => setMore(true)}>
              Show more
            </button>
          )}
        </>
      )}
      {more && (
        <Modal title={dim?.label ?? type} open={more} onClose={() => setMore(false)} wide>
          <Expanded type={type} ctx={ctx} total={total} unitLabel={UNIT_LABEL[unit]} />
        </Modal>
      )}
    </div>
  );
}

function Expanded({ type, ctx, total, unitLabel }: { type: string; ctx: TableContext; total: number; unitLabel: string }) {
  const [search, setSearchText] = useState('');
  const res = useApi<MetricRow[]>(`/websites/${ctx.websiteId}/metrics`, { ...ctx.api, type, limit: 500, search: search || undefined }, { keep: true });
  return (
    <div className="stack">
      <label className="sr-only" htmlFor="metric-search">
        Search
      </label>
      <input id="metric-search" type="search" placeholder="Search" value={search} onChange={(e) => setSearchText(e.target.value)} />
      {res.error ? <ErrorBox error={res.error} /> : !res.data ? <Loading /> : res.data.length ? <Rows rows={res.data} type={type} total={total} ctx={ctx} unitLabel={unitLabel} /> : <Empty>No matches.</Empty>}
    </div>
  );
}

/** A card with tabs over several breakdowns (Pages: path/entry/exit, ...). */
export function MetricsPanel({ title, types, ctx }: { title: string; types: { key: string; label: string }[]; ctx: TableContext }) {
  const [type, setType] = useState(types[0].key);
  return (
    <section className="card panel" aria-label={title}>
      <header className="panel-head">
        <h2>{title}</h2>
        {types.length > 1 && <Tabs tabs={types} value={type} onChange={setType} label={`${title} breakdown`} />}
      </header>
      <MetricsTable key={type} type={type} ctx={ctx} />
    </section>
  );
}
