// Import from a live Umami database (src/store/umami/), with the stats check: Umami's page views,
// visitors and visits of the last 30 days per website beside Dashi's, answered by the query engine.
// `dashi import umami` runs it on the store directly (server stopped) or asks the running server
// through POST /api/admin/import/umami, which streams the same progress and result as NDJSON.
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { QueryEngine } from '../query/engine.js';
import type { Query } from '../query/types.js';
import type { Store } from '../store/types.js';
import { describeDays } from '../store/day-copy.js';
import { importUmami, UmamiImportError, type UmamiImportReport, type UmamiTotals } from '../store/umami/import.js';
import { openUmamiSource, redact, umamiDialect, UmamiSourceError } from '../store/umami/source.js';
import { UmamiShapeError } from '../store/umami/shape.js';
import type { AppContext } from '../server/context.js';
import { badRequest, forbidden, HttpError } from '../server/errors.js';
import { keyWebsiteIds, requireAdmin } from '../server/permissions.js';
import { parse, uuid } from '../server/validate.js';

export interface UmamiImportRequest {
  from: string;
  websiteIds?: string[];
  since?: Date;
  signal?: AbortSignal;
  now?: Date;
}

export interface WebsiteCheck {
  id: string;
  name: string;
  umami: UmamiTotals;
  dashi: UmamiTotals;
  /** Dashi's numbers hold Umami's: equal, or greater by Dashi's own hits on the same days. */
  match: boolean;
}

export interface UmamiImportResult {
  report: UmamiImportReport;
  websites: WebsiteCheck[];
  /**
   * Every table's count and every website's stats on Dashi's side are at least Umami's (the
   * import adds rows: Dashi's own hits stay, so its numbers can only be larger).
   */
  ok: boolean;
}

/** One NDJSON line of the route's answer. */
export type ImportLine = { type: 'progress'; done: number; total: number; label: string } | { type: 'result'; result: UmamiImportResult } | { type: 'error'; message: string };

/** Errors the caller can act on (bad URL, unreachable or not an Umami database, bad website id), with the password hidden. */
export class ImportRefused extends Error {}

async function dashiTotals(store: Store, websiteId: string, domain: string | null, range: { from: Date; to: Date }): Promise<UmamiTotals> {
  const q: Query = {
    websiteId,
    websiteDomain: domain,
    range: { start: range.from, end: range.to },
    timeZone: 'UTC',
    rows: 'traffic',
    metrics: ['pageviews', 'visitors', 'visits'],
    dimensions: [],
    filter: null,
    orderBy: [],
    limit: null,
    offset: 0,
    compare: null,
    now: range.to,
  };
  const values = (await new QueryEngine(store.analytics).run(q)).rows[0]?.values ?? {};
  return { pageviews: values.pageviews ?? 0, visitors: values.visitors ?? 0, visits: values.visits ?? 0 };
}

export async function runUmamiImport(store: Store, req: UmamiImportRequest, progress: (done: number, total: number, label: string) => void = () => undefined): Promise<UmamiImportResult> {
  let source;
  try {
    source = await openUmamiSource(req.from);
  } catch (err) {
    if (err instanceof UmamiSourceError) throw new ImportRefused(err.message);
    throw err;
  }
  try {
    const report = await importUmami(source, store, { websiteIds: req.websiteIds, since: req.since, signal: req.signal, now: req.now }, progress);
    const websites: WebsiteCheck[] = [];
    for (const w of report.websites) {
      const dashi = await dashiTotals(store, w.id, w.domain, report.window);
      websites.push({ id: w.id, name: w.name, umami: w.umami, dashi, match: (['pageviews', 'visitors', 'visits'] as const).every((k) => dashi[k] >= w.umami[k]) });
    }
    const ok = Object.values(report.counts).every((c) => c.dashi >= c.umami) && websites.every((w) => w.match);
    return { report, websites, ok };
  } catch (err) {
    if (err instanceof UmamiImportError || err instanceof UmamiShapeError) throw new ImportRefused(err.message);
    // A driver error may quote the connection string.
    if (err instanceof Error) err.message = redact(err.message, req.from);
    throw err;
  } finally {
    await source.close().catch(() => undefined);
  }
}

