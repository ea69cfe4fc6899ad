// Per-visit sequences, for reports that follow each visit step by step (src/reports/journey.ts).
// Kept apart from the Dialect interface because only sequence reports need them; like the dialect
// files, this is the only place that knows these functions' names. Lists are 1-based.
//
// Each store builds the paths its own fastest way (measured on the 10M-event benchmark and on
// synthetic data). DuckDB sorts integer keys (time and the rank of the value, packed into one
// BIGINT) far faster than (time, text) pairs, and groups integers far faster than lists: there a
// path is one BIGINT whose digits, in base k, are the ranks of its values (k - 1 distinct values
// in the range), built by one list_reduce over the visit's sorted keys; visits of up to three rows
// (most of them) skip the list functions. When k^steps does not fit a BIGINT, a second statement
// builds lists of ranks instead. ClickHouse sorts (time, value) tuples natively; PostgreSQL, which
// has no lambdas, drops repeats with one window pass and collects each visit's values with an
// ordered array_agg.

import { int, join, raw, sql, type Sql } from '../sql.js';
import type { Dialect } from './dialect.js';

export interface PathsInput {
  /** At or before every row's time. */
  startMs: number;
  /** Steps per path, 3 to 7. */
  steps: number;
  /** Bound values: paths start at the visit's first `start`; with `end`, only paths reaching it. */
  start?: Sql;
  end?: Sql;
}

export interface SequenceSql {
  /**
   * Statements, to try in order, each the rest of a statement whose first CTE is
   * `ev(visit_id, created_at, v)`: further CTEs, then a SELECT of `items` (list of values) and `n`
   * (visits) for the 100 most frequent paths, in order. A row with `fits` false means that
   * statement cannot answer (too many distinct values for its encoding): run the next one. A row
   * with NULL `items` is no path.
   *
   * A visit's sequence is its values in time order, ties by value, with each value that repeats
   * the one right before it dropped. With `start` it begins at the first occurrence of `start`
   * (visits without one are left out); with `end`, only sequences with `end` among their first
   * `steps` values count, cut after it. The first `steps` values of each sequence are grouped;
   * paths are ordered by visits (descending), then as lists, element by element, a prefix first.
   * DuckDB compares times in whole milliseconds, the precision every store writes.
   */
  paths(input: PathsInput): Sql[];
}

interface ListOps {
  /** CTEs after `ev` ending in `s0(c)`: each visit's sequence as a list of tokens. */
  lists: Sql;
  /** The token of a value in those lists (NULL when no row has the value). */
  token(value: Sql): Sql;
  /** Turning tokens back into values for `p`, a token list column of relation `top`. */
  values: { from: Sql; expr(p: Sql): Sql };
  /** 1-based position of the first element equal to `x`; 0 when there is none. */
  position(list: Sql, x: Sql): Sql;
  /** Elements `from` to `to` (1-based, inclusive; `to` may lie past the end), or to the end. */
  slice(list: Sql, from: Sql, to?: Sql): Sql;
}

/** Paths from each visit's whole sequence as a list, cut by position and slice. */
function listPaths(o: ListOps, { steps, start, end }: PathsInput): Sql {
  const n = int(steps);
  const c = raw('c');
  let cte = o.lists;
  let source = 's0';
  if (start) {
    cte = sql`${cte},
      s1 AS (SELECT c, ${o.position(c, o.token(start))} AS p FROM ${raw(source)}),
      s2 AS (SELECT ${o.slice(c, raw('p'))} AS c FROM s1 WHERE p > 0)`;
    source = 's2';
  }
  if (end) {
    cte = sql`${cte},
      e1 AS (SELECT c, ${o.position(o.slice(c, int(1), n), o.token(end))} AS p FROM ${raw(source)}),
      e2 AS (SELECT ${o.slice(c, int(1), raw('p'))} AS c FROM e1 WHERE p > 0)`;
    source = 'e2';
  }
  // Paths compare as lists, element by element and a prefix first: in the values' order.
  return sql`${cte},
    top AS (SELECT p, count(*) AS n FROM (SELECT ${o.slice(c, int(1), n)} AS p FROM ${raw(source)}) x GROUP BY p ORDER BY n DESC, p LIMIT 100)
    SELECT ${o.values.expr(raw('p'))} AS items, n FROM top ${o.values.from} ORDER BY n DESC, p`;
}

const clickhouse: SequenceSql = {
  paths: (input) => [
    listPaths(
      {
        lists: sql`
    s0 AS (SELECT arrayCompact(arrayMap(t_ -> t_.2, arraySort(groupArray((created_at, v))))) AS c FROM ev GROUP BY visit_id)`,
        token: (value) => value,
        values: { from: raw(''), expr: (p) => p },
        position: (l, x) => sql`indexOf(${l}, ${x})`,
        slice: (l, from, to) => (to ? sql`arraySlice(${l}, ${from}, (${to}) - (${from}) + 1)` : sql`arraySlice(${l}, ${from})`),
      },
      input,
    ),
  ],
};

