// Dimension registry, keyed by Umami's `type` names. A dimension is either a value of each row
// (path, browser, ...) or a value of each visit (entry page, exit page, channel), which the
// compiler computes while grouping rows into visits.

import { own } from '../lib/own.js';
import { CLICK_ID_FLAG } from '../store/sql/columns.js';
import type { Dialect } from './dialects/dialect.js';
import { raw, sql, type Sql } from './sql.js';
import type { MetricName, Query, RowKind } from './types.js';

export interface DimensionDef {
  readonly name: string;
  /** 'row': expression over one event row. 'visit': aggregate over the rows of one visit. */
  readonly grain: 'row' | 'visit';
  expr(d: Dialect): Sql;
  /** Rows a breakdown by this dimension reads (event names live on custom-event rows). */
  readonly rows: Exclude<RowKind, 'all'>;
  /** What `y` counts in /metrics: pageviews for page attributes, visitors for session ones. */
  readonly countBy: MetricName;
  /** A session attribute (copied onto every row of the session). */
  readonly session: boolean;
  /** Leave rows with no value out of breakdowns (a page without a query string is not a row). */
  readonly skipEmpty: boolean;
  /** Extra condition for breakdowns, e.g. no self-referrals in the referrer list. */
  breakdownWhere?(q: Query, d: Dialect): Sql;
  /** A UUID column: equality filters compare UUIDs (no per-row cast to text). */
  readonly uuid?: boolean;
  /** The one stored column a row dimension reads (its expr and breakdown rule may add hostname). */
  readonly column?: string;
  /**
   * Visit grain in two steps, when the value is costly per row: aggregates over the visit's rows
   * (by name), then the value computed once per visit from them. Without it, `expr` is the one
   * aggregate.
   */
  readonly visit?: {
    readonly inputs: Readonly<Record<string, (d: Dialect) => Sql>>;
    value(d: Dialect, input: (name: string) => Sql): Sql;
  };
}

/** The per-visit aggregates of a visit-grain dimension and how to turn them into its value. */
export function visitParts(def: DimensionDef, d: Dialect): { inputs: [string, Sql][]; value: (input: (name: string) => Sql) => Sql } {
  if (!def.visit) return { inputs: [['v', def.expr(d)]], value: (input) => input('v') };
  const v = def.visit;
  return { inputs: Object.entries(v.inputs).map(([name, f]) => [name, f(d)]), value: (input) => v.value(d, input) };
}

const col = (name: string) => () => raw(name);

function rowDim(name: string, column: string, opts: Partial<DimensionDef> = {}): DimensionDef {
  return { name, grain: 'row', expr: col(column), column, rows: 'traffic', countBy: 'pageviews', session: false, skipEmpty: false, ...opts };
}

function sessionDim(name: string, column: string): DimensionDef {
  return { name, grain: 'row', expr: col(column), rows: 'traffic', countBy: 'visitors', session: true, skipEmpty: false };
}

/** A referrer from the site itself (internal navigation) is not a referrer. */
function notSelfReferral(q: Query, d: Dialect): Sql {
  const own = q.websiteDomain ? q.websiteDomain.replace(/^www\./, '').toLowerCase() : '';
  const ref = d.stripWww(raw('lower(referrer_domain)'));
  return sql`(referrer_domain IS NULL OR (${ref} <> ${own} AND ${ref} <> coalesce(${d.stripWww(raw('lower(hostname)'))}, '')))`;
}

// Channel of a row, from its referrer, UTM tags and click ids. Patterns are bound parameters.
const SEARCH = '(^|\\.)(google|bing|yahoo|duckduckgo|yandex|baidu|ecosia|qwant|brave|startpage|naver|seznam|ask)\\.';
const SOCIAL =
  '(^|\\.)(facebook|fb|instagram|twitter|x|t|linkedin|lnkd|reddit|pinterest|tiktok|threads|mastodon|bsky|vk|weibo|quora|tumblr|snapchat|discord|telegram|whatsapp|news\\.ycombinator)\\.';
const VIDEO = '(^|\\.)(youtube|youtu|vimeo|twitch|dailymotion|wistia)\\.';
const SHOPPING = '(^|\\.)(amazon|ebay|etsy|shopify|walmart|aliexpress|mercadolibre|idealo)\\.';
const PAID_MEDIUM = '^(.*cpc|.*ppc|.*paid.*|.*retargeting.*|cpm|display|banner)$';

/** Inputs of the channel, taken from a visit's first row. */
const CHANNEL_INPUTS: Record<string, (d: Dialect) => Sql> = {
  ref: (d) => d.argMin(raw('referrer_domain'), raw('created_at')),
  host: (d) => d.argMin(raw('hostname'), raw('created_at')),
  src: (d) => d.argMin(raw('utm_source'), raw('created_at')),
  medium: (d) => d.argMin(raw('utm_medium'), raw('created_at')),
  click: (d) => d.argMin(raw(CLICK_ID_FLAG), raw('created_at')),
};