/** The result as the lines `dashi import umami` prints. */
export function describeImport(result: UmamiImportResult): string[] {
  const { report } = result;
  const lines = [`Umami ${report.version} → Dashi`];
  lines.push(`Metadata rows added: ${Object.entries(report.metadata).map(([t, n]) => `${t} ${n}`).join(', ')}`);
  if (report.mergedUsers.length) lines.push(`Kept Dashi's own users of the same name (their Umami websites and reports now belong to them): ${report.mergedUsers.join(', ')}`);
  lines.push(...describeDays(report));
  const more = (umami: number, dashi: number) => (dashi === umami ? '' : dashi > umami ? `  (+${dashi - umami}: Dashi's own)` : '  MISMATCH');
  for (const [table, c] of Object.entries(report.counts)) lines.push(`  ${table}: umami ${c.umami}, dashi ${c.dashi}${more(c.umami, c.dashi)}`);
  lines.push(`Last ${Math.round((report.window.to.getTime() - report.window.from.getTime()) / 86_400_000)} days, umami | dashi:`);
  for (const w of result.websites) {
    const cell = (k: keyof UmamiTotals) => `${k} ${w.umami[k]} | ${w.dashi[k]}`;
    const own = (['pageviews', 'visitors', 'visits'] as const).some((k) => w.dashi[k] > w.umami[k]);
    lines.push(`  ${w.id} ${w.name}: ${cell('pageviews')}, ${cell('visitors')}, ${cell('visits')}${w.match ? (own ? "  (Dashi's own hits too)" : '') : '  MISMATCH'}`);
  }
  lines.push(result.ok ? 'Done: counts and stats match.' : 'Counts or stats fall short (see MISMATCH above); run again to resume an interrupted import.');
  return lines;
}

const MAX_URL = 2000;
export const importUmamiBody = z.object({
  from: z
    .string()
    .max(MAX_URL)
    .refine((u) => umamiDialect(u) !== null, 'must be a postgresql://, postgres://, mysql:// or mariadb:// URL'),
  websiteIds: z.array(uuid).min(1).max(1000).optional(),
  since: z.iso.datetime({ offset: true, message: 'must be an ISO date-time' }).or(z.iso.date('must be an ISO date')).optional(),
});

/** One import at a time per store: a second would copy the same chunks concurrently. */
const running = new WeakSet<Store>();

export function registerImportUmami(app: FastifyInstance, ctx: AppContext): void {
  app.post('/api/admin/import/umami', async (req, reply) => {
    await requireAdmin(req, ctx);
    if (await keyWebsiteIds(req, ctx)) throw forbidden('This API key is limited to some websites: an import creates websites');
    const body = parse(importUmamiBody, req.body);
    if (running.has(ctx.store)) throw new HttpError(409, 'conflict', 'An import is already running');
    running.add(ctx.store);
    let source;
    try {
      // Connect before answering, so that a bad URL or database is a 400, not a line in a 200.
      source = await openUmamiSource(body.from);
      await source.close();
    } catch (err) {
      running.delete(ctx.store);
      throw badRequest(err instanceof Error ? redact(err.message, body.from) : 'cannot read the Umami database');
    }
    const out = new PassThrough();
    const send = (line: ImportLine) => out.write(`${JSON.stringify(line)}\n`);
    const abort = new AbortController();
    req.raw.on('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    let last = 0;
    void runUmamiImport(ctx.store, { from: body.from, websiteIds: body.websiteIds, since: body.since ? new Date(body.since) : undefined, signal: abort.signal }, (done, total, label) => {
      const now = Date.now();
      if (done !== total && now - last < 250) return;
      last = now;
      send({ type: 'progress', done, total, label });
    })
      .then((result) => send({ type: 'result', result }))
      .catch((err: unknown) => {
        if (!(err instanceof ImportRefused)) ctx.log.error({ err: err instanceof Error ? err.message : String(err) }, 'Umami import failed');
        send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
      })
      .finally(() => {
        running.delete(ctx.store);
        out.end();
      });
    return reply.type('application/x-ndjson').send(out);
  });
}
