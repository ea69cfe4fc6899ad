// Declared sources over session_slot and slot_count (schema and upkeep: traffic-maintenance.ts).
// session_slot: one row per session, 15-minute slot and set of session attributes, with its page
// views and pointers to the session's previous slot (prev_slot) and previous slot with the same
// attribute value (prev_<attribute>). Over a window of whole slots a session counts once, on the
// row whose pointer falls before the window.

import { raw, sql, type Sql } from '../sql.js';
import type { Source } from '../sources.js';

export type SlotMetric = 'pageviews' | 'visitors' | 'countries';

/** The window a session_slot aggregate counts over. */
export interface SlotWindow {
  /** The window's first slot: a session counts on its row whose pointer is before it. */
  readonly since: Sql;
  /** The pointer column: prev_slot, or prev_<attribute> when counting per attribute value. */
  readonly pointer: string;
  /** Weekday and hour cells are not one stretch of time: there, visitors are distinct sessions. */
  readonly cells: boolean;
}

export const sessionSlot: Source<SlotMetric, (w: SlotWindow) => Sql> = {
  table: 'session_slot',
  rows: 'traffic',
  formulas: {
    pageviews: () => raw('sum(c)'),
    // A sum over a CASE scans about a third faster here than count(*) FILTER (... IS NULL OR ...).
    visitors: (w) => (w.cells ? raw('count(DISTINCT session_id)') : sql`sum(CASE WHEN coalesce(${raw(w.pointer)}, -1) < ${w.since} THEN 1 ELSE 0 END)`),
    // Every country of a traffic row is on one of the session's slot rows.
    countries: () => raw('count(DISTINCT country)'),
  },
};

/** Page views per slot, page column and value (with the hostname for referrers). */
export const slotCount: Source<'pageviews', () => Sql> = {
  table: 'slot_count',
  rows: 'traffic',
  formulas: { pageviews: () => raw('sum(c)') },
};
