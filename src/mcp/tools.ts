// Dashi's MCP server: tools, a resource and prompts, each tool one call to the REST API made with
// the caller's own credentials. Over HTTP (/mcp) the calls go through the same Fastify app in
// process (src/mcp/http.ts); over stdio (`dashi mcp`) they go to a server's URL (src/mcp/stdio.ts).
// Either way every number is the REST answer, and every permission and key limit applies.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { METRIC_TYPES } from '../query/dimensions.js';
import { FILTER_PARAMS } from '../query/filters.js';
import { REPORTS } from '../reports/index.js';
import { checkTimeZone, dateRange, DateInputError, type DateArgs } from './dates.js';

export interface RestAnswer {
  status: number;
  body: unknown;
}

/** One REST call with the caller's credentials; `path` starts with /api/. */
export type Rest = (method: 'GET' | 'POST', path: string, body?: unknown) => Promise<RestAnswer>;

export interface McpOptions {
  rest: Rest;
  /** write: also the tools that create and change things (API keys with scope write, login tokens). */
  scope: 'read' | 'write';
  version: string;
  /** The API reference when GET /api/openapi.json is absent. */
  fallbackReference: () => Promise<string>;
}

export const READ_TOOLS = [
  'list_websites',
  'get_stats',
  'get_pageviews',
  'get_metrics',
  'get_events',
  'get_sessions',
  'get_session',
  'get_realtime',
  'run_report',
  'query',
] as const;
export const WRITE_TOOLS = ['create_website', 'update_website', 'save_report'] as const;

const REPORT_TYPES = Object.keys(REPORTS) as [string, ...string[]];
const MAX_TEXT = 20_000;

// ---- Shared argument shapes ----------------------------------------------------------------

const websiteId = z.string().uuid().describe('Website id (uuid), from list_websites');
const dates = {
  range: z
    .string()
    .max(40)
    .optional()
    .describe(
      'Relative date range, in `timezone`: 24hour (this hour and the 23 before), 7day (today and the 6 days before), 30day, 90day, 12month, today, yesterday, thisWeek, lastWeek, thisMonth, lastMonth, thisYear, lastYear. Default 7day. Ignored when startAt is given.',
    ),
  startAt: z.union([z.number(), z.string().max(40)]).optional().describe('Start of the range, inclusive: milliseconds since 1970 (UTC) or an ISO 8601 date/time'),
  endAt: z.union([z.number(), z.string().max(40)]).optional().describe('End of the range, inclusive: milliseconds or ISO 8601. Default: now (with startAt)'),
  timezone: z.string().max(64).optional().describe('IANA time zone for relative ranges and time buckets, e.g. Europe/Zurich. Default UTC'),
};
const filters = z
  .record(z.string().max(40), z.string().max(500))
  .optional()
  .describe(
    `Filters, as Umami query parameters: name -> value, or op.value with op eq, neq, c (contains), dnc (does not contain), re, nre; eq/neq take comma lists. Names: ${FILTER_PARAMS.join(', ')}. Example {"path": "/pricing", "country": "eq.DE,FR"}`,
  );
const segment = z.string().uuid().optional().describe('A saved segment id of this website: its filters are applied too');
const paging = {
  page: z.number().int().min(1).max(1_000_000).optional().describe('Page number, from 1. Default 1'),
  pageSize: z.number().int().min(1).max(1000).optional().describe('Rows per page. Default 20'),
  search: z.string().max(200).optional().describe('Search text'),
};

type Filters = Record<string, string> | undefined;

class ToolInputError extends Error {}

function filterParams(f: Filters, q: URLSearchParams): void {
  for (const [name, value] of Object.entries(f ?? {})) {
    if (!FILTER_PARAMS.includes(name)) throw new ToolInputError(`filters: unknown filter '${name}' (one of ${FILTER_PARAMS.join(', ')})`);
    q.set(name, value);
  }
}

