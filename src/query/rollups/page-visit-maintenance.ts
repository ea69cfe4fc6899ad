// page_visit: one row per website, visit and path of its traffic rows (event types 1, 3, 4): the
// visit's session, the first and last of those rows (t0, t1) and their count (c), i.e. exactly the
// (path, visit) groups the query compiler builds for per-path visit metrics. prev_t0 points to
// t0 of the session's previous row with the same path (ordered by t0, then visit): over a range,
// a session counts once per path by its first row there, the one whose pointer is before the range.
// src/query/rollups/page-visit.ts reads it; traffic-maintenance.ts runs these statements with the other rollups'.

import { raw, renderNumbered, sql, type Sql } from '../sql.js';
import { differs, replaceRows } from './changed-rows.js';

export const PAGE_POINTER = 'lag(t0) OVER (PARTITION BY website_id, session_id, url_path ORDER BY t0, visit_id)';

/** One row per website, visit and path of a relation of traffic rows, without the pointer. */
export const pageVisits = (from: Sql) =>
  sql`SELECT website_id, visit_id, url_path, any_value(session_id) AS session_id, min(created_at) AS t0, max(created_at) AS t1, count(*) AS c
    FROM ${from} GROUP BY website_id, visit_id, url_path`;

const PAGE_VISIT_COLUMNS = ['website_id', 'visit_id', 'url_path', 'session_id', 't0', 't1', 'c', 'prev_t0'];

/**
 * Merge rollup_pending into page_visit (before rollup_pending is emptied, in the same transaction):
 * the touched sessions' rows are rolled up again with the pending ones, since a row that starts
 * earlier (late hits) changes the pointers of the session's later rows, and only the rows that
 * changed are replaced (changed-rows.ts: by row id, no second scan of page_visit).
 */
export const pageVisitRefresh: readonly string[] = [
  'CREATE OR REPLACE TEMP TABLE page_old AS SELECT rowid AS row, * FROM page_visit WHERE session_id IN (SELECT session_id FROM rollup_pending)',
  `CREATE OR REPLACE TEMP TABLE page_changed AS SELECT n.*, o.row FROM (
      SELECT *, ${PAGE_POINTER} AS prev_t0 FROM (
        SELECT website_id, visit_id, url_path, any_value(session_id) AS session_id, min(t0) AS t0, max(t1) AS t1, sum(c) AS c
        FROM (SELECT website_id, visit_id, url_path, session_id, t0, t1, c FROM page_old
          UNION ALL ${renderNumbered(pageVisits(raw('rollup_pending'))).text}) t GROUP BY website_id, visit_id, url_path) t) n
    LEFT JOIN page_old o ON n.website_id = o.website_id AND n.visit_id = o.visit_id AND n.url_path IS NOT DISTINCT FROM o.url_path
    WHERE ${differs(PAGE_VISIT_COLUMNS)}`,
  ...replaceRows('page_visit', 'page_changed', 't0'),
  'DROP TABLE page_old',
  'DROP TABLE page_changed',
];

/** Roll up `from` (traffic rows of website_event, of one website or all) into page_visit. */
export const pageVisitBuild = (from: Sql) =>
  sql`INSERT INTO page_visit SELECT website_id, visit_id, url_path, session_id, t0, t1, c, ${raw(PAGE_POINTER)} AS prev_t0 FROM (${pageVisits(from)}) t ORDER BY t0`;
