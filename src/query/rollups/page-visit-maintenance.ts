// page_visit: one row per website, visit and path of its traffic rows (event types 1, 3, 4): the
// visit's session, the first and last of those rows (t0, t1) and their count (c), i.e. exactly the
// (path, visit) groups the query compiler builds for per-path visit metrics. prev_t0 points to
// t0 of the session's previous row with the same path (ordered by t0, then visit): over a range,
// a session counts once per path by its first row there, the one whose pointer is before the range.
// src/query/rollups/page-visit.ts reads it; traffic-maintenance.ts runs these statements with the other rollups'.

import { raw, renderNumbered, sql, type Sql } from '../sql.js';

export const PAGE_POINTER = 'lag(t0) OVER (PARTITION BY website_id, session_id, url_path ORDER BY t0, visit_id)';

/** One row per website, visit and path of a relation of traffic rows, without the pointer. */
export const pageVisits = (from: Sql) =>
  sql`SELECT website_id, visit_id, url_path, any_value(session_id) AS session_id, min(created_at) AS t0, max(created_at) AS t1, count(*) AS c
    FROM ${from} GROUP BY website_id, visit_id, url_path`;

/** Merge rollup_pending into page_visit (before rollup_pending is emptied, in the same transaction). */
export const pageVisitRefresh: readonly string[] = [
  `MERGE INTO page_visit v
    USING (${renderNumbered(pageVisits(raw('rollup_pending'))).text}) p
    ON (v.visit_id = p.visit_id AND v.website_id = p.website_id AND v.url_path IS NOT DISTINCT FROM p.url_path)
    WHEN MATCHED THEN UPDATE SET t0 = least(v.t0, p.t0), t1 = greatest(v.t1, p.t1), c = v.c + p.c
    WHEN NOT MATCHED THEN INSERT (website_id, visit_id, url_path, session_id, t0, t1, c) VALUES (p.website_id, p.visit_id, p.url_path, p.session_id, p.t0, p.t1, p.c)`,
  // New rows need pointers, and a row that starts earlier (late hits) changes the pointers of the
  // session's later rows: recompute them for every session touched.
  `UPDATE page_visit SET prev_t0 = x.prev_t0
    FROM (SELECT row, old, ${PAGE_POINTER} AS prev_t0
          FROM (SELECT rowid AS row, prev_t0 AS old, * FROM page_visit WHERE session_id IN (SELECT session_id FROM rollup_pending)) t) x
    WHERE page_visit.rowid = x.row AND x.prev_t0 IS DISTINCT FROM x.old`,
];

/** Roll up `from` (traffic rows of website_event, of one website or all) into page_visit. */
export const pageVisitBuild = (from: Sql) =>
  sql`INSERT INTO page_visit SELECT website_id, visit_id, url_path, session_id, t0, t1, c, ${raw(PAGE_POINTER)} AS prev_t0 FROM (${pageVisits(from)}) t ORDER BY t0`;
