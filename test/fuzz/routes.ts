// One request generator per route of the app, keyed `METHOD /path/:param` exactly as Fastify
// registers it. Each generator starts from a request that gets past auth and validation on the
// fixture world (real ids and tokens) and mixes in hostile values: a field replaced, dropped or
// added, the whole body replaced, an odd content type, repeated or broken query parameters.
// Routes that change or delete things act on victims made for the purpose, so the fixture world
// stays usable for the checks that follow the fuzzing.
import fc from 'fast-check';
import { advJson, advNumber, advString, BAD_REGEXES, CONTENT_TYPES, deep, hugeString, PROTO_NAMES, RAW_BODIES, RAW_QUERY, toJsonText, TRICKY, type QueryParts, type QueryValue } from './values.js';

export type AuthKind = 'admin' | 'viewer' | 'share' | 'none' | 'garbage' | 'cookie' | 'spare';

/** What the suite made before fuzzing: ids of real things and tokens of real callers. */
export interface World {
  adminId: string;
  viewerId: string;
  /** Admin-owned, with a share slug; the share token is for it. */
  site: string;
  shareSlug: string;
  /** Owned by `team`, where the view-only user is a view-only member. */
  teamSite: string;
  /** A v1 integer website id (of `site`). */
  legacySite: number;
  team: string;
  accessCode: string;
  report: string;
  segment: string;
  cohort: string;
  sessionId: string;
  /** Made to be changed (update routes) and to be deleted (delete routes). */
  victims: {
    site: string;
    siteDel: string;
    user: string;
    userDel: string;
    team: string;
    teamDel: string;
    report: string;
    reportDel: string;
    segment: string;
    segmentDel: string;
  };
  startAt: number;
  endAt: number;
}

export type Body = { kind: 'none' } | { kind: 'json'; value: unknown; contentType: string } | { kind: 'raw'; text: string; contentType: string };

export interface FuzzRequest {
  method: string;
  route: string;
  /** Path parameter values, unencoded. */
  params: Record<string, string>;
  query: QueryParts;
  body: Body;
  auth: AuthKind;
  headers: Record<string, string>;
}

export interface Spec {
  params?: Record<string, fc.Arbitrary<string>>;
  /** Plausible query fields; a generator yielding undefined leaves the field out. */
  query?: Record<string, fc.Arbitrary<QueryValue | undefined>>;
  /** Plausible JSON body fields, or a whole-body generator. */
  body?: Record<string, fc.Arbitrary<unknown>> | fc.Arbitrary<unknown>;
  auth?: fc.Arbitrary<AuthKind>;
  headers?: fc.Arbitrary<Record<string, string>>;
  /** Requests per run, as a multiple of FUZZ_RUNS (cheap routes with much input get more). */
  runs?: number;
  /** Plausible bodies that are not JSON (e.g. NDJSON), with their content type. */
  raw?: fc.Arbitrary<{ text: string; contentType: string }>;
}

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

const c = fc.constant;
const pick = <T>(...values: T[]): fc.Arbitrary<T> => fc.constantFrom<T[]>(...values);
/** Present most of the time. */
const often = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 6 });
/** Present now and then. */
const sometimes = <T>(a: fc.Arbitrary<T>) => fc.oneof({ weight: 2, arbitrary: c(undefined) }, { weight: 1, arbitrary: a });
const uuid = fc.uuid();
/** A real id mostly; else another uuid or anything. */
const idOf = (...ids: string[]) => fc.oneof({ weight: 10, arbitrary: pick(...ids) }, { weight: 1, arbitrary: uuid }, { weight: 1, arbitrary: advString });
const str = (a: fc.Arbitrary<string>) => fc.oneof({ weight: 5, arbitrary: a }, { weight: 2, arbitrary: advString });

/** Header values fetch can send (no control characters, nothing past U+00FF). */
const headerSafe = (s: string) => s.replace(/[^\x20-\x7e\x80-\xff]/g, '?').slice(0, 4000);

const defaultAuth = fc.oneof(
  { weight: 6, arbitrary: c<AuthKind>('admin') },
  { weight: 2, arbitrary: c<AuthKind>('viewer') },
  { weight: 2, arbitrary: c<AuthKind>('share') },
  { weight: 1, arbitrary: c<AuthKind>('none') },
  { weight: 1, arbitrary: c<AuthKind>('garbage') },
  { weight: 1, arbitrary: c<AuthKind>('cookie') },
);
const userAuth = fc.oneof({ weight: 6, arbitrary: c<AuthKind>('admin') }, { weight: 3, arbitrary: c<AuthKind>('viewer') }, { weight: 1, arbitrary: pick<AuthKind>('none', 'garbage', 'share', 'cookie') });

// ---- shared field sets -----------------------------------------------------------------------

const FILTER_FIELDS = ['path', 'url', 'referrer', 'title', 'query', 'host', 'hostname', 'event', 'os', 'browser', 'device', 'country', 'region', 'city', 'tag', 'language', 'screen', 'distinctId', 'entry', 'exit', 'domain', 'channel', 'utmSource', 'utm_medium'];
const METRIC_TYPES = ['path', 'url', 'entry', 'exit', 'referrer', 'domain', 'title', 'query', 'event', 'tag', 'hostname', 'browser', 'os', 'device', 'screen', 'language', 'country', 'region', 'city', 'channel', 'utmSource', 'utm_campaign'];
const OPS = ['eq', 'neq', 'c', 'dnc', 're', 'nre'];

