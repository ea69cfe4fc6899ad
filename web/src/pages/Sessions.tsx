// Sessions explorer: stats, list, one session's activity and properties; weekly heat map.
import type { Website } from '../lib/api';
import { formatDateTime } from '../lib/dates';
import { displayValue, formatDuration, formatNumber } from '../lib/format';
import type { ViewParams } from '../lib/params';
import { Link } from '../lib/router';
import { useApi } from '../lib/useApi';
import { ViewControls } from '../components/Controls';
import { PagedTable, usePaged, type Column } from '../components/DataTable';
import { Totals } from '../components/MetricsBar';
import { SessionLink } from '../components/SessionLink';
import { Fetched, Panel, Props, SearchBox } from '../components/ui';
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
  const items: [string, string][] = [
    ['visitors', 'Visitors'],
    ['visits', 'Visits'],
    ['pageviews', 'Views'],
    ['countries', 'Countries'],
    ['events', 'Events'],
  ];
  return <Totals label="Session totals" items={items.map(([key, label]) => ({ key, label, value: d?.[key]?.value }))} />;
}

function SessionList({ website, view }: { website: Website; view: ViewParams }) {
  const paged = usePaged<Session>(`/websites/${website.id}/sessions`, view.api);
  const columns: Column<Session>[] = [
    { key: 'id', label: 'Session', cell: (s) => <SessionLink websiteId={website.id} sessionId={s.id} /> },
    { key: 'location', label: 'Location', cell: (s) => [s.city, displayValue('country', s.country)].filter(Boolean).join(', ') },
    { key: 'env', label: 'Browser / OS / device', cell: (s) => [s.browser, s.os, s.device && displayValue('device', s.device)].filter(Boolean).join(' · ') },
    { key: 'visits', label: 'Visits', num: true, cell: (s) => formatNumber(s.visits) },
    { key: 'views', label: 'Views', num: true, cell: (s) => formatNumber(s.views) },
    { key: 'last', label: 'Last seen', cell: (s) => formatDateTime(s.lastAt, view.tz) },
  ];
  return (
    <Panel title="Sessions" actions={<SearchBox label="Search sessions" placeholder="Search city, browser, OS…" value={paged.search} onChange={paged.setSearch} />}>
      <PagedTable paged={paged} columns={columns} rowKey={(s) => s.id} empty="No sessions in this period." />
    </Panel>
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
      <Fetched res={s}>
        {(d) => (
          <div className="grid session-grid">
            <Panel title={`Session ${sessionId.slice(0, 8)}`} label="Session">
              <Props
                items={[
                  ['Location', [d.city, d.region, displayValue('country', d.country)].filter(Boolean).join(', ')],
                  ['Browser', d.browser ?? '–'],
                  ['OS', d.os ?? '–'],
                  ['Device', d.device ? displayValue('device', d.device) : '–'],
                  ['Screen', d.screen ?? '–'],
                  ['Language', d.language ? displayValue('language', d.language) : '–'],
                  ['First seen', formatDateTime(d.firstAt, view.tz)],
                  ['Last seen', formatDateTime(d.lastAt, view.tz)],
                  ['Visits', formatNumber(d.visits)],
                  ['Views', formatNumber(d.views)],
                  ['Time on site', d.totaltime === undefined ? null : formatDuration(d.totaltime)],
                  ['Distinct ID', d.distinctId ? <span className="mono">{d.distinctId}</span> : null],
                ]}
              />
              <h3>Properties</h3>
              <Fetched res={props} isEmpty={(list) => list.length === 0} empty="No properties.">
                {(list) => <Props items={list.map((p) => [p.dataKey, propValue(p)])} />}
              </Fetched>
            </Panel>
            <Panel title="Activity">
              <Fetched res={act} isEmpty={(list) => list.length === 0} empty="No activity in this period.">
                {(list) => (
                  <ol className="event-log">
                    {list.map((a, i) => (
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
              </Fetched>
            </Panel>
          </div>
        )}
      </Fetched>
    </div>
  );
}

export default function Sessions({ website, view, sessionId }: { website: Website; view: ViewParams; sessionId?: string }) {
  return (
    <div className="stack">
      <ViewControls view={view} websiteId={website.id} showCompare={false} />
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
