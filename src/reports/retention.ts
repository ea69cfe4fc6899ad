// Retention: each session's cohort is the first day (in the report's time zone) it is seen in the
// range; for every later day it is seen again, it counts as returning on day N = days since its
// cohort day. Answers days 0 to 31 for each cohort, as [{date, day, visitors, returnVisitors,
// percentage}] where `date` is the instant the cohort day starts in the zone.

import { compileFilter } from '../query/filters.js';
import { localCreatedAt } from '../query/compile.js';
import { int, sql } from '../query/sql.js';
import { offsetMinutes } from '../query/time.js';
import { and, num, scopeRange, type ReportDef, type ReportEnv } from './report.js';
import { wallClockToInstant } from './local-time.js';

const MAX_DAY = 31;

async function run(env: ReportEnv) {
  const s = env.scope;
  const d = env.engine.dialect;
  const q = { websiteId: s.website.id, range: s.range, rows: 'all' as const };
  // Day index of each row: whole days from the local midnight that starts the range, computed
  // with integer arithmetic on the local wall-clock time (no per-row text labels).
  const startWall = s.range.start.getTime() + offsetMinutes(s.timeZone, s.range.start.getTime()) * 60_000;
  const anchor = new Date(Math.floor(startWall / 86_400_000) * 86_400_000);
  const local = localCreatedAt({ timeZone: s.timeZone, range: s.range }, d);
  const dayIndex = sql`CAST(floor(${d.secondsBetween(d.timestamp(anchor), local)} / 86400) AS INTEGER)`;
  const where = and([scopeRange(s, env), compileFilter(s.filter, q, d)]);
  // One row per (session, local day seen); the cohort is the smallest day of each session.
  const rows = await env.engine.rows(sql`
    WITH days AS (SELECT session_id, ${dayIndex} AS dy FROM website_event WHERE ${where} GROUP BY 1, 2),
    cohorts AS (SELECT session_id, min(dy) AS cohort FROM days GROUP BY 1)
    SELECT c.cohort, x.dy - c.cohort AS n, count(*) AS visitors
    FROM days x JOIN cohorts c ON x.session_id = c.session_id
    WHERE x.dy - c.cohort <= ${int(MAX_DAY)}
    GROUP BY 1, 2 ORDER BY 1, 2`);

  const size = new Map<number, number>();
  for (const r of rows) if (num(r.n) === 0) size.set(num(r.cohort), num(r.visitors));
  return rows.map((r) => {
    const cohort = num(r.cohort);
    const visitors = size.get(cohort) ?? 0;
    const returnVisitors = num(r.visitors);
    const label = new Date(anchor.getTime() + cohort * 86_400_000).toISOString();
    return {
      date: wallClockToInstant(label, s.timeZone).toISOString(),
      day: num(r.n),
      visitors,
      returnVisitors,
      percentage: visitors === 0 ? 0 : (returnVisitors / visitors) * 100,
    };
  });
}

export const retention: ReportDef = { validate: () => undefined, run };