const filterText = fc.oneof(
  { weight: 2, arbitrary: fc.tuple(pick('re', 'nre'), pick(...BAD_REGEXES)).map(([op, r]) => `${op}.${r}`) },
  { weight: 3, arbitrary: fc.tuple(pick(...OPS), pick('/', '/a', 'x', 'Chrome', 'US', 'a,b', '.*', '^/p')).map(([op, v]) => `${op}.${v}`) },
  { weight: 2, arbitrary: fc.tuple(pick(...OPS, ...PROTO_NAMES, 'gt', 's', ''), advString).map(([op, v]) => `${op}.${v}`) },
  { weight: 1, arbitrary: advString },
);

/** Filter parameters: a few of the known ones, maybe repeated or numbered. */
const filterParams: fc.Arbitrary<QueryParts> = fc
  .array(fc.tuple(pick(...FILTER_FIELDS), pick('', '', '1', '2', '01'), fc.oneof({ weight: 4, arbitrary: filterText }, { weight: 1, arbitrary: fc.array(filterText, { minLength: 2, maxLength: 3 }) })), { maxLength: 3 })
  .map((list) => Object.fromEntries(list.map(([k, n, v]) => [k + n, v])));

const epochText = (w: World) =>
  fc.oneof({ weight: 6, arbitrary: pick(String(w.startAt), '0', String(w.endAt)) }, { weight: 1, arbitrary: advString }, { weight: 1, arbitrary: advNumber.map(String) });

function analyticsQuery(w: World, names: [string, string] = ['startAt', 'endAt'], tz = 'timezone'): Spec['query'] {
  return {
    [names[0]]: often(fc.oneof({ weight: 6, arbitrary: c(String(w.startAt)) }, { weight: 1, arbitrary: epochText(w) })),
    [names[1]]: often(fc.oneof({ weight: 6, arbitrary: c(String(w.endAt)) }, { weight: 1, arbitrary: epochText(w) })),
    [tz]: sometimes(str(pick('UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Pacific/Kiritimati'))),
    unit: sometimes(str(pick('minute', 'hour', 'day', 'month', 'year'))),
    type: sometimes(str(pick(...METRIC_TYPES))),
    limit: sometimes(str(pick('1', '10', '500', '100000'))),
    offset: sometimes(str(pick('0', '5', '1000000000'))),
    compare: sometimes(str(pick('prev', 'yoy'))),
    segment: sometimes(idOf(w.segment, w.cohort)),
    cohort: sometimes(idOf(w.cohort, w.segment)),
    excludeBounce: sometimes(str(pick('true', 'false', '1', '0'))),
    match: sometimes(str(pick('all', 'any'))),
    search: sometimes(advString),
    query: sometimes(advString),
    page: sometimes(str(pick('1', '2'))),
    pageSize: sometimes(str(pick('10', '1000'))),
    orderBy: sometimes(str(pick('createdAt', 'name', ...PROTO_NAMES))),
    propertyName: sometimes(str(pick('plan', 'a.b', 'revenue'))),
    eventName: sometimes(str(pick('signup', 'purchase'))),
    event: sometimes(str(pick('signup', 'purchase'))),
    currency: sometimes(str(pick('USD', 'EUR'))),
  };
}

const paging: Spec['query'] = {
  page: sometimes(str(pick('1', '2', '1000000'))),
  pageSize: sometimes(str(pick('1', '10', '1000'))),
  search: sometimes(advString),
  query: sometimes(advString),
  orderBy: sometimes(str(pick('name', 'createdAt', 'username', ...PROTO_NAMES))),
  sortDescending: sometimes(str(pick('true', 'false'))),
  includeTeams: sometimes(str(pick('true', 'false', '0'))),
};

const step = fc.record({ type: str(pick('path', 'url', 'event')), value: str(pick('/', '/a', 'signup', '/b*')) });
const dataFilter = fc.record({ property: str(pick('plan', 'a.b')), operator: str(pick('eq', 'neq', 'c', 'dnc', ...PROTO_NAMES)), value: fc.oneof(str(pick('pro', 'x')), advNumber, fc.boolean()) });
const filterItem = fc.record(
  { name: str(pick(...FILTER_FIELDS)), operator: str(pick(...OPS, 'equals', 'contains', 'regex', ...PROTO_NAMES)), value: fc.oneof(advString, fc.array(advString, { maxLength: 3 }), advNumber) },
  { requiredKeys: ['name', 'value'] },
);
const reportFilters = fc.oneof(fc.array(filterItem, { maxLength: 3 }), filterParams, advJson);