/** A visit's channel from its channel inputs (CHANNEL_INPUTS' names). */
export function channelExpr(d: Dialect, input: (name: string) => Sql): Sql {
  // A referrer on the landing page's own host is internal navigation, not a source.
  const ref = sql`(CASE WHEN ${d.stripWww(sql`lower(${input('ref')})`)} = ${d.stripWww(sql`lower(${input('host')})`)} THEN '' ELSE coalesce(lower(${input('ref')}), '') END)`;
  const src = sql`coalesce(lower(${input('src')}), '')`;
  const medium = sql`coalesce(lower(${input('medium')}), '')`;
  const clickId = sql`(${input('click')} = 1)`;
  const is = (pattern: string) => sql`(${d.regexCi(ref, pattern)} OR ${d.regexCi(sql`${src} || '.'`, pattern)})`;
  const paid = sql`(${clickId} OR ${d.regexCi(medium, PAID_MEDIUM)})`;
  return sql`(CASE
    WHEN ${ref} = '' AND ${src} = '' AND ${medium} = '' AND NOT ${clickId} THEN 'direct'
    WHEN ${medium} IN ('email', 'e-mail', 'e_mail', 'newsletter') OR ${src} IN ('email', 'newsletter') THEN 'email'
    WHEN ${medium} = 'affiliate' THEN 'affiliate'
    WHEN ${medium} = 'sms' OR ${src} = 'sms' THEN 'sms'
    WHEN ${is(SEARCH)} THEN (CASE WHEN ${paid} THEN 'paidSearch' ELSE 'organicSearch' END)
    WHEN ${is(SOCIAL)} THEN (CASE WHEN ${paid} THEN 'paidSocial' ELSE 'organicSocial' END)
    WHEN ${is(VIDEO)} THEN (CASE WHEN ${paid} THEN 'paidVideo' ELSE 'organicVideo' END)
    WHEN ${is(SHOPPING)} THEN (CASE WHEN ${paid} THEN 'paidShopping' ELSE 'organicShopping' END)
    WHEN ${paid} THEN 'paidAds'
    ELSE 'referral' END)`;
}

/**
 * The order of a visit's rows for its entry and exit pages: by time, then (hits in the same
 * instant, common with Umami's whole-second batch timestamps) by path, so the page is one.
 */
const pathAtInstant = (d: Dialect) => d.tuple([raw('created_at'), raw('url_path')]);

const defs: DimensionDef[] = [
  rowDim('path', 'url_path'),
  {
    name: 'entry',
    grain: 'visit',
    expr: (d) => d.argMin(raw('url_path'), pathAtInstant(d)),
    rows: 'traffic',
    countBy: 'visits',
    session: false,
    skipEmpty: false,
  },
  {
    name: 'exit',
    grain: 'visit',
    expr: (d) => d.argMax(raw('url_path'), pathAtInstant(d)),
    rows: 'traffic',
    countBy: 'visits',
    session: false,
    skipEmpty: false,
  },
  rowDim('referrer', 'referrer_domain', { skipEmpty: true, breakdownWhere: notSelfReferral }),
  {
    name: 'domain',
    grain: 'row',
    expr: (d) => d.stripWww(raw('lower(referrer_domain)')),
    column: 'referrer_domain',
    rows: 'traffic',
    countBy: 'pageviews',
    session: false,
    skipEmpty: true,
    breakdownWhere: notSelfReferral,
  },
  rowDim('title', 'page_title'),
  rowDim('query', 'url_query', { skipEmpty: true }),
  rowDim('event', 'event_name', { rows: 'custom', countBy: 'events', skipEmpty: true }),
  rowDim('tag', 'tag', { skipEmpty: true }),
  rowDim('hostname', 'hostname'),
  rowDim('utmSource', 'utm_source', { skipEmpty: true }),
  rowDim('utmMedium', 'utm_medium', { skipEmpty: true }),
  rowDim('utmCampaign', 'utm_campaign', { skipEmpty: true }),
  rowDim('utmContent', 'utm_content', { skipEmpty: true }),
  rowDim('utmTerm', 'utm_term', { skipEmpty: true }),
  {
    // The channel of a visit is the channel of its first row (its landing).
    name: 'channel',
    grain: 'visit',
    expr: () => {
      throw new Error('channel is computed per visit (visitParts)');
    },
    visit: { inputs: CHANNEL_INPUTS, value: channelExpr },
    rows: 'traffic',
    countBy: 'visitors',
    session: false,
    skipEmpty: false,
  },
  sessionDim('browser', 'browser'),
  sessionDim('os', 'os'),
  sessionDim('device', 'device'),
  sessionDim('screen', 'screen'),
  sessionDim('language', 'language'),
  sessionDim('country', 'country'),
  sessionDim('region', 'region'),
  sessionDim('city', 'city'),
  // Only identified sessions have one; anonymous ones are not a row of the breakdown.
  { ...sessionDim('distinctId', 'distinct_id'), skipEmpty: true },
  // Not a /metrics type: lets session pages reuse the engine with a filter on one session.
  { ...sessionDim('sessionId', 'session_id'), skipEmpty: true, uuid: true },
];

const registry = new Map(defs.map((d) => [d.name, d]));

/** Other spellings Umami accepts for the same dimension. */
const ALIASES: Record<string, string> = {
  url: 'path',
  host: 'hostname',
  utm_source: 'utmSource',
  utm_medium: 'utmMedium',
  utm_campaign: 'utmCampaign',
  utm_content: 'utmContent',
  utm_term: 'utmTerm',
  distinct_id: 'distinctId',
};

export function canonicalDimension(name: string): string | undefined {
  const canonical = own(ALIASES, name) ?? name;
  return registry.has(canonical) ? canonical : undefined;
}

export function dimension(name: string): DimensionDef {
  const def = registry.get(own(ALIASES, name) ?? name);
  if (!def) throw new Error(`unknown dimension ${name}`);
  return def;
}

/** The `type` values /metrics accepts (all but internal ones). */
export const METRIC_TYPES: readonly string[] = [...defs.filter((d) => d.name !== 'sessionId').map((d) => d.name), ...Object.keys(ALIASES)];
