// bench/query.ts --load=batch: the generated dataset (or a sample of whole sessions of it) sent
// through POST /api/batch of a fresh server in random time order, as an import or a server-side
// sender would back-fill it. Each dataset session gets its own public IP address (so the server
// derives one session from it, and places it with its IP database) and keeps its browser, OS,
// device, screen and language; visits are the server's own (session + clock hour).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { openDuckDbStore } from '../src/store/duckdb/index.js';
import { trafficRollups } from '../src/query/rollups/embedded-rollups.js';
import { startDashi, type Dashi } from '../test/helpers/server.js';

const ITEMS_PER_BATCH = 500; // the most /api/batch takes
const IN_FLIGHT = 8;
const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

interface SourceRow {
  website_id: string;
  session_id: string;
  t: number;
  event_type: number;
  event_name: string | null;
  url_path: string;
  url_query: string | null;
  page_title: string | null;
  hostname: string;
  referrer_domain: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  tag: string | null;
  browser: string | null;
  os: string | null;
  device: string | null;
  screen: string | null;
  language: string | null;
  plan: string | null;
  value: number | null;
}

/** A public IPv4 address from the session id: 11.x.x.x to 190.x.x.x, so one per session. */
function addressOf(sessionId: string): string {
  const h = sessionId.replace(/-/g, '');
  const byte = (i: number) => parseInt(h.slice(i * 2, i * 2 + 2), 16);
  return `${11 + (byte(0) % 180)}.${byte(1)}.${byte(2)}.${1 + (byte(3) % 254)}`;
}

function item(row: SourceRow, website: string): unknown {
  const query = new URLSearchParams(row.url_query ?? '');
  if (row.utm_source) query.set('utm_source', row.utm_source);
  if (row.utm_medium) query.set('utm_medium', row.utm_medium);
  if (row.utm_campaign) query.set('utm_campaign', row.utm_campaign);
  const qs = query.toString();
  const data: Record<string, unknown> = {};
  if (row.plan !== null) data.plan = row.plan;
  if (row.value !== null) data.value = Number(row.value);
  return {
    type: 'event',
    payload: {
      website,
      hostname: row.hostname,
      url: `https://${row.hostname}${row.url_path}${qs ? `?${qs}` : ''}`,
      title: row.page_title ?? undefined,
      referrer: row.referrer_domain ? `https://${row.referrer_domain}/` : undefined,
      name: row.event_type === 2 ? (row.event_name ?? undefined) : undefined,
      data: row.event_type === 2 && Object.keys(data).length ? data : undefined,
      tag: row.tag ?? undefined,
      timestamp: Math.floor(row.t / 1000),
      ip: addressOf(row.session_id),
      userAgent: USER_AGENT,
      browser: row.browser ?? undefined,
      os: row.os ?? undefined,
      device: row.device ?? undefined,
      screen: row.screen ?? undefined,
      language: row.language ?? undefined,
    },
  };
}

/** Writes the rows to send, in random order, as NDJSON; returns the file and the site names by id. */
async function exportRows(source: string, events: number | null): Promise<{ file: string; sites: Map<string, string> }> {
  const store = await openDuckDbStore({ dataDir: source, rollups: trafficRollups });
  try {
    const q = (sql: string) => store.analytics.query(sql);
    const sites = new Map((await q('SELECT website_id, name FROM websites')).map((r) => [String(r.website_id), String(r.name)]));
    const [{ n }] = await q('SELECT count(*) AS n FROM website_event');
    // Whole sessions, a few more than needed, then exactly `events` of their rows.
    const share = events === null ? 1 : Math.min(1, (events / Number(n)) * 1.1);
    const file = path.join(os.tmpdir(), `dashi-bench-batch-${process.pid}.ndjson`);
    await q(`COPY (
      SELECT e.website_id, e.session_id, epoch_ms(e.created_at) AS t, e.event_type, e.event_name, e.url_path, e.url_query,
        e.page_title, e.hostname, e.referrer_domain, e.utm_source, e.utm_medium, e.utm_campaign, e.tag,
        e.browser, e.os, e.device, e.screen, e.language, d.plan, d.value
      FROM website_event e
      LEFT JOIN (SELECT event_id, max(string_value) FILTER (data_key = 'plan') AS plan, max(number_value) FILTER (data_key = 'value') AS value
                 FROM event_data GROUP BY event_id) d USING (event_id)
      WHERE hash(e.session_id) % 1000000 < ${Math.ceil(share * 1_000_000)}
      ORDER BY hash(e.event_id)
      ${events === null ? '' : `LIMIT ${events}`}
    ) TO '${file}' (FORMAT JSON)`);
    return { file, sites };
  } finally {
    await store.close();
  }
}

