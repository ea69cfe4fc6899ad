// Per-visit sequences as lists (arrays), for reports that follow each visit step by step
// (src/reports/journey.ts). Kept apart from the Dialect interface because only sequence reports
// need them; like the dialect files, this is the only place that knows these functions' names.
// Lists are 1-based.
//
// Each store builds the lists its own fastest way (measured on the 10M-event benchmark and on
// synthetic data): DuckDB sorts integer keys (time and the rank of the value, packed into one
// BIGINT) far faster than (time, text) pairs, so its lists hold value ranks; ClickHouse sorts
// (time, value) tuples natively; PostgreSQL, which has no lambdas, drops repeats with one window
// pass and collects each visit's values with an ordered array_agg.

import { int, raw, sql, type Sql } from '../sql.js';
import type { Dialect } from './dialect.js';

export interface SequenceSql {
  /**
   * CTEs that follow `ev(visit_id, created_at, v)` and end in `s0(c)`: per visit, its values in
   * time order, ties by value, each value that repeats the one right before it dropped, as a list
   * of tokens. DuckDB compares times in whole milliseconds, the precision every store writes.
   * `startMs` is at or before every row's time.
   */
  lists(startMs: number): Sql;
  /** The token of a value in those lists (NULL when no row has the value). */
  token(value: Sql): Sql;
  /** Turning tokens back into values for `p`, a token list column of relation `top`. */
  values: { from: Sql; expr(p: Sql): Sql };
  /** 1-based position of the first element equal to `x`; 0 when there is none. */
  position(list: Sql, x: Sql): Sql;
  /** Elements `from` to `to` (1-based, inclusive; `to` may lie past the end), or to the end. */
  slice(list: Sql, from: Sql, to?: Sql): Sql;
}

// Values are ranked 1..k-1 in sort order; key = ms since `startMs` * k + rank, so sorting a
// visit's keys orders its steps by time then value, and key % k gives the rank back.
const duckdb: SequenceSql = {
  lists: (startMs) => sql`
    d AS (SELECT v, CAST(row_number() OVER (ORDER BY v) AS BIGINT) AS id FROM (SELECT DISTINCT v FROM ev) dv),
    kk AS (SELECT CAST(count(*) + 1 AS BIGINT) AS k FROM d),
    keyed AS (SELECT ev.visit_id AS visit_id, (epoch_ms(ev.created_at) - ${int(startMs)}) * (SELECT k FROM kk) + d.id AS key FROM ev JOIN d ON ev.v = d.v),
    seq AS (SELECT list_sort(list(key)) AS l FROM keyed GROUP BY visit_id),
    s0 AS (SELECT list_transform(list_filter(l, lambda x_, i_: i_ = 1 OR x_ % k <> l[i_ - 1] % k), lambda x_: x_ % k) AS c FROM seq CROSS JOIN kk)`,
  token: (value) => sql`(SELECT id FROM d WHERE v = ${value})`,
  values: {
    from: raw('CROSS JOIN (SELECT list(v ORDER BY id) AS names FROM d) nm'),
    expr: (p) => sql`list_transform(${p}, lambda i_: names[i_])`,
  },
  position: (l, x) => sql`coalesce(list_position(${l}, ${x}), 0)`,
  slice: (l, from, to) => (to ? sql`${l}[${from}:${to}]` : sql`${l}[${from}:]`),
};

const clickhouse: SequenceSql = {
  lists: () => sql`
    s0 AS (SELECT arrayCompact(arrayMap(t_ -> t_.2, arraySort(groupArray((created_at, v))))) AS c FROM ev GROUP BY visit_id)`,
  token: (value) => value,
  values: { from: raw(''), expr: (p) => p },
  position: (l, x) => sql`indexOf(${l}, ${x})`,
  slice: (l, from, to) => (to ? sql`arraySlice(${l}, ${from}, (${to}) - (${from}) + 1)` : sql`arraySlice(${l}, ${from})`),
};

const postgres: SequenceSql = {
  lists: () => sql`
    m_ AS (SELECT visit_id, created_at, v, lag(v) OVER (PARTITION BY visit_id ORDER BY created_at, v) AS pv FROM ev),
    s0 AS (SELECT array_agg(v ORDER BY created_at, v) AS c FROM m_ WHERE pv IS NULL OR pv <> v GROUP BY visit_id)`,
  token: (value) => value,
  values: { from: raw(''), expr: (p) => p },
  position: (l, x) => sql`coalesce(array_position(${l}, ${x}), 0)`,
  slice: (l, from, to) => (to ? sql`${l}[${from}:${to}]` : sql`${l}[${from}:]`),
};

const all: Record<Dialect['name'], SequenceSql> = { duckdb, clickhouse, postgres };

export const sequenceSql = (d: Dialect): SequenceSql => all[d.name];
