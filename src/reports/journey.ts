// Journey: the paths visitors take within one visit. Each visit becomes the sequence of its
// pageviews (by path) and custom events (by name) in time order, with a step repeated right after
// itself collapsed into one (a reload is not a step; leaving a page and coming back is). With
// `startStep`, a sequence starts at the visit's first occurrence of it; with `endStep`, only
// sequences that reach it within `steps` steps count, cut after it. The first `steps` items of
// each sequence are grouped, and the 100 most frequent paths are returned as [{items, count}].

import { z } from 'zod';
import { compileFilter } from '../query/filters.js';
import { int, join, raw, sql } from '../query/sql.js';
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
  const q = { websiteId: s.website.id, range: s.range, rows: 'all' as const };
  const where = and([scopeRange(s, env), raw('event_type IN (1, 2)'), compileFilter(s.filter, q, d)]);

  // Ties in time are broken by value, so results do not depend on storage order.
  const order = raw('ORDER BY created_at, v');
  let numbered = sql`
    ev AS (SELECT visit_id, created_at, (CASE WHEN event_type = 2 THEN event_name ELSE url_path END) AS v FROM website_event WHERE ${where}),
    marked AS (SELECT visit_id, created_at, v, lag(v) OVER (PARTITION BY visit_id ${order}) AS pv FROM ev),
    seq AS (SELECT visit_id, v, row_number() OVER (PARTITION BY visit_id ${order}) AS n FROM marked WHERE pv IS NULL OR pv <> v)`;
  let source = raw('seq');
  if (startStep) {
    numbered = sql`${numbered},
      starts AS (SELECT visit_id, min(n) AS s0 FROM seq WHERE v = ${d.text(startStep)} GROUP BY visit_id),
      fromstart AS (SELECT seq.visit_id, seq.v, seq.n - starts.s0 + 1 AS n FROM seq JOIN starts ON seq.visit_id = starts.visit_id WHERE seq.n >= starts.s0)`;
    source = raw('fromstart');
  }
  if (endStep) {
    numbered = sql`${numbered},
      ends AS (SELECT visit_id, min(n) AS e0 FROM ${source} WHERE v = ${d.text(endStep)} AND n <= ${int(steps)} GROUP BY visit_id),
      toend AS (SELECT x.visit_id, x.v, x.n FROM ${source} x JOIN ends ON x.visit_id = ends.visit_id WHERE x.n <= ends.e0)`;
    source = raw('toend');
  }
  const cols = Array.from({ length: steps }, (_, i) => raw(`e${i + 1}`));
  const pivot = cols.map((c, i) => sql`max(CASE WHEN n = ${int(i + 1)} THEN v END) AS ${c}`);
  const rows = await env.engine.rows(sql`WITH ${numbered},
    paths AS (SELECT visit_id, ${join(pivot)} FROM ${source} WHERE n <= ${int(steps)} GROUP BY visit_id)
    SELECT ${join(cols)}, count(*) AS count FROM paths GROUP BY ${join(cols)}
    ORDER BY count DESC, ${join(cols.map((c) => sql`${c} NULLS FIRST`))} LIMIT 100`);

  return rows.map((r) => {
    const items: string[] = [];
    for (let i = 1; i <= steps; i++) {
      const v = r[`e${i}`];
      if (v === null || v === undefined) break;
      items.push(String(v));
    }
    return { items, count: num(r.count) };
  });
}

export const journey: ReportDef = { validate: parseJourney, run };