const postgres: SequenceSql = {
  paths: (input) => [
    listPaths(
      {
        lists: sql`
    m_ AS (SELECT visit_id, created_at, v, lag(v) OVER (PARTITION BY visit_id ORDER BY created_at, v) AS pv FROM ev),
    s0 AS (SELECT array_agg(v ORDER BY created_at, v) AS c FROM m_ WHERE pv IS NULL OR pv <> v GROUP BY visit_id)`,
        token: (value) => value,
        values: { from: raw(''), expr: (p) => p },
        position: (l, x) => sql`coalesce(array_position(${l}, ${x}), 0)`,
        slice: (l, from, to) => (to ? sql`${l}[${from}:${to}]` : sql`${l}[${from}:]`),
      },
      input,
    ),
  ],
};

// DuckDB. Values are ranked 1..k-1 in sort order; key = ms since `startMs` * k + rank, so sorting
// a visit's keys orders its steps by time then value, and key % k gives the rank back.
const ranks = (startMs: number, k: Sql) => sql`
    d AS (SELECT v, CAST(row_number() OVER (ORDER BY v) AS BIGINT) AS id FROM (SELECT DISTINCT v FROM ev) dv),
    ${k},
    keyed AS (SELECT ev.visit_id AS visit_id, (epoch_ms(ev.created_at) - ${int(startMs)}) * (SELECT k FROM kk) + d.id AS key FROM ev JOIN d ON ev.v = d.v`;

const token = (value: Sql) => sql`(SELECT id FROM d WHERE v = ${value})`;

/** Lists of ranks: any number of distinct values. */
const duckdbLists = (input: PathsInput): Sql =>
  listPaths(
    {
      lists: sql`${ranks(input.startMs, raw('kk AS (SELECT CAST(count(*) + 1 AS BIGINT) AS k FROM d)'))}),
    seq AS (SELECT list_sort(list(key)) AS l FROM keyed GROUP BY visit_id),
    s0 AS (SELECT list_transform(list_filter(l, lambda x_, i_: i_ = 1 OR x_ % k <> l[i_ - 1] % k), lambda x_: x_ % k) AS c FROM seq CROSS JOIN kk)`,
      token,
      values: {
        from: raw('CROSS JOIN (SELECT list(v ORDER BY id) AS names FROM d) nm'),
        expr: (p) => sql`list_transform(${p}, lambda i_: names[i_])`,
      },
      position: (l, x) => sql`coalesce(list_position(${l}, ${x}), 0)`,
      slice: (l, from, to) => (to ? sql`${l}[${from}:${to}]` : sql`${l}[${from}:]`),
    },
    input,
  );

/** The largest k with k^steps <= 2^63 - 1: codes of paths of `steps` ranks below k fit a BIGINT. */
export function maxCodeBase(steps: number): number {
  const limit = 2n ** 63n - 1n;
  let k = Math.floor(Math.pow(2, 63 / steps));
  while (BigInt(k) ** BigInt(steps) > limit) k--;
  while (BigInt(k + 1) ** BigInt(steps) <= limit) k++;
  return k;
}

/**
 * One step of a path code: `a` so far (0: empty; its last digit a % k is its last rank), `r` the
 * next rank (NULL: no step). The step is skipped when the path is full (n digits:
 * a >= pw[1] = k^(n-1)), has reached `end` (rank te), repeats the last rank, or comes before
 * `start` (rank ts). Tokens are 0, no rank, for values no row in range has.
 */
function step(a: Sql, r: Sql, start: boolean, end: boolean): Sql {
  const skip = [sql`${r} IS NULL`, sql`${a} >= pw[1]`, ...(end ? [sql`${a} % k = te`] : []), sql`${a} % k = ${r}`];
  if (start) skip.push(sql`(${a} = 0 AND ${r} <> ts)`);
  return sql`CASE WHEN ${join(skip, ' OR ')} THEN ${a} ELSE ${a} * k + ${r} END`;
}

