// Response shapes for the OpenAPI document, one definition each. The routes build their answers
// with plain functions (src/api/shapes.ts, src/query/lists.ts, ...); these schemas describe those
// answers, and test/api/openapi.test.ts checks real answers against them.

import { z } from 'zod';
import { TEAM_ROLES, USER_ROLES } from '../../server/permissions.js';

const date = z.iso.datetime({ offset: true });
const int = z.int();
const text = z.string().nullable();

export const okJson = z.strictObject({ ok: z.literal(true) }).meta({ id: 'Ok' });

export const errorJson = z
  .strictObject({ error: z.strictObject({ message: z.string(), code: z.string(), status: int }) })
  .meta({ id: 'Error', description: "Umami's error envelope" });

export const userJson = z
  .strictObject({ id: z.guid(), username: z.string(), role: z.enum(USER_ROLES), displayName: text, createdAt: date, isAdmin: z.boolean() })
  .meta({ id: 'User' });

export const websiteJson = z
  .strictObject({
    id: z.guid(),
    name: z.string(),
    domain: text,
    shareId: text,
    resetAt: date.nullable(),
    userId: z.guid().nullable(),
    teamId: z.guid().nullable(),
    createdBy: z.guid().nullable(),
    createdAt: date,
    updatedAt: date.nullable(),
    deletedAt: z.null(),
    allowedHostnames: z.array(z.string()).describe('Hostnames whose hits are accepted (`*.example.com` for subdomains); empty accepts all'),
    retentionDays: int.nullable().optional().describe('Days raw analytics rows are kept (its own setting, else DATA_RETENTION_DAYS); null: forever. In answers about one website, not in lists'),
  })
  .meta({ id: 'Website' });

export const v1WebsiteJson = z
  .strictObject({ website_id: int, website_uuid: z.guid(), user_id: int.nullable(), name: z.string(), domain: text, share_id: text, created_at: date })
  .meta({ id: 'WebsiteV1', description: 'A website as Umami v1 answered it' });

export const teamJson = z
  .strictObject({ id: z.guid(), name: z.string(), accessCode: text, logoUrl: text, createdAt: date, updatedAt: date.nullable() })
  .meta({ id: 'Team' });

export const memberJson = z
  .strictObject({
    id: z.guid(),
    teamId: z.guid(),
    userId: z.guid(),
    role: z.enum(TEAM_ROLES),
    createdAt: date,
    updatedAt: date.nullable(),
    user: z.strictObject({ id: z.guid(), username: z.string() }).optional(),
  })
  .meta({ id: 'TeamMember' });

export const reportJson = z
  .strictObject({ id: z.guid(), userId: z.guid(), websiteId: z.guid(), type: z.string(), name: z.string(), description: z.string(), parameters: z.unknown(), createdAt: date, updatedAt: date.nullable() })
  .meta({ id: 'Report' });

export const segmentJson = z
  .strictObject({ id: z.guid(), websiteId: z.guid(), type: z.string(), name: z.string(), parameters: z.unknown(), createdAt: date, updatedAt: date.nullable() })
  .meta({ id: 'Segment' });

/** Umami's paged list. */
export const paged = <T extends z.ZodType>(item: T) =>
  z.strictObject({ data: z.array(item), count: int, page: int, pageSize: int, orderBy: z.string().nullable(), search: z.string().nullable() });

const defaultPassword = z.boolean().describe('An admin still using the default password (the dashboard warns until it changes)');

export const verifyJson = userJson.extend({ usesDefaultPassword: defaultPassword });

export const loginJson = z.strictObject({
  token: z.string(),
  user: userJson.extend({ teams: z.array(z.strictObject({ id: z.guid(), name: z.string(), logoUrl: text })), usesDefaultPassword: defaultPassword }),
});

export const configJson = z.strictObject({
  cloudMode: z.boolean(),
  privateMode: z.boolean(),
  telemetryDisabled: z.boolean(),
  updatesDisabled: z.boolean(),
  trackerScriptName: text,
  disableLogin: z.boolean(),
});

// Analytics.
const valuePrev = z.strictObject({ value: z.number(), prev: z.number() });
export const statsJson = z
  .strictObject({ pageviews: valuePrev, visitors: valuePrev, visits: valuePrev, bounces: valuePrev, totaltime: valuePrev })
  .meta({ id: 'Stats', description: 'Each metric over the range (value) and the comparison period (prev); totaltime in seconds' });

const xy = z.strictObject({ x: z.string(), y: z.number() });
export const pageviewsJson = z.strictObject({
  pageviews: z.array(xy),
  sessions: z.array(xy),
  startDate: date.optional(),
  endDate: date.optional(),
  compare: z.strictObject({ pageviews: z.array(xy), sessions: z.array(xy), startDate: date, endDate: date }).optional(),
});