/** Report fields by report type (beyond website, dates, time zone and filters). */
const REPORT_FIELDS: Record<string, Record<string, fc.Arbitrary<unknown>>> = {
  funnel: {
    steps: fc.oneof({ weight: 4, arbitrary: fc.array(step.chain((s) => fc.record({ type: c(s.type), value: c(s.value), filters: sometimes(fc.array(dataFilter, { maxLength: 2 })) })), { minLength: 2, maxLength: 5 }) }, { weight: 1, arbitrary: advJson }),
    window: fc.oneof(pick<unknown>(30, 60, '60'), advNumber, advString),
  },
  journey: { steps: fc.oneof(pick<unknown>(3, 5, 7, '4'), advNumber, advString), startStep: sometimes(str(pick('/', 'signup'))), endStep: sometimes(str(pick('/b', 'purchase'))) },
  retention: {},
  utm: {},
  goals: { goals: fc.oneof({ weight: 4, arbitrary: fc.array(fc.record({ type: str(pick('path', 'url', 'event')), value: str(pick('/', 'signup')), goal: fc.oneof(pick<unknown>(1, 10, '5'), advNumber) }), { maxLength: 4 }) }, { weight: 1, arbitrary: advJson }) },
  goal: { type: str(pick('path', 'event')), value: str(pick('/', 'signup')) },
  insights: { fields: fc.oneof(fc.array(fc.oneof(str(pick('path', 'browser', 'country', 'event')), fc.record({ name: str(pick('path', 'os')), type: sometimes(advString), label: sometimes(advString) })), { maxLength: 6 }), advJson) },
  revenue: { currency: str(pick('USD', 'EUR', 'usd')), compare: sometimes(str(pick('prev', 'yoy'))) },
  attribution: {
    model: str(pick('firstClick', 'lastClick', ...PROTO_NAMES)),
    steps: sometimes(fc.oneof(fc.array(step, { minLength: 1, maxLength: 2 }), advJson)),
    step: sometimes(str(pick('/', 'signup'))),
    type: sometimes(str(pick('path', 'event'))),
  },
};
REPORT_FIELDS.breakdown = REPORT_FIELDS.insights;

const dateValue = (w: World, which: 'start' | 'end') =>
  fc.oneof(
    { weight: 6, arbitrary: pick<unknown>(new Date(which === 'start' ? w.startAt : w.endAt).toISOString(), which === 'start' ? w.startAt : w.endAt) },
    { weight: 1, arbitrary: advJson },
  );

/** A report run body in either of Umami's shapes (top-level fields, or inside `parameters`). */
function reportBody(w: World, type: string): fc.Arbitrary<unknown> {
  const own = REPORT_FIELDS[type];
  const common = {
    startDate: often(dateValue(w, 'start')),
    endDate: often(dateValue(w, 'end')),
    timezone: sometimes(str(pick('UTC', 'Asia/Tokyo'))),
    unit: sometimes(str(pick('day', 'hour', 'month'))),
    filters: sometimes(reportFilters),
    match: sometimes(str(pick('all', 'any'))),
    segment: sometimes(idOf(w.segment, w.cohort)),
  };
  return fc.tuple(fields({ ...common, ...own }), idOf(w.site, w.teamSite), pick('flat', 'parameters', 'dateRange')).map(([f, websiteId, shape]) => {
    if (shape === 'flat') return { websiteId, ...f };
    if (shape === 'parameters') return { websiteId, type, filters: f.filters, parameters: f };
    const { startDate, endDate, unit, timezone, ...rest } = f;
    return { websiteId, dateRange: { startDate, endDate, unit }, timezone, ...rest };
  });
}

const segmentParameters = (w: World) =>
  fields({
    filters: often(fc.oneof({ weight: 3, arbitrary: fc.array(filterItem, { maxLength: 3 }) }, { weight: 1, arbitrary: advJson })),
    match: sometimes(str(pick('all', 'any'))),
    dateRange: sometimes(fc.oneof(pick('30day', 'all', '0day', `range:${w.startAt}:${w.endAt}`), advJson)),
    action: sometimes(fc.oneof(fc.record({ type: str(pick('path', 'event')), value: str(pick('/', 'signup')) }), advJson)),
  });

function savedReportParameters(w: World): fc.Arbitrary<unknown> {
  return pick(...Object.keys(REPORT_FIELDS)).chain((type) => reportBody(w, type).map((b) => ({ ...(b as object), websiteId: undefined })));
}

// ---- ingestion ---------------------------------------------------------------------------------

const dataValue = fc.oneof(
  { weight: 3, arbitrary: advJson },
  { weight: 2, arbitrary: pick<unknown>(...TRICKY, 1e15, -999999999999999.9, 123.456789) },
  { weight: 1, arbitrary: pick<unknown>(deep(10_000), deep(30_000, 'array'), [deep(20_000, 'array')]) },
);
const dataObject = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(fc.oneof(advString, pick('plan', 'revenue', 'currency', 'a.b')), dataValue, { maxKeys: 5 }) },
  { weight: 1, arbitrary: advJson },
);

