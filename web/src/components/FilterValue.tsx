// What a breakdown table needs to know, and a dimension value that filters by itself when clicked:
// shared by the table (MetricsTable) and its expanded view (ExpandedTable).
import type { ActiveFilter } from '../lib/dimensions';
import { displayValue } from '../lib/format';
import { addFilter } from './Controls';

export interface TableContext {
  websiteId: string;
  api: Record<string, string | number>;
  filters: ActiveFilter[];
  /** Totals to compute shares against (from /stats). */
  totals?: { views: number; visitors: number; visits: number };
  readOnly?: boolean;
}

/** A dimension value as a button that filters by it (or muted text when it has no value). */
export function FilterValue({ type, value, country, filters, onFilter }: { type: string; value: string | null; country?: string; filters: ActiveFilter[]; onFilter?: () => void }) {
  const text = displayValue(type, value, { country });
  if (value === null || value === '') return <span className="muted">{text}</span>;
  return (
    <button
      type="button"
      className="row-filter"
      title={`Filter by ${text}`}
      onClick={() => {
        addFilter(filters, type, value);
        onFilter?.();
      }}
    >
      {text}
    </button>
  );
}