const dimValue = z.union([z.string(), z.number()]).nullable();
export const metricsJson = z.array(z.strictObject({ x: dimValue, y: z.number(), country: dimValue.optional() }));
export const expandedJson = z.array(
  z.strictObject({ name: dimValue, pageviews: z.number(), visitors: z.number(), visits: z.number(), bounces: z.number(), totaltime: z.number(), country: dimValue.optional() }),
);

export const eventJson = z.strictObject({
  id: z.guid(),
  websiteId: z.guid(),
  sessionId: z.guid(),
  createdAt: date.nullable(),
  hostname: text,
  urlPath: text,
  urlQuery: text,
  referrerPath: text,
  referrerQuery: text,
  referrerDomain: text,
  country: text,
  city: text,
  device: text,
  os: text,
  browser: text,
  pageTitle: text,
  eventType: int,
  eventName: text,
  hasData: z.boolean(),
});

export const eventSeriesJson = z.array(z.strictObject({ x: dimValue, t: dimValue, y: z.number() }));

const eventStats = { events: z.number(), visitors: z.number(), visits: z.number(), uniqueEvents: z.number() };
export const eventStatsJson = z.strictObject({ data: z.strictObject({ ...eventStats, comparison: z.strictObject(eventStats) }) });

export const eventDataEventsJson = z.array(
  z.strictObject({ eventName: text, propertyName: text, dataType: int, propertyValue: text.optional(), total: z.number() }),
);
export const eventDataFieldsJson = z.array(z.strictObject({ propertyName: text, dataType: int, value: text, total: z.number() }));
export const eventDataPropertiesJson = z.array(z.strictObject({ eventName: text, propertyName: text, total: z.number() }));
export const valueTotalJson = z.array(z.strictObject({ value: text, total: z.number() }));
export const eventDataStatsJson = z.array(z.strictObject({ events: z.number(), fields: z.number(), properties: z.number(), records: z.number() }));

export const sessionJson = z
  .strictObject({
    id: z.guid(),
    websiteId: z.guid(),
    distinctId: text,
    hostname: text,
    browser: text,
    os: text,
    device: text,
    screen: text,
    language: text,
    country: text,
    region: text,
    city: text,
    firstAt: date.nullable(),
    lastAt: date.nullable(),
    visits: z.number(),
    views: z.number(),
    events: z.number(),
    createdAt: date.nullable(),
  })
  .meta({ id: 'Session' });

export const sessionDetailJson = sessionJson.extend({ totaltime: z.number() });

const value = z.strictObject({ value: z.number() });
export const sessionStatsJson = z.strictObject({ pageviews: value, visitors: value, visits: value, countries: value, events: value });
export const weeklyJson = z.array(z.array(z.number()).length(24)).length(7).describe('Sessions per weekday (0 = Sunday) and hour, in the time zone');

export const activityJson = z.array(
  z.strictObject({
    createdAt: date.nullable(),
    urlPath: text,
    urlQuery: text,
    referrerDomain: text,
    eventId: z.guid(),
    eventType: int,
    eventName: text,
    visitId: z.guid(),
    hostname: text,
    hasData: z.boolean(),
  }),
);

export const sessionPropertiesJson = z.array(
  z.strictObject({ websiteId: z.guid(), sessionId: z.guid(), dataKey: text, dataType: int, stringValue: text, numberValue: z.number().nullable(), dateValue: date.nullable(), createdAt: date.nullable() }),
);
export const sessionDataPropertiesJson = z.array(z.strictObject({ propertyName: text, total: z.number() }));

export const activeJson = z.strictObject({ visitors: z.number() });
export const dateRangeJson = z.strictObject({ startDate: date.nullable(), endDate: date.nullable() });
export const valuesJson = z.array(z.strictObject({ value: dimValue, count: z.number() }));
export const exportJson = z.strictObject({ zip: z.string().describe('A base64 ZIP of CSV files (events, pages, referrers, browsers, os, devices, countries)') });

const counts = z.record(z.string(), z.number());
export const realtimeJson = z.strictObject({
  countries: counts,
  urls: counts,
  referrers: counts,
  events: z.array(
    z.strictObject({
      __type: z.enum(['event', 'pageview', 'session']),
      sessionId: z.guid(),
      eventName: text.optional(),
      createdAt: z.string(),
      browser: text,
      os: text,
      device: text,
      country: text,
      urlPath: text.optional(),
      referrerDomain: text.optional(),
      hostname: text.optional(),
    }),
  ),
  series: z.strictObject({ views: z.array(xy), visitors: z.array(xy) }),
  totals: z.strictObject({ views: z.number(), visitors: z.number(), events: z.number(), countries: z.number() }),
  timestamp: int,
});

