// `dashi import umami --from URL [--website ID]... [--since DATE] [--url URL --api-key KEY]`.
// Without --url it opens the configured store itself (the embedded store only while the server is
// stopped); with --url it asks that running server to import and prints the lines it streams back.
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config.js';
import { describeImport, ImportRefused, runUmamiImport, type ImportLine, type UmamiImportResult } from '../api/import-umami.js';
import { readLines } from '../store/event-lines.js';
import { redact, umamiDialect } from '../store/umami/source.js';
import { openConfiguredStore, serverOf, type ServerAccess } from './server-access.js';
import { progressBar } from './progress.js';

export const IMPORT_UMAMI_USAGE =
  '       dashi import umami --from postgresql://…|mysql://… [--website ID]... [--since YYYY-MM-DD] [--url URL --api-key KEY]';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Revives the dates of a result that came back as JSON. */
function revive(result: UmamiImportResult): UmamiImportResult {
  const { report } = result;
  report.window = { from: new Date(report.window.from), to: new Date(report.window.to) };
  report.bulkFallbacks = report.bulkFallbacks.map((f) => ({ ...f, from: new Date(f.from), to: new Date(f.to) }));
  return result;
}

async function throughServer(server: ServerAccess, body: Record<string, unknown>, from: string): Promise<UmamiImportResult> {
  let res: Response;
  try {
    res = await server.fetch('/api/admin/import/umami', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  } catch (err) {
    throw new ConfigError(`cannot reach the Dashi server at ${server.url}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!res.ok || !res.body) {
    const text = await res.text();
    let message = text;
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
    } catch {
      // not JSON: print as is
    }
    throw new ConfigError(`the server refused the import (${res.status}): ${redact(message, from)}`);
  }
  let result: UmamiImportResult | null = null;
  for await (const [line] of readLines(Readable.fromWeb(res.body as never))) {
    if (!line.trim()) continue;
    const msg = JSON.parse(line) as ImportLine;
    if (msg.type === 'progress') progressBar(msg.done, msg.total, msg.label);
    else if (msg.type === 'result') result = revive(msg.result);
    else throw new ConfigError(`the import stopped: ${redact(msg.message, from)}`);
  }
  if (!result) throw new ConfigError('the server ended the import without a result; run it again to resume');
  return result;
}

export async function importUmamiCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { from: { type: 'string' }, website: { type: 'string', multiple: true }, since: { type: 'string' }, url: { type: 'string' }, 'api-key': { type: 'string' } },
  });
  const from = values.from ?? process.env.UMAMI_DATABASE_URL;
  if (!from || !umamiDialect(from)) throw new ConfigError(`dashi import umami needs --from with a postgresql:// or mysql:// URL of the Umami database\n\nUsage:\n${IMPORT_UMAMI_USAGE}`);
  const websiteIds = values.website;
  const bad = websiteIds?.find((id) => !UUID.test(id));
  if (bad) throw new ConfigError(`--website must be a website id (a UUID), not '${bad}'`);
  let since: Date | undefined;
  if (values.since) {
    since = new Date(values.since);
    if (Number.isNaN(since.getTime())) throw new ConfigError(`--since must be a date (YYYY-MM-DD or an ISO date-time), not '${values.since}'`);
  }

  let result: UmamiImportResult;
  const server = values.url ? serverOf(values) : null;
  if (server) {
    result = await throughServer(server, { from, websiteIds, since: since?.toISOString() }, from);
  } else {
    const store = await openConfiguredStore();
    const abort = new AbortController();
    const stop = () => abort.abort();
    process.once('SIGINT', stop);
    try {
      result = await runUmamiImport(store, { from, websiteIds, since, signal: abort.signal }, progressBar);
    } catch (err) {
      if (err instanceof ImportRefused) throw new ConfigError(err.message);
      throw err;
    } finally {
      process.off('SIGINT', stop);
      await store.close();
    }
  }
  for (const line of describeImport(result)) console.log(line);
  if (!result.ok) process.exitCode = 1;
}
