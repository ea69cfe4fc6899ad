// Events: custom events over time, the event log, and the event-data explorer.
import { useMemo, useState } from 'react';
import type { Paged, Website } from '../lib/api';
import { buckets, fill, formatDateTime } from '../lib/dates';
import { formatNumber } from '../lib/format';
import type { ViewParams } from '../lib/params';
import { Link } from '../lib/router';
import { useApi } from '../lib/useApi';
import { Chart, type ChartSeries } from '../components/Chart';
import { DateControls, FilterBar } from '../components/Controls';
import { MetricsPanel } from '../components/MetricsTable';
import { Pager } from '../components/Pager';
import { Tabs } from '../components/Tabs';
import { Empty, ErrorBox, Loading } from '../components/ui';

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
    <section className="card chart-card" aria-label="Events over time">
      <header className="panel-head">
        <h2>Events over time</h2>
      </header>
      {res.error ? <ErrorBox error={res.error} retry={res.reload} /> : !res.data ? <Loading /> : series.length === 0 ? <Empty>No custom events in this period.</Empty> : <Chart labels={labels} series={series} unit={view.unit} height={220} title="Events over time" />}
    </section>
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
  const [page, setPage] = useState(1);
  const [query, setQuery] = useState('');
  const res = useApi<Paged<EventRow>>(`/websites/${website.id}/events`, { ...view.api, page, pageSize: 20, search: query || undefined }, { keep: true });
  return (
    <section className="card" aria-label="Activity">
      <header className="panel-head">
        <h2>Activity</h2>
        <label className="sr-only" htmlFor="event-search">
          Search events
        </label>
        <input id="event-search" type="search" placeholder="Search" value={query} onChange={(e) => (setQuery(e.target.value), setPage(1))} />
      </header>
      {res.error ? (
        <ErrorBox error={res.error} retry={res.reload} />
      ) : !res.data ? (
        <Loading />
      ) : res.data.data.length === 0 ? (
        <Empty>No events in this period.</Empty>
      ) : (
        <>
          <div className="table-scroll">
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Event</th>
                  <th scope="col">Page</th>
                  <th scope="col">Session</th>
                </tr>
              </thead>
              <tbody>
                {res.data.data.map((e) => (
                  <tr key={e.id}>
                    <td>{formatDateTime(e.createdAt, view.tz)}</td>
                    <td>{e.eventName ? <b>{e.eventName}</b> : <span className="muted">page view</span>}</td>
                    <td>{e.urlPath}</td>
                    <td>
                      <Link className="mono" to={`/websites/${website.id}/sessions/${e.sessionId}${window.location.search}`}>
                        {e.sessionId.slice(0, 8)}
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager page={page} pageSize={20} count={res.data.count} onPage={setPage} />
        </>
      )}
    </section>
  );
}

interface EventProperty {
  eventName: string;
  propertyName: string;
  dataType?: number;
  total: number;
}

function EventData({ website, view }: { website: Website; view: ViewParams }) {
  const res = useApi<EventProperty[]>(`/websites/${website.id}/event-data/events`, view.api);
  const [sel, setSel] = useState<EventProperty | null>(null);
  const values = useApi<{ value: string; total: number }[]>(
    sel ? `/websites/${website.id}/event-data/values` : null,
    sel ? { ...view.api, eventName: sel.eventName, propertyName: sel.propertyName } : undefined,
  );
  const rows = (Array.isArray(res.data) ? res.data : []).filter((r) => r.propertyName);
  return (
    <section className="card" aria-label="Event data">
      <header className="panel-head">
        <h2>Event properties</h2>
      </header>
      {res.error ? (
        <ErrorBox error={res.error} retry={res.reload} />
      ) : !res.data ? (
        <Loading />
      ) : rows.length === 0 ? (
        <Empty>No event data in this period. Send data with umami.track(name, data).</Empty>
      ) : (
        <div className="grid two">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Property</th>
                <th scope="col" className="num">
                  Count
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={`${r.eventName}/${r.propertyName}`} className={sel === r ? 'selected' : ''}>
                  <td>{r.eventName}</td>
                  <td>
                    <button type="button" className="row-filter" onClick={() => setSel(r)} aria-pressed={sel === r}>
                      {r.propertyName}
                    </button>
                  </td>
                  <td className="num">{formatNumber(r.total)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div aria-live="polite">
            {!sel ? (
              <Empty>Choose a property to see its values.</Empty>
            ) : values.error ? (
              <ErrorBox error={values.error} />
            ) : !values.data ? (
              <Loading />
            ) : (
              <table className="data-table">
                <caption>
                  {sel.eventName} · {sel.propertyName}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Value</th>
                    <th scope="col" className="num">
                      Count
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {values.data.map((v) => (
                    <tr key={v.value}>
                      <td>{String(v.value)}</td>
                      <td className="num">{formatNumber(v.total)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        </div>
      )}
    </section>
  );
}

export default function Events({ website, view }: { website: Website; view: ViewParams }) {
  const [tab, setTab] = useState('activity');
  return (
    <div className="stack">
      <div className="toolbar">
        <FilterBar view={view} websiteId={website.id} />
        <DateControls view={view} showCompare={false} />
      </div>
      <EventsChart website={website} view={view} />
      <MetricsPanel title="Events" ctx={{ websiteId: website.id, api: view.api, filters: view.filters }} types={[{ key: 'event', label: 'Events' }]} />
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
