// The controls above analytics pages: date range, time zone, comparison, and the filter bar.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { isoDate, RANGE_OPTIONS, rangeLabel, timeZones } from '../lib/dates';
import { DIMENSIONS, DIMENSION_BY_KEY, freeParam, OPERATORS, type ActiveFilter } from '../lib/dimensions';
import { displayValue } from '../lib/format';
import type { ViewParams } from '../lib/params';
import { setSearch } from '../lib/router';
import { useApi } from '../lib/useApi';
import type { MetricRow } from '../lib/api';
import { Modal } from './ui';

export function DateControls({ view, showCompare = true, showTz = true }: { view: ViewParams; showCompare?: boolean; showTz?: boolean }) {
  const [custom, setCustom] = useState(false);
  const [from, setFrom] = useState(isoDate(view.range.startAt, view.tz));
  const [to, setTo] = useState(isoDate(view.range.endAt, view.tz));
  const isCustom = view.range.value.startsWith('custom');
  const zones = useMemo(() => timeZones(), []);
  useEffect(() => {
    setFrom(isoDate(view.range.startAt, view.tz));
    setTo(isoDate(view.range.endAt, view.tz));
  }, [view.range.startAt, view.range.endAt, view.tz]);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    if (!from || !to) return;
    const [a, b] = from <= to ? [from, to] : [to, from];
    setSearch({ range: `custom:${a}:${b}`, unit: null });
    setCustom(false);
  };

  return (
    <div className="date-controls">
      <label className="sr-only" htmlFor="range-select">
        Date range
      </label>
      <select
        id="range-select"
        value={isCustom ? 'custom' : view.range.value}
        onChange={(e) => {
          if (e.target.value === 'custom') setCustom(true);
          else setSearch({ range: e.target.value, unit: null });
        }}
      >
        {RANGE_OPTIONS.map((o) => (
          <option key={o.value} value={o.value}>
            {o.value === 'custom' && isCustom ? rangeLabel(view.range, view.tz) : o.label}
          </option>
        ))}
      </select>
      {isCustom && (
        <button type="button" className="btn small" onClick={() => setCustom(true)}>
          Edit dates
        </button>
      )}
      {showCompare && (
        <>
          <label className="sr-only" htmlFor="compare-select">
            Compare with
          </label>
          <select id="compare-select" value={view.compare} onChange={(e) => setSearch({ compare: e.target.value === 'prev' ? null : e.target.value })}>
            <option value="prev">vs previous period</option>
            <option value="yoy">vs previous year</option>
            <option value="off">no comparison</option>
          </select>
        </>
      )}
      {showTz && (
        <>
          <label className="sr-only" htmlFor="tz-input">
            Time zone
          </label>
          <input
            id="tz-input"
            className="tz-input"
            list="tz-list"
            defaultValue={view.tz}
            key={view.tz}
            title="Time zone"
            onBlur={(e) => {
              const v = e.target.value.trim();
              if (v && v !== view.tz && zones.includes(v)) setSearch({ tz: v });
              else e.target.value = view.tz;
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
            }}
          />
          <datalist id="tz-list">
            {zones.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
        </>
      )}
      <Modal title="Custom date range" open={custom} onClose={() => setCustom(false)}>
        <form className="stack" onSubmit={apply}>
          <div className="row">
            <div className="field">
              <label htmlFor="date-from">From</label>
              <input id="date-from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} required />
            </div>
            <div className="field">
              <label htmlFor="date-to">To</label>
              <input id="date-to" type="date" value={to} onChange={(e) => setTo(e.target.value)} required />
            </div>
          </div>
          <div className="row end">
            <button type="button" className="btn" onClick={() => setCustom(false)}>
              Cancel
            </button>
            <button type="submit" className="btn primary">
              Apply
            </button>
          </div>
        </form>
      </Modal>
    </div>
  );
}

export function addFilter(filters: ActiveFilter[], key: string, value: string, op = 'eq'): void {
  const existing = filters.find((f) => f.key === key && f.op === op && f.value === value);
  if (existing) return;
  setSearch({ [freeParam(filters, key)]: `${op}.${value}` });
}

export function FilterBar({ view, websiteId, apiBase }: { view: ViewParams; websiteId: string; apiBase?: string }) {
  const [open, setOpen] = useState(false);
  return (
    <div className="filter-bar" role="region" aria-label="Filters">
      {view.filters.map((f) => {
        const dim = DIMENSION_BY_KEY.get(f.key);
        const op = OPERATORS.find((o) => o.value === f.op)?.label ?? f.op;
        const text = f.op === 'eq' || f.op === 'neq' ? displayValue(f.key, f.value) : f.value;
        return (
          <span className="chip" key={f.param}>
            <span>
              <b>{dim?.label ?? f.key}</b> {op} <b>{text}</b>
            </span>
            <button type="button" className="chip-x" aria-label={`Remove filter ${dim?.label ?? f.key} ${op} ${text}`} onClick={() => setSearch({ [f.param]: null })}>
              ×
            </button>
          </span>
        );
      })}
      <button type="button" className="btn small" onClick={() => setOpen(true)}>
        + Filter
      </button>
      {view.filters.length > 0 && (
        <button type="button" className="btn small link" onClick={() => setSearch(Object.fromEntries(view.filters.map((f) => [f.param, null])))}>
          Clear all
        </button>
      )}
      <Modal title="Add filter" open={open} onClose={() => setOpen(false)}>
        <FilterForm view={view} websiteId={websiteId} apiBase={apiBase} onDone={() => setOpen(false)} />
      </Modal>
    </div>
  );
}

function FilterForm({ view, websiteId, onDone, apiBase }: { view: ViewParams; websiteId: string; onDone: () => void; apiBase?: string }) {
  const [key, setKey] = useState('path');
  const [op, setOp] = useState('eq');
  const [value, setValue] = useState('');
  const suggestions = useApi<MetricRow[]>(`${apiBase ?? `/websites/${websiteId}`}/metrics`, { startAt: view.range.startAt, endAt: view.range.endAt, type: key, limit: 50 });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!value.trim()) return;
    addFilter(view.filters, key, value.trim(), op);
    onDone();
  };
  return (
    <form className="stack" onSubmit={submit}>
      <div className="field">
        <label htmlFor="filter-field">Field</label>
        <select id="filter-field" value={key} onChange={(e) => setKey(e.target.value)}>
          {DIMENSIONS.map((d) => (
            <option key={d.key} value={d.key}>
              {d.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="filter-op">Condition</label>
        <select id="filter-op" value={op} onChange={(e) => setOp(e.target.value)}>
          {OPERATORS.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="filter-value">Value</label>
        <input id="filter-value" list="filter-values" value={value} onChange={(e) => setValue(e.target.value)} required autoComplete="off" />
        <datalist id="filter-values">
          {(Array.isArray(suggestions.data) ? suggestions.data : []).filter((r) => r.x).map((r) => (
            <option key={r.x} value={r.x}>
              {displayValue(key, r.x)}
            </option>
          ))}
        </datalist>
      </div>
      <div className="row end">
        <button type="button" className="btn" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="btn primary">
          Apply filter
        </button>
      </div>
    </form>
  );
}
