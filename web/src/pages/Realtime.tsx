// Realtime: the last 30 minutes, refreshed every 5 seconds.
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import type { Website, XY } from '../lib/api';
import { buckets, fill, formatDateTime } from '../lib/dates';
import { displayValue, formatNumber } from '../lib/format';
import { getTimeZone } from '../lib/prefs';
import { useApi } from '../lib/useApi';
import { Chart } from '../components/Chart';
import { Totals } from '../components/MetricsBar';
import { Empty, ErrorBox, Loading, Panel } from '../components/ui';

const WorldMap = lazy(() => import('../components/WorldMap'));

const REFRESH_MS = 5000;
const WINDOW_MS = 30 * 60_000;

type CountMap = Record<string, number> | { x: string; y: number }[];

interface RealtimeEvent {
  __type?: string;
  eventType?: number;
  sessionId?: string;
  eventName?: string | null;
  createdAt: string;
  browser?: string;
  os?: string;
  device?: string;
  country?: string;
  urlPath?: string;
  referrerDomain?: string;
}

interface RealtimeData {
  urls?: CountMap;
  countries?: CountMap;
  referrers?: CountMap;
  events?: RealtimeEvent[];
  series?: { views?: XY[]; visitors?: XY[] };
  totals?: { views?: number; visitors?: number; events?: number; countries?: number };
  timestamp?: number;
}

function entries(m: CountMap | undefined): { x: string; y: number }[] {
  if (!m) return [];
  const list = Array.isArray(m) ? m : Object.entries(m).map(([x, y]) => ({ x, y: Number(y) }));
  return [...list].sort((a, b) => b.y - a.y);
}

function CountList({ title, type, data }: { title: string; type: string; data: CountMap | undefined }) {
  const rows = entries(data).slice(0, 15);
  return (
    <Panel title={title} className="card panel">
      {rows.length === 0 ? (
        <Empty>Nothing yet.</Empty>
      ) : (
        <table className="metrics-table">
          <tbody>
            {rows.map((r) => (
              <tr key={r.x}>
                <td className="label-cell">{displayValue(type, r.x)}</td>
                <td className="num">{formatNumber(r.y)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}

function eventKind(e: RealtimeEvent): string {
  if (e.__type) return e.__type;
  if (e.eventName) return 'event';
  return e.eventType === 2 ? 'event' : 'pageview';
}

export default function Realtime({ website }: { website: Website }) {
  const tz = getTimeZone();
  const [now, setNow] = useState(() => Math.floor(Date.now() / 1000) * 1000);
  useEffect(() => {
    const t = setInterval(() => {
      if (document.visibilityState !== 'hidden') setNow(Math.floor(Date.now() / 1000) * 1000);
    }, REFRESH_MS);
    return () => clearInterval(t);
  }, []);
  const startAt = now - WINDOW_MS;
  const res = useApi<RealtimeData>(`/realtime/${website.id}`, { startAt, endAt: now, timezone: tz }, { keep: true });
  const active = useApi<{ visitors?: number; x?: number }>(`/websites/${website.id}/active`, { t: Math.floor(now / REFRESH_MS) }, { keep: true });
  const minuteKey = Math.floor(now / 60_000);
  const labels = useMemo(() => buckets(startAt, now, 'minute', tz), [minuteKey, tz]);
  const d = res.data;
  const series = useMemo(
    () =>
      d
        ? [
            { label: 'Views', values: fill(d.series?.views, labels), color: '#93b4f5' },
            { label: 'Visitors', values: fill(d.series?.visitors, labels), color: '#2563eb' },
          ]
        : null,
    [d, labels],
  );
  const activeCount = active.data?.visitors ?? active.data?.x;
  return (
    <div className="realtime">
      <p className="live-note">
        <span className="live-dot" aria-hidden="true" /> Live · last 30 minutes · updates every {REFRESH_MS / 1000} seconds
      </p>
      {res.error && !d ? (
        <ErrorBox error={res.error} retry={res.reload} />
      ) : !d ? (
        <Loading />
      ) : (
        <>
          <Totals
            label="Realtime totals"
            items={[
              { key: 'active', label: 'Active now', value: activeCount },
              { key: 'visitors', label: 'Visitors', value: d.totals?.visitors ?? 0 },
              { key: 'views', label: 'Views', value: d.totals?.views ?? 0 },
              { key: 'events', label: 'Events', value: d.totals?.events ?? 0 },
              { key: 'countries', label: 'Countries', value: d.totals?.countries ?? 0 },
            ]}
          />
          <section className="card chart-card" aria-label="Last 30 minutes">
            {series && <Chart labels={labels} series={series} unit="minute" height={200} title="Views and visitors per minute" />}
          </section>
          <div className="grid realtime-grid">
            <Panel title="Activity" label="Live activity" className="card panel log">
              {!d.events?.length ? (
                <Empty>No activity in the last 30 minutes.</Empty>
              ) : (
                <ol className="event-log" aria-live="polite">
                  {d.events.slice(0, 100).map((e, i) => {
                    const kind = eventKind(e);
                    return (
                      <li key={`${e.createdAt}-${i}`} className={`log-${kind}`}>
                        <time dateTime={e.createdAt}>{formatDateTime(e.createdAt, tz).split(', ').pop()}</time>
                        <span className="log-text">
                          {kind === 'session' ? (
                            <>
                              New visitor from <b>{displayValue('country', e.country ?? null)}</b> using {e.browser ? displayValue('browser', e.browser) : 'a browser'} on {e.os ?? 'an unknown OS'}
                            </>
                          ) : kind === 'event' ? (
                            <>
                              Event <b>{e.eventName}</b> on {e.urlPath}
                            </>
                          ) : (
                            <>
                              Viewed <b>{e.urlPath}</b>
                              {e.referrerDomain ? ` from ${e.referrerDomain}` : ''}
                            </>
                          )}
                        </span>
                      </li>
                    );
                  })}
                </ol>
              )}
            </Panel>
            <CountList title="Pages" type="path" data={d.urls} />
            <CountList title="Referrers" type="referrer" data={d.referrers} />
            <CountList title="Countries" type="country" data={d.countries} />
          </div>
          <section className="card map-card" aria-label="Map">
            <Suspense fallback={<Loading />}>
              <WorldMap rows={entries(d.countries)} />
            </Suspense>
          </section>
        </>
      )}
    </div>
  );
}
