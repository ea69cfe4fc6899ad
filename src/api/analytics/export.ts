// GET /api/websites/:websiteId/export (newer Umami): the website's top lists over a range and
// filters as CSV files in a ZIP, answered as `{zip: <base64>}`. Each file holds the rows /metrics
// answers for one type (same filters, segment, cohort and excludeBounce; /metrics' paging and
// search do not apply), with columns x,y.

import type { FastifyInstance } from 'fastify';
import { strToU8, zipSync } from 'fflate';
import { dimension } from '../../query/dimensions.js';
import { scopeOf } from '../scope.js';
import type { Analytics } from './params.js';

/** File name -> /metrics type, in Umami's order. */
const FILES: readonly (readonly [string, string])[] = [
  ['events.csv', 'event'],
  ['pages.csv', 'path'],
  ['referrers.csv', 'referrer'],
  ['browsers.csv', 'browser'],
  ['os.csv', 'os'],
  ['devices.csv', 'device'],
  ['countries.csv', 'country'],
];

/** Rows per file at most (/metrics stops at 500 unless asked for more). */
const EXPORT_LIMIT = 50_000;

// A cell starting with one of these is a formula to a spreadsheet; a leading quote keeps it text.
// Event names and paths come from anyone who can send to the collector.
const FORMULA_START = /^[=+\-@\t\r]/;

/** One RFC 4180 CSV cell; text a spreadsheet would run as a formula gets a leading quote. */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let text = String(v);
  if (typeof v === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV with a header row and CRLF line ends (no line end after the last row). */
export function toCsv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  return [columns.map(csvCell).join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))].join('\r\n');
}

export function registerExport(app: FastifyInstance, a: Analytics): void {
  app.get('/api/websites/:websiteId/export', async (req) => {
    const s = await scopeOf(req, a);
    const range = s.range();
    const filter = s.filter();
    const lists = await Promise.all(
      FILES.map(async ([, type]) => {
        const def = dimension(type);
        // The /metrics breakdown: most counted first, then by value.
        const q = s.query({ range,
          rows: def.rows,
          metrics: [def.countBy],
          dimensions: [{ kind: 'field', name: def.name }],
          filter,
          orderBy: [{ key: def.countBy, dir: 'desc' }, { key: 'd0', dir: 'asc' }],
          limit: EXPORT_LIMIT,
        });
        const result = await a.engine.run(q);
        return result.rows.map((r) => ({ x: r.dims[0], y: r.values[def.countBy] ?? 0 }));
      }),
    );
    const files = Object.fromEntries(FILES.map(([name], i) => [name, strToU8(toCsv(['x', 'y'], lists[i]))]));
    return { zip: Buffer.from(zipSync(files, { level: 6 })).toString('base64') };
  });
}
