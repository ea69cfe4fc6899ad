// Journey: the paths visitors take within one visit. Each visit becomes the sequence of its
// pageviews (by path) and custom events (by name) in time order, with a step repeated right after
// itself collapsed into one (a reload is not a step; leaving a page and coming back is). With
// `startStep`, a sequence starts at the visit's first occurrence of it; with `endStep`, only
// sequences that reach it within `steps` steps count, cut after it. The first `steps` items of
// each sequence are grouped, and the 100 most frequent paths are returned as [{items, count}].

import { z } from 'zod';
import { compileFilter } from '../query/filters.js';
import { sequenceSql } from '../query/dialects/lists.js';
import { int, raw, sql } from '../query/sql.js';
import { and, num, scopeRange, type ReportDef, type ReportEnv } from './report.js';
import { fail, parseFields } from './scope.js';

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
  const seq = sequenceSql(d);
  const q = { websiteId: s.website.id, range: s.range, rows: 'all' as const };
  const step = raw('(CASE WHEN event_type = 2 THEN event_name ELSE url_path END)');
  const where = and([scopeRange(s, env), raw('event_type IN (1, 2)'), sql`${step} IS NOT NULL`, compileFilter(s.filter, q, d)]);
  const n = int(steps);
  const c = raw('c');

  // One pass: each visit becomes one list (s0), cut below by startStep and endStep.
  let cte = sql`
    ev AS (SELECT visit_id, created_at, ${step} AS v FROM website_event WHERE ${where}),${seq.lists(s.range.start.getTime())}`;
  let source = 's0';
  if (startStep) {
    // From the visit's first occurrence of startStep.
    cte = sql`${cte},
      s1 AS (SELECT c, ${seq.position(c, seq.token(d.text(startStep)))} AS p FROM ${raw(source)}),
      s2 AS (SELECT ${seq.slice(c, raw('p'))} AS c FROM s1 WHERE p > 0)`;
    source = 's2';
  }
  if (endStep) {
    // Only sequences reaching endStep within `steps` steps, cut after it.
    cte = sql`${cte},
      e1 AS (SELECT c, ${seq.position(seq.slice(c, int(1), n), seq.token(d.text(endStep)))} AS p FROM ${raw(source)}),
      e2 AS (SELECT ${seq.slice(c, int(1), raw('p'))} AS c FROM e1 WHERE p > 0)`;
    source = 'e2';
  }
  // Paths compare as lists, element by element and a prefix first: in the values' order.
  const rows = await env.engine.rows(sql`WITH ${cte},
    top AS (SELECT p, count(*) AS n FROM (SELECT ${seq.slice(c, int(1), n)} AS p FROM ${raw(source)}) x GROUP BY p ORDER BY n DESC, p LIMIT 100)
    SELECT ${seq.values.expr(raw('p'))} AS items, n FROM top ${seq.values.from} ORDER BY n DESC, p`);

  return rows.map((r) => ({ items: (r.items as unknown[]).map(String), count: num(r.n) }));
}

export const journey: ReportDef = { validate: parseJourney, run };
