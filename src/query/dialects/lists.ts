// Lists (arrays) per dialect, for reports that follow each visit as one ordered sequence
// (src/reports/journey.ts): aggregate a group's values into a sorted list, drop repeats, search and
// cut. Kept apart from the Dialect interface because only sequence reports need them; like the
// dialect files, this is the only place that knows these functions' names. Lists are 1-based.

import { sql, type Sql } from '../sql.js';
import type { Dialect } from './dialect.js';

export interface ListSql {
  /** Aggregate: the group's values of an integer expression, ascending. */
  sorted(expr: Sql): Sql;
  /** Every element x of an integer list as x % m, then each element equal to the one before it dropped. `list` is a column. */
  modCompact(list: Sql, m: Sql): Sql;
  /** 1-based position of the first element equal to `x`; 0 when there is none. */
  position(list: Sql, x: Sql): Sql;
  /** Elements `from` to `to` (1-based, inclusive; `to` may lie past the end), or to the end. */
  slice(list: Sql, from: Sql, to?: Sql): Sql;
  /** Aggregate: the group's values as a list ordered by an integer key. */
  ordered(value: Sql, key: Sql): Sql;
  /** The elements of `names` at the 1-based positions an integer list holds, in the list's order. */
  pick(positions: Sql, names: Sql): Sql;
}

const duckdb: ListSql = {
  sorted: (expr) => sql`list_sort(list(${expr}))`,
  modCompact: (l, m) => sql`list_transform(list_filter(${l}, lambda x_, i_: i_ = 1 OR x_ % ${m} <> ${l}[i_ - 1] % ${m}), lambda x_: x_ % ${m})`,
  position: (l, x) => sql`coalesce(list_position(${l}, ${x}), 0)`,
  slice: (l, from, to) => (to ? sql`${l}[${from}:${to}]` : sql`${l}[${from}:]`),
  ordered: (value, key) => sql`list(${value} ORDER BY ${key})`,
  pick: (p, names) => sql`list_transform(${p}, lambda i_: ${names}[i_])`,
};

const clickhouse: ListSql = {
  sorted: (expr) => sql`arraySort(groupArray(${expr}))`,
  modCompact: (l, m) => sql`arrayCompact(arrayMap(x_ -> x_ % ${m}, ${l}))`,
  position: (l, x) => sql`indexOf(${l}, ${x})`,
  slice: (l, from, to) => (to ? sql`arraySlice(${l}, ${from}, (${to}) - (${from}) + 1)` : sql`arraySlice(${l}, ${from})`),
  ordered: (value, key) => sql`arrayMap(t_ -> t_.2, arraySort(groupArray((${key}, ${value}))))`,
  pick: (p, names) => sql`arrayMap(i_ -> ${names}[i_], ${p})`,
};

// PostgreSQL has no lambdas: per-list work is a subquery over unnest() WITH ORDINALITY.
const postgres: ListSql = {
  sorted: (expr) => sql`array_agg(${expr} ORDER BY ${expr})`,
  modCompact: (l, m) =>
    sql`ARRAY(SELECT u_.x % ${m} FROM unnest(${l}) WITH ORDINALITY AS u_(x, i) WHERE u_.i = 1 OR u_.x % ${m} <> ${l}[u_.i - 1] % ${m} ORDER BY u_.i)`,
  position: (l, x) => sql`coalesce(array_position(${l}, ${x}), 0)`,
  slice: (l, from, to) => (to ? sql`${l}[${from}:${to}]` : sql`${l}[${from}:]`),
  ordered: (value, key) => sql`array_agg(${value} ORDER BY ${key})`,
  pick: (p, names) => sql`ARRAY(SELECT ${names}[u_.i] FROM unnest(${p}) WITH ORDINALITY AS u_(i, o) ORDER BY u_.o)`,
};

const all: Record<Dialect['name'], ListSql> = { duckdb, clickhouse, postgres };

export const listSql = (d: Dialect): ListSql => all[d.name];
