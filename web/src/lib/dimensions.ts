// The dimensions the overview shows and filters by, with their labels (Umami's names).

export interface Dimension {
  /** The /metrics `type` and the filter query parameter. */
  key: string;
  label: string;
  /** The overview tab's label, when it differs from label. */
  tab?: string;
  /** What y counts in /metrics for this type. */
  unit: 'views' | 'visitors' | 'visits' | 'events';
}

export const DIMENSIONS: Dimension[] = [
  { key: 'path', label: 'Path', unit: 'views' },
  { key: 'entry', label: 'Entry page', tab: 'Entry', unit: 'visits' },
  { key: 'exit', label: 'Exit page', tab: 'Exit', unit: 'visits' },
  { key: 'title', label: 'Page title', tab: 'Title', unit: 'views' },
  { key: 'query', label: 'Query string', tab: 'Query', unit: 'views' },
  { key: 'hostname', label: 'Hostname', unit: 'views' },
  { key: 'referrer', label: 'Referrer', tab: 'Referrers', unit: 'views' },
  { key: 'channel', label: 'Channel', tab: 'Channels', unit: 'visitors' },
  { key: 'browser', label: 'Browser', tab: 'Browsers', unit: 'visitors' },
  { key: 'os', label: 'OS', unit: 'visitors' },
  { key: 'device', label: 'Device', tab: 'Devices', unit: 'visitors' },
  { key: 'screen', label: 'Screen', tab: 'Screens', unit: 'visitors' },
  { key: 'language', label: 'Language', tab: 'Languages', unit: 'visitors' },
  { key: 'country', label: 'Country', tab: 'Countries', unit: 'visitors' },
  { key: 'region', label: 'Region', tab: 'Regions', unit: 'visitors' },
  { key: 'city', label: 'City', tab: 'Cities', unit: 'visitors' },
  { key: 'event', label: 'Event', tab: 'Events', unit: 'events' },
  { key: 'tag', label: 'Tag', unit: 'views' },
  { key: 'utmSource', label: 'UTM source', tab: 'Source', unit: 'views' },
  { key: 'utmMedium', label: 'UTM medium', tab: 'Medium', unit: 'views' },
  { key: 'utmCampaign', label: 'UTM campaign', tab: 'Campaign', unit: 'views' },
  { key: 'utmContent', label: 'UTM content', tab: 'Content', unit: 'views' },
  { key: 'utmTerm', label: 'UTM term', tab: 'Term', unit: 'views' },
];

export const DIMENSION_BY_KEY = new Map(DIMENSIONS.map((d) => [d.key, d]));

export const OPERATORS: { value: string; label: string }[] = [
  { value: 'eq', label: 'is' },
  { value: 'neq', label: 'is not' },
  { value: 'c', label: 'contains' },
  { value: 'dnc', label: 'does not contain' },
];

export interface ActiveFilter {
  key: string;
  /** The URL parameter (key, key1, key2 ... for repeats). */
  param: string;
  op: string;
  value: string;
}

/** Filters present in the page URL (the same `op.value` syntax the API takes). */
export function filtersFromSearch(search: URLSearchParams): ActiveFilter[] {
  const out: ActiveFilter[] = [];
  for (const [param, raw] of search) {
    const m = /^([A-Za-z]+?)(\d*)$/.exec(param);
    if (!m || !DIMENSION_BY_KEY.has(m[1])) continue;
    const dot = raw.indexOf('.');
    const prefix = dot > 0 ? raw.slice(0, dot) : '';
    const known = OPERATORS.some((o) => o.value === prefix);
    out.push({ key: m[1], param, op: known ? prefix : 'eq', value: known ? raw.slice(dot + 1) : raw });
  }
  return out;
}

/** API query parameters for a set of filters. */
export function filterParams(filters: ActiveFilter[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of filters) out[f.param] = `${f.op}.${f.value}`;
  return out;
}

/** The next free URL parameter name for another filter on key. */
export function freeParam(filters: ActiveFilter[], key: string): string {
  const used = new Set(filters.map((f) => f.param));
  if (!used.has(key)) return key;
  for (let i = 1; ; i++) if (!used.has(`${key}${i}`)) return `${key}${i}`;
}