function hitPayload(w: World) {
  return fields({
    website: fc.oneof({ weight: 10, arbitrary: c(w.site) }, { weight: 1, arbitrary: idOf(w.teamSite) }, { weight: 1, arbitrary: advJson }),
    url: often(str(pick('/', '/a?x=1', 'https://example.com/p?utm_source=x#h', '/%ZZ'))),
    hostname: often(str(pick('example.com', 'localhost'))),
    language: sometimes(str(pick('en-US', 'de'))),
    referrer: sometimes(str(pick('https://google.com/', 'android-app://x', 'http://['))),
    screen: sometimes(str(pick('1920x1080', '0x0'))),
    title: sometimes(advString),
    name: sometimes(str(pick('signup', 'purchase'))),
    tag: sometimes(advString),
    id: sometimes(advString),
    data: sometimes(dataObject),
    timestamp: sometimes(fc.oneof(c(Math.floor(w.endAt / 1000) - 86_400), advNumber)),
    ip: sometimes(str(pick('81.2.69.142', '::1', '::ffff:1.2.3.4', '999.1.1.1', 'fe80::1%eth0'))),
    userAgent: sometimes(advString),
    browser: sometimes(advString),
    os: sometimes(advString),
    device: sometimes(advString),
  });
}

const sendBody = (w: World) =>
  fc.record({ type: fc.oneof({ weight: 6, arbitrary: c('event') }, { weight: 2, arbitrary: pick('identify', 'performance') }, { weight: 1, arbitrary: advJson }), payload: hitPayload(w) });

const ingestHeaders = fc
  .record(
    {
      'user-agent': fc.oneof({ weight: 8, arbitrary: c(CHROME) }, { weight: 1, arbitrary: advString.map(headerSafe) }),
      'x-forwarded-for': sometimes(fc.oneof(pick('81.2.69.142', '1.1.1.1, 2.2.2.2', '::1', 'unknown'), advString.map(headerSafe))),
      'cf-ipcountry': sometimes(advString.map(headerSafe)),
      'x-umami-cache': sometimes(advString.map(headerSafe)),
      origin: sometimes(pick('https://example.com', 'null')),
    },
    { requiredKeys: ['user-agent'] },
  )
  .map((h) => Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as Record<string, string>);

/** NDJSON lines for POST /api/admin/import: session and event lines (any field may be hostile, see fields()) and junk lines. */
function importBody(w: World): fc.Arbitrary<{ text: string; contentType: string }> {
  const at = new Date(w.startAt).toISOString();
  const item = fields({ key: pick('plan', '__proto__', ''), dataType: pick(1, 2, 5, 9), string: sometimes(advString), number: sometimes(pick(1, 1e300)), createdAt: c(at) });
  const common = { v: sometimes(pick(1, 2)), websiteId: idOf(w.victims.site), sessionId: uuid, createdAt: pick(at, '2026-13-01T00:00:00Z'), data: sometimes(fc.array(item, { maxLength: 3 })) };
  const event = fields({ type: c('event'), ...common, eventId: uuid, visitId: uuid, eventType: pick(1, 2, 0), urlPath: pick('/fuzz'), pageTitle: sometimes(advString) });
  const session = fields({ type: c('session'), ...common, browser: sometimes(advString) });
  const line = fc.oneof({ weight: 4, arbitrary: fc.oneof(event, session).map((l) => toJsonText(l)) }, { weight: 1, arbitrary: pick(...RAW_BODIES) });
  return fc.tuple(fc.array(line, { minLength: 1, maxLength: 4 }), pick('application/x-ndjson', 'application/jsonl')).map(([lines, contentType]) => ({ text: lines.join('\n'), contentType }));
}

// ---- the catalogue -----------------------------------------------------------------------------

const REPORT_TYPES = ['insights', 'breakdown', 'funnel', 'retention', 'utm', 'goals', 'goal', 'journey', 'revenue', 'attribution'];

const ANALYTICS_READS = [
  'stats', 'pageviews', 'metrics', 'metrics/expanded', 'events', 'events/series', 'events/stats', 'event-data/events', 'event-data/fields',
  'event-data/properties', 'event-data/values', 'event-data/stats', 'export', 'active', 'daterange', 'values', 'sessions', 'sessions/stats',
  'sessions/weekly', 'session-data/properties', 'session-data/values',
];

