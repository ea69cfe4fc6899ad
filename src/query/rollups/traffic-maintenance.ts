// Rollups of page traffic (event types 1, 3, 4) that let the query engine answer totals and
// time series with sums instead of distinct counts over raw rows (src/query/rollups/traffic.ts reads them):
//
// - visit_rollup: one row per visit: its session, first and last traffic row and their paths
//   (entry and exit), row count, and its channel (classified from its first row by the query
//   layer's own definition), with a pointer to the session's previous visit in that channel, and
//   its session attributes (VISIT_ATTRIBUTES) with a flag for the rare visit in which they vary.
// - session_slot: one row per session, 15-minute slot with traffic and set of session attributes
//   (browser ... city: usually one set per session), its row count, the session's previous slot
//   with traffic (prev_slot) and, per attribute, the previous slot with the same value (prev_browser
//   ...; region and city go with the country), and the same forward (next_slot, next_browser ...).
//   A session is counted once in a window of whole slots by the one row whose pointer is outside
//   the window.
// - slot_count: page views per website, slot, page column (referrer, query, title, utm ...) and
//   value, with the hostname for referrers (self-referrals depend on it).
// - visit_span: visit_rollup summed per website and pair of first and last slot: visits, bounces
//   and time of the visits inside a range of whole slots without reading each visit, and how many
//   of them have varying attributes; visit_attribute_span: the same per session attribute value
//   (VISIT_ATTRIBUTES), of the visits whose attributes do not vary.
// - page_visit: one row per visit and path, with a pointer per session and path (page-visit-maintenance.ts).
//
// Loads append the traffic rows' keys to rollup_pending in the same transaction as the rows
// (exactly once, like the rows themselves), and refreshStatements merge them in. A reset rebuilds
// the website's rollups from its remaining rows; retention cuts them at a slot boundary
// (traffic-trim.ts) and a purge re-rolls the sessions, visits and slots it touched
// (traffic-patch.ts). Every rollup number is thus a function of website_event, which
// test/query/rollups.test.ts checks against the raw path and a rebuild.

import { duckdb } from '../dialects/duckdb.js';
import { channelExpr, dimension } from '../dimensions.js';
import { metric } from '../metrics.js';
import { VISIT_METRICS } from './visit-source.js';
import type { Statement } from '../../store/types.js';
import { join, raw, renderNumbered, sql, type Sql } from '../sql.js';
import { CLICK_ID_FLAG } from '../../store/sql/columns.js';
import { pageVisitBuild, pageVisitRefresh } from './page-visit-maintenance.js';
import { differs, replaceRows } from './changed-rows.js';

/** Slot width; every zone offset in use is a multiple of 15 minutes. */
export const SLOT_MS = 900_000;

export const TRAFFIC = 'event_type IN (1, 3, 4)';

/** Session attributes kept per session-slot, and the values each one's pointer follows. */
export const SLOT_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  browser: ['browser'],
  os: ['os'],
  device: ['device'],
  screen: ['screen'],
  language: ['language'],
  country: ['country'],
  region: ['region', 'country'],
  city: ['city', 'country'],
};
/** Page columns whose values slot_count counts. */
export const PAGE_COLUMNS: readonly string[] = [
  'referrer_domain', 'url_query', 'page_title', 'hostname', 'tag',
  'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term',
];
const ATTRS = Object.keys(SLOT_ATTRIBUTES);
/** The attributes whose pointer follows them alone: visit_rollup keeps them, for filtered totals. */
export const VISIT_ATTRIBUTES: readonly string[] = ATTRS.filter((a) => SLOT_ATTRIBUTES[a].join() === a);
/** A visit whose rows differ in any of them: more than one value, or a value and none. */
const MIXED = VISIT_ATTRIBUTES.map((a) => `count(DISTINCT ${a}) + CAST(count(${a}) < count(*) AS INTEGER) > 1`).join(' OR ');
export const KEY = ['website_id', 'session_id', 'slot', ...ATTRS];
/**
 * The pointers of session-slot rows, as window expressions: back (prev_) and forward (next_). A
 * session with several rows in one slot and value has them point at that slot, but for the first
 * (back) and the last (forward).
 */