function rangeParams(args: DateArgs, q: URLSearchParams, defaultRange = '7day') {
  const r = dateRange(args, defaultRange);
  q.set('startAt', String(r.startAt));
  q.set('endAt', String(r.endAt));
  if (args.timezone) q.set('timezone', checkTimeZone(args.timezone));
  return r;
}

const n = (v: unknown) => (typeof v === 'number' ? v : Number(v ?? 0));
const fmt = (v: unknown) => n(v).toLocaleString('en-US', { maximumFractionDigits: 2 });
const isoRange = (r: { startAt: number; endAt: number }) => `${new Date(r.startAt).toISOString()} to ${new Date(r.endAt).toISOString()}`;

function change(value: number, prev: number): string {
  if (!prev) return value ? 'new' : 'no change';
  const pct = ((value - prev) / prev) * 100;
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;
}

function errorText(a: RestAnswer): string {
  const b = a.body as { error?: { message?: string } | string; message?: string } | null;
  const msg = typeof b?.error === 'object' ? b.error?.message : typeof b?.error === 'string' ? b.error : b?.message;
  return `Dashi answered HTTP ${a.status}: ${msg ?? JSON.stringify(a.body)?.slice(0, 500)}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The REST answer as structuredContent (an object: arrays come as {data}), a summary and the JSON. */
function result(a: RestAnswer, summary: (body: any) => string): CallToolResult {
  if (a.status >= 400) return { isError: true, content: [{ type: 'text', text: errorText(a) }] };
  const structured = isObject(a.body) ? a.body : { data: a.body };
  const json = JSON.stringify(a.body);
  return {
    structuredContent: structured,
    content: [
      { type: 'text', text: summary(a.body) },
      { type: 'text', text: json.length > MAX_TEXT ? `${json.slice(0, MAX_TEXT)}… (truncated; the full answer is in structuredContent)` : json },
    ],
  };
}

/** Runs a tool body; bad dates or filters become a tool error the agent can read and fix. */
async function run(fn: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof DateInputError || err instanceof ToolInputError) return { isError: true, content: [{ type: 'text', text: err.message }] };
    throw err;
  }
}

function autoUnit(r: { startAt: number; endAt: number }): string {
  const span = r.endAt - r.startAt;
  if (span <= 2 * 86_400_000) return 'hour';
  if (span <= 120 * 86_400_000) return 'day';
  return 'month';
}

function top(rows: { x: unknown; y: unknown }[], limit = 5): string {
  return rows
    .slice(0, limit)
    .map((r) => `${r.x === null || r.x === '' ? '(none)' : String(r.x)}: ${fmt(r.y)}`)
    .join('; ');
}

// ---- The server ----------------------------------------------------------------------------

export function createMcpServer(opts: McpOptions): McpServer {
  const { rest } = opts;
  const server = new McpServer(
    { name: 'dashi', version: opts.version },
    { instructions: 'Dashi web analytics (Umami-compatible). Start with list_websites to find website ids; dates default to the last 7 days (7day) in UTC.' },
  );
  const get = (path: string, q?: URLSearchParams) => rest('GET', q && [...q].length ? `${path}?${q}` : path);
  const readOnly = { readOnlyHint: true, openWorldHint: false } as const;

  server.registerTool(
    'list_websites',
    {
      description: 'List the websites this key may read (own and team websites): id, name, domain.',
      inputSchema: { ...paging, pageSize: paging.pageSize.describe('Rows per page. Default 100') },
      annotations: readOnly,
    },
    (args) =>
      run(async () => {
        const q = new URLSearchParams({ page: String(args.page ?? 1), pageSize: String(args.pageSize ?? 100) });
        if (args.search) q.set('search', args.search);
        return result(await get('/api/websites', q), (b) => {
          const sites = (b.data ?? []) as { id: string; name: string; domain: string }[];
          return `${b.count} website(s)${sites.length < b.count ? `, showing ${sites.length}` : ''}: ${sites.map((w) => `${w.name} (${w.domain}, id ${w.id})`).join('; ')}`;
        });
      }),
  );

  server.registerTool(
    'get_stats',
    {
      description:
        'Summary numbers for a date range, each with the previous period of equal length: pageviews, visitors (distinct sessions), visits, bounces (visits with one pageview), totaltime (seconds, summed over visits).',
      inputSchema: { websiteId, ...dates, filters, segment },
      annotations: readOnly,
    },
    (args) =>
      run(async () => {
        const q = new URLSearchParams();
        const r = rangeParams(args, q);
        filterParams(args.filters, q);
        if (args.segment) q.set('segment', args.segment);
        return result(await get(`/api/websites/${args.websiteId}/stats`, q), (b) => {
          const part = (k: string) => `${k} ${fmt(b[k]?.value)} (previous ${fmt(b[k]?.prev)}, ${change(n(b[k]?.value), n(b[k]?.prev))})`;
          const visits = n(b.visits?.value);
          const extra = visits ? `; bounce rate ${((n(b.bounces?.value) / visits) * 100).toFixed(1)}%, average visit ${Math.round(n(b.totaltime?.value) / visits)} s` : '';
          return `${isoRange(r)}: ${['pageviews', 'visitors', 'visits', 'bounces', 'totaltime'].map(part).join(', ')}${extra}`;
        });
      }),
  );

  server.registerTool(
    'get_pageviews',
    {
      description: 'Pageviews and sessions over time: series of {x: bucket start (local time in `timezone`), y: count}.',
      inputSchema: {
        websiteId,
        ...dates,
        unit: z.enum(['minute', 'hour', 'day', 'month', 'year']).optional().describe('Bucket size. Default: hour up to 2 days, day up to 120 days, else month'),
        filters,
        segment,
      },
      annotations: readOnly,
    },
    (args) =>
      run(async () => {
        const q = new URLSearchParams();
        const r = rangeParams(args, q);
        q.set('unit', args.unit ?? autoUnit(r));
        q.set('timezone', checkTimeZone(args.timezone));
        filterParams(args.filters, q);
        if (args.segment) q.set('segment', args.segment);
        return result(await get(`/api/websites/${args.websiteId}/pageviews`, q), (b) => {
          const pv = (b.pageviews ?? []) as { x: string; y: number }[];
          const total = pv.reduce((s, p) => s + n(p.y), 0);
          const sessions = ((b.sessions ?? []) as { y: number }[]).reduce((s, p) => s + n(p.y), 0);
          const peak = pv.reduce<{ x: string; y: number } | null>((m, p) => (!m || n(p.y) > n(m.y) ? p : m), null);
          return `${isoRange(r)} by ${q.get('unit')}: ${fmt(total)} pageviews, ${fmt(sessions)} sessions summed over ${pv.length} non-empty bucket(s)${peak ? `; busiest ${peak.x} with ${fmt(peak.y)} pageviews` : ''}`;
        });
      }),
  );

  server.registerTool(
    'get_metrics',
    {
      description:
        'Top values of one field with their counts, largest first ({x: value, y: count}). Page fields (path, referrer, title, query, event, ...) count pageviews or events; session fields (browser, os, device, screen, language, country, region, city) count visitors.',
      inputSchema: {
        websiteId,
        type: z.enum(METRIC_TYPES as [string, ...string[]]).describe('The field to break down, e.g. path, referrer, country, browser, event, utmSource, channel'),
        ...dates,
        limit: z.number().int().min(1).max(500).optional().describe('Rows. Default 10'),
        filters,
        segment,
      },
      annotations: readOnly,
    },
    (args) =>
      run(async () => {
        const q = new URLSearchParams({ type: args.type, limit: String(args.limit ?? 10) });
        const r = rangeParams(args, q);
        filterParams(args.filters, q);
        if (args.segment) q.set('segment', args.segment);
        return result(await get(`/api/websites/${args.websiteId}/metrics`, q), (b) => `Top ${args.type} ${isoRange(r)}: ${top(b as { x: unknown; y: unknown }[]) || 'none'}`);
      }),
  );

  /** A paged list of a website (events, sessions) in a range, with filters and search. */
  const pagedList = async (args: { websiteId: string; page?: number; pageSize?: number; search?: string; filters?: Filters } & DateArgs, path: string, noun: string) => {
    const q = new URLSearchParams({ page: String(args.page ?? 1), pageSize: String(args.pageSize ?? 20) });
    const r = rangeParams(args, q);
    if (args.search) q.set('search', args.search);
    filterParams(args.filters, q);
    return result(await get(`/api/websites/${args.websiteId}/${path}`, q), (b) => `${fmt(b.count)} ${noun} ${isoRange(r)}; page ${b.page} has ${(b.data ?? []).length}`);
  };

  server.registerTool(
    'get_events',
    {
      description: 'Individual events (pageviews and custom events), newest first, paged. For counts per event name use get_metrics with type event.',
      inputSchema: { websiteId, ...dates, ...paging, filters },
      annotations: readOnly,
    },
    (args) => run(() => pagedList(args, 'events', 'event(s)')),
  );

  server.registerTool(
    'get_sessions',
    {
      description: 'Sessions (visitors) with their browser, os, device, country, first and last seen, visits and views, paged.',
      inputSchema: { websiteId, ...dates, ...paging, filters },
      annotations: readOnly,
    },
    (args) => run(() => pagedList(args, 'sessions', 'session(s)')),
  );

  server.registerTool(
    'get_session',
    {
      description: 'One session: its attributes and totals; with includeActivity, also its events in the date range.',
      inputSchema: {
        websiteId,
        sessionId: z.string().uuid().describe('Session id (uuid), from get_sessions or get_events'),
        includeActivity: z.boolean().optional().describe('Also list the session activity in the date range (default range 30day). Default false'),
        ...dates,
      },
      annotations: readOnly,
    },
    (args) =>
      run(async () => {
        const base = `/api/websites/${args.websiteId}/sessions/${args.sessionId}`;
        const session = await get(base);
        if (session.status >= 400 || !args.includeActivity) {
          return result(session, (b) => `Session ${args.sessionId}: ${b.browser ?? '?'} on ${b.os ?? '?'} (${b.device ?? '?'}), ${b.country ?? 'unknown country'}, ${fmt(b.views)} views in ${fmt(b.visits)} visit(s)`);
        }
        const q = new URLSearchParams();
        rangeParams(args, q, '30day');
        const activity = await get(`${base}/activity`, q);
        if (activity.status >= 400) return result(activity, () => '');
        const merged = { status: 200, body: { ...(session.body as object), activity: activity.body } };
        return result(merged, (b) => `Session ${args.sessionId}: ${fmt(b.views)} views in ${fmt(b.visits)} visit(s); ${(b.activity ?? []).length} activity row(s) in range`);
      }),
  );

  server.registerTool(
    'get_realtime',
    {
      description: 'The last 30 minutes: totals (visitors, views, events, countries), top urls, referrers and countries, recent events, and per-minute series.',
      inputSchema: { websiteId, timezone: dates.timezone },
      annotations: readOnly,
    },
    (args) =>
      run(async () => {
        const q = new URLSearchParams({ timezone: checkTimeZone(args.timezone) });
        return result(await get(`/api/realtime/${args.websiteId}`, q), (b) => {
          const t = b.totals ?? {};
          return `Last 30 minutes: ${fmt(t.visitors)} visitors, ${fmt(t.views)} views, ${fmt(t.events)} events, ${fmt(t.countries)} countries`;
        });
      }),
  );

  server.registerTool(
    'run_report',
    {
      description: `Run a report over a date range (nothing is saved). Types: ${REPORT_TYPES.join(', ')}. \`parameters\` holds the type's own fields, as POST /api/reports/<type> takes them: funnel {steps: [{type: "path"|"event", value}], window: minutes}; goals {goals: [{type, value, goal}]}; journey {steps: 3-7, startStep?, endStep?}; revenue {currency}; attribution {model: "firstClick"|"lastClick", steps: [{type, value}]}; insights/breakdown {fields: [{name, type, label}]}; retention and utm need none. Also filters: [{name, operator, value}].`,
      inputSchema: {
        websiteId,
        type: z.enum(REPORT_TYPES).describe('Report type'),
        ...dates,
        parameters: z.record(z.string(), z.unknown()).optional().describe('Report-specific fields (see the description). Default {}'),
      },
      annotations: readOnly,
    },
    (args) =>
      run(async () => {
        const r = dateRange(args);
        const timezone = checkTimeZone(args.timezone);
        const body = {
          ...(args.parameters ?? {}),
          websiteId: args.websiteId,
          dateRange: { startDate: new Date(r.startAt).toISOString(), endDate: new Date(r.endAt).toISOString() },
          timezone,
        };
        return result(await rest('POST', `/api/reports/${args.type}`, body), (b) => {
          const size = Array.isArray(b) ? `${b.length} row(s)` : isObject(b) ? `fields ${Object.keys(b).slice(0, 10).join(', ')}` : 'a value';
          return `${args.type} report ${isoRange(r)}: ${size}`;
        });
      }),
  );

  server.registerTool(
    'query',
    {
      description:
        'Composable query (POST /api/websites/:websiteId/query): any metrics by any dimensions with filters, e.g. visitors by country and device. Answers {data: rows, meta}.',
      inputSchema: {
        websiteId,
        metrics: z.array(z.string().max(50)).min(1).max(20).describe('Metric names, e.g. pageviews, visitors, visits, bounces, totaltime (seconds), events'),
        dimensions: z.array(z.string().max(50)).max(5).optional().describe('Fields to group by, e.g. path, country, browser, or time:day. Default none (totals)'),
        filters: z.unknown().optional().describe('Filters as the query route takes them, e.g. [{name: "country", operator: "eq", value: "DE"}]'),
        dateRange: z
          .union([z.string().max(40), z.object({ startAt: z.union([z.number(), z.string().max(40)]), endAt: z.union([z.number(), z.string().max(40)]) })])
          .optional()
          .describe('A relative range (24hour, 7day, 30day, thisMonth, lastMonth, ...) or {startAt, endAt} in ms or ISO 8601. Default 7day'),
        unit: z.enum(['minute', 'hour', 'day', 'week', 'month', 'year']).optional().describe('Time bucket for time dimensions'),
        timezone: dates.timezone,
        orderBy: z.unknown().optional().describe('Sort, e.g. [{key: "visitors", dir: "desc"}]'),
        limit: z.number().int().min(1).max(10_000).optional().describe('Rows. Default: the route default'),
        offset: z.number().int().min(0).optional().describe('Rows to skip. Default 0'),
      },
      annotations: readOnly,
    },
    (args) =>
      run(async () => {
        const dr = args.dateRange;
        const r = typeof dr === 'object' ? dateRange({ startAt: dr.startAt, endAt: dr.endAt }) : dateRange({ range: dr, timezone: args.timezone });
        const { websiteId: id, dateRange: _dr, ...rest_ } = args;
        const body = { ...rest_, dateRange: { startAt: r.startAt, endAt: r.endAt } };
        return result(await rest('POST', `/api/websites/${id}/query`, body), (b) => `${(b.data ?? []).length} row(s) ${isoRange(r)} of ${args.metrics.join(', ')}${args.dimensions?.length ? ` by ${args.dimensions.join(', ')}` : ''}`);
      }),
  );

  if (opts.scope === 'write') registerWriteTools(server, rest);

  server.registerResource(
    'api-reference',
    'dashi://api-reference',
    { title: 'Dashi API reference', description: "The REST API: the server's OpenAPI document, or the README's API section", mimeType: 'text/plain' },
    async (uri) => {
      const doc = await get('/api/openapi.json');
      if (doc.status === 200 && isObject(doc.body)) return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(doc.body, null, 2) }] };
      return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text: await opts.fallbackReference() }] };
    },
  );

  server.registerPrompt(
    'traffic_change',
    {
      title: 'How did traffic change, and why?',
      description: 'Compare this week with last week for one website and explain the difference',
      argsSchema: { websiteId: z.string().describe('Website id'), timezone: z.string().optional().describe('IANA time zone, default UTC') },
    },
    ({ websiteId: id, timezone }) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'text',
            text: `How did traffic on website ${id} change this week compared with last week, and why? Use Dashi's tools with timezone ${timezone || 'UTC'}: get_stats with range thisWeek and lastWeek (the answer's prev is the period just before); get_pageviews for both weeks by day; then get_metrics for path, referrer, channel, country and device over each week to find which pages, sources or audiences account for the change. Answer with the numbers (pageviews, visitors, visits, bounce rate, average visit time), the biggest movers, and a short explanation.`,
          },
        },
      ],
    }),
  );

  server.registerPrompt(
    'top_content',
    {
      title: 'What content and sources work best?',
      description: 'Top pages, referrers and events of one website over a range',
      argsSchema: { websiteId: z.string().describe('Website id'), range: z.string().optional().describe('Relative range, default 30day') },
    },
    ({ websiteId: id, range }) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'text',
            text: `For website ${id} over ${range || '30day'}: use get_metrics for path (limit 10), entry, referrer, channel and event, and get_stats for the totals. Summarise which pages and sources bring the most visitors and which events happen most, with numbers and shares of the total.`,
          },
        },
      ],
    }),
  );

  return server;
}

