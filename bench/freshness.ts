// Freshness under load (not a test). Starts a real Dashi server on the embedded store, then for
// `seconds` drives a paced stream of /api/send hits and, at the same time, a back-fill of hits in
// random time order over the last 30 days through /api/batch. Meanwhile, every second, it times
// the dashboard's queries (last 30 days, endAt = Date.now(): off the slot grid) and sends one
// marked hit, polling until the reads count it. Prints query latency before and during the load,
// how long a hit takes to become visible, acknowledged vs stored hits, the server's memory and
// the load average.
//
//   node --import tsx bench/freshness.ts [seconds=60] [--rate=2000] [--backfill=200000] [--base=200000] [--source=DIR]
//
// Without --source the base (--base hits over the last 30 days, in time order) is written through
// /api/batch into a fresh bench/.data/freshness. With --source (e.g. a copy of bench/.data/query)
// that directory is copied there instead, its timestamps moved so that its last event is now, and
// its rollups rebuilt. The directory is kept after the run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { openDuckDbStore } from '../src/store/duckdb/index.js';
import { trafficRollups } from '../src/query/rollups/embedded-rollups.js';
import { readStored } from '../test/helpers/ingest-db.js';
import { Dashi, startDashi, stopAll } from '../test/helpers/server.js';
import { randomIp, sendRequests, userAgents } from './hits.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const seconds = Number(args.find((a) => /^\d+$/.test(a)) ?? 60);
const rate = Number(flag('rate') ?? 2000);
const backfill = Number(flag('backfill') ?? 200_000);
const baseHits = Number(flag('base') ?? 200_000);
const source = flag('source');
const dataDir = path.resolve(here, '.data/freshness');
const DAY = 86_400_000;
const BATCH = 500; // /api/batch's limit
const POLL_MS = 250;
const VISIBLE_WITHIN_MS = 60_000; // after the load, markers are polled for this long at most

// Visitors of the generated traffic: each an IP and a User-Agent, so each its own session.
const uas = userAgents();
const visitors = Array.from({ length: 20_000 }, (_, i) => ({ ip: randomIp(), ua: uas[i % uas.length] }));
const PATHS = Array.from({ length: 50 }, (_, i) => (i === 0 ? '/' : `/page/${i}`));
const REFERRERS = ['', '', 'https://www.google.com/', 'https://news.ycombinator.com/', 'https://duckduckgo.com/', 'https://t.co/x'];
const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];

/** One /api/batch item at `ms` (unix milliseconds) from a random visitor. */
function pastHit(website: string, ms: number) {
  const v = pick(visitors);
  return {
    type: 'event',
    payload: { website, hostname: 'example.com', url: pick(PATHS), referrer: pick(REFERRERS), language: 'en-US', screen: '1920x1080', title: 'bench', ip: v.ip, userAgent: v.ua, timestamp: Math.floor(ms / 1000) },
  };
}

interface BatchTally {
  processed: number;
  failed: number;
}

async function postBatch(d: Dashi, items: unknown[], tally: BatchTally): Promise<void> {
  const res = await d.post('/api/batch', items, { headers: { 'user-agent': uas[0] } });
  if (res.status !== 200) throw new Error(`/api/batch: ${res.status} ${JSON.stringify(res.body)}`);
  tally.processed += res.body.processed;
  tally.failed += res.body.errors;
}

/** Sends `batches` through /api/batch, at most `parallel` at once, batch i not before `due(i)`. */
async function sendBatches(d: Dashi, batches: unknown[][], parallel: number, tally: BatchTally, due: (i: number) => number = () => 0): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < batches.length) {
      const i = next++;
      const wait = due(i) - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await postBatch(d, batches[i], tally);
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
}

function chunks<T>(xs: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += BATCH) out.push(xs.slice(i, i + BATCH));
  return out;
}

