// The embedded store's bulk load (BulkLoad in ../types.ts): each table's CSV goes to a file in the
// data directory, and DuckDB reads the files itself (read_csv, on its own threads, with the
// column types given and nothing sniffed) into the tables in the writer's transaction. No value
// passes through JavaScript.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { CsvRows } from '../types.js';
import { tables, type Kind } from '../sql/columns.js';
import { tableIndex } from '../sql/csv.js';
import { websiteRowsLiteral } from '../sql/executor.js';

// DECIMAL columns are read as DOUBLE and cast by the insert, as the appender path (bulk.ts) does.
const CSV_TYPE: Record<Kind, string> = { uuid: 'UUID', ts: 'TIMESTAMP', int: 'INTEGER', num: 'DOUBLE', text: 'VARCHAR' };

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * A relation of the rows of tables[t] in a CSV file. A line longer than DuckDB's max_line_size
 * (2 MB; its read buffer is 16 times that) fails the load, and the caller writes the rows the usual way.
 */
export function csvRelation(t: number, file: string): string {
  const columns = tables[t].columns.map(([name, kind]) => `${quote(name)}: ${quote(CSV_TYPE[kind])}`).join(', ');
  // new_line given: detected, it came out wrong when the first line held a quoted "\r\n" (the
  // reader then refused the file). Not in parallel: the parallel reader lost its place on quoted
  // newlines in hostile values.
  return (
    `read_csv(${quote(file)}, columns = {${columns}}, header = false, auto_detect = false, delim = ',', quote = '"', escape = '"', ` +
    `nullstr = '', allow_quoted_nulls = false, strict_mode = true, new_line = '\\n', parallel = false)`
  );
}

/**
 * The COPY that writes a website's rows of `table` created in [from, to) to a new CSV file in
 * `dir`, in the format csvRelation (and PostgreSQL's COPY) reads: strings and uuids always quoted,
 * so that NULL (an empty field) and '' ("") differ.
 */
export function csvCopyOut(dir: string, table: string, websiteId: string, range: { from: Date; to: Date }): { file: string; sql: string } {
  const where = websiteRowsLiteral(websiteId, range);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${randomBytes(6).toString('hex')}-out-${table}.csv`);
  const { columns } = tables[tableIndex(table)];
  const quoted = columns.filter(([, kind]) => kind === 'text' || kind === 'uuid').map(([name]) => name);
  const sql =
    `COPY (SELECT ${columns.map(([name]) => name).join(', ')} FROM ${table} WHERE ${where}) TO ${quote(file)} ` +
    `(FORMAT csv, HEADER false, DELIMITER ',', QUOTE '"', ESCAPE '"', NULLSTR '', FORCE_QUOTE (${quoted.join(', ')}))`;
  return { file, sql };
}

/** One staged table: its index in `tables` and its file. */
export interface CsvFile {
  t: number;
  file: string;
}

/** Writes each part's CSV to a new file in `dir`; on failure removes the files and throws. */
export async function stageCsv(dir: string, parts: readonly CsvRows[]): Promise<CsvFile[]> {
  fs.mkdirSync(dir, { recursive: true });
  const tag = randomBytes(6).toString('hex');
  const files = parts.map((p) => ({ t: tableIndex(p.table), file: path.join(dir, `${tag}-${p.table}.csv`) }));
  try {
    // One at a time: the source reads them one after the other anyway.
    for (let i = 0; i < parts.length; i++) await pipeline((await parts[i].csv()) as Readable, fs.createWriteStream(files[i].file));
    return files;
  } catch (err) {
    removeCsv(files);
    throw err;
  }
}

export function removeCsv(files: readonly CsvFile[]): void {
  for (const { file } of files) fs.rmSync(file, { force: true });
}