function registerWriteTools(server: McpServer, rest: Rest): void {
  const change = { readOnlyHint: false, destructiveHint: false, openWorldHint: false } as const;
  server.registerTool(
    'create_website',
    {
      description: 'Create a website (needs an API key with scope write). Answers the website with its id, for the tracking script.',
      inputSchema: {
        name: z.string().min(1).max(100).describe('Display name'),
        domain: z.string().min(1).max(500).describe('Domain, e.g. example.com'),
        teamId: z.string().uuid().optional().describe('Create it in this team instead of for yourself'),
      },
      annotations: change,
    },
    (args) => run(async () => result(await rest('POST', '/api/websites', args), (b) => `Created website ${b.name} (${b.domain}), id ${b.id}`)),
  );
  server.registerTool(
    'update_website',
    {
      description: 'Rename a website, change its domain, or set its share slug (null turns sharing off). Needs scope write.',
      inputSchema: {
        websiteId: z.string().uuid().describe('Website id'),
        name: z.string().min(1).max(100).optional().describe('New name'),
        domain: z.string().min(1).max(500).optional().describe('New domain'),
        shareId: z.string().max(50).nullable().optional().describe('Share slug (letters, digits, _ and -), or null to stop sharing'),
      },
      annotations: change,
    },
    (args) =>
      run(async () => {
        const { websiteId: id, ...patch } = args;
        return result(await rest('POST', `/api/websites/${id}`, patch), (b) => `Updated website ${b.name} (${b.domain}), id ${b.id}`);
      }),
  );
  server.registerTool(
    'save_report',
    {
      description: `Save a report definition for a website (type ${REPORT_TYPES.join(', ')}); run it with run_report. Needs scope write.`,
      inputSchema: {
        websiteId: z.string().uuid().describe('Website id'),
        type: z.enum(REPORT_TYPES).describe('Report type'),
        name: z.string().min(1).max(200).describe('Report name'),
        description: z.string().max(500).optional().describe('Description. Default empty'),
        parameters: z.record(z.string(), z.unknown()).optional().describe('The report fields, as run_report takes them. Default {}'),
      },
      annotations: change,
    },
    (args) => run(async () => result(await rest('POST', '/api/reports', { ...args, parameters: args.parameters ?? {} }), (b) => `Saved ${b.type} report "${b.name}", id ${b.id}`)),
  );
}
