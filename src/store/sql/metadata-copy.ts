// Raw metadata rows in and out of a SQL store, for `dashi migrate-store` (src/store/transfer.ts).
import type { MetadataCopy, Row } from '../types.js';
import type { Executor } from './executor.js';

const IDENTIFIER = /^[a-z_]+$/;
const name = (text: string) => {
  if (!IDENTIFIER.test(text)) throw new Error(`not a table or column name: ${text}`);
  return text;
};

export class SqlMetadataCopy implements MetadataCopy {
  constructor(
    private readonly db: Executor,
    /** DuckDB sequences cannot be moved; PostgreSQL's can. */
    private readonly movableSequences: boolean,
  ) {}

  rows(table: string): Promise<Row[]> {
    return this.db.all(`SELECT * FROM ${name(table)}`);
  }

  async insertMissing(table: string, key: string, rows: Row[]): Promise<number> {
    let n = 0;
    for (const row of rows) {
      const cols = Object.keys(row).map(name);
      const values = cols.map((c) => (row[c] instanceof Date ? (row[c] as Date).toISOString() : row[c]));
      const slots = cols.map((c, i) => (c.endsWith('_at') ? `CAST($${i + 1} AS TIMESTAMP)` : `$${i + 1}`));
      const exists = await this.db.all(`SELECT 1 FROM ${name(table)} WHERE ${name(key)} = $1`, [row[key]]);
      if (exists.length) continue;
      await this.db.run(`INSERT INTO ${name(table)} (${cols.join(', ')}) VALUES (${slots.join(', ')})`, values);
      n++;
    }
    return n;
  }

  async syncSequences(): Promise<void> {
    if (!this.movableSequences) return;
    for (const [seq, table] of [
      ['users_legacy_seq', 'users'],
      ['websites_legacy_seq', 'websites'],
    ]) {
      await this.db.run(`SELECT setval('${seq}', (SELECT coalesce(max(legacy_id), 0) + 1 FROM ${table}), false)`);
    }
  }
}
