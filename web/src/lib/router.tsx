// A small router over the History API (the app has a handful of routes; no library needed).
import { createContext, useContext, useEffect, useState, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';
import { appUrl, basePath } from './env';

export interface Location {
  path: string;
  search: URLSearchParams;
}

function current(): Location {
  let path = window.location.pathname;
  if (basePath && path.startsWith(basePath)) path = path.slice(basePath.length);
  return { path: path || '/', search: new URLSearchParams(window.location.search) };
}

const RouterContext = createContext<Location>(current());

const listeners = new Set<() => void>();

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const url = appUrl(to);
  if (opts.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  listeners.forEach((l) => l());
  if (!opts.replace) window.scrollTo(0, 0);
}

/** Replace some query parameters of the current URL (null removes one). */
export function setSearch(changes: Record<string, string | null>, opts: { replace?: boolean } = {}): void {
  const loc = current();
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === '') loc.search.delete(k);
    else loc.search.set(k, v);
  }
  const s = loc.search.toString();
  const url = appUrl(loc.path) + (s ? `?${s}` : '');
  if (opts.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  listeners.forEach((l) => l());
}

export function RouterProvider({ children }: { children: ReactNode }) {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const update = () =>
      setLoc((prev) => {
        const next = current();
        return prev.path === next.path && prev.search.toString() === next.search.toString() ? prev : next;
      });
    listeners.add(update);
    window.addEventListener('popstate', update);
    // A child may have navigated before this effect subscribed (children's effects run first).
    update();
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return <RouterContext.Provider value={loc}>{children}</RouterContext.Provider>;
}

export const useLocation = () => useContext(RouterContext);

/** Match '/websites/:id/sessions/:sessionId' against a path; params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) out[p[i].slice(1)] = decodeURIComponent(s[i]);
    else if (p[i] !== s[i]) return null;
  }
  return out;
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string; keepSearch?: boolean };

/** An <a> that navigates in the app; ctrl/cmd-click still opens a new tab. */
export function Link({ to, keepSearch, onClick, ...rest }: LinkProps) {
  const loc = useLocation();
  const target = keepSearch && loc.search.toString() && !to.includes('?') ? `${to}?${loc.search.toString()}` : to;
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(target);
  };
  return <a href={appUrl(target)} onClick={handle} {...rest} />;
}
