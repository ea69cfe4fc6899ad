// Steps and goals: "a page" or "an event", with `*` as a wildcard at either end of the value.
// A step becomes a filter leaf on the `path` or `event` dimension plus the row kind it lives on,
// so matching goes through the same filter compiler as every other read.

import { z } from 'zod';
import type { Dialect } from '../query/dialects/dialect.js';
import { compileFilter, CUSTOM_TYPES, TRAFFIC_TYPES } from '../query/filters.js';
import { sql, type Sql } from '../query/sql.js';
import type { Filter, Query } from '../query/types.js';

export type StepType = 'path' | 'event';

export interface Step {
  /** As the caller spelled it (`url` or `path`), echoed in results. */
  readonly type: string;
  readonly kind: StepType;
  readonly value: string;
}

/** Step types the reports accept: seed 001 says `url`, newer Umami `path`. */
export const STEP_TYPES = ['url', 'path', 'event'] as const;

export const stepSchema = z.object({
  type: z.string().refine((t) => (STEP_TYPES as readonly string[]).includes(t), { message: 'must be one of url, path, event' }),
  value: z.string().trim().min(1, 'required').max(500),
});

export function toStep(s: { type: string; value: string }): Step {
  return { type: s.type, kind: s.type === 'event' ? 'event' : 'path', value: s.value };
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Filter leaf matching a step value. Exact values compare equal; `*x`, `x*` and `*x*` match the
 * end, the start or any part of the value (case-insensitively, as the filter compiler's `c` and
 * `re` operators do).
 */
export function valueFilter(dim: string, value: string): Filter {
  const head = value.startsWith('*');
  const tail = value.length > 1 && value.endsWith('*');
  if (!head && !tail) return { kind: 'leaf', dim, op: 'eq', values: [value] };
  const core = value.slice(head ? 1 : 0, tail ? -1 : undefined);
  if (core === '') return { kind: 'and', children: [] }; // `*` alone: anything
  if (head && tail) return { kind: 'leaf', dim, op: 'contains', values: [core] };
  return { kind: 'leaf', dim, op: 'regex', values: [head ? `${escapeRegex(core)}$` : `^${escapeRegex(core)}`] };
}

export function stepFilter(step: Step): Filter {
  return valueFilter(step.kind === 'event' ? 'event' : 'path', step.value);
}

/** Rows of the step's kind whose value matches (no website or range condition). */
export function stepCondition(step: Step, q: Pick<Query, 'websiteId' | 'range'>, d: Dialect): Sql {
  const rows = step.kind === 'event' ? CUSTOM_TYPES : TRAFFIC_TYPES;
  return sql`${rows} AND ${compileFilter(stepFilter(step), { ...q, rows: 'all' }, d)}`;
}
