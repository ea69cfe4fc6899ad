// What a source of answers declares: the row kind it holds and one formula per metric it can
// answer. A metric missing from `formulas` is one the source cannot answer: readers index the
// record with the source's own metric union, so a (metric, source) pair without a formula does
// not type-check, and the planner (plan.ts) picks a source only when it covers every metric asked.

import type { MetricName, RowKind } from './types.js';

export interface Source<M extends MetricName, F> {
  /** The table (or table group) it reads. */
  readonly table: string;
  readonly rows: RowKind;
  readonly formulas: Readonly<Record<M, F>>;
}

/** The metrics a source answers, in declaration order. */
export const metricsOf = <M extends MetricName>(source: Source<M, unknown>): readonly M[] => Object.keys(source.formulas) as M[];

/** Does `source` answer every metric of `metrics`? */
export function covers<M extends MetricName>(source: Source<M, unknown>, metrics: readonly MetricName[]): metrics is readonly M[] {
  return metrics.every((m) => Object.hasOwn(source.formulas, m));
}
