// Retention on the rollups (traffic-maintenance.ts) without rebuilding them: once a website's raw rows created
// before a slot boundary C are deleted, its rollups are cut at C in the same transaction. Rows of
// whole slots before C go; visits and page visits that straddle C are rolled up again from their
// remaining rows; pointers into the deleted past become NULL (forward ones never point there), as a rebuild would make them (a
// partition's previous row was deleted only if every earlier one was too), and the pointers of the
// sessions that lost or changed visits are recomputed. The cost is that of the rows before C and
// of the sessions around C, not of the website's whole history. Run after refreshStatements (so
// no pending row of the website is left to merge twice) and after the raw deletes.
import { raw, renderNumbered, sql } from '../sql.js';
import { sqlTimestamp } from '../../lib/timestamp.js';
import { CLICK_ID_FLAG } from '../../store/sql/columns.js';
import { pageVisits, PAGE_POINTER } from './page-visit-maintenance.js';
import { CHANNEL_POINTER, POINTER_COLUMNS, SLOT_MS, slotOf, spanStatements, TRAFFIC, visitRows } from './traffic-maintenance.js';
import type { Statement } from '../../store/types.js';

/** Whether the rollups can be cut at this instant (a slot boundary). */
export const trimmable = (cutoff: Date) => cutoff.getTime() % SLOT_MS === 0;

export function trimStatements(websiteId: string, cutoff: Date): Statement[] {
  const site = sql`website_id = CAST(${websiteId} AS UUID)`;
  const c = sql`CAST(${sqlTimestamp(cutoff)} AS TIMESTAMP)`;
  const slot = String(cutoff.getTime() / SLOT_MS);
  const cs = raw(slot);
  const remaining = (cond: string) => sql`website_event WHERE ${raw(TRAFFIC)} AND ${site} AND ${raw(cond)}`;
  return [
    sql`CREATE OR REPLACE TEMP TABLE trim_visit AS SELECT visit_id, session_id, t1 >= ${c} AS spans FROM visit_rollup WHERE ${site} AND t0 < ${c}`,
    sql`CREATE OR REPLACE TEMP TABLE trim_page AS SELECT visit_id, url_path, session_id, t1 >= ${c} AS spans FROM page_visit WHERE ${site} AND t0 < ${c}`,
    sql`DELETE FROM slot_count WHERE ${site} AND slot < ${cs}`,
    sql`DELETE FROM session_slot WHERE ${site} AND slot < ${cs}`,
    sql`UPDATE session_slot SET ${raw(POINTER_COLUMNS.map((p) => `${p} = CASE WHEN ${p} < ${slot} THEN NULL ELSE ${p} END`).join(', '))}
      WHERE ${site} AND (${raw(POINTER_COLUMNS.map((p) => `${p} < ${slot}`).join(' OR '))})`,
    sql`DELETE FROM visit_rollup WHERE ${site} AND t0 < ${c}`,
    sql`INSERT INTO visit_rollup BY NAME SELECT *, NULL AS prev_channel_t0
      FROM (${visitRows(remaining('visit_id IN (SELECT visit_id FROM trim_visit WHERE spans)'), CLICK_ID_FLAG)}) v`,
    sql`UPDATE visit_rollup SET prev_channel_t0 = x.p
      FROM (SELECT rowid AS row, prev_channel_t0 AS old, ${raw(CHANNEL_POINTER)} AS p
            FROM visit_rollup WHERE ${site} AND session_id IN (SELECT session_id FROM trim_visit)) x
      WHERE visit_rollup.rowid = x.row AND x.p IS DISTINCT FROM x.old`,
    // Spans are per first slot: those before C are gone; those the straddling visits moved into are recounted.
    sql`CREATE OR REPLACE TEMP TABLE trim_span AS SELECT DISTINCT ${raw(slotOf('t0'))} AS slot0
      FROM visit_rollup WHERE ${site} AND visit_id IN (SELECT visit_id FROM trim_visit WHERE spans)`,
    ...spanStatements(
      (table) => sql`DELETE FROM ${raw(table)} WHERE ${site} AND (slot0 < ${cs} OR slot0 IN (SELECT slot0 FROM trim_span))`,
      sql`${site} AND ${raw(slotOf('t0'))} IN (SELECT slot0 FROM trim_span)`,
    ),
    sql`DELETE FROM page_visit WHERE ${site} AND t0 < ${c}`,
    sql`INSERT INTO page_visit SELECT website_id, visit_id, url_path, session_id, t0, t1, c, NULL
      FROM (${pageVisits(remaining('EXISTS (SELECT 1 FROM trim_page p WHERE p.spans AND p.visit_id = website_event.visit_id AND p.url_path = website_event.url_path)'))}) t`,
    sql`UPDATE page_visit SET prev_t0 = x.prev_t0
      FROM (SELECT row, old, ${raw(PAGE_POINTER)} AS prev_t0
            FROM (SELECT rowid AS row, prev_t0 AS old, * FROM page_visit WHERE ${site} AND session_id IN (SELECT session_id FROM trim_page)) t) x
      WHERE page_visit.rowid = x.row AND x.prev_t0 IS DISTINCT FROM x.old`,
    raw('DROP TABLE trim_visit'),
    raw('DROP TABLE trim_page'),
    raw('DROP TABLE trim_span'),
  ].map(renderNumbered);
}
