// The generic result view: any report answer as tables.
import type { ReactNode } from 'react';
import { formatNumber } from '../../lib/format';
import { DataTable, type Column } from '../../components/DataTable';
import { Empty, Props } from '../../components/ui';

export function cell(v: unknown): ReactNode {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'number') return formatNumber(v);
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(' → ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function GenericTable({ rows }: { rows: Record<string, unknown>[] }) {
  if (!rows.length) return <Empty>No results.</Empty>;
  const columns: Column<Record<string, unknown>>[] = [...new Set(rows.flatMap((r) => Object.keys(r)))].slice(0, 10).map((key) => ({
    key,
    label: key,
    num: typeof rows[0][key] === 'number',
    cell: (r) => cell(r[key]),
  }));
  return <DataTable columns={columns} rows={rows.slice(0, 200)} rowKey={(_, i) => i} />;
}

export function GenericResult({ data }: { data: unknown }) {
  if (Array.isArray(data)) return <GenericTable rows={data.map((r) => (r && typeof r === 'object' ? (r as Record<string, unknown>) : { value: r }))} />;
  if (data && typeof data === 'object') {
    const obj = data as Record<string, unknown>;
    const scalars = Object.entries(obj).filter(([, v]) => v === null || typeof v !== 'object');
    const nested = Object.entries(obj).filter(([, v]) => v !== null && typeof v === 'object');
    return (
      <div className="stack">
        {scalars.length > 0 && <Props items={scalars.map(([k, v]) => [k, cell(v)])} />}
        <div className="grid two">
          {nested.map(([k, v]) => (
            <section key={k} className="card">
              <h3>{k}</h3>
              {Array.isArray(v) ? (
                <GenericTable rows={v.map((r) => (r && typeof r === 'object' ? (r as Record<string, unknown>) : { value: r }))} />
              ) : (
                <GenericTable rows={Object.entries(v as Record<string, unknown>).map(([name, value]) => (value && typeof value === 'object' ? { name, ...(value as object) } : { name, value }))} />
              )}
            </section>
          ))}
        </div>
      </div>
    );
  }
  return <pre>{String(data)}</pre>;
}