export function catalogue(w: World): Record<string, Spec> {
  const site = { websiteId: idOf(w.site, w.teamSite) };
  const v = w.victims;
  const out: Record<string, Spec> = {
    'GET /api/heartbeat': {},
    'GET /api/openapi.json': {},
    'GET /api/admin/ingest': { auth: userAuth },
    // Never a real backup: every directory is relative, an existing one, or one that cannot be made
    // (an absolute path from the hostile strings could otherwise be written to).
    'POST /api/admin/backup': {
      body: fields(
        { dir: fc.oneof(pick('backups/here', '/', '/proc/dashi-fuzz/backup', '/proc/self', ''), advString.filter((s) => !s.startsWith('/'))) },
        advJson.filter((v) => !(typeof v === 'string' && v.startsWith('/'))),
      ),
      auth: userAuth,
      runs: 0.5,
    },
    'POST /api/admin/import/umami': {
      // Nothing answers on port 1: a well-formed URL is refused at connect, never imported.
      body: {
        from: str(pick('postgresql://u:secret@127.0.0.1:1/umami', 'mysql://u:secret@127.0.0.1:1/umami', 'http://127.0.0.1:1/', 'postgresql://', '')),
        websiteIds: sometimes(fc.oneof(fc.array(uuid, { maxLength: 2 }), advJson)),
        since: sometimes(fc.oneof(pick<unknown>('2026-01-01', '2026-01-01T00:00:00Z', 'yesterday'), advJson)),
      },
      auth: userAuth,
    },

    // API keys (a key's secret is never an input; the ids are random or ill-formed)
    'POST /api/me/api-keys': {
      body: {
        name: str(pick('fuzz key')),
        scope: str(pick('read', 'write', 'admin')),
        websiteIds: sometimes(fc.oneof(fc.array(idOf(w.site, w.teamSite), { maxLength: 3 }), advJson)),
        expiresAt: sometimes(fc.oneof(pick<unknown>(Date.now() + 86_400_000, '2099-01-01', '1999-01-01', 0), advNumber, advString)),
      },
      auth: userAuth,
    },
    'GET /api/me/api-keys': { query: paging, auth: userAuth },
    'GET /api/me/api-keys/current': { auth: userAuth },
    'DELETE /api/me/api-keys/:keyId': { params: { keyId: fc.oneof(uuid, advString) }, auth: userAuth },
    'GET /api/users/:userId/api-keys': { params: { userId: idOf(w.viewerId, w.adminId) }, query: paging, auth: userAuth },
    'DELETE /api/users/:userId/api-keys/:keyId': { params: { userId: idOf(w.viewerId, w.adminId), keyId: fc.oneof(uuid, advString) }, auth: userAuth },

    // MCP (JSON-RPC over Streamable HTTP)
    'POST /mcp': {
      body: fc.oneof(
        { weight: 3, arbitrary: fc.record({ jsonrpc: str(pick('2.0')), id: fc.oneof(fc.integer(), advString), method: str(pick('initialize', 'tools/list', 'tools/call', 'resources/read', 'prompts/get')), params: sometimes(advJson) }) },
        { weight: 1, arbitrary: advJson },
      ),
      headers: pick<Record<string, string>>({ accept: 'application/json, text/event-stream' }, {}),
      auth: userAuth,
    },
    'GET /mcp': { auth: userAuth },
    'DELETE /mcp': { auth: userAuth },

    // the composable query
    'POST /api/websites/:websiteId/query': {
      params: site,
      body: {
        metrics: fc.oneof(fc.array(str(pick('pageviews', 'visitors', 'visits', 'bounces', 'totaltime', 'bounceRate', 'visitDuration', 'viewsPerVisit', ...PROTO_NAMES)), { maxLength: 4 }), advJson),
        dimensions: sometimes(fc.oneof(fc.array(str(pick(...METRIC_TYPES, 'time', 'weekday', 'hourOfDay')), { maxLength: 4 }), advJson)),
        filters: sometimes(fc.oneof(fc.record({ dimension: str(pick(...FILTER_FIELDS)), operator: str(pick('eq', 'neq', 'contains', 'regex', ...PROTO_NAMES)), value: fc.oneof(str(pick('/', 'DE')), pick(...BAD_REGEXES)) }), advJson)),
        dateRange: fc.oneof({ weight: 3, arbitrary: c({ startAt: w.startAt, endAt: w.endAt }) }, { weight: 1, arbitrary: str(pick('7day', '24hour', 'thisMonth', 'all')) }, { weight: 1, arbitrary: advJson }),
        timezone: sometimes(str(pick('UTC', 'Europe/Berlin'))),
        limit: sometimes(fc.oneof(pick<unknown>(1, 100, 10000), advNumber)),
        orderBy: sometimes(advJson),
      },
    },

    // data control (on the victim website: a purge may really delete)
    'POST /api/websites/:websiteId/purge': {
      params: { websiteId: idOf(v.site) },
      body: { filters: sometimes(fc.oneof(filterParams, advJson)), startAt: sometimes(fc.oneof(c<unknown>(w.startAt), advNumber)), endAt: sometimes(fc.oneof(c<unknown>(w.endAt), advNumber)), dryRun: fc.oneof({ weight: 3, arbitrary: c<unknown>(true) }, { weight: 1, arbitrary: fc.oneof(c<unknown>(false), advJson) }) },
    },
    'GET /api/websites/:websiteId/purges': { params: site, query: paging },
    'DELETE /api/websites/:websiteId/sessions/:sessionId': { params: { websiteId: idOf(v.site), sessionId: fc.oneof(uuid, advString) } },
    'GET /api/websites/:websiteId/refused': { params: site },
    // raw export and import (the import writes to the victim website only)
    'GET /api/websites/:websiteId/export/events': { params: site, query: { ...analyticsQuery(w), format: sometimes(str(pick('ndjson', 'csv', 'parquet'))) } },
    'POST /api/admin/import': { raw: importBody(w), auth: userAuth },
    'GET /api/config': {},
    'GET /script.js': { headers: fc.record({ 'if-none-match': advString.map(headerSafe), 'accept-encoding': pick('gzip', 'br', '*', 'identity;q=0') }) },
    'GET /*': { params: { '*': fc.oneof(pick('', 'websites/x', 'share/abc', 'assets/none.js', 'api', 'favicon.ico', '..%2F..%2Fetc%2Fpasswd'), advString) } },

    // ingestion
    'POST /api/send': { body: sendBody(w), auth: pick<AuthKind>('none', 'admin'), headers: ingestHeaders, runs: 8 },
    'POST /api/batch': {
      body: fc.oneof({ weight: 6, arbitrary: fc.array(fc.oneof({ weight: 5, arbitrary: sendBody(w) }, { weight: 1, arbitrary: advJson }), { minLength: 1, maxLength: 6 }) }, { weight: 1, arbitrary: fc.constant(Array.from({ length: 501 }, () => ({}))) }),
      auth: pick<AuthKind>('none', 'admin'),
      headers: ingestHeaders,
      runs: 4,
    },
    'POST /api/collect': {
      body: fc.record({
        type: str(pick('pageview', 'event')),
        payload: fields({
          website: fc.oneof({ weight: 6, arbitrary: pick<unknown>(w.site, w.legacySite, String(w.legacySite)) }, { weight: 1, arbitrary: advJson }),
          url: often(str(pick('/', '/v1'))),
          hostname: sometimes(str(pick('example.com'))),
          language: sometimes(advString),
          referrer: sometimes(advString),
          screen: sometimes(advString),
          event_type: sometimes(str(pick('click'))),
          event_value: sometimes(str(pick('signup'))),
          event_data: sometimes(dataObject),
        }),
      }),
      auth: pick<AuthKind>('none'),
      headers: ingestHeaders,
      runs: 4,
    },

    // auth and the caller's account
    'POST /api/auth/login': { body: { username: str(pick('admin', 'viewer', 'ADMIN', '')), password: str(pick('wrong', 'x'.repeat(300))) }, auth: pick<AuthKind>('none', 'garbage') },
    'GET /api/auth/verify': {},
    'POST /api/auth/verify': {},
    // Logging out revokes the token: never the fixture callers'.
    'POST /api/auth/logout': { auth: pick<AuthKind>('spare', 'share', 'none', 'garbage') },
    'GET /api/me': {},
    'POST /api/me/password': { body: { currentPassword: str(pick('wrong-password')), newPassword: str(pick('new-password-1', 'short')) }, auth: userAuth },
    'GET /api/me/websites': { query: paging },
    'GET /api/me/teams': { query: paging },

    // users
    'POST /api/users': { body: { id: sometimes(uuid), username: str(fc.string({ minLength: 1, maxLength: 12 }).map((s) => `u-${s}`)), password: str(pick('password123', 'short')), role: str(pick('user', 'view-only', 'admin')) }, auth: userAuth },
    'GET /api/users/:userId': { params: { userId: idOf(w.viewerId, w.adminId) }, auth: userAuth },
    'POST /api/users/:userId': { params: { userId: idOf(v.user) }, body: { username: sometimes(str(pick('victim-renamed'))), password: sometimes(str(pick('password456'))), role: sometimes(str(pick('user', 'view-only', 'admin'))) }, auth: userAuth },
    'DELETE /api/users/:userId': { params: { userId: idOf(v.userDel) }, auth: userAuth },
    'GET /api/users/:userId/websites': { params: { userId: idOf(w.viewerId, w.adminId) }, query: paging, auth: userAuth },
    'GET /api/users/:userId/teams': { params: { userId: idOf(w.viewerId, w.adminId) }, query: paging, auth: userAuth },
    'GET /api/admin/users': { query: paging, auth: userAuth },
    'GET /api/admin/websites': { query: paging, auth: userAuth },
    'GET /api/admin/teams': { query: paging, auth: userAuth },

    // teams
    'GET /api/teams': { query: paging, auth: userAuth },
    'POST /api/teams': { body: { name: str(pick('fuzz team')), ownerId: sometimes(idOf(w.adminId, w.viewerId)) }, auth: userAuth },
    'POST /api/teams/join': { body: { accessCode: str(pick('team_nope', 'x')) }, auth: userAuth },
    'GET /api/teams/:teamId': { params: { teamId: idOf(w.team) }, auth: userAuth },
    'POST /api/teams/:teamId': { params: { teamId: idOf(v.team) }, body: { name: sometimes(str(pick('renamed'))), accessCode: sometimes(str(pick('team_fuzz01', w.accessCode))) }, auth: userAuth },
    'DELETE /api/teams/:teamId': { params: { teamId: idOf(v.teamDel) }, auth: userAuth },
    'GET /api/teams/:teamId/users': { params: { teamId: idOf(w.team) }, query: paging, auth: userAuth },
    'POST /api/teams/:teamId/users': { params: { teamId: idOf(v.team) }, body: { userId: idOf(w.adminId, v.user), role: str(pick('team-member', 'team-view-only', 'team-owner')) }, auth: userAuth },
    'GET /api/teams/:teamId/users/:userId': { params: { teamId: idOf(w.team), userId: idOf(w.viewerId, w.adminId) }, auth: userAuth },
    'POST /api/teams/:teamId/users/:userId': { params: { teamId: idOf(v.team), userId: idOf(w.adminId, v.user) }, body: { role: str(pick('team-member', 'team-owner', 'team-manager')) }, auth: userAuth },
    'DELETE /api/teams/:teamId/users/:userId': { params: { teamId: idOf(v.team), userId: idOf(v.user) }, auth: userAuth },
    'GET /api/teams/:teamId/websites': { params: { teamId: idOf(w.team) }, query: paging, auth: userAuth },

    // websites
    'GET /api/websites': { query: paging },
    'POST /api/websites': { body: { name: str(pick('fuzz site')), domain: str(pick('fuzz.example')), shareId: sometimes(str(pick('fuzzslug', w.shareSlug))), teamId: sometimes(idOf(w.team)), id: sometimes(uuid) } },
    'POST /api/website': { body: { name: str(pick('fuzz v1')), domain: str(pick('v1.example')), enable_share_url: sometimes(fc.oneof(fc.boolean(), advJson)), public: sometimes(fc.oneof(fc.boolean(), advJson)) } },
    'GET /api/websites/:websiteId': { params: site },
    'POST /api/websites/:websiteId': { params: { websiteId: idOf(v.site) }, body: { name: sometimes(str(pick('renamed'))), domain: sometimes(str(pick('renamed.example'))), shareId: sometimes(fc.oneof(str(pick('victimslug')), c(null))) } },
    'DELETE /api/websites/:websiteId': { params: { websiteId: idOf(v.siteDel) } },
    'POST /api/websites/:websiteId/reset': { params: { websiteId: idOf(v.site) } },
    'POST /api/websites/:websiteId/transfer': { params: { websiteId: idOf(v.site) }, body: { userId: sometimes(idOf(w.adminId, w.viewerId)), teamId: sometimes(idOf(w.team, v.team)) } },
    'GET /api/share/:shareId': { params: { shareId: fc.oneof({ weight: 4, arbitrary: c(w.shareSlug) }, { weight: 1, arbitrary: advString }) }, auth: pick<AuthKind>('none', 'garbage') },

    // segments
    'GET /api/websites/:websiteId/segments': { params: site, query: { type: sometimes(str(pick('segment', 'cohort'))), ...paging } },
    'POST /api/websites/:websiteId/segments': { params: site, body: { type: sometimes(str(pick('segment', 'cohort'))), name: str(pick('fuzz segment')), parameters: fc.oneof({ weight: 4, arbitrary: segmentParameters(w) }, { weight: 1, arbitrary: advJson }) } },
    'GET /api/websites/:websiteId/segments/:segmentId': { params: { websiteId: idOf(w.site), segmentId: idOf(w.segment, w.cohort) } },
    'POST /api/websites/:websiteId/segments/:segmentId': { params: { websiteId: idOf(w.site), segmentId: idOf(v.segment) }, body: { type: sometimes(str(pick('segment', 'cohort'))), name: sometimes(str(pick('renamed'))), parameters: sometimes(fc.oneof(segmentParameters(w), advJson)) } },
    'DELETE /api/websites/:websiteId/segments/:segmentId': { params: { websiteId: idOf(w.site), segmentId: idOf(v.segmentDel) } },

    // saved reports
    'GET /api/reports': { query: { websiteId: sometimes(idOf(w.site, w.teamSite)), type: sometimes(str(pick('funnel', 'goals'))), ...paging } },
    'POST /api/reports': { body: { websiteId: idOf(w.site, w.teamSite), type: str(pick(...REPORT_TYPES, 'performance')), name: str(pick('fuzz report')), description: sometimes(advString), parameters: fc.oneof({ weight: 4, arbitrary: savedReportParameters(w) }, { weight: 1, arbitrary: advJson }) } },
    'GET /api/reports/:reportId': { params: { reportId: idOf(w.report) } },
    'POST /api/reports/:reportId': { params: { reportId: idOf(v.report) }, body: { websiteId: sometimes(idOf(w.site)), type: sometimes(str(pick(...REPORT_TYPES))), name: sometimes(str(pick('renamed'))), description: sometimes(advString), parameters: sometimes(fc.oneof(savedReportParameters(w), advJson)) } },
    'DELETE /api/reports/:reportId': { params: { reportId: idOf(v.reportDel) } },
    'GET /api/websites/:websiteId/reports': { params: site, query: { type: sometimes(str(pick('funnel'))), ...paging } },
    'GET /api/reports/revenue': { query: { websiteId: idOf(w.site, w.teamSite), startDate: often(str(pick(new Date(w.startAt).toISOString(), String(w.startAt)))), endDate: often(str(pick(new Date(w.endAt).toISOString(), String(w.endAt)))), currency: sometimes(str(pick('USD'))), timezone: sometimes(advString), unit: sometimes(advString) } },

    // analytics
    'GET /api/realtime/:websiteId': { params: site, query: { timezone: sometimes(advString) } },
    'GET /api/websites/:websiteId/sessions/:sessionId': { params: { ...site, sessionId: idOf(w.sessionId) } },
    'GET /api/websites/:websiteId/sessions/:sessionId/activity': { params: { ...site, sessionId: idOf(w.sessionId) }, query: analyticsQuery(w) },
    'GET /api/websites/:websiteId/sessions/:sessionId/properties': { params: { ...site, sessionId: idOf(w.sessionId) } },
  };
  for (const path of ANALYTICS_READS) out[`GET /api/websites/:websiteId/${path}`] = { params: site, query: analyticsQuery(w) };
  for (const path of ['stats', 'pageviews', 'events', 'metrics']) {
    out[`GET /api/website/:id/${path}`] = { params: { id: fc.oneof({ weight: 3, arbitrary: pick(String(w.legacySite), w.site) }, { weight: 1, arbitrary: advString }) }, query: analyticsQuery(w, ['start_at', 'end_at'], 'tz') };
  }
  for (const type of REPORT_TYPES) out[`POST /api/reports/${type}`] = { body: reportBody(w, type), runs: 2 };
  for (const key of ['POST /api/websites/:websiteId/segments', 'POST /api/websites/:websiteId/segments/:segmentId', 'POST /api/reports', 'POST /api/reports/:reportId']) out[key].runs = 3;
  return out;
}

