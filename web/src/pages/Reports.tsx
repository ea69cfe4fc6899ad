// Reports (seed 001's report bodies): configure, run, save, reopen. Each report type is a module
// under ./reports/ (its request fields, form and result view; registry.ts lists them).
import { useEffect, useState } from 'react';
import { del, post, type Paged, type Website } from '../lib/api';
import type { ViewParams } from '../lib/params';
import { Link, useLocation, setSearch } from '../lib/router';
import { useApi } from '../lib/useApi';
import { DateControls } from '../components/Controls';
import { DataTable, type Column } from '../components/DataTable';
import { formFromParameters, INITIAL, type FormState } from './reports/form';
import { GenericResult } from './reports/generic-result';
import { REPORT_KINDS, reportKind } from './reports/registry';
import { ActionForm, Empty, ErrorBox, Fetched, Field, FormError, Loading, Panel, useAction } from '../components/ui';

/** The report types, for the list and the menu. */
export const REPORT_TYPES = REPORT_KINDS.map(({ type, label, description }) => ({ type, label, description }));

interface SavedReport {
  id: string;
  name: string;
  description?: string | null;
  type: string;
  websiteId: string;
  parameters: Record<string, unknown> | string;
  createdAt?: string;
}

/** The request body for a type, as seed 001 documents it. */
function buildBody(type: string, website: Website, view: ViewParams, f: FormState): Record<string, unknown> {
  const dateRange = {
    startDate: new Date(view.range.startAt).toISOString(),
    endDate: new Date(view.range.endAt).toISOString(),
    unit: view.unit,
    value: view.range.value,
  };
  return { websiteId: website.id, dateRange, timezone: view.tz, ...(reportKind(type)?.body?.(f) ?? {}) };
}

function ReportForm({ type, f, set }: { type: string; f: FormState; set: (p: Partial<FormState>) => void }) {
  const Form = reportKind(type)?.Form;
  return Form ? <>{Form({ f, set })}</> : <p className="muted">No options: this report uses the date range above.</p>;
}

function Result({ type, data }: { type: string; data: unknown }) {
  const view = reportKind(type)?.Result?.({ data });
  return view ? <>{view}</> : <GenericResult data={data} />;
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
