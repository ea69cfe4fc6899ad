// Funnel: of the sessions that did step 1, how many went on to step 2 within `window` minutes,
// then step 3 within `window` minutes of that, and so on. Level k holds every (session, time) at
// which step k was reached through a valid chain, so a later step-1 hit can still start a chain
// that an earlier one could not. Counts are distinct sessions per level; the scope's filters
// choose the sessions that enter (level 1), as Umami does. An event step may also require event
// data (newer Umami's step `filters`: [{property, operator eq|neq|c|dnc, value}]): the event
// counts only if it carries every listed property with a matching value.

import { z } from 'zod';
import { compileFilter, inRange } from '../query/filters.js';
import { valueText } from '../query/properties.js';
import { int, join, raw, sql, type Sql } from '../query/sql.js';
import { and, num, scopeRange, type ReportDef, type ReportEnv } from './report.js';
import { fail, parseFields } from './report-input.js';
import { stepCondition, stepSchema, toStep, type Step } from './steps.js';

const MAX_STEPS = 8;

const DATA_OPERATORS: Record<string, DataOperator> = {
  eq: 'eq', equals: 'eq', neq: 'neq', notEquals: 'neq', c: 'c', contains: 'c', dnc: 'dnc', doesNotContain: 'dnc',
};

type DataOperator = 'eq' | 'neq' | 'c' | 'dnc';

/** One event-data condition of a step. */
export interface DataFilter {
  property: string;
  operator: DataOperator;
  value: string;
}

const dataFilterSchema = z.object({
  property: z.string().trim().min(1, 'required').max(500),
  operator: z.string().refine((o) => Object.hasOwn(DATA_OPERATORS, o), { message: 'must be one of eq, neq, c, dnc' }),
  value: z.union([z.string().max(500), z.number(), z.boolean()]),
});

const funnelStepSchema = stepSchema.extend({ filters: z.array(dataFilterSchema).max(10).nullish() });

export interface FunnelStep extends Step {
  readonly filters?: DataFilter[];
  /** The step's filters as the caller sent them, echoed in the result as Umami does. */
  readonly given?: unknown[];
}

const schema = z.object({
  steps: z.array(z.unknown(), 'required: an array of {type, value}'),
  window: z.coerce.number('must be a number of minutes'),
});

export interface FunnelInput {
  steps: FunnelStep[];
  windowMinutes: number;
}

export function parseFunnel(fields: Record<string, unknown>): FunnelInput {
  if (fields.steps === undefined) fail('steps', 'required: an array of at least 2 {type, value}');
  if (fields.window === undefined || fields.window === null || fields.window === '') fail('window', 'required: minutes, more than 0');
  const f = parseFields(schema, fields);
  if (f.steps.length < 2) fail('steps', 'a funnel needs at least 2 steps');
  if (f.steps.length > MAX_STEPS) fail('steps', `at most ${MAX_STEPS} steps`);
  const steps = f.steps.map((s, i): FunnelStep => {
    const r = funnelStepSchema.safeParse(s);
    if (!r.success) {
      const issue = r.error.issues[0];
      const sub = issue.path.length ? `.${issue.path.join('.')}` : '';
      if (sub === '.type') fail(`steps.${i}.type`, `unknown step type '${String((s as Record<string, unknown>)?.type)}' (use url, path or event)`);
      return fail(`steps.${i}${sub}`, issue.message);
    }
    const step = toStep(r.data);
    if (!r.data.filters) return step;
    if (r.data.filters.length > 0 && step.kind !== 'event') fail(`steps.${i}.filters`, 'event data filters apply to event steps only');
    const filters = r.data.filters.map((x) => ({ property: x.property, operator: DATA_OPERATORS[x.operator], value: String(x.value) }));
    return { ...step, filters, given: r.data.filters };
  });
  if (!(f.window > 0)) fail('window', 'must be more than 0 minutes');
  if (f.window > 60 * 24 * 366) fail('window', 'must be at most a year');
  return { steps, windowMinutes: f.window };
}

async function run(env: ReportEnv) {
  const { steps, windowMinutes } = parseFunnel(env.fields);
  const s = env.scope;
  const d = env.engine.dialect;
  const q = { websiteId: s.website.id, range: s.range };
  const windowSeconds = Math.round(windowMinutes * 60);

  // The rows of a step: its kind and value, and its event data conditions.
  const matches = (step: FunnelStep) => and([stepCondition(step, q, d), ...(step.filters ?? []).map((f) => dataCondition(env, f))]);
  const levels: Sql[] = steps.map((step, i) => {
    const name = raw(`l${i + 1}`);
    const rows = sql`SELECT session_id, created_at FROM website_event WHERE ${and([scopeRange(s, env), matches(step)])}`;
    if (i === 0) {
      const filtered = sql`SELECT DISTINCT session_id, created_at AS t FROM website_event
        WHERE ${and([scopeRange(s, env), matches(step), compileFilter(s.filter, { ...q, rows: 'all' }, d)])}`;
      return sql`${name} AS (${filtered})`;
    }
    const prev = raw(`l${i}`);
    return sql`${name} AS (SELECT DISTINCT e.session_id, e.created_at AS t
      FROM (${rows}) e JOIN ${prev} p ON e.session_id = p.session_id
      WHERE e.created_at >= p.t AND ${d.secondsBetween(raw('p.t'), raw('e.created_at'))} <= ${int(windowSeconds)})`;
  });
  const counts = steps.map((_, i) => sql`SELECT ${int(i + 1)} AS level, ${d.countDistinct(raw('session_id'))} AS n FROM ${raw(`l${i + 1}`)}`);
  const rows = await env.engine.rows(sql`WITH ${join(levels)} ${join(counts, ' UNION ALL ')}`);
  const byLevel = new Map(rows.map((r) => [num(r.level), num(r.n)]));

  const first = byLevel.get(1) ?? 0;
  return steps.map((step, i) => {
    const visitors = byLevel.get(i + 1) ?? 0;
    const previous = i === 0 ? 0 : (byLevel.get(i) ?? 0);
    return {
      type: step.type,
      value: step.value,
      ...(step.given ? { filters: step.given } : {}),
      visitors,
      previous,
      dropped: i === 0 ? 0 : previous - visitors,
      dropoff: i === 0 || previous === 0 ? null : 1 - visitors / previous,
      remaining: first === 0 ? 0 : visitors / first,
    };
  });
}

/** The event carries `f.property` with a value matching `f` (event data shares its event's created_at). */
function dataCondition(env: ReportEnv, f: DataFilter): Sql {
  const d = env.engine.dialect;
  const s = env.scope;
  const value = valueText(env.engine);
  const test: Record<DataOperator, Sql> = {
    eq: sql`${value} = ${d.text(f.value)}`,
    neq: sql`${value} <> ${d.text(f.value)}`,
    c: d.containsCi(value, f.value),
    dnc: sql`NOT ${d.containsCi(value, f.value)}`,
  };
  return sql`event_id IN (SELECT event_id FROM event_data
    WHERE ${inRange({ websiteId: s.website.id, range: s.range }, d)} AND data_key = ${d.text(f.property)} AND ${test[f.operator]})`;
}

export const funnel: ReportDef = { validate: parseFunnel, savedFields: ['steps', 'window'], run };
