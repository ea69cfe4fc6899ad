// Data loading for pages: GET with an in-memory cache (instant back-navigation, then refresh),
// cancellation when the inputs change, and an optional polling interval.
import { useCallback, useEffect, useRef, useState } from 'react';
import { get, qs, type Query } from './api';

const cache = new Map<string, unknown>();

export interface Loaded<T> {
  data: T | undefined;
  error: Error | null;
  loading: boolean;
  reload: () => void;
}

export function clearCache(): void {
  cache.clear();
}

export function useApi<T>(path: string | null, params?: Query, opts: { refreshMs?: number; keep?: boolean } = {}): Loaded<T> {
  const key = path === null ? null : path + qs(params);
  const [state, setState] = useState<{ key: string | null; data: T | undefined; error: Error | null; loading: boolean }>(() => ({
    key,
    data: key ? (cache.get(key) as T | undefined) : undefined,
    error: null,
    loading: key !== null,
  }));
  const [tick, setTick] = useState(0);
  const keyRef = useRef(key);
  keyRef.current = key;

  useEffect(() => {
    if (key === null) {
      setState({ key, data: undefined, error: null, loading: false });
      return;
    }
    const ctrl = new AbortController();
    setState((s) => ({ key, data: s.key === key || opts.keep ? (cache.get(key) as T | undefined) ?? s.data : (cache.get(key) as T | undefined), error: null, loading: true }));
    get<T>(key, undefined, ctrl.signal).then(
      (data) => {
        cache.set(key, data);
        if (keyRef.current === key) setState({ key, data, error: null, loading: false });
      },
      (error: Error) => {
        if (error.name === 'AbortError') return;
        if (keyRef.current === key) setState((s) => ({ key, data: s.key === key ? s.data : undefined, error, loading: false }));
      },
    );
    return () => ctrl.abort();
  }, [key, tick]);

  useEffect(() => {
    if (!opts.refreshMs || key === null) return;
    const t = setInterval(() => {
      if (document.visibilityState !== 'hidden') setTick((n) => n + 1);
    }, opts.refreshMs);
    return () => clearInterval(t);
  }, [opts.refreshMs, key]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  const current = state.key === key;
  return {
    data: current ? state.data : ((key ? (cache.get(key) as T | undefined) : undefined) ?? (opts.keep ? state.data : undefined)),
    error: current ? state.error : null,
    loading: current ? state.loading : key !== null,
    reload,
  };
}
