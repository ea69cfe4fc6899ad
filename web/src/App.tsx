// Routes. Pages load on demand, so the first load stays small, except a website's page: it is
// where most visits land, and a lazy page costs its first paint React's ~300 ms pause before it
// reveals suspended content.
import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { AuthProvider, useAuth } from './lib/auth';
import { match, navigate, RouterProvider, useLocation } from './lib/router';
import { Layout } from './components/Layout';
import { Loading } from './components/ui';
import { Login } from './pages/Login';
import WebsitePage from './pages/WebsitePage';

const Websites = lazy(() => import('./pages/Websites'));
const Settings = lazy(() => import('./pages/Settings'));
const Share = lazy(() => import('./pages/Share'));

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function NotFound() {
  return (
    <div className="page">
      <h1>Page not found</h1>
      <p>
        <a href="#" onClick={(e) => (e.preventDefault(), navigate('/websites'))}>
          Go to your websites
        </a>
      </p>
    </div>
  );
}

function Authed({ children }: { children: ReactNode }) {
  const { user, checking } = useAuth();
  const loc = useLocation();
  if (checking) return <Loading label="Signing in…" />;
  if (!user) {
    const next = loc.path + (loc.search.toString() ? `?${loc.search}` : '');
    return <Redirect to={`/login${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`} />;
  }
  return <Layout>{children}</Layout>;
}

function Routes() {
  const { path } = useLocation();
  let m: Record<string, string> | null;
  if ((m = match('/share/:shareId', path)) || (m = match('/share/:shareId/:tab', path))) {
    return (
      <Suspense fallback={<Loading />}>
        <Share shareId={m.shareId} />
      </Suspense>
    );
  }
  if (path === '/login') return <Login />;
  let page: ReactNode;
  if (path === '/' || path === '') page = <Redirect to="/websites" />;
  else if (path === '/websites') page = <Websites />;
  else if ((m = match('/websites/:websiteId', path))) page = <WebsitePage websiteId={m.websiteId} tab="overview" />;
  else if ((m = match('/websites/:websiteId/:tab', path))) page = <WebsitePage websiteId={m.websiteId} tab={m.tab} />;
  else if ((m = match('/websites/:websiteId/:tab/:sub', path))) page = <WebsitePage websiteId={m.websiteId} tab={m.tab} sub={m.sub} />;
  else if (path === '/settings') page = <Redirect to="/settings/preferences" />;
  else if ((m = match('/settings/:section', path))) page = <Settings section={m.section} />;
  else if ((m = match('/settings/:section/:id', path))) page = <Settings section={m.section} id={m.id} />;
  else page = <NotFound />;
  return (
    <Authed>
      <Suspense fallback={<Loading />}>{page}</Suspense>
    </Authed>
  );
}

export function App() {
  const isShare = window.location.pathname.includes('/share/');
  return (
    <RouterProvider>
      <AuthProvider enabled={!isShare}>
        <Routes />
      </AuthProvider>
    </RouterProvider>
  );
}
