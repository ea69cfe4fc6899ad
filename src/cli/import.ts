// `dashi import <source> ...`: bring data in. `dashi import umami` copies a live Umami database
// (src/cli/import-umami.ts). `dashi import dashi FILE` loads a Dashi export
// (NDJSON, from `dashi export` or GET /api/websites/:id/export/events) into the configured store,
// or into the running server with --url and --api-key (an admin's key with write scope).
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config.js';
import { EventLineError } from '../store/event-lines.js';
import { importEventLines, MissingWebsitesError, TooManyWebsitesError, type ImportCounts } from '../store/event-import.js';
import { openConfiguredStore, serverOf } from './server-access.js';
import { IMPORT_UMAMI_USAGE, importUmamiCommand } from './import-umami.js';

const IMPORT_DASHI_USAGE = '       dashi import dashi FILE [--url URL --api-key KEY]';
export const IMPORT_USAGE = [IMPORT_UMAMI_USAGE, IMPORT_DASHI_USAGE].join('\n');

function report(counts: ImportCounts): void {
  const w = counts.written;
  console.log(`Read ${counts.lines} lines.`);
  console.log(`Written: ${w.website_event} events, ${w.event_data} event data, ${w.session} sessions, ${w.session_data} session data.`);
  console.log(`Skipped (already stored): ${counts.skipped.events} events, ${counts.skipped.sessions} sessions.`);
}

async function importDashi(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { url: { type: 'string' }, 'api-key': { type: 'string' } } });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new ConfigError(`dashi import dashi needs one FILE\n\nUsage:\n${IMPORT_DASHI_USAGE}`);
  if (!fs.existsSync(file)) throw new ConfigError(`No such file: ${file}`);
  const server = serverOf(values);
  if (server) {
    const res = await server.fetch('/api/admin/import', {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: Readable.toWeb(fs.createReadStream(file)) as never,
      duplex: 'half',
    } as RequestInit);
    const text = await res.text();
    if (res.status !== 200) throw new ConfigError(`${server.url} answered ${res.status}: ${text}`);
    report(JSON.parse(text) as ImportCounts);
    return;
  }
  const store = await openConfiguredStore();
  try {
    report(await importEventLines(store, fs.createReadStream(file)));
  } catch (err) {
    if (err instanceof EventLineError || err instanceof MissingWebsitesError || err instanceof TooManyWebsitesError) throw new ConfigError(`${file}: ${err.message}; nothing was imported`);
    throw err;
  } finally {
    await store.close();
  }
}

export async function importCommand(args: string[]): Promise<void> {
  const [source, ...rest] = args;
  if (source === 'umami') return importUmamiCommand(rest);
  if (source === 'dashi') return importDashi(rest);
  throw new ConfigError(`dashi import needs a source${source ? ` (not '${source}')` : ''}: umami or dashi\n\nUsage:\n${IMPORT_USAGE}`);
}
