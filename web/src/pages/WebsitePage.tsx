// One website: header, section navigation, and the section itself.
import { lazy, Suspense } from 'react';
import type { Website } from '../lib/api';
import { useViewParams } from '../lib/params';
import { Link, useLocation } from '../lib/router';
import { getDefaultRange } from '../lib/prefs';
import { useApi } from '../lib/useApi';
import { ErrorBox, Loading } from '../components/ui';
import { Overview } from './Overview';

const Realtime = lazy(() => import('./Realtime'));
const Sessions = lazy(() => import('./Sessions'));
const Events = lazy(() => import('./Events'));
const Reports = lazy(() => import('./Reports'));
const WebsiteSettings = lazy(() => import('./WebsiteSettings'));

const SECTIONS = [
  { key: 'overview', label: 'Overview', path: '' },
  { key: 'realtime', label: 'Realtime', path: '/realtime' },
  { key: 'sessions', label: 'Sessions', path: '/sessions' },
  { key: 'events', label: 'Events', path: '/events' },
  { key: 'reports', label: 'Reports', path: '/reports' },
  { key: 'settings', label: 'Settings', path: '/settings' },
];

/** Keep the date range, time zone and filters when moving between sections. */
function carry(search: URLSearchParams): string {
  const s = search.toString();
  return s ? `?${s}` : '';
}

export function websiteStart(w: Website | undefined): number | undefined {
  if (!w) return undefined;
  const t = Date.parse(w.resetAt ?? w.createdAt);
  return Number.isNaN(t) ? undefined : t;
}

/** Where "All time" starts: the first recorded event (/daterange), else the website's creation. */
export function useAllTimeStart(websiteId: string, website: Website | undefined): number | undefined {
  const { search } = useLocation();
  const range = search.get('range') ?? getDefaultRange();
  const dr = useApi<{ startDate?: string | null }>(range === 'all' ? `/websites/${websiteId}/daterange` : null);
  const first = dr.data?.startDate ? Date.parse(dr.data.startDate) : NaN;
  return Number.isNaN(first) ? websiteStart(website) : first;
}

export function WebsiteHeader({ website, tab, readOnly, base }: { website: Website; tab: string; readOnly?: boolean; base: string }) {
  const search = new URLSearchParams(window.location.search);
  const sections = readOnly ? SECTIONS.filter((s) => s.key === 'overview') : SECTIONS;
  return (
    <header className="website-head">
      <div className="website-title">
        <h1>{website.name}</h1>
        <a className="muted domain" href={`https://${website.domain}`} target="_blank" rel="noreferrer noopener">
          {website.domain}
        </a>
      </div>
      {sections.length > 1 && (
        <nav aria-label="Website sections" className="subnav">
          <ul>
            {sections.map((s) => (
              <li key={s.key}>
                <Link to={`${base}${s.path}${s.key === 'settings' ? '' : carry(search)}`} aria-current={tab === s.key ? 'page' : undefined} className={tab === s.key ? 'active' : ''}>
                  {s.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      )}
    </header>
  );
}

export default function WebsitePage({ websiteId, tab, sub }: { websiteId: string; tab: string; sub?: string }) {
  const res = useApi<Website>(`/websites/${websiteId}`);
  const view = useViewParams(useAllTimeStart(websiteId, res.data));
  if (res.error) return <div className="page"><ErrorBox error={res.error} retry={res.reload} title="Could not load this website" /></div>;
  if (!res.data) return <Loading />;
  const website = res.data;
  let body;
  switch (tab) {
    case 'overview':
      body = <Overview website={website} view={view} />;
      break;
    case 'realtime':
      body = <Realtime website={website} />;
      break;
    case 'sessions':
      body = <Sessions website={website} view={view} sessionId={sub} />;
      break;
    case 'events':
      body = <Events website={website} view={view} />;
      break;
    case 'reports':
      body = <Reports website={website} view={view} type={sub} />;
      break;
    case 'settings':
      body = <WebsiteSettings website={website} onChange={res.reload} />;
      break;
    default:
      body = <p>Unknown section.</p>;
  }
  return (
    <div className="page">
      <WebsiteHeader website={website} tab={tab} base={`/websites/${website.id}`} />
      <Suspense fallback={<Loading />}>{body}</Suspense>
    </div>
  );
}