// Ordered by every attribute after the slot, so that which of a slot's rows is first and last
// does not depend on the order rows were stored in (a bulk load and small batches agree).
const POINTER_ORDER = ['slot', ...ATTRS].join(', ');
export const POINTERS = ([['lag', 'prev'], ['lead', 'next']] as const)
  .flatMap(([fn, name]) => [
    `${fn}(slot) OVER (PARTITION BY website_id, session_id ORDER BY ${POINTER_ORDER}) AS ${name}_slot`,
    ...ATTRS.map((a) => `${fn}(slot) OVER (PARTITION BY website_id, session_id, ${SLOT_ATTRIBUTES[a].join(', ')} ORDER BY ${POINTER_ORDER}) AS ${name}_${a}`),
  ])
  .join(', ');
export const POINTER_COLUMNS = ['prev_slot', ...ATTRS.map((a) => `prev_${a}`)];
export const slotOf = (column: string) => `CAST(epoch_ms(${column}) // ${SLOT_MS} AS INTEGER)`;
const SLOT = slotOf('created_at');
const PENDING_COLUMNS = ['website_id', 'session_id', 'visit_id', 'created_at', 'url_path', ...ATTRS, ...PAGE_COLUMNS];
/** The channel inputs, taken from a visit's first row. */
const LANDING: Record<string, string> = { ref: 'referrer_domain', host: 'hostname', src: 'utm_source', medium: 'utm_medium', click: 'click' };

/** One row per visit of `from` (traffic rows whose ad-click flag is `click`), shaped as visit_rollup. */
export function visitRows(from: Sql, click: string): Sql {
  const landing = Object.entries(LANDING).map(([name, column]) => `arg_min_null(${column === 'click' ? click : column}, created_at) AS land_${name}`);
  const attributes = VISIT_ATTRIBUTES.map((a) => `any_value(${a}) AS ${a}`).join(', ');
  return sql`SELECT website_id, visit_id, session_id, t0, t1, c, entry_path, exit_path, ${channelExpr(duckdb, (name) => raw(`land_${name}`))} AS channel,
      ${raw(VISIT_ATTRIBUTES.join(', '))}, mixed
    FROM (SELECT website_id, visit_id, any_value(session_id) AS session_id, min(created_at) AS t0, max(created_at) AS t1, count(*) AS c,
      ${dimension('entry').expr(duckdb)} AS entry_path, ${dimension('exit').expr(duckdb)} AS exit_path, ${raw(landing.join(', '))},
      ${raw(attributes)}, ${raw(MIXED)} AS mixed
      FROM ${from} GROUP BY website_id, visit_id) v`;
}

/** The metrics' own visit aggregates, one column per metric. */
const visitTotals = () => join(VISIT_METRICS.map((m) => sql`${(metric(m).visit as (d: typeof duckdb) => Sql)(duckdb)} AS ${raw(m)}`));

/** visit_span rows of `from` (a relation shaped as visit_rollup). */
export function visitSpans(from: Sql): Sql {
  return sql`SELECT website_id, ${raw(slotOf('t0'))} AS slot0, ${raw(slotOf('t1'))} AS slot1, ${visitTotals()}, count(*) FILTER (WHERE mixed) AS mixed
    FROM ${from} GROUP BY ALL`;
}

/**
 * visit_attribute_span rows of `from` (a relation shaped as visit_rollup): visit_span per session
 * attribute value, of the visits whose attributes do not vary (the others are regrouped from raw rows).
 */
export function visitAttributeSpans(from: Sql): Sql {
  const attributes = raw(VISIT_ATTRIBUTES.join(', '));
  return sql`SELECT website_id, attribute, value, slot0, slot1, ${visitTotals()}
    FROM (SELECT website_id, ${raw(slotOf('t0'))} AS slot0, ${raw(slotOf('t1'))} AS slot1, c, t0, t1, ${attributes} FROM ${from} WHERE NOT mixed)
    UNPIVOT (value FOR attribute IN (${attributes})) GROUP BY ALL`;
}