export interface BatchLoad {
  dashi: Dashi;
  /** The new ids of the dataset's websites, by name. */
  websites: Map<string, string>;
  sent: number;
  seconds: number;
}

/**
 * Loads `events` rows of the dataset in `source` (all with null) through /api/batch of a new
 * server on an empty `target`, and waits until every page view is visible in stats.
 */
export async function loadThroughBatch(source: string, target: string, events: number | null): Promise<BatchLoad> {
  const { file, sites } = await exportRows(source, events);
  fs.rmSync(target, { recursive: true, force: true });
  const dashi = await startDashi({ dataDir: target });
  try {
    return await sendAll(dashi, file, sites);
  } catch (err) {
    // Not left running (and merging its backlog) under whatever is measured next.
    await dashi.stop();
    throw err;
  } finally {
    fs.rmSync(file, { force: true });
  }
}

async function sendAll(dashi: Dashi, file: string, sites: Map<string, string>): Promise<BatchLoad> {
  const token = await dashi.login();
  const websites = new Map<string, string>();
  const newId = new Map<string, string>();
  for (const [id, name] of sites) {
    const res = await dashi.post('/api/websites', { name, domain: name }, { token });
    if (res.status !== 200) throw new Error(`creating ${name}: ${res.status} ${JSON.stringify(res.body)}`);
    websites.set(name, res.body.id);
    newId.set(id, res.body.id);
  }
  const pageviews = new Map<string, number>();
  let sent = 0;
  const t0 = performance.now();
  const inFlight = new Set<Promise<void>>();
  const send = async (items: unknown[]) => {
    const res = await dashi.post('/api/batch', items);
    if (res.status !== 200 || res.body.errors !== 0) {
      // The server's own account of it: its error lines.
      const logged = dashi.output.split('\n').filter((l) => /"level":(40|50|60)/.test(l)).slice(-5).join('\n');
      throw new Error(`/api/batch: ${res.status} ${JSON.stringify(res.body).slice(0, 500)}\n${logged}`);
    }
  };
  let items: unknown[] = [];
  const flush = async () => {
    const p = send(items).finally(() => inFlight.delete(p));
    inFlight.add(p);
    items = [];
    if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
  };
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line) continue;
    const row = JSON.parse(line) as SourceRow;
    const website = newId.get(row.website_id)!;
    items.push(item(row, website));
    if (row.event_type === 1) pageviews.set(website, (pageviews.get(website) ?? 0) + 1);
    sent++;
    if (items.length === ITEMS_PER_BATCH) await flush();
    if (sent % 100_000 === 0) console.log(`sent ${sent} hits (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  if (items.length) await flush();
  await Promise.all(inFlight);
  // Acknowledged hits are durable; the store shows them once their journal segment is loaded.
  const all = `startAt=0&endAt=${Date.now() + 86_400_000}`;
  for (const [website, expected] of pageviews) {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const stats = await dashi.get(`/api/websites/${website}/stats?${all}`, { token });
      if (stats.body?.pageviews?.value === expected) break;
      if (Date.now() > deadline) throw new Error(`website ${website}: ${JSON.stringify(stats.body?.pageviews)} page views visible, ${expected} sent`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  return { dashi, websites, sent, seconds: (performance.now() - t0) / 1000 };
}
