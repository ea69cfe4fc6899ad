// Every route of the API as an OpenAPI operation. Request schemas are the zod schemas the routes
// validate with (exported from their modules); where a route reads parameters without zod (the
// analytics GET routes, src/api/analytics/params.ts), they are described here from the same
// constants (filter names, metric types). Response shapes are in ./responses.ts.

import { z } from 'zod';
import { createKeyBody } from '../api-keys.js';
import { purgeBody } from '../purge.js';
import { backupBody } from '../backup.js';
import { EXPORT_FORMATS } from '../export-events.js';
import { importUmamiBody } from '../import-umami.js';
import { loginBody, passwordBody } from '../auth.js';
import { pageQuery } from '../paging.js';
import { queryAnswer, queryBody } from '../query.js';
import { createBody as reportCreateBody, listQuery as reportListQuery, updateBody as reportUpdateBody } from '../reports.js';
import { createBody as segmentCreateBody, listQuery as segmentListQuery, params as segmentParams, updateBody as segmentUpdateBody } from '../segments.js';
import { addMemberBody, createBody as teamCreateBody, joinBody, memberBody, memberParams, teamParams, updateBody as teamUpdateBody } from '../teams.js';
import { createBody as userCreateBody, updateBody as userUpdateBody, userParams } from '../users.js';
import { createBody as v1CreateBody } from '../v1-websites.js';
import { createBody as websiteCreateBody, shareParams, transferBody, updateBody as websiteUpdateBody, websiteParams } from '../websites.js';
import { collectBody, collectPayload, sendBody, sendPayload } from '../../ingest/payload.js';
import { METRIC_TYPES } from '../../query/dimensions.js';
import { REPORTS } from '../../reports/index.js';
import { uuid } from '../../server/validate.js';
import * as r from './responses.js';

/** Who may call: nobody in particular, a signed-in user (or API key), an admin, or also a share-token holder of the website. */
export type Access = 'public' | 'user' | 'admin' | 'website';

export interface Operation {
  readonly method: 'get' | 'post' | 'delete';
  /** Fastify's form: `/api/websites/:websiteId`. */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly access: Access;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  /** Takes the analytics filter parameters (path=eq./, country=DE, ...) and segment/cohort/excludeBounce. */
  readonly filters?: boolean;
  readonly body?: z.ZodType;
  /** JSON by default; `text` for an answer described in words (text/plain unless `mediaType`). */
  readonly response: z.ZodType | { readonly text: string; readonly mediaType?: string };
  readonly description?: string;
  /** A request that answers 200 on the golden world of the tests (there, `:name` values are ids). */
  readonly example?: { readonly query?: Readonly<Record<string, string>>; readonly body?: unknown };
}

// Analytics parameters read by src/api/analytics/params.ts.
const epochMs = z.string().regex(/^-?\d{1,16}$/).describe('Epoch milliseconds');
const range = { startAt: epochMs, endAt: epochMs };
const timezone = z.string().max(100).optional().describe('IANA time zone (default UTC)');
const unit = z.enum(['minute', 'hour', 'day', 'month', 'year']).optional().describe('Bucket size (default day)');
const compare = z.enum(['prev', 'yoy']).optional();
const type = z.enum(METRIC_TYPES as [string, ...string[]]);
const limit = z.string().regex(/^\d{1,9}$/).optional();
const search = z.string().max(200).optional();

const rangeQuery = z.object(range);
const seriesQuery = z.object({ ...range, unit, timezone, compare });
const breakdownQuery = z.object({ ...range, type, limit: limit.describe('Rows (default 500, at most 100000)'), offset: limit, search: search.describe('Only values containing this') });

const sessionParams = websiteParams.extend({ sessionId: uuid });
const reportParams = z.object({ reportId: uuid });
const v1Params = z.object({ id: z.string().max(36).describe('The integer website id or the website uuid') });
const realtimeParams = z.object({ websiteId: uuid });
const v1Range = { start_at: epochMs, end_at: epochMs };

