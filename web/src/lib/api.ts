// The only way the dashboard talks to the server: the public Umami-compatible API.
import { basePath } from './env';

export interface User {
  id: string;
  username: string;
  role: string;
  createdAt: string;
  isAdmin: boolean;
  teams?: { id: string; name: string }[];
  /** An admin still signing in with the default password `umami`. */
  usesDefaultPassword?: boolean;
}

export interface Website {
  id: string;
  name: string;
  domain: string;
  shareId: string | null;
  resetAt: string | null;
  userId: string | null;
  teamId: string | null;
  createdAt: string;
  /** Hostnames hits must come from (`*.example.com`: any subdomain); empty accepts all. */
  allowedHostnames?: string[];
  /** Days raw data is kept; null: forever. */
  retentionDays?: number | null;
}

export interface Team {
  id: string;
  name: string;
  accessCode: string | null;
  createdAt: string;
}

export interface TeamMember {
  id: string;
  teamId: string;
  userId: string;
  role: string;
  user?: { id: string; username: string };
}

export interface Paged<T> {
  data: T[];
  count: number;
  page: number;
  pageSize: number;
}

export interface ValuePrev {
  value: number;
  prev: number;
}

export type Stats = Record<'pageviews' | 'visitors' | 'visits' | 'bounces' | 'totaltime', ValuePrev>;
export interface XY {
  x: string;
  y: number;
}
export interface MetricRow {
  x: string;
  y: number;
  country?: string;
}

/** A row of /metrics/expanded (pageviews counts events on event rows). */
export interface ExpandedRow {
  name: string | null;
  pageviews: number;
  visitors: number;
  visits: number;
  bounces: number;
  totaltime: number;
  country?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'dashi.token';

interface Credentials {
  token: string | null;
  shareToken: string | null;
}

const creds: Credentials = { token: readToken(), shareToken: null };

function readToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string | null): void {
  creds.token = token;
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // private mode: the token lives for this tab only
  }
}

export const getToken = () => creds.token;
export const setShareToken = (token: string | null) => {
  creds.shareToken = token;
};

let onUnauthorized: (() => void) | null = null;
export const setUnauthorizedHandler = (fn: (() => void) | null) => {
  onUnauthorized = fn;
};

export type Query = Record<string, string | number | boolean | null | undefined>;

export function qs(params: Query = {}): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

export async function api<T = unknown>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (creds.shareToken) {
    headers['x-umami-share-token'] = creds.shareToken;
    headers['x-umami-share-context'] = '1';
  } else if (creds.token) {
    headers.authorization = `Bearer ${creds.token}`;
  }
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`${basePath}/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'Cannot reach the server. Check your connection and try again.');
  }
  const text = await res.text();
  let data: any = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  if (!res.ok) {
    const message = data?.error?.message ?? (typeof data?.error === 'string' ? data.error : null) ?? `Request failed (${res.status})`;
    if (res.status === 401 && !creds.shareToken && !path.startsWith('/auth/login')) onUnauthorized?.();
    throw new ApiError(res.status, message, data?.error?.code);
  }
  return data as T;
}

export const get = <T>(path: string, params?: Query, signal?: AbortSignal) => api<T>('GET', path + qs(params), undefined, signal);
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const del = <T>(path: string) => api<T>('DELETE', path);
