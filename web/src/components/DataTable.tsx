// Tables of records: one list of columns renders the header and every row, optionally sortable
// (aria-sort, a button per header); PagedTable adds paging (and search) over a `{data, count}` list.
import { useMemo, useState, type ReactNode } from 'react';
import type { Paged, Query } from '../lib/api';
import { useApi, type Loaded } from '../lib/useApi';
import { Pager } from './Pager';
import { Fetched } from './ui';

export interface Column<T> {
  key: string;
  label: string;
  /** Header for screen readers only (an actions column). */
  hideLabel?: boolean;
  /** Right-aligned, tabular figures. */
  num?: boolean;
  /** Extra class of the body cells. */
  className?: string;
  cell: (row: T) => ReactNode;
  /** The value to sort by; columns without one are not sortable. */
  sortValue?: (row: T) => number | string;
}

export interface Sort {
  key: string;
  dir: 'asc' | 'desc';
}

/** Rows in the order of `sort` (stable: ties keep their order). */
export function sortRows<T>(rows: readonly T[], columns: readonly Column<T>[], sort: Sort | null): T[] {
  const col = sort && columns.find((c) => c.key === sort.key);
  if (!sort || !col?.sortValue) return [...rows];
  const value = col.sortValue;
  const sign = sort.dir === 'asc' ? 1 : -1;
  return rows
    .map((row, i) => ({ row, i, v: value(row) }))
    .sort((a, b) => {
      const c = typeof a.v === 'number' && typeof b.v === 'number' ? a.v - b.v : String(a.v).localeCompare(String(b.v));
      return c * sign || a.i - b.i;
    })
    .map((x) => x.row);
}

/** Sort state for a table: a new column starts descending for numbers, ascending for text. */
export function useSort<T>(rows: readonly T[], columns: readonly Column<T>[], initial: Sort | null = null) {
  const [sort, setSort] = useState<Sort | null>(initial);
  const sorted = useMemo(() => sortRows(rows, columns, sort), [rows, columns, sort]);
  const toggle = (key: string) =>
    setSort((s) => {
      if (s?.key === key) return { key, dir: s.dir === 'asc' ? 'desc' : 'asc' };
      return { key, dir: columns.find((c) => c.key === key)?.num ? 'desc' : 'asc' };
    });
  return { sorted, sort, toggle };
}

const ARIA_SORT = { asc: 'ascending', desc: 'descending' } as const;

function Header<T>({ col, sort, onSort }: { col: Column<T>; sort?: Sort | null; onSort?: (key: string) => void }) {
  const active = sort?.key === col.key ? sort.dir : null;
  let content: ReactNode = col.hideLabel ? <span className="sr-only">{col.label}</span> : col.label;
  if (onSort && col.sortValue) {
    content = (
      <button type="button" className="sort-btn" onClick={() => onSort(col.key)}>
        {col.label}
        <span className="sort-mark" aria-hidden="true">
          {active === 'asc' ? '▲' : active === 'desc' ? '▼' : '↕'}
        </span>
      </button>
    );
  }
  return (
    <th scope="col" className={col.num ? 'num' : undefined} aria-sort={active ? ARIA_SORT[active] : undefined}>
      {content}
    </th>
  );
}

export function DataTable<T>({
  columns,
  rows,
  rowKey,
  caption,
  rowClass,
  sort,
  onSort,
  className = 'data-table',
}: {
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T, i: number) => string | number;
  caption?: ReactNode;
  rowClass?: (row: T) => string | undefined;
  sort?: Sort | null;
  onSort?: (key: string) => void;
  className?: string;
}) {
  return (
    <div className="table-scroll">
      <table className={className}>
        {caption && <caption>{caption}</caption>}
        <thead>
          <tr>
            {columns.map((c) => (
              <Header key={c.key} col={c} sort={sort} onSort={onSort} />
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={rowKey(r, i)} className={rowClass?.(r)}>
              {columns.map((c) => (
                <td key={c.key} className={[c.num ? 'num' : '', c.className ?? ''].join(' ').trim() || undefined}>
                  {c.cell(r)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export interface PagedState<T> {
  res: Loaded<Paged<T>>;
  page: number;
  pageSize: number;
  setPage: (p: number) => void;
  search: string;
  /** Searching starts again at page 1. */
  setSearch: (s: string) => void;
}

/** A paged list endpoint (`page`, `pageSize`, `search` → `{data, count}`). */
export function usePaged<T>(path: string | null, params: Query = {}, pageSize = 20): PagedState<T> {
  const [page, setPage] = useState(1);
  const [search, setSearchText] = useState('');
  const res = useApi<Paged<T>>(path, { ...params, page, pageSize, search: search || undefined }, { keep: true });
  const setSearch = (s: string) => {
    setSearchText(s);
    setPage(1);
  };
  return { res, page, pageSize, setPage, search, setSearch };
}

export function PagedTable<T>({ paged, columns, rowKey, empty }: { paged: PagedState<T>; columns: readonly Column<T>[]; rowKey: (row: T) => string; empty?: ReactNode }) {
  return (
    <Fetched res={paged.res} isEmpty={(d) => d.data.length === 0} empty={empty}>
      {(d) => (
        <>
          <DataTable columns={columns} rows={d.data} rowKey={rowKey} />
          <Pager page={paged.page} pageSize={paged.pageSize} count={d.count} onPage={paged.setPage} />
        </>
      )}
    </Fetched>
  );
}
