import type { DialectName } from '../../store/types.js';
import type { Dialect } from './dialect.js';
import { clickhouse } from './clickhouse.js';
import { duckdb } from './duckdb.js';
import { postgres } from './postgres.js';

export type { Dialect } from './dialect.js';

const dialects: Record<DialectName, Dialect> = { duckdb, postgres, clickhouse };

/** Every dialect, for checks a value must pass on all stores. */
export const DIALECTS: readonly Dialect[] = Object.values(dialects);

export function dialectFor(name: DialectName): Dialect {
  return dialects[name];
}
