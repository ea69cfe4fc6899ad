// Runs Queries against a store: compile, render for the store's dialect, execute, and turn rows
// into the neutral result. The only place that hands SQL text to the store.

import { HttpError } from '../lib/http-error.js';
import { classifyStoreError, storeReason } from '../store/store-errors.js';
import type { AnalyticsStore, Row } from '../store/types.js';
import { compileAggregate, metricAlias, validate } from './compile.js';
import { metric } from './metrics.js';
import { dialectFor, type Dialect } from './dialects/index.js';
import type { Sql } from './sql.js';
import { plan, type Plan } from './plan.js';
import { rollupRows } from './rollups/traffic.js';
import { compareRange, timeLabel } from './time.js';
import { regexParams } from './filters.js';
import { QueryError, type Query, type QueryResult, type ResultRow } from './types.js';

/** A regular expression the store itself refused (one Dialect.regexProblem did not foresee). */
export class RegexRefusedError extends QueryError {}

/** The answer to a query cut off by its time budget (QUERY_TIMEOUT_MS): not the caller's input error. */
export const queryTimeout = () =>
  new HttpError(503, 'query-timeout', 'The query took too long and was cancelled (QUERY_TIMEOUT_MS); try a shorter date range or fewer filters', {
    'retry-after': '5',
  });

/** The store had no memory left for the query (DUCKDB_MEMORY_LIMIT, shared with merges and other queries): worth a retry. */
export const storeOutOfMemory = () =>
  new HttpError(503, 'store-out-of-memory', 'The store ran out of memory for this query (DUCKDB_MEMORY_LIMIT); retry, or try a shorter date range', {
    'retry-after': '5',
  });

/** What answered a query: the rollups (pre-aggregated tables) and/or raw rows. */
export type AnswerSource = 'rollups' | 'events';

/** Where the engine reports what answered, and a rollup refresh that failed. */
export interface EngineLog {
  debug(details: object, msg: string): void;
  warn(details: object, msg: string): void;
}

export interface EngineOptions {
  /** false answers every query from raw rows (the tests compare both paths). */
  readonly rollups?: boolean;
  readonly log?: EngineLog;
  /**
   * Called once per query run: 'events' forces raw rows for it (an admin's request header, see
   * src/api/answer-source.ts), and `answered` hears which source served it.
   */
  readonly observer?: () => { readonly force?: 'events'; answered(sources: readonly AnswerSource[]): void } | undefined;
}

export class QueryEngine {
  readonly dialect: Dialect;

  constructor(
    private readonly store: AnalyticsStore,
    private readonly options: EngineOptions = {},
  ) {
    this.dialect = dialectFor(store.dialect);
  }

  /** Execute one statement built by the compiler. */
  async rows(stmt: Sql, via: (text: string, params: unknown[]) => Promise<Row[]> = (text, params) => this.store.query(text, params)): Promise<Row[]> {
    const { text, params } = this.dialect.render(stmt);
    try {
      return await via(text, params);
    } catch (err) {
      const kind = classifyStoreError(err);
      if (kind === 'timeout') throw queryTimeout();
      if (kind === 'out-of-memory') throw storeOutOfMemory();
      if (kind === 'invalid-regex') {
        throw new RegexRefusedError(`Invalid regular expression filter (re. or nre.): the ${this.dialect.name} store refused it: ${storeReason(err as Error)}`, 'filter');
      }
      throw err;
    }
  }

  async run(q: Query): Promise<QueryResult> {
    try {
      const main = this.runRatios(q);
      if (!q.compare) {
        const one = await main;
        return { rows: one.rows, sources: one.sources };
      }
      const prev = this.runRatios({ ...q, range: compareRange(q.range, q.compare), compare: null });
      const [cur, old] = await Promise.all([main, prev]);
      return { rows: cur.rows, prev: old.rows, sources: [...new Set([...cur.sources, ...old.sources])] };
    } catch (err) {
      // Here the filters are known: name the parameters that carried a regular expression.
      const names = regexParams(q.filter);
      if (err instanceof RegexRefusedError && names.length) {
        throw new QueryError(err.message.replace(/^Invalid regular expression filter \(re\. or nre\.\)/, `Invalid ${names.join(', ')}`), names[0]);
      }
      throw err;
    }
  }

  /**
   * Ratio metrics the query does not order by are computed from their parts' answers, so that
   * the parts can come from rollups; ordered by, they are compiled as one SQL expression.
   */
  private async runRatios(q: Query): Promise<{ rows: ResultRow[]; sources: AnswerSource[] }> {
    const ratios = q.metrics.filter((m) => metric(m).ratio && !q.orderBy.some((o) => o.key === m));
    if (ratios.length === 0) return this.runOne(q);
    const parts = [...new Set(q.metrics.flatMap((m) => (ratios.includes(m) ? [metric(m).ratio!.num, metric(m).ratio!.den] : [m])))];
    const answer = await this.runOne({ ...q, metrics: parts });
    const rows = answer.rows.map((r) => ({
      dims: r.dims,
      values: Object.fromEntries(
        q.metrics.map((m) => {
          const def = metric(m);
          if (!ratios.includes(m)) return [m, r.values[m] ?? 0];
          const den = r.values[def.ratio!.den] ?? 0;
          return [m, den === 0 ? 0 : (r.values[def.ratio!.num] ?? 0) / den];
        }),
      ),
    }));
    return { rows, sources: answer.sources };
  }

  private async runOne(q: Query): Promise<{ rows: ResultRow[]; sources: AnswerSource[] }> {
    validate(q);
    const observer = this.options.observer?.();
    const rollups = this.options.rollups === false ? undefined : this.store.rollups;
    let p: Plan = plan(q, rollups, observer?.force);
    let rows: Row[] | null = null;
    if (p.source === 'rollups') {
      const rollupPlan = p;
      // Every statement of the answer reads one snapshot, in which the rollups hold every stored row.
      const read = await rollups!.read(q.websiteId, (run) => rollupRows(rollupPlan, q, this.dialect, rollups!, (stmt) => this.rows(stmt, run)));
      if ('answer' in read) rows = read.answer;
      else if ('failed' in read) {
        // Rollups that cannot be brought up to date are skipped: raw rows give the same answer.
        this.options.log?.warn({ err: read.failed, websiteId: q.websiteId }, 'rollup refresh failed; answering from raw rows');
        p = { source: 'events', why: 'the rollup refresh failed' };
      } else p = { source: 'events', why: read.behind };
    }
    rows ??= await this.rows(compileAggregate(q, this.dialect));
    this.options.log?.debug(
      p.source === 'rollups' ? { source: p.source, reader: p.reader.kind, edges: p.edges } : { source: p.source, why: p.why },
      'query answered',
    );
    // An answer from whole slots and raw edges comes from both.
    const sources: AnswerSource[] = p.source === 'events' ? ['events'] : p.edges ? ['rollups', 'events'] : ['rollups'];
    observer?.answered(sources);
    return { sources, rows: rows.map((r) => ({
      dims: q.dimensions.map((ref, i) => {
        const v = toDim(r[`d${i}`]);
        return ref.kind === 'time' && v !== null ? timeLabel(ref.unit, Number(v)) : v;
      }),
      values: Object.fromEntries(q.metrics.map((m, i) => [m, toNumber(r[metricAlias(i)])])),
    })) };
  }
}

export function toNumber(v: unknown): number {
  if (v === null || v === undefined) return 0;
  return Number(v);
}

function toDim(v: unknown): string | number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return String(v);
}
