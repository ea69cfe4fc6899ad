// Every string a hit stores is well-formed Unicode that every store can hold. The rule: a lone
// UTF-16 surrogate (JSON allows "\ud800"; DuckDB's and ClickHouse's JSON readers refuse it) and
// NUL (PostgreSQL text cannot hold it) each become U+FFFD, the replacement character, so the hit
// is kept and the damage is visible. Nothing else changes and lengths stay the same (one UTF-16
// unit for one). Applied once, to the rows a hit produces, so fields, event and session data keys
// and values, decoded titles and URL parameters (%00 decodes to NUL), batch items and v1 collect
// fields all pass through it.
import { storableText, UNSTORABLE, UNSTORABLE_ALL } from '../lib/storable-text.js';
import type { HitRows } from './writer.js';

export { storableText };

function fixRow(row: Record<string, unknown>): void {
  for (const key in row) {
    const v = row[key];
    if (typeof v === 'string' && UNSTORABLE.test(v)) row[key] = v.replace(UNSTORABLE_ALL, '\ufffd');
  }
}

/** Makes every string column of the hit's rows storable, in place. */
export function storableRows(rows: HitRows): HitRows {
  for (const list of [rows.events, rows.eventData, rows.sessions, rows.sessionData]) {
    for (const row of list) fixRow(row as unknown as Record<string, unknown>);
  }
  return rows;
}
