// A website's overview: metrics bar, chart, breakdown tables, map and weekly heat map.
import { lazy, Suspense, useMemo } from 'react';
import type { MetricRow, Stats, Website, XY } from '../lib/api';
import { allowedUnits, buckets, fill, type Unit } from '../lib/dates';
import type { ViewParams } from '../lib/params';
import { setSearch } from '../lib/router';
import { useApi } from '../lib/useApi';
import { Chart, type ChartSeries } from '../components/Chart';
import { addFilter, ViewControls } from '../components/Controls';
import { Heatmap } from '../components/Heatmap';
import { MetricsBar } from '../components/MetricsBar';
import { type TableContext } from '../components/FilterValue';
import { MetricsPanel } from '../components/MetricsTable';
import { ErrorBox, Fetched, Loading, Panel } from '../components/ui';
import { RetentionNote } from '../components/DataRetention';

const WorldMap = lazy(() => import('../components/WorldMap'));

const UNIT_LABELS: Record<Unit, string> = { minute: 'Minutes', hour: 'Hours', day: 'Days', month: 'Months', year: 'Years' };

export function ChartCard({ website, view }: { website: Website; view: ViewParams }) {
  const params = { ...view.api, unit: view.unit, timezone: view.tz };
  const cur = useApi<{ pageviews: XY[]; sessions: XY[] }>(`/websites/${website.id}/pageviews`, params, { keep: true });
  const cmp = view.compare !== 'off';
  const prev = useApi<{ pageviews: XY[]; sessions: XY[] }>(cmp ? `/websites/${website.id}/pageviews` : null, { ...params, startAt: view.prev.startAt, endAt: view.prev.endAt }, { keep: true });
  const labels = useMemo(() => buckets(view.range.startAt, view.range.endAt, view.unit, view.tz), [view.range.startAt, view.range.endAt, view.unit, view.tz]);
  const series = useMemo<ChartSeries[] | null>(() => {
    if (!cur.data) return null;
    const out: ChartSeries[] = [
      { label: 'Views', values: fill(cur.data.pageviews, labels), color: '#93b4f5' },
      { label: 'Visitors', values: fill(cur.data.sessions, labels), color: '#2563eb' },
    ];
    if (cmp && prev.data) {
      const prevLabels = buckets(view.prev.startAt, view.prev.endAt, view.unit, view.tz);
      const pv = fill(prev.data.pageviews, prevLabels);
      out.push({ label: 'Previous views', values: labels.map((_, i) => pv[i] ?? 0), color: '#9ca3af', kind: 'line', dash: true });
    }
    return out;
  }, [cur.data, prev.data, labels, cmp, view.prev.startAt, view.prev.endAt, view.unit, view.tz]);
  const units = allowedUnits(view.range.startAt, view.range.endAt);
  return (
    <Panel
      title="Traffic"
      label="Traffic over time"
      className="card chart-card"
      actions={
        <div className="segmented" role="group" aria-label="Chart unit">
          {units.map((u) => (
            <button key={u} type="button" aria-pressed={u === view.unit} className={u === view.unit ? 'active' : ''} onClick={() => setSearch({ unit: u }, { replace: true })}>
              {UNIT_LABELS[u]}
            </button>
          ))}
        </div>
      }
    >
      {cur.error ? <ErrorBox error={cur.error} retry={cur.reload} /> : series ? <Chart labels={labels} series={series} unit={view.unit} title="Views and visitors over time" /> : <div className="chart-placeholder"><Loading /></div>}
    </Panel>
  );
}

function MapCard({ ctx }: { ctx: TableContext }) {
  const res = useApi<MetricRow[]>(`/websites/${ctx.websiteId}/metrics`, { ...ctx.api, type: 'country', limit: 300 });
  return (
    <Panel title="Map" label="World map" className="card map-card">
      {res.error ? (
        <ErrorBox error={res.error} retry={res.reload} />
      ) : (
        <Suspense fallback={<Loading />}>
          <WorldMap rows={Array.isArray(res.data) ? res.data : []} onSelect={(code) => addFilter(ctx.filters, 'country', code)} />
        </Suspense>
      )}
    </Panel>
  );
}

export function WeeklyCard({ websiteId, view }: { websiteId: string; view: ViewParams }) {
  const res = useApi<number[][]>(`/websites/${websiteId}/sessions/weekly`, { ...view.api, timezone: view.tz });
  return (
    <Panel title="Traffic by weekday and hour" label="Weekly traffic">
      <Fetched res={res}>{(data) => <Heatmap data={data} />}</Fetched>
    </Panel>
  );
}

/** The breakdown tables, each a card of tabs over dimensions. */
const TOP_PANELS = [
  { title: 'Pages', types: ['path', 'entry', 'exit', 'title'] },
  { title: 'Sources', types: ['referrer', 'channel'] },
  { title: 'Environment', types: ['browser', 'os', 'device', 'screen'] },
  { title: 'Location', types: ['country', 'region', 'city', 'language'] },
];
const BOTTOM_PANELS = [
  { title: 'Events', types: ['event'] },
  { title: 'Query strings & campaigns', types: ['query', 'utmSource', 'utmMedium', 'utmCampaign', 'utmContent', 'utmTerm'] },
];

function Panels({ panels, ctx }: { panels: { title: string; types: string[] }[]; ctx: TableContext }) {
  return (
    <div className="grid two">
      {panels.map((p) => (
        <MetricsPanel key={p.title} title={p.title} types={p.types} ctx={ctx} />
      ))}
    </div>
  );
}

export function Overview({ website, view, readOnly }: { website: Website; view: ViewParams; readOnly?: boolean }) {
  const stats = useApi<Stats>(`/websites/${website.id}/stats`, { ...view.api, ...(view.compare === 'yoy' ? { compare: 'yoy' } : {}) }, { keep: true });
  const ctx: TableContext = useMemo(
    () => ({
      websiteId: website.id,
      api: view.api,
      filters: view.filters,
      readOnly,
      totals: stats.data ? { views: stats.data.pageviews.value, visitors: stats.data.visitors.value, visits: stats.data.visits.value } : undefined,
    }),
    [website.id, view.api, view.filters, readOnly, stats.data],
  );
  return (
    <div className="overview">
      <ViewControls view={view} websiteId={website.id} />
      <RetentionNote website={website} startAt={view.range.startAt} />
      {stats.error ? <ErrorBox error={stats.error} retry={stats.reload} /> : <MetricsBar stats={stats.data} compare={view.compare !== 'off'} loading={stats.loading} />}
      <ChartCard website={website} view={view} />
      <Panels panels={TOP_PANELS} ctx={ctx} />
      <MapCard ctx={ctx} />
      <Panels panels={BOTTOM_PANELS} ctx={ctx} />
      <WeeklyCard websiteId={website.id} view={view} />
    </div>
  );
}