// Umami v1 analytics.
const ty = z.strictObject({ t: z.string(), y: z.number() });
export const v1StatsJson = z.strictObject({ pageviews: z.number(), uniques: z.number(), bounces: z.number(), totaltime: z.number() });
export const v1PageviewsJson = z.strictObject({ pageviews: z.array(ty), sessions: z.array(ty) });
export const v1MetricsJson = z.array(z.strictObject({ x: dimValue, y: z.number() }));

// Ingestion.
export const sendJson = z.union([
  z.strictObject({ cache: z.string(), sessionId: z.guid(), visitId: z.guid() }),
  z.strictObject({ beep: z.literal('boop') }).describe('A bot: nothing is stored'),
]);
export const batchJson = z.strictObject({
  size: int,
  processed: int,
  errors: int,
  details: z.array(z.strictObject({ index: int, response: errorJson })),
  cache: z.string().optional(),
});

// Reports: each report's own answer (see src/reports/); loosely typed here.
export const reportResultJson = z
  .union([z.array(z.record(z.string(), z.unknown())), z.record(z.string(), z.unknown())])
  .meta({ id: 'ReportResult', description: "The report's answer, in Umami's shape for that report type" });
export const currenciesJson = z.array(z.strictObject({ currency: z.string() }));

export const shareJson = z.strictObject({ websiteId: z.guid(), token: z.string().describe('Send as x-umami-share-token') });
export const meJson = z.strictObject({ token: z.null(), authKey: z.null(), shareToken: z.null(), user: userJson, usesDefaultPassword: defaultPassword });

export const ingestStatusJson = z.strictObject({
  queued: int,
  committed: int,
  rejected: int.describe('Hits the store refused (their own data), answered 400'),
  deadLetterLines: int.describe('Journal lines the embedded store refused and set aside'),
  deadLetterSegments: int,
  deadLetterDir: z.string().nullable(),
});

export const purgeResultJson = z.strictObject({
  dryRun: z.boolean(),
  count: int.describe('Events deleted (or, with dryRun, that would be)'),
  events: int,
  sessions: int,
  id: z.guid().optional().describe('The deletion log entry (not for a dry run)'),
});

export const purgeRecordJson = z
  .strictObject({
    id: z.guid(),
    websiteId: z.guid(),
    userId: z.guid().nullable(),
    kind: z.enum(['purge', 'forget', 'retention']),
    filters: z.record(z.string(), z.unknown()),
    startAt: date.nullable(),
    endAt: date.nullable(),
    events: int,
    sessions: int,
    createdAt: date,
  })
  .meta({ id: 'PurgeRecord' });

export const forgetJson = z.strictObject({ ok: z.literal(true), deleted: int.describe('Rows removed across all tables') });

export const refusedJson = z.strictObject({
  reasons: z.record(z.string(), z.number()).describe('Refused hits per reason: hostname, missingHostname, bot, ignoredIp'),
  since: date.nullable(),
});

export const apiKeyJson = z
  .strictObject({
    id: z.guid(),
    name: z.string(),
    prefix: z.string().describe('The first characters of the key, to recognise it'),
    scope: z.enum(['read', 'write']),
    websiteIds: z.array(z.guid()).nullable(),
    expiresAt: date.nullable(),
    createdAt: date,
    lastUsedAt: date.nullable(),
  })
  .meta({ id: 'ApiKey' });

export const newApiKeyJson = apiKeyJson.omit({ lastUsedAt: true }).extend({ key: z.string().describe('The secret, dashi_…: shown only in this answer') });

export const backupJson = z.strictObject({
  dir: z.string(),
  manifest: z.strictObject({
    format: z.literal('dashi-backup'),
    version: int,
    createdAt: z.string(),
    dashiVersion: z.string(),
    store: z.literal('duckdb'),
    tables: z.record(z.string(), int).describe('Rows per table in the snapshot'),
    files: z.record(z.string(), z.strictObject({ bytes: int, sha256: z.string() })),
  }),
});

// Raw export and import (src/api/export-events.ts, src/api/import-events.ts).
const tableCounts = z.strictObject({ website_event: int, event_data: int, session: int, session_data: int });
export const importResultJson = z.strictObject({
  lines: int.describe('Session and event lines read'),
  written: tableCounts.describe('Rows written per table'),
  skipped: z.strictObject({ events: int, sessions: int }).describe('Lines whose event or session was already stored'),
});
