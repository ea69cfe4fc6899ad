// The rollups (traffic-maintenance.ts) after a purge, without rebuilding the website's: every rollup row is a
// function of one session (session_slot, and the pointers of visit_rollup and page_visit), one
// visit (visit_rollup, page_visit), one slot (slot_count) or one first slot (visit_span, visit_attribute_span), so the
// rows of the sessions, visits and slots the deleted rows belonged to are rolled up again from
// what remains. The cost is that of the rows touched, not of the website's whole history.
// Run in the purge's transaction: after refreshStatements (no pending row is merged twice), with
// the temp table `purged` (session_id, visit_id, created_at of the deleted traffic rows) filled
// before the deletes, and after them.
import { raw, renderNumbered, sql } from '../sql.js';
import { CLICK_ID_FLAG } from '../../store/sql/columns.js';
import { pageVisits, PAGE_POINTER } from './page-visit-maintenance.js';
import { CHANNEL_POINTER, pageCounts, sessionSlots, slotInserts, slotOf, spanStatements, TRAFFIC, visitRows } from './traffic-maintenance.js';
import type { Statement } from '../../store/types.js';

export const PURGED = 'purged';

export function patchStatements(websiteId: string): Statement[] {
  const site = sql`website_id = CAST(${websiteId} AS UUID)`;
  const rows = (cond: string) => sql`website_event WHERE ${raw(TRAFFIC)} AND ${site} AND ${raw(cond)}`;
  const ofSessions = 'session_id IN (SELECT session_id FROM patch_session)';
  const ofVisits = 'visit_id IN (SELECT visit_id FROM patch_visit)';
  return [
    raw(`CREATE OR REPLACE TEMP TABLE patch_session AS SELECT DISTINCT session_id FROM ${PURGED}`),
    raw(`CREATE OR REPLACE TEMP TABLE patch_visit AS SELECT DISTINCT visit_id FROM ${PURGED}`),
    raw(`CREATE OR REPLACE TEMP TABLE patch_slot AS SELECT DISTINCT ${slotOf('created_at')} AS slot FROM ${PURGED}`),
    // visit_span rows of the touched visits' first slots, before and after.
    sql`CREATE OR REPLACE TEMP TABLE patch_span AS SELECT DISTINCT ${raw(slotOf('t0'))} AS slot0 FROM visit_rollup WHERE ${site} AND ${raw(ofVisits)}`,
    sql`DELETE FROM slot_count WHERE ${site} AND slot IN (SELECT slot FROM patch_slot)`,
    sql`INSERT INTO slot_count ${pageCounts(rows(`${slotOf('created_at')} IN (SELECT slot FROM patch_slot)`))}`,
    sql`DELETE FROM session_slot WHERE ${site} AND ${raw(ofSessions)}`,
    ...slotInserts(sessionSlots(rows(ofSessions)), 'slot'),
    sql`DELETE FROM visit_rollup WHERE ${site} AND ${raw(ofVisits)}`,
    sql`INSERT INTO visit_rollup BY NAME SELECT *, NULL AS prev_channel_t0 FROM (${visitRows(rows(ofVisits), CLICK_ID_FLAG)}) v`,
    sql`UPDATE visit_rollup SET prev_channel_t0 = x.p
      FROM (SELECT rowid AS row, prev_channel_t0 AS old, ${raw(CHANNEL_POINTER)} AS p FROM visit_rollup WHERE ${site} AND ${raw(ofSessions)}) x
      WHERE visit_rollup.rowid = x.row AND x.p IS DISTINCT FROM x.old`,
    sql`INSERT INTO patch_span SELECT DISTINCT ${raw(slotOf('t0'))} FROM visit_rollup WHERE ${site} AND ${raw(ofVisits)}`,
    ...spanStatements((table) => sql`DELETE FROM ${raw(table)} WHERE ${site} AND slot0 IN (SELECT slot0 FROM patch_span)`, sql`${site} AND ${raw(slotOf('t0'))} IN (SELECT slot0 FROM patch_span)`),
    sql`DELETE FROM page_visit WHERE ${site} AND ${raw(ofVisits)}`,
    sql`INSERT INTO page_visit SELECT website_id, visit_id, url_path, session_id, t0, t1, c, NULL FROM (${pageVisits(rows(ofVisits))}) t`,
    sql`UPDATE page_visit SET prev_t0 = x.prev_t0
      FROM (SELECT row, old, ${raw(PAGE_POINTER)} AS prev_t0
            FROM (SELECT rowid AS row, prev_t0 AS old, * FROM page_visit WHERE ${site} AND ${raw(ofSessions)}) t) x
      WHERE page_visit.rowid = x.row AND x.prev_t0 IS DISTINCT FROM x.old`,
    ...['patch_session', 'patch_visit', 'patch_slot', 'patch_span', PURGED].map((t) => raw(`DROP TABLE ${t}`)),
  ].map(renderNumbered);
}
