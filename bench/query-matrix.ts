// The requests bench/query.ts times: every endpoint on a slot-aligned range and on the same range
// shifted off the 15-minute slots, and stats (both ranges), the page-view series and one
// breakdown (aligned) with each common filter (eq, some neq) and with pairs of them.

export type RangeKind = 'aligned' | 'shifted' | '-';

export interface BenchRequest {
  endpoint: string;
  range: RangeKind;
  /** `-` without a filter, else the filter parameters as sent (decoded), e.g. `path=/`. */
  filter: string;
  url: string;
}

/** What an API client sending `Date.now()` gets: start and end a little over a second off the slots. */
export const SHIFT_MS = 1_234;

/** Filter parameters by the /metrics type that lists their values. */
export const PAGE_FILTERS = ['path', 'referrer', 'hostname', 'title', 'query', 'event', 'tag', 'utm_source'];
export const SESSION_FILTERS = ['browser', 'os', 'device', 'screen', 'language', 'country', 'region', 'city'];
const NEQ_FILTERS = ['path', 'referrer', 'browser', 'country'];
/** Pairs: page + session, session + session, page + page. */
const FILTER_PAIRS: [string, string][] = [
  ['path', 'browser'],
  ['referrer', 'country'],
  ['browser', 'country'],
  ['path', 'referrer'],
  ['utm_source', 'device'],
];

/** Every endpoint bench/query.ts has timed since the first round; `r` is the range's query string. */
function endpoints(w: string, website: string, session: string): [string, ((r: string) => string) | string][] {
  return [
    ['stats', (r) => `${w}/stats?${r}`],
    ['pageviews (day, New York)', (r) => `${w}/pageviews?${r}&unit=day&timezone=America/New_York`],
    ['pageviews (hour, UTC)', (r) => `${w}/pageviews?${r}&unit=hour&timezone=UTC`],
    ['metrics path', (r) => `${w}/metrics?${r}&type=path`],
    ['metrics referrer', (r) => `${w}/metrics?${r}&type=referrer`],
    ['metrics browser', (r) => `${w}/metrics?${r}&type=browser`],
    ['metrics country', (r) => `${w}/metrics?${r}&type=country`],
    ['metrics entry', (r) => `${w}/metrics?${r}&type=entry`],
    ['metrics channel', (r) => `${w}/metrics?${r}&type=channel`],
    ['metrics event', (r) => `${w}/metrics?${r}&type=event`],
    ['metrics/expanded path', (r) => `${w}/metrics/expanded?${r}&type=path`],
    ['events', (r) => `${w}/events?${r}`],
    ['events/series', (r) => `${w}/events/series?${r}&unit=day&timezone=UTC`],
    ['events/stats', (r) => `${w}/events/stats?${r}`],
    ['event-data/events', (r) => `${w}/event-data/events?${r}`],
    ['event-data/fields', (r) => `${w}/event-data/fields?${r}`],
    ['event-data/values', (r) => `${w}/event-data/values?${r}&eventName=download&propertyName=plan`],
    ['event-data/properties', (r) => `${w}/event-data/properties?${r}`],
    ['event-data/stats', (r) => `${w}/event-data/stats?${r}`],
    ['sessions', (r) => `${w}/sessions?${r}`],
    ['sessions/stats', (r) => `${w}/sessions/stats?${r}`],
    ['sessions/:id', `${w}/sessions/${session}`],
    ['sessions/:id/activity', (r) => `${w}/sessions/${session}/activity?${r}`],
    ['sessions/:id/properties', `${w}/sessions/${session}/properties`],
    ['session-data/properties', (r) => `${w}/session-data/properties?${r}`],
    ['session-data/values', (r) => `${w}/session-data/values?${r}&propertyName=tier`],
    ['sessions/weekly', (r) => `${w}/sessions/weekly?${r}&timezone=America/New_York`],
    ['active', `${w}/active`],
    ['daterange', `${w}/daterange`],
    ['values', (r) => `${w}/values?${r}&type=path`],
    ['realtime', `/api/realtime/${website}`],
  ];
}

/** The filtered requests go to these three (stats on both range kinds, the others on the aligned one). */
const FILTERED: Record<string, RangeKind[]> = { stats: ['aligned', 'shifted'], 'pageviews (day, New York)': ['aligned'], 'metrics referrer': ['aligned'] };

export interface MatrixInput {
  website: string;
  /** A session of the website in range, for the per-session endpoints. */
  session: string;
  /** Slot-aligned range: start at midnight, end at the last millisecond of a day. */
  startAt: number;
  endAt: number;
  /** A frequent value of each filter parameter (PAGE_FILTERS, SESSION_FILTERS). */
  values: Record<string, string>;
}

export function benchRequests(m: MatrixInput): BenchRequest[] {
  const w = `/api/websites/${m.website}`;
  const ranges: [RangeKind, string][] = [
    ['aligned', `startAt=${m.startAt}&endAt=${m.endAt}`],
    ['shifted', `startAt=${m.startAt + SHIFT_MS}&endAt=${m.endAt + SHIFT_MS}`],
  ];
  const value = (name: string) => {
    const v = m.values[name];
    if (v === undefined) throw new Error(`no value for the ${name} filter`);
    return v;
  };
  const filters: [string, string][] = [];
  const param = (name: string, op: '' | 'neq.', v: string) => [`${name}=${op}${v}`, `${name}=${encodeURIComponent(op + v)}`];
  for (const name of [...PAGE_FILTERS, ...SESSION_FILTERS]) filters.push(param(name, '', value(name)) as [string, string]);
  for (const name of NEQ_FILTERS) filters.push(param(name, 'neq.', value(name)) as [string, string]);
  for (const [a, b] of FILTER_PAIRS) {
    const [la, qa] = param(a, '', value(a));
    const [lb, qb] = param(b, '', value(b));
    filters.push([`${la} & ${lb}`, `${qa}&${qb}`]);
  }
  const out: BenchRequest[] = [];
  for (const [endpoint, url] of endpoints(w, m.website, m.session)) {
    if (typeof url === 'string') {
      out.push({ endpoint, range: '-', filter: '-', url });
      continue;
    }
    for (const [range, r] of ranges) {
      out.push({ endpoint, range, filter: '-', url: url(r) });
      if (!FILTERED[endpoint]?.includes(range)) continue;
      for (const [label, query] of filters) out.push({ endpoint, range, filter: label, url: `${url(r)}&${query}` });
    }
  }
  return out;
}
