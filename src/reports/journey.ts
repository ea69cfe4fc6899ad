// Journey: the paths visitors take within one visit. Each visit becomes the sequence of its
// pageviews (by path) and custom events (by name) in time order, with a step repeated right after
// itself collapsed into one (a reload is not a step; leaving a page and coming back is). With
// `startStep`, a sequence starts at the visit's first occurrence of it; with `endStep`, only
// sequences that reach it within `steps` steps count, cut after it. The first `steps` items of
// each sequence are grouped, and the 100 most frequent paths are returned as [{items, count}].

import { z } from 'zod';
import { compileFilter } from '../query/filters.js';
import { sequenceSql } from '../query/dialects/sequences.js';
import { raw, sql } from '../query/sql.js';
import { and, num, scopeRange, type ReportDef, type ReportEnv } from './report.js';
import { fail, parseFields } from './report-input.js';

const optionalStep = z.string().trim().max(500).nullish().transform((v) => (v ? v : undefined));

const schema = z.object({
  steps: z.coerce.number('must be a number from 3 to 7').int('must be a whole number from 3 to 7'),
  startStep: optionalStep,
  endStep: optionalStep,
});

export function parseJourney(fields: Record<string, unknown>) {
  if (fields.steps === undefined || fields.steps === null || fields.steps === '') fail('steps', 'required: a number from 3 to 7');
  const f = parseFields(schema, fields);
  if (f.steps < 3 || f.steps > 7) fail('steps', 'must be from 3 to 7');
  return f;
}

async function run(env: ReportEnv) {
  const { steps, startStep, endStep } = parseJourney(env.fields);
  const s = env.scope;
  const d = env.engine.dialect;
  const q = { websiteId: s.website.id, range: s.range, rows: 'all' as const };
  const step = raw('(CASE WHEN event_type = 2 THEN event_name ELSE url_path END)');
  const where = and([scopeRange(s, env), raw('event_type IN (1, 2)'), sql`${step} IS NOT NULL`, compileFilter(s.filter, q, d)]);
  const start = startStep === undefined ? undefined : d.text(startStep);
  const end = endStep === undefined ? undefined : d.text(endStep);

  // A visit without endStep, or without startStep, has no path: leave it out before building
  // sequences (endStep first: usually the rarer one, and the second test then runs on fewer rows).
  const tests = [end, start].filter((v) => v !== undefined);
  const name = (i: number) => raw(i === tests.length ? 'ev' : `ev${i}`);
  let cte = sql`${name(0)} AS (SELECT visit_id, created_at, ${step} AS v FROM website_event WHERE ${where})`;
  tests.forEach((value, i) => {
    cte = sql`${cte},
    ${name(i + 1)} AS (SELECT visit_id, created_at, v FROM ${name(i)} WHERE visit_id IN (SELECT visit_id FROM ${name(i)} WHERE v = ${value}))`;
  });
  // The first statement that fits answers (see SequenceSql.paths).
  for (const rest of sequenceSql(d).paths({ startMs: s.range.start.getTime(), steps, start, end })) {
    const rows = await env.engine.rows(sql`WITH ${cte},${rest}`);
    if (rows.some((r) => r.fits === false)) continue;
    return rows.filter((r) => r.items !== null && r.items !== undefined).map((r) => ({ items: (r.items as unknown[]).map(String), count: num(r.n) }));
  }
  throw new Error('journey: no statement fits');
}

export const journey: ReportDef = { validate: parseJourney, savedFields: ['steps'], run };
