// The controls above analytics pages: date range, time zone, comparison, and the filter bar.
import { useEffect, useMemo, useState } from 'react';
import { isoDate, RANGE_OPTIONS, rangeLabel, timeZones } from '../lib/dates';
import { DIMENSIONS, DIMENSION_BY_KEY, freeParam, OPERATORS, type ActiveFilter } from '../lib/dimensions';
import { displayValue } from '../lib/format';
import type { ViewParams } from '../lib/params';
import { setSearch } from '../lib/router';
import { useApi } from '../lib/useApi';
import type { MetricRow } from '../lib/api';
import { ActionForm, Field, FormButtons, HiddenLabel, Modal, Select } from './ui';

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

  const apply = () => {
    if (!from || !to) return;
    const [a, b] = from <= to ? [from, to] : [to, from];
    setSearch({ range: `custom:${a}:${b}`, unit: null });
    setCustom(false);
  };
  const ranges = RANGE_OPTIONS.map((o) => (o.value === 'custom' && isCustom ? { value: o.value, label: rangeLabel(view.range, view.tz) } : o));

  return (
    <div className="date-controls">
      <HiddenLabel label="Date range" id="range-select">
        {(id) => (
          <Select
            id={id}
            value={isCustom ? 'custom' : view.range.value}
            options={ranges}
            onChange={(v) => {
              if (v === 'custom') setCustom(true);
              else setSearch({ range: v, unit: null });
            }}
          />
        )}
      </HiddenLabel>
      {isCustom && (
        <button type="button" className="btn small" onClick={() => setCustom(true)}>
          Edit dates
        </button>
      )}
      {showCompare && (
        <HiddenLabel label="Compare with" id="compare-select">
          {(id) => <Select id={id} value={view.compare} options={COMPARE_OPTIONS} onChange={(v) => setSearch({ compare: v === 'prev' ? null : v })} />}
        </HiddenLabel>
      )}
      {showTz && (
        <>
          <HiddenLabel label="Time zone">
            {(id) => (
              <input
                id={id}
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
            )}
          </HiddenLabel>
          <datalist id="tz-list">
            {zones.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
        </>
      )}
      <Modal title="Custom date range" open={custom} onClose={() => setCustom(false)}>
        <ActionForm className="stack" onSubmit={apply}>
          <div className="row">
            <Field label="From">{(id) => <input id={id} type="date" value={from} onChange={(e) => setFrom(e.target.value)} required />}</Field>
            <Field label="To">{(id) => <input id={id} type="date" value={to} onChange={(e) => setTo(e.target.value)} required />}</Field>
          </div>
          <FormButtons submit="Apply" onCancel={() => setCustom(false)} />
        </ActionForm>
      </Modal>
    </div>
  );
}

const COMPARE_OPTIONS = [
  { value: 'prev', label: 'vs previous period' },
  { value: 'yoy', label: 'vs previous year' },
  { value: 'off', label: 'no comparison' },
];

/** The bar above an analytics page: filters, then the date controls. */
export function ViewControls({ view, websiteId, showCompare }: { view: ViewParams; websiteId: string; showCompare?: boolean }) {
  return (
    <div className="toolbar">
      <FilterBar view={view} websiteId={websiteId} />
      <DateControls view={view} showCompare={showCompare} />
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
  const submit = () => {
    if (!value.trim()) return;
    addFilter(view.filters, key, value.trim(), op);
    onDone();
  };
  return (
    <ActionForm className="stack" onSubmit={submit}>
      <Field label="Field">{(id) => <Select id={id} value={key} options={DIMENSIONS.map((d) => ({ value: d.key, label: d.label }))} onChange={setKey} />}</Field>
      <Field label="Condition">{(id) => <Select id={id} value={op} options={OPERATORS} onChange={setOp} />}</Field>
      <Field label="Value">
        {(id) => (
          <>
            <input id={id} list="filter-values" value={value} onChange={(e) => setValue(e.target.value)} required autoComplete="off" />
            <datalist id="filter-values">
              {(Array.isArray(suggestions.data) ? suggestions.data : []).filter((r) => r.x).map((r) => (
                <option key={r.x} value={r.x}>
                  {displayValue(key, r.x)}
                </option>
              ))}
            </datalist>
          </>
        )}
      </Field>
      <FormButtons submit="Apply filter" onCancel={onDone} />
    </ActionForm>
  );
}
