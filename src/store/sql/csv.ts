// Rows of an analytics table as CSV in PostgreSQL's csv format (the text BulkLoad reads, see
// CsvRows in ../types.ts): NULL unquoted and empty, every string quoted. A string holding NUL or a
// lone UTF-16 surrogate has no such text that every store reads back as the same string: such a
// row throws CsvValueError, and the caller stores the batch through write() instead.
import { sqlTimestamp } from '../../lib/timestamp.js';
import { tables, type Kind } from './columns.js';

export class CsvValueError extends Error {}

// String.prototype.isWellFormed (Node 20+; TypeScript's ES2022 lib does not declare it).
const wellFormed = (v: string) => (v as unknown as { isWellFormed(): boolean }).isWellFormed();

const QUOTE = /"/g;

function text(v: unknown): string {
  const s = String(v);
  if (s.includes('\0') || !wellFormed(s)) throw new CsvValueError('a string with NUL or a lone surrogate');
  return `"${s.replace(QUOTE, '""')}"`;
}

const field: Record<Kind, (v: unknown) => string> = {
  uuid: text,
  text,
  ts: (v) => {
    if (!(v instanceof Date) || Number.isNaN(v.getTime())) throw new CsvValueError('not a date');
    return sqlTimestamp(v);
  },
  int: (v) => String(v),
  num: (v) => String(v),
};

/** A serializer of one row of tables[t] as one CSV line (with its newline). */
export function csvLine(t: number): (row: unknown) => string {
  const columns = tables[t].columns.map(([, kind, get]) => ({ format: field[kind], get }));
  return (row) => {
    let out = '';
    for (let i = 0; i < columns.length; i++) {
      const v = columns[i].get(row);
      if (i) out += ',';
      if (v != null) out += columns[i].format(v);
    }
    return out + '\n';
  };
}

/** The index in `tables` of an analytics table. */
export function tableIndex(table: string): number {
  const t = tables.findIndex((x) => x.table === table);
  if (t < 0) throw new Error(`not an analytics table: ${table}`);
  return t;
}
