import type { DialectName } from '../../store/types.js';
import type { Dialect } from './dialect.js';
import { duckdb } from './duckdb.js';

export type { Dialect } from './dialect.js';

export function dialectFor(name: DialectName): Dialect {
  if (name === 'duckdb') return duckdb;
  throw new Error(`no query dialect for store '${name}' yet`);
}