// ---- from a spec to requests -------------------------------------------------------------------

/** A record of plausible fields where any one may be hostile, missing, or joined by a hostile key. */
export function fields(plausible: Record<string, fc.Arbitrary<unknown>>, hostile: fc.Arbitrary<unknown> = advJson): fc.Arbitrary<Record<string, unknown>> {
  const each = Object.fromEntries(
    Object.entries(plausible).map(([k, a]) => [k, fc.oneof({ weight: 30, arbitrary: a }, { weight: 3, arbitrary: hostile }, { weight: 1, arbitrary: hugeString }, { weight: 3, arbitrary: c(undefined) })]),
  );
  const extra = fc.array(fc.tuple(fc.oneof(pick(...PROTO_NAMES), advString), hostile), { maxLength: 2 });
  return fc.tuple(fc.record(each), fc.oneof({ weight: 3, arbitrary: c([] as [string, unknown][]) }, { weight: 1, arbitrary: extra })).map(([rec, more]) => {
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(rec)) if (val !== undefined) out[k] = val;
    for (const [k, val] of more) Object.defineProperty(out, k, { value: val, enumerable: true, writable: true, configurable: true });
    return out;
  });
}

function queryArb(spec: Spec['query']): fc.Arbitrary<QueryParts> {
  const plausible = spec ?? {};
  const each = Object.fromEntries(
    Object.entries(plausible).map(([k, a]) => [k, fc.oneof({ weight: 10, arbitrary: a }, { weight: 1, arbitrary: advString }, { weight: 1, arbitrary: fc.array(advString, { minLength: 2, maxLength: 3 }) })]),
  );
  const extra = fc.array(fc.tuple(fc.oneof(pick(...PROTO_NAMES, 'path', 'url', 'startAt', 'websiteId'), advString), fc.oneof(advString, fc.array(advString, { maxLength: 3 }))), { maxLength: 2 });
  const raws = fc.array(pick(...RAW_QUERY), { maxLength: 2 });
  const filters = Object.keys(plausible).includes('startAt') || Object.keys(plausible).includes('start_at') ? filterParams : c({});
  return fc
    .tuple(fc.record(each), filters, fc.oneof({ weight: 3, arbitrary: c([] as [string, string | string[]][]) }, { weight: 1, arbitrary: extra }), fc.oneof({ weight: 4, arbitrary: c([] as string[]) }, { weight: 1, arbitrary: raws }))
    .map(([rec, f, more, raw]) => {
      const out: QueryParts = {};
      for (const [k, val] of Object.entries(rec)) if (val !== undefined) out[k] = val as QueryValue;
      Object.assign(out, f);
      for (const [k, val] of more) Object.defineProperty(out, k, { value: val, enumerable: true, writable: true, configurable: true });
      raw.forEach((r, i) => (out[`\u0000raw${i}`] = { raw: r }));
      return out;
    });
}

