// What a store's own errors mean for the layers above it. Writes: a hit the store refuses (its own
// data: retrying cannot help, the client gets a 4xx) against a store that is failing (retry later,
// 503). Reads: a refused regular expression (a 400) and a cancelled, over-budget query
// (`query-timeout`); everything else stays a server error. Each store classifies its own errors.

/** The first line of an error's message, at most 300 characters (store errors can run to pages). */
export const firstLine = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 300);

/** The store refused the rows themselves (a value it cannot hold, a constraint), not the write. */
export class RowRejectedError extends Error {
  constructor(cause: unknown) {
    super(`The store refused the hit: ${firstLine(cause)}`, { cause });
  }
}

/** Rethrows `err` as a RowRejectedError when `refused(err)`, else as it is. */
export function classify(err: unknown, refused: (err: unknown) => boolean): never {
  throw refused(err) ? new RowRejectedError(err) : err;
}

export type StoreErrorKind = 'invalid-regex' | 'timeout' | 'out-of-memory';

// RE2's error texts, as DuckDB passes them on ("Invalid Input Error: invalid escape sequence: \q").
const RE2_ERRORS = /^Invalid Input Error: (invalid escape sequence|invalid character class|invalid character class range|missing \]|missing \)|unexpected \)|trailing \\|no argument for repetition operator|invalid repetition size|bad repetition operator|invalid perl operator|invalid UTF-8|invalid named capture group|pattern too large)/;

export function classifyStoreError(err: unknown): StoreErrorKind | null {
  if (!(err instanceof Error)) return null;
  const code = (err as { code?: unknown }).code;
  // PostgreSQL SQLSTATEs: invalid_regular_expression, query_canceled (statement_timeout).
  if (code === '2201B') return 'invalid-regex';
  if (code === '57014') return 'timeout';
  const m = err.message;
  if (RE2_ERRORS.test(m)) return 'invalid-regex';
  if (/^INTERRUPT Error/.test(m)) return 'timeout';
  // DuckDB past DUCKDB_MEMORY_LIMIT, while a rollup merge or other queries hold the rest.
  if (/^Out of Memory Error/.test(m)) return 'out-of-memory';
  // ClickHouse: CANNOT_COMPILE_REGEXP (427), TIMEOUT_EXCEEDED (159).
  if (/Code: 427\b|CANNOT_COMPILE_REGEXP/.test(m)) return 'invalid-regex';
  if (/Code: 159\b|TIMEOUT_EXCEEDED/.test(m)) return 'timeout';
  return null;
}

/** The store's own words for a refused pattern, without the error-class prefix. */
export function storeReason(err: Error): string {
  return err.message
    .replace(/^Invalid Input Error: /, '')
    .replace(/^invalid regular expression: /, '')
    .split('\n')[0]
    .slice(0, 200);
}
