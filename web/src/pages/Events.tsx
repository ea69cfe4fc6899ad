// Events: custom events over time, the event log, and the event-data explorer.
import { useMemo, useState } from 'react';
import type { Website } from '../lib/api';
import { buckets, fill, formatDateTime } from '../lib/dates';
import { formatNumber } from '../lib/format';
import type { ViewParams } from '../lib/params';
import { useApi } from '../lib/useApi';
import { Chart, type ChartSeries } from '../components/Chart';
import { ViewControls } from '../components/Controls';
import { DataTable, PagedTable, usePaged, type Column } from '../components/DataTable';
import { MetricsPanel } from '../components/MetricsTable';
import { Tabs } from '../components/Tabs';
import { Empty, Fetched, Panel, SearchBox } from '../components/ui';
import { SessionLink } from '../components/SessionLink';

const COLORS = ['#2563eb', '#16a34a', '#f59e0b', '#db2777', '#7c3aed', '#0891b2', '#dc2626', '#65a30d'];

function EventsChart({ website, view }: { website: Website; view: ViewParams }) {
  const res = useApi<{ x: string; t: string; y: number }[]>(`/websites/${website.id}/events/series`, { ...view.api, unit: view.unit, timezone: view.tz }, { keep: true });
  const labels = useMemo(() => buckets(view.range.startAt, view.range.endAt, view.unit, view.tz), [view.range.startAt, view.range.endAt, view.unit, view.tz]);
  const series = useMemo<ChartSeries[]>(() => {
    const byName = new Map<string, { x: string; y: number }[]>();
    for (const r of Array.isArray(res.data) ? res.data : []) {
      const list = byName.get(r.x) ?? [];
      list.push({ x: r.t, y: r.y });
      byName.set(r.x, list);
    }
    return [...byName.entries()].slice(0, 8).map(([name, pts], i) => ({ label: name, values: fill(pts, labels), color: COLORS[i % COLORS.length], kind: 'line' as const }));
  }, [res.data, labels]);
  return (
    <Panel title="Events over time" className="card chart-card">
      <Fetched res={res} isEmpty={() => series.length === 0} empty="No custom events in this period.">
        {() => <Chart labels={labels} series={series} unit={view.unit} height={220} title="Events over time" />}
      </Fetched>
    </Panel>
  );
}

interface EventRow {
  id: string;
  sessionId: string;
  createdAt: string;
  urlPath: string;
  eventType: number;
  eventName: string | null;
  country?: string | null;
  browser?: string | null;
}

function EventLog({ website, view }: { website: Website; view: ViewParams }) {
  const paged = usePaged<EventRow>(`/websites/${website.id}/events`, view.api);
  const columns: Column<EventRow>[] = [
    { key: 'time', label: 'Time', cell: (e) => formatDateTime(e.createdAt, view.tz) },
    { key: 'event', label: 'Event', cell: (e) => (e.eventName ? <b>{e.eventName}</b> : <span className="muted">page view</span>) },
    { key: 'page', label: 'Page', cell: (e) => e.urlPath },
    { key: 'session', label: 'Session', cell: (e) => <SessionLink websiteId={website.id} sessionId={e.sessionId} /> },
  ];
  return (
    <Panel title="Activity" actions={<SearchBox label="Search events" value={paged.search} onChange={paged.setSearch} />}>
      <PagedTable paged={paged} columns={columns} rowKey={(e) => e.id} empty="No events in this period." />
    </Panel>
  );
}

interface EventProperty {
  eventName: string;
  propertyName: string;
  dataType?: number;
  total: number;
}

const countColumn = <T extends { total: number }>(): Column<T> => ({ key: 'total', label: 'Count', num: true, cell: (r) => formatNumber(r.total) });

function EventData({ website, view }: { website: Website; view: ViewParams }) {
  const res = useApi<EventProperty[]>(`/websites/${website.id}/event-data/events`, view.api);
  const [sel, setSel] = useState<EventProperty | null>(null);
  const values = useApi<{ value: string; total: number }[]>(
    sel ? `/websites/${website.id}/event-data/values` : null,
    sel ? { ...view.api, eventName: sel.eventName, propertyName: sel.propertyName } : undefined,
  );
  const rows = (Array.isArray(res.data) ? res.data : []).filter((r) => r.propertyName);
  const propertyColumns: Column<EventProperty>[] = [
    { key: 'event', label: 'Event', cell: (r) => r.eventName },
    {
      key: 'property',
      label: 'Property',
      cell: (r) => (
        <button type="button" className="row-filter" onClick={() => setSel(r)} aria-pressed={sel === r}>
          {r.propertyName}
        </button>
      ),
    },
    countColumn(),
  ];
  const valueColumns: Column<{ value: string; total: number }>[] = [{ key: 'value', label: 'Value', cell: (v) => String(v.value) }, countColumn()];
  return (
    <Panel title="Event properties" label="Event data">
      <Fetched res={res} isEmpty={() => rows.length === 0} empty="No event data in this period. Send data with umami.track(name, data).">
        {() => (
          <div className="grid two">
            <DataTable columns={propertyColumns} rows={rows} rowKey={(r) => `${r.eventName}/${r.propertyName}`} rowClass={(r) => (sel === r ? 'selected' : undefined)} />
            <div aria-live="polite">
              {!sel ? (
                <Empty>Choose a property to see its values.</Empty>
              ) : (
                <Fetched res={values}>
                  {(list) => (
                    <DataTable
                      columns={valueColumns}
                      rows={list}
                      rowKey={(v) => v.value}
                      caption={
                        <>
                          {sel.eventName} · {sel.propertyName}
                        </>
                      }
                    />
                  )}
                </Fetched>
              )}
            </div>
          </div>
        )}
      </Fetched>
    </Panel>
  );
}

export default function Events({ website, view }: { website: Website; view: ViewParams }) {
  const [tab, setTab] = useState('activity');
  return (
    <div className="stack">
      <ViewControls view={view} websiteId={website.id} showCompare={false} />
      <EventsChart website={website} view={view} />
      <MetricsPanel title="Events" ctx={{ websiteId: website.id, api: view.api, filters: view.filters }} types={['event']} />
      <Tabs
        label="Event views"
        value={tab}
        onChange={setTab}
        tabs={[
          { key: 'activity', label: 'Activity' },
          { key: 'data', label: 'Properties' },
        ]}
      >
        {tab === 'activity' ? <EventLog website={website} view={view} /> : <EventData website={website} view={view} />}
      </Tabs>
    </div>
  );
}
