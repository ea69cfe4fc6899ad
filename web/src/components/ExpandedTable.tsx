// The expanded view of a breakdown (/metrics/expanded): every row with visitors, visits, views,
// bounce rate and visit duration; search (by the API), sortable columns, and a CSV file of the
// rows and columns shown. Loaded on demand from MetricsTable.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { ExpandedRow } from '../lib/api';
import { download, toCsv, type CsvCell } from '../lib/csv';
import { isoDate } from '../lib/dates';
import { DIMENSION_BY_KEY, type ActiveFilter } from '../lib/dimensions';
import { displayValue, formatDuration, formatExact, formatPercent } from '../lib/format';
import { useApi } from '../lib/useApi';
import { DataTable, useSort, type Column } from './DataTable';
import { FilterValue, type TableContext } from './FilterValue';
import { Empty, ErrorBox, Loading, SearchBox } from './ui';

/** Rows asked for at a time; "Show more rows" asks for this many more. */
const STEP = 500;

type ExpandedColumn = Column<ExpandedRow> & { csvLabel?: string; csv: (r: ExpandedRow) => CsvCell };

const bounceRate = (r: ExpandedRow) => (r.visits ? Math.min(r.visits, r.bounces) / r.visits : 0);
const visitDuration = (r: ExpandedRow) => (r.visits ? r.totaltime / r.visits : 0);

function count(key: 'visitors' | 'visits' | 'pageviews', label: string): ExpandedColumn {
  return { key, label, num: true, cell: (r) => formatExact(r[key]), sortValue: (r) => r[key], csv: (r) => r[key] };
}

export function expandedColumns(type: string, filters: ActiveFilter[], onFilter?: () => void): ExpandedColumn[] {
  const name = (r: ExpandedRow) => displayValue(type, r.name, { country: r.country });
  return [
    {
      key: 'name',
      label: DIMENSION_BY_KEY.get(type)?.label ?? type,
      className: 'name-cell',
      cell: (r) => <FilterValue type={type} value={r.name} country={r.country} filters={filters} onFilter={onFilter} />,
      sortValue: name,
      csv: name,
    },
    count('visitors', 'Visitors'),
    count('visits', 'Visits'),
    count('pageviews', type === 'event' ? 'Events' : 'Views'),
    { key: 'bounce', label: 'Bounce rate', csvLabel: 'Bounce rate (%)', num: true, cell: (r) => formatPercent(bounceRate(r)), sortValue: bounceRate, csv: (r) => Math.round(bounceRate(r) * 1000) / 10 },
    { key: 'duration', label: 'Visit duration', csvLabel: 'Visit duration (s)', num: true, cell: (r) => formatDuration(visitDuration(r)), sortValue: visitDuration, csv: (r) => Math.round(visitDuration(r)) },
  ];
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export default function ExpandedTable({ type, ctx, onFilter }: { type: string; ctx: TableContext; onFilter?: () => void }) {
  const label = DIMENSION_BY_KEY.get(type)?.label ?? type;
  const [search, setSearch] = useState('');
  const query = useDebounced(search.trim(), 250);
  const [limit, setLimit] = useState(STEP);
  const res = useApi<ExpandedRow[]>(`/websites/${ctx.websiteId}/metrics/expanded`, { ...ctx.api, type, limit, search: query || undefined }, { keep: true });
  const rows = useMemo(() => (Array.isArray(res.data) ? res.data : []), [res.data]);
  const columns = useMemo(() => expandedColumns(type, ctx.filters, onFilter), [type, ctx.filters, onFilter]);
  const { sorted, sort, toggle } = useSort(rows, columns);
  const searchRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    // After the dialog has opened (it focuses its first control), start in the search box.
    const f = requestAnimationFrame(() => searchRef.current?.focus());
    return () => cancelAnimationFrame(f);
  }, []);

  const saveCsv = () => {
    const csv = toCsv(
      columns.map((c) => c.csvLabel ?? c.label),
      sorted.map((r) => columns.map((c) => c.csv(r))),
    );
    const day = (t: string | number | undefined) => (t === undefined ? '' : isoDate(Number(t), 'UTC'));
    download(`${type}-${day(ctx.api.startAt)}-${day(ctx.api.endAt)}.csv`, csv);
  };

  const more = rows.length >= limit;
  const busy = res.loading && res.data !== undefined;
  return (
    <div className="stack expanded">
      <div className="row wrap expanded-tools">
        <SearchBox label={`Search ${label.toLowerCase()}`} value={search} onChange={setSearch} inputRef={searchRef} />
        <button type="button" className="btn" onClick={saveCsv} disabled={sorted.length === 0}>
          Download CSV
        </button>
      </div>
      <p className="muted small" role="status">
        {res.data === undefined ? '' : `${formatExact(rows.length)}${more ? '+' : ''} ${rows.length === 1 ? 'row' : 'rows'}${query ? ` matching “${query}”` : ''}${busy ? ' · updating…' : ''}`}
      </p>
      {res.error ? (
        <ErrorBox error={res.error} retry={res.reload} />
      ) : res.data === undefined ? (
        <Loading />
      ) : rows.length === 0 ? (
        <Empty>{query ? 'No matches.' : undefined}</Empty>
      ) : (
        <div aria-busy={busy}>
          <DataTable
            columns={columns}
            rows={sorted}
            rowKey={(r, i) => `${r.name}|${r.country ?? ''}|${i}`}
            caption={<span className="sr-only">{label}: sort by a column with its header button</span>}
            sort={sort}
            onSort={toggle}
          />
          {more && (
            <button type="button" className="btn small link more" onClick={() => setLimit((l) => l + STEP)}>
              Show more rows
            </button>
          )}
        </div>
      )}
    </div>
  );
}