/** The common body of POST /api/reports/<type>: seed 001's `{websiteId, dateRange, ...}` or newer Umami's `{websiteId, type, filters, parameters}`. */
const reportRunBody = z
  .looseObject({
    websiteId: uuid,
    dateRange: z.looseObject({ startDate: z.string(), endDate: z.string(), unit: unit, timezone }).optional(),
    timezone,
    filters: z.unknown().optional().describe('[{name, operator, value}] or {path: "eq./", ...}'),
    segment: uuid.optional(),
    parameters: z.record(z.string(), z.unknown()).optional().describe("The report's own fields (newer Umami); also accepted at the top level"),
  })
  .meta({ id: 'ReportRequest' });

/** The hit body as the ingestor reads it: the envelope, then the payload. */
const hit = sendBody.extend({ payload: sendPayload });

const FIELD_NOTES: Record<string, string> = {
  insights: 'fields: [{name, type}] (1 to 5 dimensions)',
  breakdown: 'fields: [{name, type}] (1 to 5 dimensions)',
  funnel: 'steps: [{type: path|url|event, value, filters?}] (2 or more), window: minutes',
  retention: 'dateRange.unit and timezone',
  utm: 'no fields of its own',
  goals: 'goals: [{type, value, goal}]',
  goal: 'type, value (one goal)',
  journey: 'steps: 3 to 7, startStep?, endStep?',
  revenue: 'currency, compare?: prev|yoy',
  attribution: 'model: firstClick|lastClick, steps: [{type, value}] (the conversion)',
};

const reportRuns: Operation[] = Object.keys(REPORTS).map((name) => ({
  method: 'post',
  path: `/api/reports/${name}`,
  summary: `Run the ${name} report`,
  description: `Report fields: ${FIELD_NOTES[name] ?? 'see the seed document'}.`,
  tag: 'Reports',
  access: 'website',
  body: reportRunBody,
  response: r.reportResultJson,
}));

const analytics = (path: string, summary: string, response: z.ZodType, query: z.ZodObject = rangeQuery, extra: Partial<Operation> = {}): Operation => ({
  method: 'get',
  path: `/api/websites/:websiteId${path}`,
  summary,
  tag: 'Analytics',
  access: 'website',
  params: websiteParams,
  query,
  filters: true,
  response,
  ...extra,
});

