// Sessions explorer: stats, list, one session's activity and properties; weekly heat map.
import { useState } from 'react';
import type { Paged, Website } from '../lib/api';
import { formatDateTime } from '../lib/dates';
import { displayValue, formatDuration, formatNumber } from '../lib/format';
import type { ViewParams } from '../lib/params';
import { Link } from '../lib/router';
import { useApi } from '../lib/useApi';
import { DateControls, FilterBar } from '../components/Controls';
import { Pager } from '../components/Pager';
import { Empty, ErrorBox, Loading } from '../components/ui';
import { WeeklyCard } from './Overview';

interface Session {
  id: string;
  hostname?: string;
  browser: string | null;
  os: string | null;
  device: string | null;
  screen: string | null;
  language: string | null;
  country: string | null;
  region: string | null;
  city: string | null;
  firstAt: string;
  lastAt: string;
  visits: number;
  views: number;
  events?: number;
  totaltime?: number;
  distinctId?: string | null;
}

interface Activity {
  createdAt: string;
  urlPath: string;
  urlQuery?: string | null;
  referrerDomain?: string | null;
  eventType: number;
  eventName: string | null;
  visitId: string;
}

interface Property {
  dataKey: string;
  dataType: number;
  stringValue: string | null;
  numberValue: number | string | null;
  dateValue: string | null;
}

function SessionStats({ websiteId, view }: { websiteId: string; view: ViewParams }) {
  const res = useApi<Record<string, { value: number }>>(`/websites/${websiteId}/sessions/stats`, view.api);
  if (res.error) return null;
  const d = res.data;
  const items = [
    ['visitors', 'Visitors'],
    ['visits', 'Visits'],
    ['pageviews', 'Views'],
    ['countries', 'Countries'],
    ['events', 'Events'],
  ];
  return (
    <section className="metrics-bar" aria-label="Session totals">
      {items.map(([k, label]) => (
        <div className="metric" key={k}>
          <div className="metric-value">{d?.[k] ? formatNumber(d[k].value) : '–'}</div>
          <div className="metric-label">{label}</div>
        </div>
      ))}
    </section>
  );
}