function bodyArb(method: string, spec: Spec['body'], raw?: Spec['raw']): fc.Arbitrary<Body> {
  if (method === 'GET') return c({ kind: 'none' } as Body);
  if (raw) return fc.oneof({ weight: 10, arbitrary: raw.map((b): Body => ({ kind: 'raw', ...b })) }, { weight: 3, arbitrary: bodyArb(method, spec) });
  const plausible = spec === undefined ? c({}) : spec instanceof fc.Arbitrary ? spec : fields(spec);
  const jsonType = fc.oneof({ weight: 8, arbitrary: c('application/json') }, { weight: 1, arbitrary: pick(...CONTENT_TYPES) });
  return fc.oneof(
    { weight: 10, arbitrary: fc.tuple(plausible, jsonType).map(([value, contentType]): Body => ({ kind: 'json', value, contentType })) },
    { weight: 2, arbitrary: fc.tuple(advJson, jsonType).map(([value, contentType]): Body => ({ kind: 'json', value, contentType })) },
    { weight: 2, arbitrary: fc.tuple(pick(...RAW_BODIES), pick(...CONTENT_TYPES)).map(([text, contentType]): Body => ({ kind: 'raw', text, contentType })) },
    { weight: 1, arbitrary: c({ kind: 'none' } as Body) },
  );
}

/** Requests for one route: `key` is `METHOD /path`. */
export function requests(key: string, spec: Spec): fc.Arbitrary<FuzzRequest> {
  const [method, route] = key.split(' ');
  const names = [...route.matchAll(/:(\w+)|\*/g)].map((m) => m[1] ?? '*');
  const params = fc.record(Object.fromEntries(names.map((n) => [n, spec.params?.[n] ?? advString])));
  return fc
    .record({
      params,
      query: queryArb(spec.query),
      body: bodyArb(method, spec.body, spec.raw),
      auth: spec.auth ?? defaultAuth,
      headers: spec.headers ?? c({}),
    })
    .map((r) => ({ method, route, ...r }) as FuzzRequest);
}
