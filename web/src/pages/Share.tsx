// The public share page: a read-only overview, no login (GET /api/share/:shareId gives a token).
import { useEffect, useState } from 'react';
import { ApiError, get, setShareToken, type Website } from '../lib/api';
import { useViewParams } from '../lib/params';
import { useApi } from '../lib/useApi';
import { Logo } from '../components/Layout';
import { ThemeToggle } from '../components/ThemeToggle';
import { ErrorBox, Loading } from '../components/ui';
import { Overview } from './Overview';
import { useAllTimeStart, WebsiteHeader } from './WebsitePage';

function SharedOverview({ websiteId }: { websiteId: string }) {
  const res = useApi<Website>(`/websites/${websiteId}`);
  const view = useViewParams(useAllTimeStart(websiteId, res.data));
  if (res.error) return <ErrorBox error={res.error} retry={res.reload} />;
  if (!res.data) return <Loading />;
  return (
    <>
      <WebsiteHeader website={res.data} tab="overview" readOnly base="" />
      <Overview website={res.data} view={view} readOnly />
    </>
  );
}

export default function Share({ shareId }: { shareId: string }) {
  const [state, setState] = useState<{ websiteId?: string; error?: unknown }>({});
  useEffect(() => {
    setShareToken(null);
    get<{ websiteId: string; token: string }>(`/share/${encodeURIComponent(shareId)}`).then(
      (r) => {
        setShareToken(r.token);
        setState({ websiteId: r.websiteId });
      },
      (error) => setState({ error }),
    );
  }, [shareId]);
  return (
    <div className="app share">
      <header className="topbar">
        <span className="brand">
          <Logo />
          <span>Dashi</span>
        </span>
        <div className="topbar-end">
          <ThemeToggle />
        </div>
      </header>
      <main id="main" className="page">
        {state.error ? (
          <ErrorBox
            title="This share link does not work"
            error={state.error instanceof ApiError && state.error.status === 404 ? new Error('The link is wrong, or sharing was turned off for this website.') : state.error}
          />
        ) : state.websiteId ? (
          <SharedOverview websiteId={state.websiteId} />
        ) : (
          <Loading />
        )}
      </main>
    </div>
  );
}
