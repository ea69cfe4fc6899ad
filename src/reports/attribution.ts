// Attribution: which sources get the credit for a conversion. A converting session is one that did
// the conversion step (a page or an event) in the range; its conversion time is the first time it
// did. For each source kind (referrer, paid-ad click id, each UTM field) the touches are the
// session's pageviews up to its conversion that carry that kind of source; first-click credits
// the earliest such touch, last-click the latest. Each list counts converting sessions per value
// (top 20); `total` counts the conversion step itself (rows, sessions, visits).

import { dimension } from '../query/dimensions.js';
import type { Dialect } from '../query/dialects/dialect.js';
import { andFilters, compileFilter, TRAFFIC_TYPES } from '../query/filters.js';
import { int, join, raw, sql, type Sql } from '../query/sql.js';
import { and, num, scopeRange, type ReportDef, type ReportEnv } from './report.js';
import { fail, scopeQuery } from './report-input.js';
import { stepCondition, stepFilter, stepSchema, toStep, type Step } from './steps.js';

const MODELS: Record<string, 'first' | 'last'> = { firstClick: 'first', 'first-click': 'first', lastClick: 'last', 'last-click': 'last' };

/** Ad networks by click id, as the networks name their own parameter. */
const CLICK_IDS: readonly [string, string][] = [
  ['gclid', 'Google Ads'],
  ['fbclid', 'Facebook / Meta'],
  ['msclkid', 'Microsoft Ads'],
  ['ttclid', 'TikTok Ads'],
  ['li_fat_id', 'LinkedIn Ads'],
  ['twclid', 'Twitter Ads (X)'],
];

export function parseAttribution(fields: Record<string, unknown>): { model: 'first' | 'last'; step: Step } {
  const model = fields.model;
  if (model === undefined || model === null || model === '') fail('model', 'required: firstClick or lastClick');
  if (typeof model !== 'string' || !Object.hasOwn(MODELS, model)) fail('model', `unknown attribution model '${String(model)}' (use firstClick or lastClick)`);
  let raw: unknown;
  let field = 'steps.0';
  if (fields.steps !== undefined) {
    if (!Array.isArray(fields.steps)) fail('steps', 'must be an array with one {type, value}');
    const steps = fields.steps as unknown[];
    if (steps.length !== 1) fail('steps', 'attribution takes exactly one conversion step');
    raw = steps[0];
  } else if (fields.step !== undefined) {
    // Newer Umami: parameters {type, step}.
    raw = { type: fields.type, value: fields.step };
    field = 'step';
  } else {
    fail('steps', 'required: one conversion step {type, value}');
  }
  const r = stepSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const sub = issue.path.join('.');
    if (sub === 'type') fail(field === 'step' ? 'type' : `${field}.type`, `unknown step type '${String((raw as Record<string, unknown>)?.type)}' (use url, path or event)`);
    fail(field === 'step' ? 'step' : `${field}${sub ? `.${sub}` : ''}`, issue.message);
  }
  return { model: MODELS[model as string], step: toStep(r.data!) };
}

function paidAdExpr(d: Dialect): Sql {
  const whens = CLICK_IDS.map(([col, name]) => sql`WHEN ${raw(col)} IS NOT NULL AND ${raw(col)} <> '' THEN ${d.text(name)} `);
  return sql`(CASE ${whens.reduce((a, b) => sql`${a}${b}`)}ELSE NULL END)`;
}

interface Source {
  key: string;
  value: (d: Dialect) => Sql;
  /** Condition a touch must meet to carry this kind of source. */
  has: (env: ReportEnv, d: Dialect) => Sql;
}

const nonEmpty = (e: Sql) => sql`${e} IS NOT NULL AND ${e} <> ''`;

function utmSource(key: string, dim: string): Source {
  return { key, value: (d) => dimension(dim).expr(d), has: (_env, d) => nonEmpty(dimension(dim).expr(d)) };
}

const SOURCES: Source[] = [
  {
    key: 'referrer',
    value: (d) => dimension('referrer').expr(d),
    // A referrer from the site itself is navigation, not a source.
    has: (env, d) => sql`${nonEmpty(dimension('referrer').expr(d))} AND ${dimension('referrer').breakdownWhere!(scopeQuery(env.scope, { metrics: [] }), d)}`,
  },
  { key: 'paidAds', value: (d) => paidAdExpr(d), has: (_env, d) => sql`${paidAdExpr(d)} IS NOT NULL` },
  utmSource('utm_source', 'utmSource'),
  utmSource('utm_medium', 'utmMedium'),
  utmSource('utm_campaign', 'utmCampaign'),
  utmSource('utm_content', 'utmContent'),
  utmSource('utm_term', 'utmTerm'),
];

async function run(env: ReportEnv) {
  const { model, step } = parseAttribution(env.fields);
  const s = env.scope;
  const d = env.engine.dialect;
  const q = { websiteId: s.website.id, range: s.range, rows: 'all' as const };
  const conversions = sql`SELECT session_id, min(created_at) AS ct FROM website_event
    WHERE ${and([scopeRange(s, env), stepCondition(step, q, d), compileFilter(s.filter, q, d)])} GROUP BY session_id`;
  // One scan: every pageview carrying any source, with one column per source kind (NULL when the
  // row does not carry that kind), kept when its session converts later.
  const columns = SOURCES.map((src, i) => sql`(CASE WHEN ${src.has(env, d)} THEN ${src.value(d)} END) AS ${raw(`s${i}`)}`);
  const anySource = sql`(${join(SOURCES.map((src) => sql`(${src.has(env, d)})`), ' OR ')})`;
  const touches = sql`SELECT session_id, created_at AS t, ${join(columns)} FROM website_event
    WHERE ${and([scopeRange(s, env), TRAFFIC_TYPES, anySource])}`;
  const per = SOURCES.map((src, i) => {
    const col = raw(`s${i}`);
    const pick = model === 'first' ? d.argMin(col, raw('t')) : d.argMax(col, raw('t'));
    return sql`SELECT * FROM (SELECT ${int(i)} AS src, v AS name, count(*) AS value
      FROM (SELECT session_id, ${pick} AS v FROM touched WHERE ${col} IS NOT NULL GROUP BY session_id) c
      GROUP BY v ORDER BY value DESC, name LIMIT 20) ${raw(`q${i}`)}`;
  });
  const rows = await env.engine.rows(sql`
    WITH conv AS (${conversions}),
    touched AS (SELECT x.* FROM (${touches}) x JOIN conv ON x.session_id = conv.session_id WHERE x.t <= conv.ct)
    ${join(per, ' UNION ALL ')}`);

  const out: Record<string, unknown> = {};
  SOURCES.forEach((src, i) => {
    out[src.key] = rows
      .filter((r) => num(r.src) === i)
      .sort((a, b) => num(b.value) - num(a.value) || (String(a.name) < String(b.name) ? -1 : 1))
      .map((r) => ({ name: String(r.name), value: num(r.value) }));
  });

  // Totals of the conversion step, from the shared metric definitions.
  const first = step.kind === 'event' ? 'events' : 'pageviews';
  const result = await env.engine.run(
    scopeQuery(s, { rows: step.kind === 'event' ? 'custom' : 'traffic', metrics: [first, 'visitors', 'visits'], filter: andFilters(s.filter, stepFilter(step)) }),
  );
  const t = result.rows[0]?.values ?? {};
  out.total = { pageviews: t[first] ?? 0, visitors: t.visitors ?? 0, visits: t.visits ?? 0 };
  return out;
}

export const attribution: ReportDef = { validate: parseAttribution, savedFields: ['model', 'steps'], run };
