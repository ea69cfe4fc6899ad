// Reports (seed 001's report bodies): configure, run, save, reopen. Each type has a small form;
// results render with a view made for the type, or a generic table for anything else.
import { useEffect, useState, type ReactNode } from 'react';
import { del, post, type Paged, type Website } from '../lib/api';
import { formatNumber, formatPercent } from '../lib/format';
import type { ViewParams } from '../lib/params';
import { Link, useLocation, setSearch } from '../lib/router';
import { useApi } from '../lib/useApi';
import { DateControls } from '../components/Controls';
import { DataTable, type Column } from '../components/DataTable';
import { ActionForm, Empty, ErrorBox, Fetched, Field, FormError, HiddenLabel, Loading, Panel, Props, Select, useAction } from '../components/ui';

export const REPORT_TYPES: { type: string; label: string; description: string }[] = [
  { type: 'insights', label: 'Insights', description: 'Break traffic down by any combination of fields.' },
  { type: 'funnel', label: 'Funnel', description: 'How many visitors go through a sequence of pages or events.' },
  { type: 'retention', label: 'Retention', description: 'How many visitors come back, day by day.' },
  { type: 'utm', label: 'UTM', description: 'Traffic by campaign parameters.' },
  { type: 'goals', label: 'Goals', description: 'Track page views and events against targets.' },
  { type: 'journey', label: 'Journey', description: 'The most common paths through your site.' },
  { type: 'revenue', label: 'Revenue', description: 'Revenue from events carrying a currency and amount.' },
  { type: 'attribution', label: 'Attribution', description: 'Which sources lead to a conversion.' },
];

interface SavedReport {
  id: string;
  name: string;
  description?: string | null;
  type: string;
  websiteId: string;
  parameters: Record<string, unknown> | string;
  createdAt?: string;
}

type Step = { type: string; value: string };
type Goal = { type: string; value: string; goal: number };

interface FormState {
  window: number;
  steps: Step[];
  goals: Goal[];
  fields: string[];
  journeySteps: number;
  startStep: string;
  endStep: string;
  currency: string;
  model: string;
}

const INITIAL: FormState = {
  window: 60,
  steps: [
    { type: 'url', value: '/' },
    { type: 'url', value: '' },
  ],
  goals: [{ type: 'url', value: '/', goal: 10 }],
  fields: ['url'],
  journeySteps: 5,
  startStep: '',
  endStep: '',
  currency: 'USD',
  model: 'firstClick',
};

const INSIGHT_FIELDS = ['url', 'referrer', 'browser', 'os', 'device', 'country', 'region', 'city', 'language', 'event'];

/** The request body for a type, as seed 001 documents it. */
function buildBody(type: string, website: Website, view: ViewParams, f: FormState): Record<string, unknown> {
  const dateRange = {
    startDate: new Date(view.range.startAt).toISOString(),
    endDate: new Date(view.range.endAt).toISOString(),
    unit: view.unit,
    value: view.range.value,
  };
  const base = { websiteId: website.id, dateRange, timezone: view.tz };
  switch (type) {
    case 'funnel':
      return { ...base, window: f.window, steps: f.steps.filter((s) => s.value) };
    case 'goals':
      return { ...base, goals: f.goals.filter((g) => g.value) };
    case 'insights':
      return { ...base, fields: f.fields.map((name) => ({ name, type: 'string', label: name })), filters: [] };
    case 'journey':
      return { ...base, steps: f.journeySteps, ...(f.startStep ? { startStep: f.startStep } : {}), ...(f.endStep ? { endStep: f.endStep } : {}) };
    case 'revenue':
      return { ...base, currency: f.currency };
    case 'attribution':
      return { ...base, model: f.model, steps: f.steps.slice(0, 1).filter((s) => s.value) };
    default:
      return base;
  }
}

function formFromParameters(p: Record<string, unknown>): Partial<FormState> {
  const out: Partial<FormState> = {};
  if (typeof p.window === 'number') out.window = p.window;
  if (Array.isArray(p.steps)) out.steps = p.steps as Step[];
  if (typeof p.steps === 'number') out.journeySteps = p.steps;
  if (Array.isArray(p.goals)) out.goals = p.goals as Goal[];
  if (Array.isArray(p.fields)) out.fields = (p.fields as { name: string }[]).map((x) => x.name);
  if (typeof p.startStep === 'string') out.startStep = p.startStep;
  if (typeof p.endStep === 'string') out.endStep = p.endStep;
  if (typeof p.currency === 'string') out.currency = p.currency;
  if (typeof p.model === 'string') out.model = p.model;
  return out;
}

