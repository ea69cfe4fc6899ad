// How a merge rewrites a rollup table: it builds the new versions of the rows it touched in a temp
// table, with `row` holding the stored row's id (NULL for a new row), keeps only those that differ
// from the stored row, then deletes the stored rows by id and appends the new ones. A delete by row
// id and an append cost DuckDB far less than MERGE's or UPDATE's rewrites in place.

/** A condition on new row `n` and its stored row `o`: there is none, or one of `columns` differs. */
export const differs = (columns: readonly string[]): string =>
  `o.row IS NULL OR ${columns.map((c) => `n.${c} IS DISTINCT FROM o.${c}`).join(' OR ')}`;

/** The rows of temp table `changed` replace their stored rows in `table`; only those matching `keep` are appended. */
export const replaceRows = (table: string, changed: string, order: string, keep = 'TRUE'): string[] => [
  `DELETE FROM ${table} WHERE rowid IN (SELECT row FROM ${changed})`,
  `INSERT INTO ${table} BY NAME SELECT * EXCLUDE (row) FROM ${changed} WHERE ${keep} ORDER BY ${order}`,
];