/** Paths as BIGINT codes; one row with `fits` false when k^n does not fit. */
function duckdbCodes({ startMs, steps: n, start, end }: PathsInput, maxBase: number): Sql {
  const s = start !== undefined;
  const e = end !== undefined;
  const tok = (value: Sql) => sql`coalesce(${token(value)}, 0)`;
  // pw = [k^(n-1), ..., k, 1], only computed when it fits.
  const power = (i: number) => (i === 0 ? raw('CAST(1 AS BIGINT)') : join(Array.from({ length: i }, () => raw('k')), ' * '));
  const pw = sql`CASE WHEN k <= ${int(maxBase)} THEN [${join(Array.from({ length: n }, (_, i) => power(n - 1 - i)))}] END`;
  const kk = sql`kk AS (SELECT k, k <= ${int(maxBase)} AS fits, ${pw} AS pw${start ? sql`, ${tok(start)} AS ts` : raw('')}${
    end ? sql`, ${tok(end)} AS te` : raw('')
  } FROM (SELECT CAST(count(*) + 1 AS BIGINT) AS k FROM d) k_)`;
  const cols = raw(`k, pw${s ? ', ts' : ''}${e ? ', te' : ''}`);
  // Visits of up to 3 rows (n >= 3: never cut) are sorted without list_sort: ranks r1, r2, r3 of
  // their keys in order, NULL past the visit's length.
  const l = (i: number) => raw(`l[${i}]`);
  const r1 = sql`CASE len(l) WHEN 1 THEN ${l(1)} WHEN 2 THEN least(${l(1)}, ${l(2)}) WHEN 3 THEN least(${l(1)}, ${l(2)}, ${l(3)}) END % k`;
  const r2 = sql`CASE len(l) WHEN 2 THEN greatest(${l(1)}, ${l(2)}) WHEN 3 THEN greatest(least(${l(1)}, ${l(2)}), least(greatest(${l(1)}, ${l(2)}), ${l(3)})) END % k`;
  const r3 = sql`CASE len(l) WHEN 3 THEN greatest(${l(1)}, ${l(2)}, ${l(3)}) END % k`;
  const reduce = sql`list_reduce(list_sort(l), lambda a_, x_: ${step(raw('a_'), raw('x_ % k'), s, e)}, CAST(0 AS BIGINT))`;
  // Their codes: without start and end, each rank that differs from the one before is a digit;
  // with them, step by step.
  const short = s || e
    ? sql`
    a1 AS (SELECT l, ${cols}, r2, r3, ${step(raw('CAST(0 AS BIGINT)'), raw('r1'), s, e)} AS a FROM x),
    a2 AS (SELECT l, ${cols}, r3, ${step(raw('a'), raw('r2'), s, e)} AS a FROM a1),
    s0 AS (SELECT ${cols}, CASE WHEN len(l) <= 3 THEN ${step(raw('a'), raw('r3'), s, e)} ELSE ${reduce} END AS code FROM a2),`
    : sql`
    s0 AS (SELECT ${cols}, CASE len(l) WHEN 1 THEN r1 WHEN 2 THEN (CASE WHEN r1 = r2 THEN r1 ELSE r1 * k + r2 END)
      WHEN 3 THEN (CASE WHEN r1 = r2 AND r2 = r3 THEN r1 WHEN r1 = r2 OR r2 = r3 THEN r1 * k + r3 ELSE (r1 * k + r2) * k + r3 END)
      ELSE ${reduce} END AS code FROM x),`;
  // Which codes are paths: started ones with `start`; with `end`, those ending in it.
  const keep = s || e ? sql` WHERE code > 0${e ? raw(' AND code % k = te') : raw('')}` : raw('');
  // A code of d digits times k^(n-d) (pw[d]; d = n - i + 1 when code >= pw[i]): padded with zero
  // digits, it orders like the list, a prefix first.
  const padded = sql`code * CASE ${join(Array.from({ length: n }, (_, i) => sql`WHEN code >= pw[${int(i + 1)}] THEN pw[${int(n - i)}]`), ' ')} END`;
  return sql`${ranks(startMs, kk)} WHERE (SELECT fits FROM kk)),
    seq AS (SELECT list(key) AS l FROM keyed GROUP BY visit_id),
    x AS (SELECT l, ${cols}, ${r1} AS r1, ${r2} AS r2, ${r3} AS r3 FROM seq CROSS JOIN kk),${short}
    g AS (SELECT code, count(*) AS n FROM s0${keep} GROUP BY code),
    top AS (SELECT ${padded} AS p, n FROM g CROSS JOIN kk ORDER BY n DESC, p LIMIT 100),
    r AS (SELECT list_transform(list_filter(list_transform(pw, lambda w_: (p // w_) % k), lambda r_: r_ > 0), lambda r_: names[r_]) AS items, n, p
      FROM top CROSS JOIN kk CROSS JOIN (SELECT list(v ORDER BY id) AS names FROM d) nm)
    SELECT fits, items, n FROM kk LEFT JOIN r ON TRUE ORDER BY n DESC, p`;
}

/** DuckDB's paths; `maxBase` (tests) lowers the largest k for which paths are BIGINT codes. */
export const duckdbSequences = (maxBase?: number): SequenceSql => ({
  paths: (input) => [duckdbCodes(input, maxBase ?? maxCodeBase(input.steps)), duckdbLists(input)],
});

const all: Record<Dialect['name'], SequenceSql> = { duckdb: duckdbSequences(), clickhouse, postgres };

export const sequenceSql = (d: Dialect): SequenceSql => all[d.name];