/** The list with item i changed. */
function update<T>(list: T[], i: number, change: Partial<T>): T[] {
  return list.map((x, j) => (j === i ? { ...x, ...change } : x));
}

const KINDS = [
  { value: 'url', label: 'Page' },
  { value: 'event', label: 'Event' },
];

/** Page or event, for a step or goal. */
function KindSelect({ label, value, onChange }: { label: string; value: string; onChange: (v: string) => void }) {
  return <HiddenLabel label={label}>{(id) => <Select id={id} value={value} options={KINDS} onChange={onChange} />}</HiddenLabel>;
}

function RemoveButton({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <button type="button" className="icon-btn" aria-label={label} onClick={onClick}>
      ×
    </button>
  );
}

function StepsEditor({ steps, onChange, min = 2, max = 8, single }: { steps: Step[]; onChange: (s: Step[]) => void; min?: number; max?: number; single?: boolean }) {
  const list = single ? steps.slice(0, 1) : steps;
  return (
    <fieldset className="stack">
      <legend>{single ? 'Conversion step' : 'Steps'}</legend>
      {list.map((s, i) => (
        <div className="row" key={i}>
          <KindSelect label={`Step ${i + 1} type`} value={s.type} onChange={(type) => onChange(update(list, i, { type }))} />
          <HiddenLabel label={`Step ${i + 1} value`}>
            {(id) => <input id={id} value={s.value} placeholder={s.type === 'url' ? '/path' : 'event name'} onChange={(e) => onChange(update(list, i, { value: e.target.value }))} />}
          </HiddenLabel>
          {!single && list.length > min && <RemoveButton label={`Remove step ${i + 1}`} onClick={() => onChange(list.filter((_, j) => j !== i))} />}
        </div>
      ))}
      {!single && list.length < max && (
        <button type="button" className="btn small" onClick={() => onChange([...list, { type: 'url', value: '' }])}>
          + Add step
        </button>
      )}
    </fieldset>
  );
}

const MODELS = [
  { value: 'firstClick', label: 'First click' },
  { value: 'lastClick', label: 'Last click' },
];

function ReportForm({ type, f, set }: { type: string; f: FormState; set: (p: Partial<FormState>) => void }) {
  switch (type) {
    case 'funnel':
      return (
        <>
          <Field label="Window (minutes)">{(id) => <input id={id} type="number" min={1} value={f.window} onChange={(e) => set({ window: Number(e.target.value) })} />}</Field>
          <StepsEditor steps={f.steps} onChange={(steps) => set({ steps })} />
        </>
      );
    case 'attribution':
      return (
        <>
          <Field label="Model">{(id) => <Select id={id} value={f.model} options={MODELS} onChange={(model) => set({ model })} />}</Field>
          <StepsEditor steps={f.steps} onChange={(steps) => set({ steps })} single />
        </>
      );
    case 'goals':
      return (
        <fieldset className="stack">
          <legend>Goals</legend>
          {f.goals.map((g, i) => (
            <div className="row" key={i}>
              <KindSelect label={`Goal ${i + 1} type`} value={g.type} onChange={(type) => set({ goals: update(f.goals, i, { type }) })} />
              <HiddenLabel label={`Goal ${i + 1} value`}>{(id) => <input id={id} value={g.value} onChange={(e) => set({ goals: update(f.goals, i, { value: e.target.value }) })} />}</HiddenLabel>
              <HiddenLabel label={`Goal ${i + 1} target`}>
                {(id) => <input id={id} type="number" min={1} value={g.goal} className="narrow" onChange={(e) => set({ goals: update(f.goals, i, { goal: Number(e.target.value) }) })} />}
              </HiddenLabel>
              {f.goals.length > 1 && <RemoveButton label={`Remove goal ${i + 1}`} onClick={() => set({ goals: f.goals.filter((_, j) => j !== i) })} />}
            </div>
          ))}
          <button type="button" className="btn small" onClick={() => set({ goals: [...f.goals, { type: 'url', value: '', goal: 10 }] })}>
            + Add goal
          </button>
        </fieldset>
      );
    case 'insights':
      return (
        <fieldset>
          <legend>Fields</legend>
          <div className="checks">
            {INSIGHT_FIELDS.map((name) => (
              <label key={name} className="check">
                <input
                  type="checkbox"
                  checked={f.fields.includes(name)}
                  onChange={(e) => set({ fields: e.target.checked ? [...f.fields, name] : f.fields.filter((x) => x !== name) })}
                />
                {name}
              </label>
            ))}
          </div>
        </fieldset>
      );
    case 'journey':
      return (
        <>
          <Field label="Steps">{(id) => <Select id={id} value={f.journeySteps} options={['3', '4', '5', '6', '7']} onChange={(v) => set({ journeySteps: Number(v) })} />}</Field>
          <Field label="Start step (optional)">{(id) => <input id={id} value={f.startStep} onChange={(e) => set({ startStep: e.target.value })} />}</Field>
          <Field label="End step (optional)">{(id) => <input id={id} value={f.endStep} onChange={(e) => set({ endStep: e.target.value })} />}</Field>
        </>
      );
    case 'revenue':
      return (
        <Field label="Currency">{(id) => <input id={id} value={f.currency} maxLength={3} onChange={(e) => set({ currency: e.target.value.toUpperCase() })} />}</Field>
      );
    default:
      return <p className="muted">No options: this report uses the date range above.</p>;
  }
}