/** Both span tables recounted: `remove` deletes a table's rows, then those of the visits matching `where` are inserted. */
export const spanStatements = (remove: (table: string) => Sql, where: Sql): Sql[] => {
  const visits = sql`(SELECT * FROM visit_rollup WHERE ${where})`;
  return [
    remove('visit_span'),
    sql`INSERT INTO visit_span ${visitSpans(visits)}`,
    remove('visit_attribute_span'),
    sql`INSERT INTO visit_attribute_span ${visitAttributeSpans(visits)}`,
  ];
};

/** The span tables: key, summed columns, and their rows of a relation shaped as visit_rollup. */
const SPAN_TABLES = [
  { table: 'visit_span', key: ['website_id', 'slot0', 'slot1'], sums: [...VISIT_METRICS, 'mixed'], rows: visitSpans },
  { table: 'visit_attribute_span', key: ['website_id', 'attribute', 'value', 'slot0', 'slot1'], sums: [...VISIT_METRICS], rows: visitAttributeSpans },
];

/**
 * The span tables moved by the visits a merge changed (visit_old's old rows of them, visit_changed's
 * new ones): the old rows' sums are subtracted and the new rows' added, and a span left without
 * visits goes. Every span column is a sum over its visits, so this equals a recount.
 */
const spanRefresh: Sql[] = SPAN_TABLES.flatMap(({ table, key, sums, rows }) => {
  const k = key.join(', ');
  return [
    sql`CREATE OR REPLACE TEMP TABLE span_delta AS SELECT ${raw(k)}, ${raw(sums.map((c) => `sum(${c}) AS ${c}`).join(', '))} FROM (
        SELECT ${raw(k)}, ${raw(sums.join(', '))} FROM (${rows(raw('visit_changed'))}) n
        UNION ALL SELECT ${raw(k)}, ${raw(sums.map((c) => `-${c}`).join(', '))}
          FROM (${rows(raw('(SELECT * FROM visit_old WHERE row IN (SELECT row FROM visit_changed))'))}) o
      ) t GROUP BY ${raw(k)} HAVING ${raw(sums.map((c) => `sum(${c}) <> 0`).join(' OR '))}`,
    raw(`CREATE OR REPLACE TEMP TABLE span_next AS SELECT s.rowid AS row, ${key.map((c) => `d.${c}`).join(', ')},
        ${sums.map((c) => `coalesce(s.${c}, 0) + d.${c} AS ${c}`).join(', ')}
      FROM span_delta d LEFT JOIN ${table} s ON ${key.map((c) => `s.${c} = d.${c}`).join(' AND ')}`),
    ...replaceRows(table, 'span_next', 'slot0', 'visits <> 0').map(raw),
    raw('DROP TABLE span_delta'),
    raw('DROP TABLE span_next'),
  ];
});

const plain = (text: string): Statement => ({ text, params: [] });

/** Page views per slot, page column and value, of a relation of traffic rows. */
export const pageCounts = (from: Sql) =>
  sql`SELECT website_id, slot, col, value, CASE WHEN col = 'referrer_domain' THEN host END AS host, count(*) AS c
    FROM (SELECT website_id, ${raw(SLOT)} AS slot, hostname AS host, ${raw(PAGE_COLUMNS.join(', '))} FROM ${from})
    UNPIVOT INCLUDE NULLS (value FOR col IN (${raw(PAGE_COLUMNS.join(', '))})) GROUP BY ALL`;

/** Session-slot rows (without pointers) of a relation of traffic rows. */
export const sessionSlots = (from: Sql) => sql`SELECT website_id, session_id, ${raw(SLOT)} AS slot, ${raw(ATTRS.join(', '))}, count(*) AS c FROM ${from} GROUP BY ALL`;

const SESSION_WINDOW = 'PARTITION BY website_id, session_id';
const ATTRIBUTE_ROW = `row(${ATTRS.join(', ')})`;
const SLOT_ROWS = 'slot_rows';

