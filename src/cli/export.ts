// `dashi export --website ID [--from DATE] [--to DATE] [--format ndjson|csv|parquet] [--out FILE]`:
// a website's raw rows (src/api/export-events.ts). With --url (or DASHI_URL) and --api-key it asks
// the running server; without, it opens the configured store itself, which for the embedded store
// means the server must be stopped (DuckDB allows one process per file).
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config.js';
import { EXPORT_FORMATS, exportStream, type ExportFormat } from '../api/export-events.js';
import { dataStart } from '../api/scope.js';
import { parseInstant } from '../query/time.js';
import { QueryError } from '../query/types.js';
import { openConfiguredStore, serverOf } from './server-access.js';

export const EXPORT_USAGE = '       dashi export --website ID [--from DATE] [--to DATE] [--format ndjson|csv|parquet] [--out FILE] [--url URL --api-key KEY]';

/** Far enough for "no end": every store's timestamp type holds it. */
const NO_END = Date.UTC(2200, 0, 1);

function instant(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  try {
    return parseInstant(value, flag);
  } catch (err) {
    if (err instanceof QueryError) throw new ConfigError(`${flag}: must be epoch milliseconds or an ISO 8601 date (2026-01-31)`);
    throw err;
  }
}

export async function exportCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      website: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      format: { type: 'string', default: 'ndjson' },
      out: { type: 'string' },
      url: { type: 'string' },
      'api-key': { type: 'string' },
    },
  });
  if (!values.website) throw new ConfigError(`dashi export needs --website ID\n\nUsage:\n${EXPORT_USAGE}`);
  const format = values.format as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) throw new ConfigError(`--format must be one of ${EXPORT_FORMATS.join(', ')}`);
  const from = instant(values.from, '--from', 0);
  const to = instant(values.to, '--to', NO_END);
  if (from > to) throw new ConfigError('--from is after --to');
  const out = values.out ? fs.createWriteStream(values.out) : process.stdout;

  const server = serverOf(values);
  if (server) {
    const res = await server.fetch(`/api/websites/${encodeURIComponent(values.website)}/export/events?startAt=${from}&endAt=${to}&format=${format}`);
    if (res.status !== 200 || !res.body) throw new ConfigError(`${server.url} answered ${res.status}: ${await res.text()}`);
    await pipeline(Readable.fromWeb(res.body as never), out);
    return;
  }
  const store = await openConfiguredStore();
  try {
    const website = await store.websites.get(values.website);
    if (!website) throw new ConfigError(`No website with id ${values.website}`);
    const range = { start: new Date(Math.max(from, dataStart(website).getTime())), end: new Date(to) };
    await pipeline(await exportStream(store.analytics, website.id, range, format), out);
  } finally {
    await store.close();
  }
}