function SessionList({ website, view }: { website: Website; view: ViewParams }) {
  const [page, setPage] = useState(1);
  const [query, setQuery] = useState('');
  const res = useApi<Paged<Session>>(`/websites/${website.id}/sessions`, { ...view.api, page, pageSize: 20, search: query || undefined }, { keep: true });
  return (
    <section className="card" aria-label="Sessions">
      <header className="panel-head">
        <h2>Sessions</h2>
        <label className="sr-only" htmlFor="session-search">
          Search sessions
        </label>
        <input id="session-search" type="search" placeholder="Search city, browser, OS…" value={query} onChange={(e) => (setQuery(e.target.value), setPage(1))} />
      </header>
      {res.error ? (
        <ErrorBox error={res.error} retry={res.reload} />
      ) : !res.data ? (
        <Loading />
      ) : res.data.data.length === 0 ? (
        <Empty>No sessions in this period.</Empty>
      ) : (
        <>
          <div className="table-scroll">
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">Session</th>
                  <th scope="col">Location</th>
                  <th scope="col">Browser / OS / device</th>
                  <th scope="col" className="num">Visits</th>
                  <th scope="col" className="num">Views</th>
                  <th scope="col">Last seen</th>
                </tr>
              </thead>
              <tbody>
                {res.data.data.map((s) => (
                  <tr key={s.id}>
                    <td>
                      <Link to={`/websites/${website.id}/sessions/${s.id}${window.location.search}`} className="mono">
                        {s.id.slice(0, 8)}
                      </Link>
                    </td>
                    <td>{[s.city, displayValue('country', s.country)].filter(Boolean).join(', ')}</td>
                    <td>{[s.browser, s.os, s.device && displayValue('device', s.device)].filter(Boolean).join(' · ')}</td>
                    <td className="num">{formatNumber(s.visits)}</td>
                    <td className="num">{formatNumber(s.views)}</td>
                    <td>{formatDateTime(s.lastAt, view.tz)}</td>
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

function propValue(p: Property): string {
  if (p.stringValue !== null && p.stringValue !== undefined) return p.stringValue;
  if (p.numberValue !== null && p.numberValue !== undefined) return String(p.numberValue);
  return p.dateValue ?? '';
}

function SessionDetail({ website, view, sessionId }: { website: Website; view: ViewParams; sessionId: string }) {
  const base = `/websites/${website.id}/sessions/${sessionId}`;
  const s = useApi<Session>(base);
  const act = useApi<Activity[]>(`${base}/activity`, { startAt: view.range.startAt, endAt: view.range.endAt });
  const props = useApi<Property[]>(`${base}/properties`);
  return (
    <div className="stack">
      <p>
        <Link to={`/websites/${website.id}/sessions${window.location.search}`}>← All sessions</Link>
      </p>
      {s.error ? (
        <ErrorBox error={s.error} retry={s.reload} />
      ) : !s.data ? (
        <Loading />
      ) : (
        <div className="grid session-grid">
          <section className="card" aria-label="Session">
            <h2>Session {sessionId.slice(0, 8)}</h2>
            <dl className="props">
              <dt>Location</dt>
              <dd>{[s.data.city, s.data.region, displayValue('country', s.data.country)].filter(Boolean).join(', ')}</dd>
              <dt>Browser</dt>
              <dd>{s.data.browser ?? '–'}</dd>
              <dt>OS</dt>
              <dd>{s.data.os ?? '–'}</dd>
              <dt>Device</dt>
              <dd>{s.data.device ? displayValue('device', s.data.device) : '–'}</dd>
              <dt>Screen</dt>
              <dd>{s.data.screen ?? '–'}</dd>
              <dt>Language</dt>
              <dd>{s.data.language ? displayValue('language', s.data.language) : '–'}</dd>
              <dt>First seen</dt>
              <dd>{formatDateTime(s.data.firstAt, view.tz)}</dd>
              <dt>Last seen</dt>
              <dd>{formatDateTime(s.data.lastAt, view.tz)}</dd>
              <dt>Visits</dt>
              <dd>{formatNumber(s.data.visits)}</dd>
              <dt>Views</dt>
              <dd>{formatNumber(s.data.views)}</dd>
              {s.data.totaltime !== undefined && (
                <>
                  <dt>Time on site</dt>
                  <dd>{formatDuration(s.data.totaltime)}</dd>
                </>
              )}
              {s.data.distinctId && (
                <>
                  <dt>Distinct ID</dt>
                  <dd className="mono">{s.data.distinctId}</dd>
                </>
              )}
            </dl>
            <h3>Properties</h3>
            {props.error ? (
              <ErrorBox error={props.error} />
            ) : !props.data ? (
              <Loading inline />
            ) : props.data.length === 0 ? (
              <Empty>No properties.</Empty>
            ) : (
              <dl className="props">
                {props.data.map((p) => (
                  <div key={p.dataKey} className="prop-row">
                    <dt>{p.dataKey}</dt>
                    <dd>{propValue(p)}</dd>
                  </div>
                ))}
              </dl>
            )}
          </section>
          <section className="card" aria-label="Activity">
            <h2>Activity</h2>
            {act.error ? (
              <ErrorBox error={act.error} retry={act.reload} />
            ) : !act.data ? (
              <Loading />
            ) : act.data.length === 0 ? (
              <Empty>No activity in this period.</Empty>
            ) : (
              <ol className="event-log">
                {act.data.map((a, i) => (
                  <li key={i} className={a.eventType === 2 || a.eventName ? 'log-event' : 'log-pageview'}>
                    <time dateTime={a.createdAt}>{formatDateTime(a.createdAt, view.tz)}</time>
                    <span className="log-text">
                      {a.eventName ? (
                        <>
                          Event <b>{a.eventName}</b> on {a.urlPath}
                        </>
                      ) : (
                        <>
                          Viewed <b>{a.urlPath}</b>
                          {a.urlQuery ? `?${a.urlQuery}` : ''}
                          {a.referrerDomain ? ` from ${a.referrerDomain}` : ''}
                        </>
                      )}
                    </span>
                  </li>
                ))}
              </ol>
            )}
          </section>
        </div>
      )}
    </div>
  );
}

export default function Sessions({ website, view, sessionId }: { website: Website; view: ViewParams; sessionId?: string }) {
  return (
    <div className="stack">
      <div className="toolbar">
        <FilterBar view={view} websiteId={website.id} />
        <DateControls view={view} showCompare={false} />
      </div>
      {sessionId ? (
        <SessionDetail website={website} view={view} sessionId={sessionId} />
      ) : (
        <>
          <SessionStats websiteId={website.id} view={view} />
          <SessionList website={website} view={view} />
          <WeeklyCard websiteId={website.id} view={view} />
        </>
      )}
    </div>
  );
}