/** Session-slot rows (KEY and c, of `rows`) as the temp table slot_rows, flagged when the session's attributes vary (mixed). */
const slotRows = (rows: Sql) =>
  sql`CREATE OR REPLACE TEMP TABLE ${raw(SLOT_ROWS)} AS SELECT *,
    min(${raw(ATTRIBUTE_ROW)}) OVER (${raw(SESSION_WINDOW)}) IS DISTINCT FROM max(${raw(ATTRIBUTE_ROW)}) OVER (${raw(SESSION_WINDOW)}) AS mixed FROM (${rows}) t`;

/**
 * slot_rows with their pointers, as session_slot's rows. Most sessions keep one set of
 * attributes: their pointers per attribute are their pointers per slot, one window where a
 * session whose attributes vary needs eighteen (they were most of a merge's time).
 */
function pointedSlots(): string {
  const uniform = ['prev', 'next'].flatMap((d) => [`${d}_slot`, ...ATTRS.map((a) => `${d}_slot AS ${d}_${a}`)]).join(', ');
  return `SELECT ${KEY.join(', ')}, c, ${POINTERS} FROM ${SLOT_ROWS} WHERE mixed
    UNION ALL SELECT ${KEY.join(', ')}, c, ${uniform}
      FROM (SELECT *, lag(slot) OVER w AS prev_slot, lead(slot) OVER w AS next_slot FROM ${SLOT_ROWS} WHERE NOT mixed
        WINDOW w AS (${SESSION_WINDOW} ORDER BY slot)) t`;
}

/** Session-slot rows (KEY and c, of `rows`) into session_slot with their pointers. */
export const slotInserts = (rows: Sql, order: string): Sql[] => [
  slotRows(rows),
  raw(`INSERT INTO session_slot BY NAME SELECT * FROM (${pointedSlots()}) t ORDER BY ${order}`),
  raw(`DROP TABLE ${SLOT_ROWS}`),
];

const SAME_KEY = KEY.map((k) => `n.${k} IS NOT DISTINCT FROM o.${k}`).join(' AND ');
const NEXT_COLUMNS = POINTER_COLUMNS.map((p) => p.replace(/^prev_/, 'next_'));

/**
 * The pending rows merged into session_slot. Of each touched session, the rows from its first
 * pending slot (m) on are rolled up again with the pending ones (a slot that arrived late changes
 * the pointers of the session's later rows), with the rows before m that hold the last value of
 * some pointer's partition (a forward pointer to m or later, or none) as context: the later rows'
 * backward pointers reach them, and only their forward pointers may change. Only rows whose count
 * or pointers changed are replaced: a delete and an append cost DuckDB far less than updating
 * rows in place, and rewriting every row of a long session cost more than all the rest of a merge.
 */
const slotRefresh: Sql[] = [
  sql`CREATE OR REPLACE TEMP TABLE slot_from AS SELECT website_id, session_id, min(${raw(SLOT)}) AS m FROM rollup_pending GROUP BY ALL`,
  raw(`CREATE OR REPLACE TEMP TABLE slot_old AS SELECT s.rowid AS row, s.*, f.m, s.slot < f.m AS ctx
    FROM session_slot s JOIN slot_from f ON s.session_id = f.session_id AND s.website_id = f.website_id
    WHERE s.slot >= f.m OR ${NEXT_COLUMNS.map((n) => `coalesce(s.${n} >= f.m, true)`).join(' OR ')}`),
  slotRows(sql`SELECT ${raw(KEY.join(', '))}, sum(c) AS c
    FROM (SELECT ${raw(KEY.join(', '))}, c FROM slot_old UNION ALL ${sessionSlots(raw('rollup_pending'))}) t GROUP BY ALL`),
  // A context row keeps its backward pointers, and its forward ones that stay before m.
  raw(`CREATE OR REPLACE TEMP TABLE slot_changed AS SELECT n.* FROM (
      SELECT ${KEY.map((k) => `n.${k}`).join(', ')}, n.c,
        ${POINTER_COLUMNS.map((p) => `CASE WHEN o.ctx THEN o.${p} ELSE n.${p} END AS ${p}`).join(', ')},
        ${NEXT_COLUMNS.map((p) => `CASE WHEN o.ctx AND o.${p} < o.m THEN o.${p} ELSE n.${p} END AS ${p}`).join(', ')}, o.row
      FROM (${pointedSlots()}) n LEFT JOIN slot_old o ON ${SAME_KEY}) n
    LEFT JOIN slot_old o ON n.row = o.row WHERE ${differs(['c', ...POINTER_COLUMNS, ...NEXT_COLUMNS])}`),
  ...replaceRows('session_slot', 'slot_changed', 'slot').map(raw),
  ...['slot_from', 'slot_old', SLOT_ROWS, 'slot_changed'].map((t) => raw(`DROP TABLE ${t}`)),
];