/** The copied --source dataset, moved in time so that its last event is now, rollups rebuilt. */
async function prepareSource(dir: string): Promise<string> {
  if (path.resolve(dir) === dataDir) throw new Error(`--source must not be ${dataDir}, which this bench overwrites`);
  if (!fs.existsSync(path.join(dir, 'dashi.duckdb'))) throw new Error(`no dataset in ${dir}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.cpSync(dir, dataDir, { recursive: true });
  const store = await openDuckDbStore({ dataDir, rollups: trafficRollups });
  try {
    const q = (sql: string) => store.analytics.query(sql);
    const [last] = await q('SELECT epoch_ms(max(created_at)) AS ms FROM website_event');
    // Whole days, so that the data keeps its place in the day and the week.
    const shift = Math.floor((Date.now() - Number(last.ms)) / DAY) * DAY;
    for (const table of ['website_event', 'event_data', 'session', 'session_data']) await q(`UPDATE ${table} SET created_at = created_at + to_milliseconds(${shift})`);
    await store.analytics.rollups?.rebuild();
    await q('CHECKPOINT');
    const [site] = await q('SELECT website_id, count(*) AS n FROM website_event GROUP BY 1 ORDER BY n DESC LIMIT 1');
    console.log(`source ${dir}: moved ${(shift / DAY).toFixed(0)} days forward; largest website ${site.website_id} (${site.n} events)`);
    return String(site.website_id);
  } finally {
    await store.close();
  }
}

/** The base: `baseHits` over the last 30 days in time order, as a live site would have sent them. */
async function writeBase(d: Dashi, website: string): Promise<BatchTally> {
  const tally = { processed: 0, failed: 0 };
  const t0 = Date.now();
  const start = t0 - 30 * DAY;
  const items = Array.from({ length: baseHits }, (_, i) => pastHit(website, start + Math.floor(((i + Math.random()) / baseHits) * 30 * DAY)));
  await sendBatches(d, chunks(items), 4, tally);
  console.log(`base: ${tally.processed} of ${baseHits} hits through /api/batch in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return tally;
}

const range = () => {
  const endAt = Date.now();
  return `startAt=${endAt - 30 * DAY}&endAt=${endAt}`;
};

type Phase = 'before' | 'load';
const timings = new Map<string, Record<Phase, number[]>>();
const sources = new Map<string, Set<string>>();

/** One round of the dashboard's queries, each timed and recorded under `phase`. */
async function queryRound(d: Dashi, token: string, website: string, phase: Phase): Promise<void> {
  const w = `/api/websites/${website}`;
  const r = range();
  const queries: [string, string][] = [
    ['stats', `${w}/stats?${r}`],
    ['pageviews (day, New York)', `${w}/pageviews?${r}&unit=day&timezone=America/New_York`],
    ['metrics referrer', `${w}/metrics?${r}&type=referrer`],
    ['metrics browser', `${w}/metrics?${r}&type=browser`],
  ];
  for (const [name, url] of queries) {
    const t = performance.now();
    const res = await d.get(url, { token });
    const ms = performance.now() - t;
    if (res.status !== 200) throw new Error(`${name}: ${res.status} ${JSON.stringify(res.body)}`);
    const entry = timings.get(name) ?? { before: [], load: [] };
    entry[phase].push(ms);
    timings.set(name, entry);
    const source = res.headers.get('x-dashi-source');
    if (source) sources.set(name, (sources.get(name) ?? new Set()).add(source));
  }
}

/** Query rounds once a second (a slow round delays the next, never overlaps it) until `until()`. */
async function queryLoop(d: Dashi, token: string, website: string, phase: Phase, until: () => boolean, done = () => {}): Promise<void> {
  while (!until()) {
    const t = Date.now();
    await queryRound(d, token, website, phase);
    done();
    const wait = 1000 - (Date.now() - t);
    if (wait > 0 && !until()) await new Promise((r) => setTimeout(r, wait));
  }
}

interface Marker {
  path: string;
  sentAt: number;
  ackMs: number | null;
  /** From sending the hit until metrics path (search) on the loaded website lists it. */
  pathMs: number | null;
  /** From sending the hit until stats on the marker website counts it (its pageviews reach n + 1). */
  statsMs: number | null;
}

const markerPrefix = `/fresh-${process.pid}-`;

/**
 * Marker n: one hit with a unique path to the loaded website and one to a website that gets only
 * markers, sent at once.
 */
function sendMarker(d: Dashi, website: string, quiet: string, markers: Marker[]): Promise<void> {
  const n = markers.length;
  const m: Marker = { path: `${markerPrefix}${n}`, sentAt: performance.now(), ackMs: null, pathMs: null, statsMs: null };
  markers.push(m);
  const body = (site: string) => ({ type: 'event', payload: { website: site, hostname: 'example.com', url: m.path, language: 'en-US', screen: '1920x1080' } });
  const headers = { 'user-agent': uas[n % uas.length], 'x-forwarded-for': randomIp() };
  return Promise.all([d.post('/api/send', body(website), { headers }), d.post('/api/send', body(quiet), { headers })]).then((sent) => {
    for (const res of sent) if (res.status !== 200) throw new Error(`marker ${n}: ${res.status} ${JSON.stringify(res.body)}`);
    m.ackMs = performance.now() - m.sentAt;
  });
}

/**
 * One poller for every marker, so that slow reads under load do not pile up: two reads at a
 * time at most, each telling which markers are visible. Runs until every marker was seen, or
 * VISIBLE_WITHIN_MS after the last marker once the load has ended.
 */
async function pollMarkers(d: Dashi, token: string, website: string, quiet: string, markers: Marker[], loadEnded: () => boolean): Promise<void> {
  while (!(loadEnded() && markers.every((m) => m.pathMs !== null && m.statsMs !== null))) {
    if (loadEnded() && performance.now() - Math.max(...markers.map((m) => m.sentAt)) > VISIBLE_WITHIN_MS) return;
    const [paths, stats] = await Promise.all([
      d.get(`/api/websites/${website}/metrics?${range()}&type=path&search=${encodeURIComponent(markerPrefix)}&limit=100000`, { token }),
      d.get(`/api/websites/${quiet}/stats?${range()}`, { token }),
    ]);
    const now = performance.now();
    if (paths.status !== 200 || stats.status !== 200) throw new Error(`marker reads: ${paths.status} ${stats.status}`);
    const listed = new Set((paths.body as { x: string; y: number }[]).filter((row) => row.y >= 1).map((row) => row.x));
    const counted = Number(stats.body.pageviews?.value ?? stats.body.pageviews);
    markers.forEach((m, n) => {
      if (m.pathMs === null && listed.has(m.path)) m.pathMs = now - m.sentAt;
      if (m.statsMs === null && counted >= n + 1) m.statsMs = now - m.sentAt;
    });
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const summary = (xs: number[]) => {
  if (!xs.length) return '-';
  const s = xs.slice().sort((a, b) => a - b);
  return `${percentile(s, 50).toFixed(0)} / ${percentile(s, 95).toFixed(0)} / ${s[s.length - 1].toFixed(0)}`;
};

/** VmRSS and VmHWM of a process, in MB (Linux /proc). */
function memory(pid: number | undefined): { rss: number; hwm: number } {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return { rss: NaN, hwm: NaN };
  }
}

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

async function main(): Promise<void> {
  let website = source ? await prepareSource(source) : null;
  if (!source) fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  const before = website ? Number((await readStored(new Dashi(dataDir, {}), `SELECT count(*) AS n FROM website_event WHERE website_id = '${website}'`))[0].n) : 0;
  const loadAtStart = load();
  const d = await startDashi({ dataDir });
  const token = await d.login();
  const create = async (name: string) => (await d.post('/api/websites', { name, domain: 'example.com' }, { token })).body.id as string;
  website ??= await create('freshness');
  const quiet = await create('freshness markers');
  const base = source ? { processed: 0, failed: 0 } : await writeBase(d, website);

  // Before the load: the same queries on the same data, 10 rounds.
  let rounds = 0;
  await queryLoop(d, token, website, 'before', () => rounds >= 10, () => rounds++);

  console.log(`load: ${seconds} s of ${rate} hits/s on /api/send, ${backfill} back-filled hits through /api/batch, load average ${load()}`);
  const t0 = Date.now();
  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(memory(d.proc?.pid).rss), 1000);
  const live = new Promise<autocannon.Result>((resolve, reject) =>
    // In a worker thread of its own, so that pacing 2,000 requests a second leaves the timed reads alone.
    autocannon({ url: d.url, workers: 1, connections: 32, amount: rate * seconds, overallRate: rate, timeout: 60, requests: sendRequests(website) }, (err, result) => (err ? reject(err) : resolve(result))),
  );
  const late = { processed: 0, failed: 0 };
  const lateItems = Array.from({ length: backfill }, () => pastHit(website, t0 - Math.floor(Math.random() * 30 * DAY)));
  const lateBatches = chunks(lateItems);
  let backfillDone = 0;
  const backfilled = sendBatches(d, lateBatches, 4, late, (i) => t0 + (i / lateBatches.length) * seconds * 1000).then(() => (backfillDone = Date.now()));
  // Reads and markers go on until the server has answered the last hit of both streams, which
  // is later than `seconds` when it falls behind.
  let loadDone = 0;
  const delivered = Promise.all([live, backfilled]).then(([result]) => ((loadDone = Date.now()), result));
  const markers: Marker[] = [];
  const acks: Promise<void>[] = [];
  const markerTimer = setInterval(() => {
    if (!loadDone) acks.push(sendMarker(d, website, quiet, markers));
  }, 1000);
  const polled = pollMarkers(d, token, website, quiet, markers, () => loadDone > 0);
  const queries = queryLoop(d, token, website, 'load', () => loadDone > 0);
  const liveResult = await delivered;
  await queries;
  clearInterval(markerTimer);
  await Promise.all(acks);
  await polled;
  clearInterval(sampler);
  const mem = memory(d.proc?.pid);
  const loadAtEnd = load();

  const acknowledged = base.processed + liveResult['2xx'] + late.processed + 2 * markers.length; // a marker is two hits
  await d.stop();
  const [{ n: storedMain }] = await readStored(d, `SELECT count(*) AS n FROM website_event WHERE website_id = '${website}'`);
  const [{ n: storedQuiet }] = await readStored(d, `SELECT count(*) AS n FROM website_event WHERE website_id = '${quiet}'`);
  await stopAll();

  console.log(`\nload average   ${loadAtStart} at the start, ${loadAtEnd} at the end (1/5/15 min)`);
  console.log(`/api/send      ${liveResult['2xx']} acknowledged of ${rate * seconds} (non-2xx ${liveResult.non2xx}, errors ${liveResult.errors}), p50 ${liveResult.latency.p50} ms, p99 ${liveResult.latency.p99} ms, ${liveResult.duration.toFixed(1)} s`);
  console.log(`/api/batch     ${late.processed} back-filled of ${backfill} (item errors ${late.failed}), done ${((backfillDone - t0) / 1000).toFixed(1)} s after the start`);
  console.log(`load lasted    ${((loadDone - t0) / 1000).toFixed(1)} s (paced for ${seconds} s)`);
  console.log('\nquery (last 30 days, endAt = now)   ms p50 / p95 / max: before the load | during the load');
  for (const [name, t] of timings) console.log(`${name.padEnd(28)} ${summary(t.before).padStart(16)} | ${summary(t.load).padStart(16)}   (${t.before.length} | ${t.load.length} runs)${sources.has(name) ? `   x-dashi-source: ${[...sources.get(name)!].join(', ')}` : ''}`);
  const delays = (key: 'pathMs' | 'statsMs') => markers.map((m) => m[key]).filter((x): x is number => x !== null);
  const missed = (key: 'pathMs' | 'statsMs') => markers.filter((m) => m[key] === null).length;
  console.log(`\nvisibility     ${markers.length} marked hits, ms p50 / p95 / max from sending (target: 5000)`);
  console.log(`  acknowledged                     ${summary(markers.map((m) => m.ackMs ?? NaN))}`);
  console.log(`  metrics path search (loaded)     ${summary(delays('pathMs'))}   not seen ${VISIBLE_WITHIN_MS / 1000} s after the last marker: ${missed('pathMs')}`);
  console.log(`  stats (marker website)           ${summary(delays('statsMs'))}   not seen ${VISIBLE_WITHIN_MS / 1000} s after the last marker: ${missed('statsMs')}`);
  const stored = Number(storedMain) + Number(storedQuiet) - before;
  console.log(`\nacknowledged   ${acknowledged}   stored ${stored}   ${acknowledged === stored ? 'OK' : 'MISMATCH'}`);
  console.log(`server memory  VmRSS ${mem.rss.toFixed(0)} MB at the end, max sampled ${Math.max(...rss).toFixed(0)} MB, VmHWM ${mem.hwm.toFixed(0)} MB`);
  if (acknowledged !== stored) process.exitCode = 1;
}

main().catch(async (err) => {
  console.error(err);
  await stopAll();
  process.exit(1);
});