export const OPERATIONS: readonly Operation[] = [
  // Service.
  { method: 'get', path: '/api/heartbeat', summary: 'Liveness', tag: 'Service', access: 'public', response: z.strictObject({ ok: z.literal(true) }) },
  { method: 'get', path: '/api/config', summary: 'Public server settings', tag: 'Service', access: 'public', response: r.configJson },
  { method: 'get', path: '/api/openapi.json', summary: 'This document', tag: 'Service', access: 'public', response: z.record(z.string(), z.unknown()) },

  // Auth and the caller's account.
  { method: 'post', path: '/api/auth/login', summary: 'Log in: a bearer token and the user', tag: 'Auth', access: 'public', body: loginBody, response: r.loginJson, description: 'Also sets the umami.auth cookie (v1 clients).' },
  { method: 'get', path: '/api/auth/verify', summary: 'The user a token belongs to', tag: 'Auth', access: 'user', response: r.verifyJson },
  { method: 'post', path: '/api/auth/verify', summary: 'The user a token belongs to', tag: 'Auth', access: 'user', response: r.verifyJson },
  { method: 'post', path: '/api/auth/logout', summary: 'Revoke the token', tag: 'Auth', access: 'user', response: r.okJson },
  { method: 'get', path: '/api/me', summary: 'The caller and their token', tag: 'Me', access: 'user', response: r.meJson },
  { method: 'post', path: '/api/me/password', summary: 'Change the own password', tag: 'Me', access: 'user', body: passwordBody, response: r.userJson },
  { method: 'get', path: '/api/me/websites', summary: "The caller's websites (and their teams', unless includeTeams=false)", tag: 'Me', access: 'user', query: pageQuery.extend({ includeTeams: z.enum(['true', 'false']).optional() }), response: r.paged(r.websiteJson) },
  { method: 'get', path: '/api/me/teams', summary: "The caller's teams", tag: 'Me', access: 'user', query: pageQuery, response: r.paged(r.teamJson) },

  // API keys (never with an API key itself).
  { method: 'post', path: '/api/me/api-keys', summary: 'Create an API key: the secret is in this answer only', tag: 'API keys', access: 'user', body: createKeyBody, response: r.newApiKeyJson, example: { body: { name: 'openapi-example', scope: 'read' } } },
  { method: 'get', path: '/api/me/api-keys', summary: "The caller's API keys (no secrets)", tag: 'API keys', access: 'user', query: pageQuery, response: r.paged(r.apiKeyJson) },
  { method: 'get', path: '/api/me/api-keys/current', summary: 'The API key this request is made with', tag: 'API keys', access: 'user', response: r.apiKeyJson, description: '400 when the request is not made with an API key.' },
  { method: 'delete', path: '/api/me/api-keys/:keyId', summary: 'Revoke one of your API keys', tag: 'API keys', access: 'user', params: z.object({ keyId: uuid }), response: r.okJson },
  { method: 'get', path: '/api/users/:userId/api-keys', summary: "A user's API keys (admin, or yourself)", tag: 'API keys', access: 'user', params: userParams, query: pageQuery, response: r.paged(r.apiKeyJson) },
  { method: 'delete', path: '/api/users/:userId/api-keys/:keyId', summary: "Revoke a user's API key (admin, or yourself)", tag: 'API keys', access: 'user', params: userParams.extend({ keyId: uuid }), response: r.okJson },

  // MCP.
  { method: 'post', path: '/mcp', summary: 'Model Context Protocol (Streamable HTTP, stateless): tools for agents', tag: 'MCP', access: 'user', body: z.record(z.string(), z.unknown()).describe('A JSON-RPC 2.0 request'), response: { text: 'A JSON-RPC 2.0 answer (Model Context Protocol, Streamable HTTP, stateless)', mediaType: 'application/json' }, description: 'Authenticate with an API key (read-only tools unless its scope is write) or a login token; see README, Integrations.' },

  // Users.
  { method: 'post', path: '/api/users', summary: 'Create a user', tag: 'Users', access: 'admin', body: userCreateBody, response: r.userJson },
  { method: 'get', path: '/api/users/:userId', summary: 'A user (admin, or yourself)', tag: 'Users', access: 'user', params: userParams, response: r.userJson },
  { method: 'post', path: '/api/users/:userId', summary: 'Update a user (username and role: admin only)', tag: 'Users', access: 'user', params: userParams, body: userUpdateBody, response: r.userJson },
  { method: 'delete', path: '/api/users/:userId', summary: 'Delete a user and their websites', tag: 'Users', access: 'admin', params: userParams, response: r.okJson },
  { method: 'get', path: '/api/users/:userId/websites', summary: "A user's websites", tag: 'Users', access: 'user', params: userParams, query: pageQuery.extend({ includeTeams: z.enum(['true', 'false']).optional() }), response: r.paged(r.websiteJson) },
  { method: 'get', path: '/api/users/:userId/teams', summary: "A user's teams", tag: 'Users', access: 'user', params: userParams, query: pageQuery, response: r.paged(r.teamJson) },
  { method: 'get', path: '/api/admin/users', summary: 'All users', tag: 'Admin', access: 'admin', query: pageQuery, response: r.paged(r.userJson) },
  { method: 'get', path: '/api/admin/websites', summary: 'All websites', tag: 'Admin', access: 'admin', query: pageQuery, response: r.paged(r.websiteJson) },
  { method: 'get', path: '/api/admin/teams', summary: 'All teams', tag: 'Admin', access: 'admin', query: pageQuery, response: r.paged(r.teamJson) },

  // Teams.
  { method: 'get', path: '/api/teams', summary: "The caller's teams", tag: 'Teams', access: 'user', query: pageQuery, response: r.paged(r.teamJson) },
  { method: 'post', path: '/api/teams', summary: 'Create a team (the caller, or ownerId for admins, is its owner)', tag: 'Teams', access: 'user', body: teamCreateBody, response: z.tuple([r.teamJson, r.memberJson]) },
  { method: 'post', path: '/api/teams/join', summary: 'Join a team by its access code', tag: 'Teams', access: 'user', body: joinBody, response: r.memberJson },
  { method: 'get', path: '/api/teams/:teamId', summary: 'A team and its members', tag: 'Teams', access: 'user', params: teamParams, response: r.teamJson.extend({ members: z.array(r.memberJson) }) },
  { method: 'post', path: '/api/teams/:teamId', summary: 'Rename a team or change its access code', tag: 'Teams', access: 'user', params: teamParams, body: teamUpdateBody, response: r.teamJson },
  { method: 'delete', path: '/api/teams/:teamId', summary: 'Delete a team (its websites pass to the caller)', tag: 'Teams', access: 'user', params: teamParams, response: r.okJson },
  { method: 'get', path: '/api/teams/:teamId/users', summary: 'Members of a team', tag: 'Teams', access: 'user', params: teamParams, query: pageQuery, response: r.paged(r.memberJson) },
  { method: 'post', path: '/api/teams/:teamId/users', summary: 'Add a member', tag: 'Teams', access: 'user', params: teamParams, body: addMemberBody, response: r.memberJson },
  { method: 'get', path: '/api/teams/:teamId/users/:userId', summary: 'A member', tag: 'Teams', access: 'user', params: memberParams, response: r.memberJson },
  { method: 'post', path: '/api/teams/:teamId/users/:userId', summary: "Change a member's role", tag: 'Teams', access: 'user', params: memberParams, body: memberBody, response: r.memberJson },
  { method: 'delete', path: '/api/teams/:teamId/users/:userId', summary: 'Remove a member (or leave)', tag: 'Teams', access: 'user', params: memberParams, response: r.okJson },
  { method: 'get', path: '/api/teams/:teamId/websites', summary: "A team's websites", tag: 'Teams', access: 'user', params: teamParams, query: pageQuery, response: r.paged(r.websiteJson) },

  // Websites.
  {
    method: 'get',
    path: '/api/websites',
    summary: "The caller's websites",
    description: 'With only the umami.auth cookie (Umami v1), the v1 array of websites.',
    tag: 'Websites',
    access: 'user',
    query: pageQuery.extend({ includeTeams: z.enum(['true', 'false']).optional() }),
    response: z.union([r.paged(r.websiteJson), z.array(r.v1WebsiteJson)]),
  },
  { method: 'post', path: '/api/websites', summary: 'Create a website (personal, or in a team)', tag: 'Websites', access: 'user', body: websiteCreateBody, response: r.websiteJson },
  { method: 'get', path: '/api/websites/:websiteId', summary: 'A website', tag: 'Websites', access: 'website', params: websiteParams, response: r.websiteJson },
  { method: 'post', path: '/api/websites/:websiteId', summary: 'Update a website (shareId turns sharing on or off)', tag: 'Websites', access: 'user', params: websiteParams, body: websiteUpdateBody, response: r.websiteJson },
  { method: 'delete', path: '/api/websites/:websiteId', summary: 'Delete a website and its data', tag: 'Websites', access: 'user', params: websiteParams, response: r.okJson },
  { method: 'post', path: '/api/websites/:websiteId/reset', summary: "Delete a website's data", tag: 'Websites', access: 'user', params: websiteParams, response: r.okJson },
  { method: 'post', path: '/api/admin/import', summary: 'Load a raw NDJSON export into this server (validated first; stored events and sessions are skipped)', tag: 'Admin', access: 'admin', response: r.importResultJson, description: 'Body: application/x-ndjson lines as GET /api/websites/{websiteId}/export/events writes them, streamed, no size limit. A bad line answers 400 with its line number and stores nothing; so does a website that does not exist.' },
  { method: 'post', path: '/api/websites/:websiteId/purge', summary: 'Delete the rows matching filters (dryRun: count only); logged', tag: 'Websites', access: 'user', params: websiteParams, body: purgeBody, response: r.purgeResultJson, example: { body: { filters: { path: '/nowhere' }, dryRun: true } } },
  { method: 'get', path: '/api/websites/:websiteId/purges', summary: "The website's deletion log (purges, forgotten visitors, retention)", tag: 'Websites', access: 'user', params: websiteParams, query: pageQuery, response: r.paged(r.purgeRecordJson) },
  { method: 'delete', path: '/api/websites/:websiteId/sessions/:sessionId', summary: "Forget a visitor: every row of the session (GDPR erasure); logged", tag: 'Websites', access: 'user', params: sessionParams, response: r.forgetJson },
  {
    method: 'post',
    path: '/api/admin/backup',
    summary: "Back up the embedded store into a new directory on the server's machine (absolute, outside DATA_DIR), while ingesting",
    tag: 'Admin',
    access: 'admin',
    body: backupBody,
    response: r.backupJson,
  },
  {
    method: 'post',
    path: '/api/admin/import/umami',
    summary: 'Import users, teams, websites (same ids), reports, segments and events from a live Umami database',
    tag: 'Admin',
    access: 'admin',
    body: importUmamiBody,
    response: { text: 'NDJSON, one object a line: {type:"progress", done, total, label} while copying, then {type:"result", result} or {type:"error", message}', mediaType: 'application/x-ndjson' },
    description: 'What `dashi import umami --url … --api-key …` calls. Safe to run again: complete website-days are skipped, partial ones copied again. One import at a time (409).',
  },
  { method: 'get', path: '/api/admin/ingest', summary: "The ingest writer's counters and the dead-letter count", tag: 'Admin', access: 'admin', response: r.ingestStatusJson },
  { method: 'get', path: '/api/websites/:websiteId/refused', summary: 'Hits ingestion refused, per reason', tag: 'Websites', access: 'user', params: websiteParams, response: r.refusedJson },
  { method: 'post', path: '/api/websites/:websiteId/transfer', summary: 'Give a website to a user or a team', tag: 'Websites', access: 'user', params: websiteParams, body: transferBody, response: r.websiteJson },
  { method: 'get', path: '/api/share/:shareId', summary: 'A share link: the website and a read-only token', tag: 'Websites', access: 'public', params: shareParams, response: r.shareJson },
  { method: 'post', path: '/api/website', summary: 'Create a website (Umami v1)', tag: 'v1', access: 'user', body: v1CreateBody, response: r.v1WebsiteJson },

  // Analytics (seed 001 and newer Umami).
  analytics('/stats', 'Pageviews, visitors, visits, bounces, total time, with the previous period', r.statsJson, z.object({ ...range, compare }), { example: { query: {} } }),
  analytics('/pageviews', 'Pageviews and sessions over time', r.pageviewsJson, seriesQuery, { example: { query: { unit: 'day', timezone: 'UTC', compare: 'prev' } } }),
  analytics('/metrics', 'Top values of one dimension', r.metricsJson, breakdownQuery, { example: { query: { type: 'city' } } }),
  analytics('/metrics/expanded', 'Top values of one dimension with all metrics', r.expandedJson, breakdownQuery, { example: { query: { type: 'path' } } }),
  analytics('/events', 'Events and page views, newest first', r.paged(r.eventJson), rangeQuery.extend(pageQuery.shape), { example: { query: {} } }),
  analytics('/events/series', 'Custom events over time', r.eventSeriesJson, seriesQuery.extend({ limit }), { example: { query: { unit: 'hour' } } }),
  analytics('/events/stats', 'Custom event totals with the previous period', r.eventStatsJson, z.object({ ...range, compare }), { example: { query: {} } }),
  analytics('/event-data/events', 'Event properties by event', r.eventDataEventsJson, rangeQuery.extend({ event: z.string().optional() }), { example: { query: {} } }),
  analytics('/event-data/fields', 'Event property values', r.eventDataFieldsJson, rangeQuery, { example: { query: {} } }),
  analytics('/event-data/properties', 'Event property names', r.eventDataPropertiesJson, rangeQuery, { example: { query: {} } }),
  analytics('/event-data/values', 'Values of one event property', r.valueTotalJson, rangeQuery.extend({ propertyName: z.string(), eventName: z.string().optional() }), { example: { query: { propertyName: 'plan' } } }),
  analytics('/event-data/stats', 'Event data totals', r.eventDataStatsJson, rangeQuery, { example: { query: {} } }),
  analytics('/sessions', 'Sessions, most recently active first', r.paged(r.sessionJson), rangeQuery.extend(pageQuery.shape), { example: { query: {} } }),
  analytics('/sessions/stats', 'Session totals', r.sessionStatsJson, rangeQuery, { example: { query: {} } }),
  analytics('/sessions/weekly', 'Sessions by weekday and hour', r.weeklyJson, rangeQuery.extend({ timezone }), { example: { query: { timezone: 'America/New_York' } } }),
  { ...analytics('/sessions/:sessionId', 'One session', r.sessionDetailJson, z.object({}), { example: {} }), params: sessionParams, filters: false },
  { ...analytics('/sessions/:sessionId/activity', "A session's rows", r.activityJson, rangeQuery, { example: { query: {} } }), params: sessionParams, filters: false },
  { ...analytics('/sessions/:sessionId/properties', "A session's data", r.sessionPropertiesJson, z.object({}), { example: {} }), params: sessionParams, filters: false },
  analytics('/session-data/properties', 'Session property names', r.sessionDataPropertiesJson, rangeQuery, { example: { query: {} } }),
  analytics('/session-data/values', 'Values of one session property', r.valueTotalJson, rangeQuery.extend({ propertyName: z.string() }), { example: { query: { propertyName: 'tier' } } }),
  { ...analytics('/active', 'Visitors in the last 5 minutes', r.activeJson, z.object({}), { example: {} }), filters: false },
  { ...analytics('/daterange', 'First and last event', r.dateRangeJson, z.object({}), { example: {} }), filters: false },
  analytics('/values', 'Values of a filter field (for filter pickers)', r.valuesJson, rangeQuery.extend({ type: z.string(), search }), { example: { query: { type: 'browser' } } }),
  analytics('/export', 'Top lists as CSV files in a ZIP', r.exportJson, rangeQuery, { example: { query: {} } }),
  // Raw export (src/api/export-events.ts): signed-in users and API keys only, not share links.
  {
    ...analytics('/export/events', 'Raw events and sessions: NDJSON (re-importable), CSV or Parquet, streamed', z.never(), rangeQuery.extend({ format: z.enum(EXPORT_FORMATS).optional().describe('ndjson (default), csv or parquet') }), { example: { query: {} } }),
    access: 'user',
    filters: false,
    response: { text: 'NDJSON: one session or event per line, sessions first, each with its data (application/x-ndjson); CSV (text/csv) or Parquet (application/vnd.apache.parquet): one row per event, its data as JSON text', mediaType: 'application/x-ndjson' },
  },
  {
    method: 'get',
    path: '/api/realtime/:websiteId',
    summary: 'The last 30 minutes',
    tag: 'Analytics',
    access: 'website',
    params: realtimeParams,
    query: z.object({ timezone }),
    response: r.realtimeJson,
    example: { query: {} },
  },
  {
    method: 'post',
    path: '/api/websites/:websiteId/query',
    summary: 'Any metrics by up to three dimensions, with a filter tree',
    description:
      'The Query model as JSON, answered by the engine behind every analytics route. A breakdown cut by `limit` adds one row (`other: true`) for the rest. Bad fields are a 400 naming them.',
    tag: 'Analytics',
    access: 'website',
    params: websiteParams,
    body: queryBody,
    response: queryAnswer,
    example: {
      body: {
        metrics: ['visitors', 'pageviews', 'bounceRate'],
        dimensions: ['country', 'browser'],
        filters: { or: [{ dimension: 'country', operator: 'eq', value: 'DE' }, { dimension: 'path', operator: 'contains', value: 'pricing' }] },
        dateRange: '7day',
        timezone: 'Europe/Berlin',
        limit: 10,
      },
    },
  },

  // Umami v1 analytics.
  { method: 'get', path: '/api/website/:id/stats', summary: 'Totals (v1)', tag: 'v1', access: 'website', params: v1Params, query: z.object(v1Range), filters: true, response: r.v1StatsJson, example: { query: {} } },
  {
    method: 'get',
    path: '/api/website/:id/pageviews',
    summary: 'Pageviews and sessions over time (v1)',
    tag: 'v1',
    access: 'website',
    params: v1Params,
    query: z.object({ ...v1Range, unit, tz: timezone }),
    filters: true,
    response: r.v1PageviewsJson,
    example: { query: {} },
  },
  { method: 'get', path: '/api/website/:id/events', summary: 'Custom events over time (v1)', tag: 'v1', access: 'website', params: v1Params, query: z.object({ ...v1Range, unit, tz: timezone }), filters: true, response: r.eventSeriesJson, example: { query: {} } },
  { method: 'get', path: '/api/website/:id/metrics', summary: 'Top values (v1)', tag: 'v1', access: 'website', params: v1Params, query: z.object({ ...v1Range, type }), filters: true, response: r.v1MetricsJson, example: { query: { type: 'url' } } },

  // Reports.
  ...reportRuns,
  { method: 'get', path: '/api/reports/revenue', summary: 'Currencies with revenue in a range', tag: 'Reports', access: 'website', query: z.looseObject({ websiteId: uuid, startDate: z.string(), endDate: z.string(), currency: z.string().optional() }), response: r.currenciesJson, example: { query: { websiteId: ':websiteId', startDate: '2024-11-02T00:00:00Z', endDate: '2024-11-04T23:59:59Z' } } },
  { method: 'get', path: '/api/reports', summary: 'Saved reports the caller can see', tag: 'Reports', access: 'user', query: reportListQuery.extend(pageQuery.shape), response: r.paged(r.reportJson) },
  { method: 'post', path: '/api/reports', summary: 'Save a report', tag: 'Reports', access: 'user', body: reportCreateBody, response: r.reportJson },
  { method: 'get', path: '/api/reports/:reportId', summary: 'A saved report', tag: 'Reports', access: 'user', params: reportParams, response: r.reportJson },
  { method: 'post', path: '/api/reports/:reportId', summary: 'Update a saved report', tag: 'Reports', access: 'user', params: reportParams, body: reportUpdateBody, response: r.reportJson },
  { method: 'delete', path: '/api/reports/:reportId', summary: 'Delete a saved report', tag: 'Reports', access: 'user', params: reportParams, response: r.okJson },
  { method: 'get', path: '/api/websites/:websiteId/reports', summary: "A website's saved reports", tag: 'Reports', access: 'website', params: websiteParams, query: reportListQuery.extend(pageQuery.shape), response: r.paged(r.reportJson) },

  // Segments.
  { method: 'get', path: '/api/websites/:websiteId/segments', summary: "A website's segments and cohorts", tag: 'Segments', access: 'website', params: websiteParams, query: segmentListQuery.extend(pageQuery.shape), response: r.paged(r.segmentJson) },
  { method: 'post', path: '/api/websites/:websiteId/segments', summary: 'Create a segment or cohort', tag: 'Segments', access: 'user', params: websiteParams, body: segmentCreateBody, response: r.segmentJson },
  { method: 'get', path: '/api/websites/:websiteId/segments/:segmentId', summary: 'A segment', tag: 'Segments', access: 'website', params: segmentParams.required(), response: r.segmentJson },
  { method: 'post', path: '/api/websites/:websiteId/segments/:segmentId', summary: 'Update a segment', tag: 'Segments', access: 'user', params: segmentParams.required(), body: segmentUpdateBody, response: r.segmentJson },
  { method: 'delete', path: '/api/websites/:websiteId/segments/:segmentId', summary: 'Delete a segment', tag: 'Segments', access: 'user', params: segmentParams.required(), response: r.okJson },

  // Ingestion.
  {
    method: 'post',
    path: '/api/send',
    summary: 'Record a page view, event or identify call',
    description: 'A payload with `name` is a custom event, without it a page view; `identify` attaches `data` to the session. Also served at COLLECT_API_ENDPOINT when set.',
    tag: 'Ingestion',
    access: 'public',
    body: hit,
    response: r.sendJson,
  },
  { method: 'post', path: '/api/batch', summary: 'Record up to 500 hits in one request', tag: 'Ingestion', access: 'public', body: z.array(hit).max(500), response: r.batchJson },
  { method: 'post', path: '/api/collect', summary: 'Record a hit (Umami v1): answers the cache token as text', tag: 'Ingestion', access: 'public', body: collectBody.extend({ payload: collectPayload }), response: { text: 'The cache token' } },
];