/**
 * Each visit's pointer to the same session's previous visit in the same channel (its t0). Visits
 * that start in the same instant are ordered by id, so that a merge and a rebuild agree.
 */
export const CHANNEL_POINTER = 'lag(t0) OVER (PARTITION BY website_id, session_id, channel ORDER BY t0, visit_id)';

/** Appends the traffic rows of a loaded batch (a relation with website_event's columns). */
export function pendingInsert(source: string): string {
  return `INSERT INTO rollup_pending SELECT ${PENDING_COLUMNS.join(', ')}, ${CLICK_ID_FLAG} FROM ${source} WHERE ${TRAFFIC}`;
}

const VISIT_COLUMNS = ['website_id', 'visit_id', 'session_id', 't0', 't1', 'c', 'entry_path', 'exit_path', 'channel', ...VISIT_ATTRIBUTES, 'mixed', 'prev_channel_t0'];
const PENDING_SESSION = 'session_id IN (SELECT session_id FROM rollup_pending)';

/**
 * The pending rows merged into visit_rollup. The stored visits of the touched sessions (and any
 * stored visit a pending row names) are read once; the pending visits are merged into them, the
 * channel pointers of those sessions recounted, and only the rows that changed are replaced
 * (changed-rows.ts).
 */
const visitRefresh: Sql[] = [
  raw(`CREATE OR REPLACE TEMP TABLE visit_old AS SELECT rowid AS row, * FROM visit_rollup
    WHERE ${PENDING_SESSION} OR visit_id IN (SELECT visit_id FROM rollup_pending)`),
  sql`CREATE OR REPLACE TEMP TABLE visit_new AS
    SELECT o.row, coalesce(o.website_id, p.website_id) AS website_id, coalesce(o.visit_id, p.visit_id) AS visit_id,
      coalesce(o.session_id, p.session_id) AS session_id,
      CASE WHEN p.visit_id IS NULL THEN o.t0 ELSE least(o.t0, p.t0) END AS t0,
      CASE WHEN p.visit_id IS NULL THEN o.t1 ELSE greatest(o.t1, p.t1) END AS t1,
      coalesce(o.c, 0) + coalesce(p.c, 0) AS c,
      CASE WHEN p.visit_id IS NULL THEN o.entry_path WHEN o.row IS NULL OR row(p.t0, p.entry_path) < row(o.t0, o.entry_path) THEN p.entry_path ELSE o.entry_path END AS entry_path,
      CASE WHEN p.visit_id IS NULL THEN o.exit_path WHEN o.row IS NULL OR row(p.t1, p.exit_path) > row(o.t1, o.exit_path) THEN p.exit_path ELSE o.exit_path END AS exit_path,
      CASE WHEN p.visit_id IS NULL THEN o.channel WHEN o.row IS NULL OR p.t0 < o.t0 THEN p.channel ELSE o.channel END AS channel,
      ${raw(VISIT_ATTRIBUTES.map((a) => `CASE WHEN o.row IS NULL THEN p.${a} ELSE o.${a} END AS ${a}`).join(', '))},
      CASE WHEN p.visit_id IS NULL THEN o.mixed WHEN o.row IS NULL THEN p.mixed
        ELSE o.mixed OR p.mixed OR ${raw(VISIT_ATTRIBUTES.map((a) => `o.${a} IS DISTINCT FROM p.${a}`).join(' OR '))} END AS mixed,
      o.prev_channel_t0 AS old_pointer
    FROM visit_old o FULL JOIN (${visitRows(raw('rollup_pending'), 'click')}) p ON o.visit_id = p.visit_id AND o.website_id = p.website_id`,
  // A visit that is new, or whose start or channel changed, moves the channel pointers of its
  // session; a stored visit of another session that a pending row names keeps its pointer.
  raw(`CREATE OR REPLACE TEMP TABLE visit_changed AS SELECT n.* FROM (
      SELECT * EXCLUDE (old_pointer, pointer), CASE WHEN ${PENDING_SESSION} THEN pointer ELSE old_pointer END AS prev_channel_t0
      FROM (SELECT *, ${CHANNEL_POINTER} AS pointer FROM visit_new)) n
    LEFT JOIN visit_old o ON n.row = o.row
    WHERE ${differs(VISIT_COLUMNS)}`),
  ...replaceRows('visit_rollup', 'visit_changed', 't0').map(raw),
  ...spanRefresh,
  ...['visit_old', 'visit_new', 'visit_changed'].map((t) => raw(`DROP TABLE ${t}`)),
];

