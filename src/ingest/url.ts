// Page URL and referrer split into the columns website_event stores.
import { Lru } from './lru.js';

const MAX = 500;
const ABSOLUTE = /^[a-z][a-z0-9+.-]*:/i;
const UTM = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term'] as const;
const CLICK_IDS = ['gclid', 'fbclid', 'msclkid', 'ttclid', 'li_fat_id', 'twclid'] as const;

export type UtmKey = (typeof UTM)[number];
export type ClickIdKey = (typeof CLICK_IDS)[number];

export interface PageUrl {
  hostname: string | null;
  path: string;
  query: string | null;
  params: Partial<Record<UtmKey | ClickIdKey, string>>;
}

export interface Referrer {
  domain: string | null;
  path: string | null;
  query: string | null;
}

function base(hostname: string | undefined): string {
  return `https://${hostname && /^[a-z0-9.\-:[\]]+$/i.test(hostname) ? hostname : 'localhost'}`;
}

function safeDecode(s: string): string {
  try {
    return decodeURI(s);
  } catch {
    return s;
  }
}

function cut(s: string | null | undefined, n = MAX): string | null {
  return s ? s.slice(0, n) : null;
}

/** Parses a page URL, absolute or relative to the hit's hostname. Null when it does not parse. */
export function parseUrl(url: string, hostname: string | undefined): URL | null {
  try {
    return new URL(url, base(hostname));
  } catch {
    return null;
  }
}

/** `parsed`: parseUrl(url, hostname) when the caller already has it. */
export function pageUrl(url: string, hostname: string | undefined, removeTrailingSlash = false, parsed?: URL | null): PageUrl {
  const u = parsed === undefined ? parseUrl(url, hostname) : parsed;
  if (!u) return { hostname: cut(hostname, 100), path: cut(url) ?? '', query: null, params: {} };
  let pathname = safeDecode(u.pathname);
  if (removeTrailingSlash && pathname.length > 1 && pathname.endsWith('/')) pathname = pathname.replace(/\/+$/, '') || '/';
  const params: PageUrl['params'] = {};
  if (u.search) {
    for (const key of UTM) {
      const v = u.searchParams.get(key);
      if (v) params[key] = v.slice(0, 255);
    }
    for (const key of CLICK_IDS) {
      const v = u.searchParams.get(key);
      if (v) params[key] = v.slice(0, 255);
    }
  }
  return {
    hostname: cut(hostname || (ABSOLUTE.test(url) ? u.hostname.replace(/^www\./, '') : null), 100),
    path: (pathname + safeDecode(u.hash)).slice(0, MAX),
    query: cut(u.search.slice(1)),
    params,
  };
}

/** `parsed`: parseUrl(ref, hostname) when the caller already has it. */
export function referrer(ref: string | undefined, hostname: string | undefined, parsed?: URL | null): Referrer {
  if (!ref) return { domain: null, path: null, query: null };
  const u = parsed === undefined ? parseUrl(ref, hostname) : parsed;
  if (!u) return { domain: null, path: null, query: null };
  return {
    domain: cut(u.hostname.replace(/^www\./, '')),
    path: cut(safeDecode(u.pathname)),
    query: cut(u.search.slice(1)),
  };
}

// Sites send the same few URLs and referrers over and over, and parsing one costs about a
// microsecond: the columns (or null: the text does not parse) are remembered by their inputs.
// The objects are shared between hits: read them, never change them.
const pages = new Lru<string, PageUrl | null>(10_000);
const referrers = new Lru<string, Referrer | null>(10_000);

/** Unambiguous: the hostname's length says where it ends. */
const cacheKey = (text: string, hostname: string | undefined, flag: string) => `${flag}${hostname?.length ?? 0}:${hostname ?? ''}${text}`;

/** pageUrl(url, hostname, removeTrailingSlash), or null when the URL does not parse. */
export function pageColumns(url: string, hostname: string | undefined, removeTrailingSlash: boolean): PageUrl | null {
  const key = cacheKey(url, hostname, removeTrailingSlash ? '1' : '0');
  let page = pages.get(key);
  if (page === undefined) {
    const parsed = parseUrl(url, hostname);
    page = parsed ? pageUrl(url, hostname, removeTrailingSlash, parsed) : null;
    pages.set(key, page);
  }
  return page;
}

/** referrer(ref, hostname) of a non-empty referrer, or null when it does not parse. */
export function referrerColumns(ref: string, hostname: string | undefined): Referrer | null {
  const key = cacheKey(ref, hostname, '');
  let columns = referrers.get(key);
  if (columns === undefined) {
    const parsed = parseUrl(ref, hostname);
    columns = parsed ? referrer(ref, hostname, parsed) : null;
    referrers.set(key, columns);
  }
  return columns;
}