// ---- results -------------------------------------------------------------------------------

function cell(v: unknown): ReactNode {
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

function GenericResult({ data }: { data: unknown }) {
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

function FunnelResult({ data }: { data: Record<string, any>[] }) {
  if (!data.length) return <Empty>No results.</Empty>;
  const first = Number(data[0].visitors ?? data[0].y ?? 0) || 1;
  return (
    <ol className="funnel">
      {data.map((s, i) => {
        const visitors = Number(s.visitors ?? s.y ?? 0);
        return (
          <li key={i}>
            <div className="funnel-label">
              <span className="step-no">{i + 1}</span> {s.type === 'event' ? 'Event' : 'Page'} <b>{s.value ?? s.x}</b>
            </div>
            <div className="bar" style={{ ['--share' as string]: `${(visitors / first) * 100}%` }}>
              <span>
                {formatNumber(visitors)} visitors · {formatPercent(visitors / first)}
              </span>
            </div>
            {i > 0 && s.dropped !== undefined && (
              <div className="muted small">
                {formatNumber(Number(s.dropped))} dropped ({formatPercent(Number(s.dropoff ?? 0))})
              </div>
            )}
          </li>
        );
      })}
    </ol>
  );
}

function RetentionResult({ data }: { data: { date: string; day: number; visitors: number; returnVisitors: number; percentage: number }[] }) {
  if (!data.length) return <Empty>No results.</Empty>;
  const dates = [...new Set(data.map((r) => r.date))];
  const days = [...new Set(data.map((r) => r.day))].sort((a, b) => a - b).slice(0, 32);
  const at = new Map(data.map((r) => [`${r.date}|${r.day}`, r]));
  return (
    <div className="table-scroll">
      <table className="data-table retention">
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col" className="num">
              Visitors
            </th>
            {days.map((d) => (
              <th scope="col" key={d} className="num">
                Day {d}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {dates.map((date) => (
            <tr key={date}>
              <th scope="row">{String(date).slice(0, 10)}</th>
              <td className="num">{formatNumber(data.find((r) => r.date === date)?.visitors ?? 0)}</td>
              {days.map((d) => {
                const r = at.get(`${date}|${d}`);
                const pct = r ? Number(r.percentage) / (Number(r.percentage) > 1 ? 100 : 1) : 0;
                return (
                  <td key={d} className="num heat-cell" style={{ ['--heat' as string]: pct }}>
                    {r ? formatPercent(pct) : ''}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function JourneyResult({ data }: { data: { items: (string | null)[]; count: number }[] }) {
  if (!data.length) return <Empty>No results.</Empty>;
  return (
    <ol className="journeys">
      {data.slice(0, 50).map((j, i) => (
        <li key={i}>
          <span className="journey-path">{j.items.filter(Boolean).join(' → ')}</span> <b>{formatNumber(j.count)}</b>
        </li>
      ))}
    </ol>
  );
}

function Result({ type, data }: { type: string; data: unknown }) {
  if (type === 'funnel' && Array.isArray(data)) return <FunnelResult data={data} />;
  if (type === 'retention' && Array.isArray(data) && (data.length === 0 || 'day' in data[0])) return <RetentionResult data={data} />;
  if (type === 'journey' && Array.isArray(data) && (data.length === 0 || 'items' in data[0])) return <JourneyResult data={data} />;
  return <GenericResult data={data} />;
}

// ---- pages ---------------------------------------------------------------------------------

function ReportEditor({ website, view, type }: { website: Website; view: ViewParams; type: string }) {
  const meta = REPORT_TYPES.find((t) => t.type === type);
  const { search } = useLocation();
  const reportId = search.get('reportId');
  const saved = useApi<SavedReport>(reportId ? `/reports/${reportId}` : null);
  const [form, setForm] = useState<FormState>(INITIAL);
  const [name, setName] = useState('');
  const [result, setResult] = useState<{ data: unknown } | null>(null);
  const [savedMsg, setSavedMsg] = useState('');

  useEffect(() => {
    if (!saved.data) return;
    const p = typeof saved.data.parameters === 'string' ? JSON.parse(saved.data.parameters) : saved.data.parameters;
    setForm((f) => ({ ...f, ...formFromParameters(p ?? {}) }));
    setName(saved.data.name);
  }, [saved.data, type]);

  const run = useAction(async () => {
    setResult(null);
    const data = await post(`/reports/${type}`, buildBody(type, website, view, form));
    setResult({ data });
  });
  const save = useAction(async () => {
    const { websiteId: _w, ...parameters } = buildBody(type, website, view, form);
    const body = { websiteId: website.id, type, name: name || `${meta?.label ?? type} report`, description: '', parameters };
    const r = await post<SavedReport>(reportId ? `/reports/${reportId}` : '/reports', body);
    setSavedMsg('Saved.');
    if (!reportId && r?.id) setSearch({ reportId: r.id }, { replace: true });
  });

  if (!meta) return <ErrorBox error={new Error(`Unknown report type “${type}”.`)} />;
  return (
    <div className="stack">
      <p>
        <Link to={`/websites/${website.id}/reports`}>← All reports</Link>
      </p>
      <div className="toolbar">
        <h2>{meta.label}</h2>
        <DateControls view={view} showCompare={false} />
      </div>
      <p className="muted">{meta.description}</p>
      {saved.error && <ErrorBox error={saved.error} title="Could not open the saved report" />}
      <div className="grid report-grid">
        <ActionForm className="card stack" onSubmit={run.run} aria-label={`${meta.label} report settings`}>
          <ReportForm type={type} f={form} set={(p) => setForm((f) => ({ ...f, ...p }))} />
          <button type="submit" className="btn primary" disabled={run.busy}>
            {run.busy ? 'Running…' : 'Run report'}
          </button>
          <hr />
          <Field label="Name">{(id) => <input id={id} value={name} placeholder={`${meta.label} report`} onChange={(e) => setName(e.target.value)} />}</Field>
          <button type="button" className="btn" disabled={save.busy} onClick={() => save.run()}>
            {reportId ? 'Save changes' : 'Save report'}
          </button>
          <FormError error={save.error} />
          {savedMsg && !save.error && <p role="status">{savedMsg}</p>}
        </ActionForm>
        <section className="card report-result" aria-label="Results" aria-busy={run.busy}>
          {run.error ? (
            <ErrorBox error={run.error} title="The report could not run" />
          ) : run.busy ? (
            <Loading label="Running report…" />
          ) : result ? (
            <Result type={type} data={result.data} />
          ) : (
            <Empty>Set the options and run the report.</Empty>
          )}
        </section>
      </div>
    </div>
  );
}

function ReportList({ website }: { website: Website }) {
  const res = useApi<Paged<SavedReport> | SavedReport[]>('/reports', { websiteId: website.id, pageSize: 100 });
  const list = res.data ? (Array.isArray(res.data) ? res.data : res.data.data) : [];
  const remove = useAction(async (id: string) => {
    await del(`/reports/${id}`);
    res.reload();
  });
  const columns: Column<SavedReport>[] = [
    { key: 'name', label: 'Name', cell: (r) => <Link to={`/websites/${website.id}/reports/${r.type}?reportId=${r.id}`}>{r.name}</Link> },
    { key: 'type', label: 'Type', cell: (r) => REPORT_TYPES.find((t) => t.type === r.type)?.label ?? r.type },
    {
      key: 'actions',
      label: 'Actions',
      hideLabel: true,
      num: true,
      cell: (r) => (
        <button type="button" className="btn small danger" onClick={() => remove.run(r.id)} disabled={remove.busy}>
          Delete
        </button>
      ),
    },
  ];
  return (
    <div className="stack">
      <section aria-label="New report">
        <h2>New report</h2>
        <ul className="report-types">
          {REPORT_TYPES.map((t) => (
            <li key={t.type}>
              <Link className="card report-type" to={`/websites/${website.id}/reports/${t.type}${window.location.search}`}>
                <b>{t.label}</b>
                <span className="muted">{t.description}</span>
              </Link>
            </li>
          ))}
        </ul>
      </section>
      <Panel title="Saved reports">
        <Fetched res={res} isEmpty={() => list.length === 0} empty="No saved reports yet." errorTitle="Could not load saved reports">
          {() => <DataTable columns={columns} rows={list} rowKey={(r) => r.id} />}
        </Fetched>
        <FormError error={remove.error} />
      </Panel>
    </div>
  );
}

export default function Reports({ website, view, type }: { website: Website; view: ViewParams; type?: string }) {
  if (type) return <ReportEditor key={type} website={website} view={view} type={type} />;
  return <ReportList website={website} />;
}