/** Merge rollup_pending into the rollups and empty it; run inside one transaction. */
export const refreshStatements: readonly Statement[] = [
  ...visitRefresh.map(renderNumbered),
  ...[
  `MERGE INTO slot_count s
    USING (${renderNumbered(pageCounts(raw('rollup_pending'))).text}) p
    ON (s.slot = p.slot AND s.website_id = p.website_id AND s.col = p.col AND s.value IS NOT DISTINCT FROM p.value AND s.host IS NOT DISTINCT FROM p.host)
    WHEN MATCHED THEN UPDATE SET c = s.c + p.c
    WHEN NOT MATCHED THEN INSERT (website_id, slot, col, value, host, c) VALUES (p.website_id, p.slot, p.col, p.value, p.host, p.c)`,
  ].map(plain),
  ...slotRefresh.map(renderNumbered),
  ...[
  ...pageVisitRefresh,
  'DELETE FROM rollup_pending',
  ].map(plain),
];

/** Roll up a website's stored rows (null: every website's) from scratch. */
export function buildStatements(websiteId: string | null): Statement[] {
  const only = websiteId === null ? raw('') : sql` AND website_id = CAST(${websiteId} AS UUID)`;
  const traffic = sql`${raw(TRAFFIC)}${only}`;
  // Rows in the order the readers filter them (website, column, slot), so that scans skip the
  // row groups of other websites and columns.
  return [
    ...['visit_rollup', 'visit_span', 'visit_attribute_span', 'session_slot', 'slot_count', 'page_visit', 'rollup_pending'].map((table) => sql`DELETE FROM ${raw(table)} WHERE TRUE${only}`),
    sql`INSERT INTO slot_count ${pageCounts(sql`website_event WHERE ${traffic}`)} ORDER BY website_id, col, slot`,
    sql`INSERT INTO visit_rollup BY NAME SELECT *, ${raw(CHANNEL_POINTER)} AS prev_channel_t0
      FROM (${visitRows(sql`website_event WHERE ${traffic}`, CLICK_ID_FLAG)}) v ORDER BY t0`,
    sql`INSERT INTO visit_span ${visitSpans(sql`(SELECT * FROM visit_rollup WHERE TRUE${only})`)} ORDER BY slot0`,
    sql`INSERT INTO visit_attribute_span ${visitAttributeSpans(sql`(SELECT * FROM visit_rollup WHERE TRUE${only})`)} ORDER BY website_id, attribute, value, slot0`,
    ...slotInserts(sessionSlots(sql`website_event WHERE ${traffic}`), 'website_id, slot'),
    pageVisitBuild(sql`website_event WHERE ${traffic}`),
  ].map(renderNumbered);
}
