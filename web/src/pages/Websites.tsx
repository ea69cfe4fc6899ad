// The websites list: a card per website with last week's traffic.
import { useEffect, useRef, useState } from 'react';
import type { Paged, Stats, Team, Website, XY } from '../lib/api';
import { buckets, fill, parseRange } from '../lib/dates';
import { formatNumber } from '../lib/format';
import { getTimeZone } from '../lib/prefs';
import { Link, navigate } from '../lib/router';
import { clearCache, useApi } from '../lib/useApi';
import { Sparkline } from '../components/Chart';
import { WebsiteForm } from '../components/WebsiteForm';
import { Fetched, Modal, SearchBox } from '../components/ui';

/** Load a card's numbers only once it scrolls into view (a long list stays fast). */
function useVisible<T extends Element>(): [React.RefObject<T | null>, boolean] {
  const ref = useRef<T>(null);
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el || seen) return;
    if (typeof IntersectionObserver === 'undefined') return setSeen(true);
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        setSeen(true);
        io.disconnect();
      }
    });
    io.observe(el);
    return () => io.disconnect();
  }, [seen]);
  return [ref, seen];
}

function WebsiteCard({ website }: { website: Website }) {
  const tz = getTimeZone();
  const range = parseRange('7d', tz);
  const [ref, visible] = useVisible<HTMLLIElement>();
  const params = { startAt: range.startAt, endAt: range.endAt };
  const stats = useApi<Stats>(visible ? `/websites/${website.id}/stats` : null, params);
  const series = useApi<{ pageviews: XY[]; sessions: XY[] }>(visible ? `/websites/${website.id}/pageviews` : null, { ...params, unit: 'day', timezone: tz });
  const labels = buckets(range.startAt, range.endAt, 'day', tz);
  const values = fill(series.data?.sessions, labels);
  return (
    <li className="card website-card" ref={ref}>
      <div className="website-card-head">
        <Link to={`/websites/${website.id}`} className="website-link">
          <b>{website.name}</b>
          <span className="muted">{website.domain}</span>
        </Link>
        <Link to={`/websites/${website.id}/settings`} className="btn small" aria-label={`Settings for ${website.name}`}>
          Settings
        </Link>
      </div>
      <div className="website-card-body">
        <dl className="mini-stats">
          <div>
            <dt>Visitors</dt>
            <dd>{stats.data ? formatNumber(stats.data.visitors.value) : stats.error ? '?' : '–'}</dd>
          </div>
          <div>
            <dt>Views</dt>
            <dd>{stats.data ? formatNumber(stats.data.pageviews.value) : stats.error ? '?' : '–'}</dd>
          </div>
        </dl>
        {series.data ? <Sparkline values={values} label={`Visitors per day, last 7 days: ${values.join(', ')}`} /> : <span className="sparkline-placeholder" aria-hidden="true" />}
      </div>
      <span className="muted small">Last 7 days</span>
    </li>
  );
}

export default function Websites() {
  const [query, setQuery] = useState('');
  const [adding, setAdding] = useState(false);
  const res = useApi<Paged<Website>>('/websites', { pageSize: 200, includeTeams: 'true', query: query || undefined }, { keep: true });
  const teams = useApi<Paged<Team>>('/teams', { pageSize: 100 });
  return (
    <div className="page">
      <div className="page-head">
        <h1>Websites</h1>
        <div className="row wrap">
          <SearchBox label="Search websites" value={query} onChange={setQuery} />
          <button type="button" className="btn primary" onClick={() => setAdding(true)}>
            + Add website
          </button>
        </div>
      </div>
      <Fetched res={res} isEmpty={(d) => d.data.length === 0} empty={query ? 'No websites match.' : 'No websites yet. Add one to get its tracking code.'}>
        {(d) => (
          <ul className="website-grid">
            {d.data.map((w) => (
              <WebsiteCard key={w.id} website={w} />
            ))}
          </ul>
        )}
      </Fetched>
      <Modal title="Add website" open={adding} onClose={() => setAdding(false)}>
        <WebsiteForm
          teams={teams.data?.data}
          onCancel={() => setAdding(false)}
          onSaved={(w) => {
            setAdding(false);
            clearCache();
            navigate(`/websites/${w.id}/settings`);
          }}
        />
      </Modal>
    </div>
  );
}
