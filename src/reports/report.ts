// The contract between the report modules and the API: each report reads its own fields from the
// flattened body and answers from the scope with the shared engine.

import type { QueryEngine } from '../query/engine.js';
import { inRange } from '../query/filters.js';
import { raw, sql, type Sql } from '../query/sql.js';
import type { ReportScope } from './report-input.js';

export interface ReportEnv {
  readonly engine: QueryEngine;
  readonly scope: ReportScope;
  readonly fields: Record<string, unknown>;
}

export interface ReportDef {
  /** Check the report's own fields without touching the data (saved reports are checked too). */
  validate(fields: Record<string, unknown>): unknown;
  /**
   * The fields whose presence in a saved report's parameters makes it checked with `validate`
   * (a saved report may be a draft without them yet); none: saved parameters are not checked.
   */
  readonly savedFields?: readonly string[];
  run(env: ReportEnv): Promise<unknown>;
}

export { toNumber as num } from '../query/engine.js';

/** Rows of the scope's website and range, any event type. */
export function scopeRange(s: ReportScope, env: ReportEnv): Sql {
  return inRange({ websiteId: s.website.id, range: s.range }, env.engine.dialect);
}

/** `TRUE`, for building condition lists. */
export const TRUE = raw('TRUE');

export const and = (parts: Sql[]): Sql => parts.reduce((a, b) => sql`${a} AND ${b}`);
