// Query benchmark (not a test). Generates 10M events over 90 days for four websites directly in
// the embedded store (DuckDB SQL over range(), written in time order as the live writer would),
// starts a real server on that data, and times every analytics endpoint over HTTP for a 30-day
// range on the largest website (~2.5M events in range), on the slot-aligned range and shifted off
// the slots, and stats, series and a breakdown with each common filter (bench/query-matrix.ts).
// Each request is also sent with `x-dashi-source: events` (the raw path) for the ratio. Prints
// p50 / p95 per row as a markdown table, then the server's memory (VmRSS, peak VmHWM).
//
//   node --import tsx bench/query.ts [--regen] [--store=duckdb|postgres|clickhouse] [--only=TEXT]
//     [--load=batch [--events=N] [--source=DIR]] [runs=3]
//   npx tsc -p tsconfig.json && node dist/bench/query.js [same arguments]    # compiled server
//
// --only: only the rows whose "endpoint range filter" contains TEXT. --load=batch: load the
// dataset (or N events of it, whole sessions) through POST /api/batch of a fresh embedded server
// in random time order (bench/query-batch.ts), then time the same requests on that server;
// --source: the dataset to sample (default bench/.data/query; a copy of it while another run
// holds that open).
//
// Data is kept in bench/.data/query between runs; pass --regen to rebuild it. With --store, the
// same data is copied once (metadata as migrate-store copies it, events by CSV bulk load) into PostgreSQL (database dashi_bench on
// BENCH_DATABASE_URL's server, default the local one) or ClickHouse (chdb in
// bench/.data/query-clickhouse, metadata in PostgreSQL database dashi_bench_ch), and the same
// endpoints are timed there.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { openDuckDbStore } from '../src/store/duckdb/index.js';
import { openClickHouseStore } from '../src/store/clickhouse/index.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import { copyMetadata } from '../src/store/transfer.js';
import { root, startDashi, stopAll, type Dashi } from '../test/helpers/server.js';
import { trafficRollups } from '../src/query/rollups/embedded-rollups.js';
import { benchRequests, PAGE_FILTERS, SESSION_FILTERS, type BenchRequest } from './query-matrix.js';
import { loadThroughBatch } from './query-batch.js';
import { procMemory } from './proc-memory.js';

// bench/ of the repository, also when run compiled (node dist/bench/query.js: the server is then
// the compiled one, as `npm start` runs it).
const here = path.join(root, 'bench');
const dataDir = path.resolve(here, '.data/query');
const args = process.argv.slice(2);
const regen = args.includes('--regen');
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 3);
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const only = flag('only');
const load = flag('load') ?? 'sql';
const batchEvents = flag('events') === undefined ? null : Number(flag('events'));
const storeName = (args.find((a) => a.startsWith('--store='))?.slice('--store='.length) ?? 'duckdb') as 'duckdb' | 'postgres' | 'clickhouse';
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const dbUrl = (name: string) => Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString();

const TOTAL = 10_000_000;
const DAYS = 90;
const START = Date.UTC(2024, 0, 1);
// Share of all events per website: the largest gets 3/4, so ~2.5M in any 30 days.
const SITES = [
  { name: 'big.example', share: 0.75 },
  { name: 'mid.example', share: 0.15 },
  { name: 'small.example', share: 0.07 },
  { name: 'tiny.example', share: 0.03 },
];
const ROWS_PER_VISIT = 2.22; // mean of 1 + floor(Exp) with P(1 row) = 0.45: 45% of visits bounce

const list = (xs: string[]) => `[${xs.map((x) => `'${x}'`).join(', ')}]`;
// Pick from a list with a skew (earlier entries more likely), seeded by an integer expression.
const pick = (xs: string[], seed: string, skew = 1.8) => `list_element(${list(xs)}, 1 + CAST(floor(pow((hash(${seed}) % 1000000) / 1000000.0, ${skew}) * ${xs.length}) AS INTEGER))`;

const BROWSERS = ['chrome', 'safari', 'ios', 'firefox', 'edge', 'chrome-android', 'samsung', 'opera'];
const OSES = ['Windows 10', 'iOS', 'Mac OS', 'Android OS', 'Linux', 'Chrome OS'];
const DEVICES = ['desktop', 'mobile', 'tablet', 'laptop'];
const COUNTRIES = ['US', 'DE', 'GB', 'FR', 'IN', 'BR', 'CA', 'JP', 'NL', 'ES', 'IT', 'PL', 'SE', 'AU', 'MX'];
const LANGS = ['en-US', 'de-DE', 'en-GB', 'fr-FR', 'es-ES', 'pt-BR', 'ja-JP', 'nl-NL'];
const SCREENS = ['1920x1080', '390x844', '1440x900', '1536x864', '412x915', '2560x1440', '1366x768'];
const REFERRERS = ['google.com', 'news.ycombinator.com', 'duckduckgo.com', 'bing.com', 'twitter.com', 'reddit.com', 'github.com', 'linkedin.com', 'youtube.com', 'facebook.com'];
const TAGS = ['promo', 'beta', 'docs'];
const CITIES = ['New York', 'Berlin', 'London', 'Paris', 'Mumbai', 'Sao Paulo', 'Toronto', 'Tokyo', 'Amsterdam', 'Madrid'];
const EVENTS = ['signup-click', 'download', 'play-video', 'newsletter', 'outbound-link', 'copy-code', 'search', 'checkout'];

async function generate(): Promise<string> {
  fs.rmSync(dataDir, { recursive: true, force: true });
  const store = await openDuckDbStore({ dataDir, rollups: trafficRollups });
  const q = (sql: string) => store.analytics.query(sql);
  const ids: string[] = [];
  for (const site of SITES) {
    const w = await store.websites.create({ name: site.name, domain: site.name, shareId: null, userId: null, teamId: null, createdBy: '00000000-0000-0000-0000-000000000000' });
    ids.push(w.id);
  }
  const t0 = Date.now();
  for (const [n, site] of SITES.entries()) {
    const visits = Math.round((TOTAL * site.share) / ROWS_PER_VISIT);
    const sessions = Math.round(visits * 0.55);
    await q(`CREATE OR REPLACE TEMP TABLE v AS
      SELECT i AS visit_no,
        CAST(floor(pow(random(), 1.5) * ${sessions}) AS BIGINT) AS sess,
        -- Busier in the day than at night: a triangle over 24 hours.
        TIMESTAMP '2024-01-01' + to_microseconds(CAST(floor(random() * ${DAYS}) * 86400e6 + (random() + random()) / 2 * 86400e6 AS BIGINT)) AS start,
        1 + CAST(floor(ln(1 - random()) / ln(0.55)) AS INTEGER) AS k,
        random() AS r
      FROM range(${visits}) t(i)`);
    await q(`INSERT INTO website_event
      SELECT uuid(), '${ids[n]}',
        CAST(md5('s${n}-' || sess) AS UUID), CAST(md5('v${n}-' || visit_no) AS UUID),
        start + to_microseconds(CAST(j * (20 + 100 * random()) * 1e6 AS BIGINT)) AS created_at,
        CASE WHEN j > 0 AND random() < 0.12 THEN 2 ELSE 1 END AS event_type,
        NULL, NULL,
        CASE WHEN j = 0 AND r < 0.5 THEN '/' ELSE '/page/' || CAST(floor(pow(random(), 3) * 300) AS INTEGER) END,
        CASE WHEN random() < 0.1 THEN 'ref=' || CAST(floor(random() * 20) AS INTEGER) END,
        'Page title ' || CAST(floor(pow(random(), 3) * 300) AS INTEGER),
        '${site.name}',
        CASE WHEN j = 0 AND r < 0.6 THEN ${pick(REFERRERS, 'visit_no + 7')} WHEN j > 0 THEN '${site.name}' END,
        NULL, NULL,
        CASE WHEN j = 0 AND r < 0.1 THEN ${pick(['google', 'newsletter', 'twitter'], 'visit_no')} END,
        CASE WHEN j = 0 AND r < 0.1 THEN ${pick(['cpc', 'email', 'social'], 'visit_no')} END,
        CASE WHEN j = 0 AND r < 0.1 THEN ${pick(['spring', 'launch', 'black-friday'], 'visit_no')} END,
        NULL, NULL, CASE WHEN j = 0 AND r < 0.03 THEN 'gclid' END, NULL, NULL, NULL, NULL, NULL,
        CASE WHEN random() < 0.2 THEN ${pick(TAGS, 'hash(visit_no + j)')} END,
        ${pick(BROWSERS, 'sess')}, ${pick(OSES, 'sess + 1')}, ${pick(DEVICES, 'sess + 2')}, ${pick(SCREENS, 'sess + 3')},
        ${pick(LANGS, 'sess + 4')}, ${pick(COUNTRIES, 'sess + 5', 2.5)},
        ${pick(COUNTRIES, 'sess + 5', 2.5)} || '-' || ${pick(['1', '2', '3', '4', '5'], 'sess + 6')}, ${pick(CITIES, 'sess + 7')},
        CASE WHEN sess % 50 = 0 THEN 'user-' || sess END
      FROM (SELECT *, unnest(range(k)) AS j FROM v)
      ORDER BY created_at`);
    await q(`UPDATE website_event SET event_name = ${pick(EVENTS, 'hash(event_id)', 2)} WHERE website_id = '${ids[n]}' AND event_type = 2`);
    await q(`INSERT INTO event_data
      SELECT website_id, session_id, event_id, event_name, url_path, created_at, 'plan', ${pick(['free', 'pro', 'team'], 'hash(event_id)')}, NULL, NULL, 1
      FROM website_event WHERE website_id = '${ids[n]}' AND event_type = 2`);
    await q(`INSERT INTO event_data
      SELECT website_id, session_id, event_id, event_name, url_path, created_at, 'value', NULL, CAST(hash(event_id) % 100 AS DECIMAL(19,4)), NULL, 2
      FROM website_event WHERE website_id = '${ids[n]}' AND event_type = 2 AND hash(event_id) % 2 = 0`);
    await q(`INSERT INTO session_data
      SELECT website_id, session_id, min(created_at), 'tier', ${pick(['free', 'pro', 'team'], 'hash(session_id)')}, NULL, NULL, 1, NULL
      FROM website_event WHERE website_id = '${ids[n]}' AND distinct_id IS NOT NULL GROUP BY website_id, session_id`);
    const [c] = await q(`SELECT count(*) AS n FROM website_event WHERE website_id = '${ids[n]}'`);
    console.log(`${site.name}: ${c.n} events (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  // The rows went in by SQL, not through the writer: roll them up.
  await store.analytics.rollups?.rebuild();
  await q('CHECKPOINT');
  await store.close();
  return ids[0];
}

async function biggest(): Promise<string> {
  const store = await openDuckDbStore({ dataDir, rollups: trafficRollups });
  const [row] = await store.analytics.query(`SELECT website_id, count(*) AS n FROM website_event GROUP BY 1 ORDER BY n DESC LIMIT 1`);
  await store.close();
  return String(row.website_id);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Environment for a server on the chosen store, copying the bench data there first if needed. */
async function storeEnv(fresh: boolean): Promise<Record<string, string>> {
  if (storeName === 'duckdb') return {};
  const pgName = storeName === 'postgres' ? 'dashi_bench' : 'dashi_bench_ch';
  const chDir = path.resolve(here, '.data/query-clickhouse');
  const env: Record<string, string> = { DATABASE_URL: dbUrl(pgName) };
  if (storeName === 'clickhouse') env.CLICKHOUSE_URL = `chdb:${chDir}`;
  const marker = path.resolve(here, `.data/query-${storeName}.done`);
  if (fresh || !fs.existsSync(marker)) {
    fs.rmSync(marker, { force: true });
    fs.rmSync(chDir, { recursive: true, force: true });
    const admin = postgres(serverUrl, { max: 1, onnotice: () => undefined });
    await admin.unsafe(`DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`);
    await admin.unsafe(`CREATE DATABASE ${pgName}`);
    await admin.end();
    const source = await openDuckDbStore({ dataDir, rollups: trafficRollups });
    const target = storeName === 'postgres' ? await openPostgresStore(env.DATABASE_URL) : await openClickHouseStore(env.DATABASE_URL, env.CLICKHOUSE_URL);
    const t = performance.now();
    await copyMetadata(source, target);
    // Bulk load through CSV files: the row-by-row copy of migrate-store is far too slow for 10M rows.
    for (const table of ['website_event', 'event_data', 'session', 'session_data']) {
      const csv = path.join(os.tmpdir(), `dashi-bench-${table}.csv`);
      await source.analytics.query(`COPY (SELECT * FROM ${table}) TO '${csv}' (HEADER, DELIMITER ',')`);
      fs.chmodSync(csv, 0o644);
      if (storeName === 'postgres') await target.analytics.query(`COPY ${table} FROM '${csv}' WITH (FORMAT csv, HEADER true)`);
      else await target.analytics.query(`INSERT INTO ${table} SELECT * FROM file('${csv}', CSVWithNames)`);
      fs.rmSync(csv);
      console.log(`loaded ${table} into ${storeName}`);
    }
    if (storeName === 'postgres') await target.analytics.query('ANALYZE');
    console.log(`copied in ${((performance.now() - t) / 1000).toFixed(0)} s`);
    await source.close();
    await target.close();
    fs.writeFileSync(marker, new Date().toISOString());
  }
  return env;
}

/** The most frequent value of each filter parameter in the range, from the breakdowns. */
async function frequentValues(d: Dashi, token: string, w: string, r: string): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const name of [...PAGE_FILTERS, ...SESSION_FILTERS]) {
    const res = await d.get(`${w}/metrics?${r}&type=${name}`, { token });
    const top = Array.isArray(res.body) ? res.body.find((row: { x: unknown }) => typeof row.x === 'string' && row.x !== '') : undefined;
    if (!top) throw new Error(`no ${name} values in range: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    values[name] = top.x;
  }
  return values;
}

const RAW = { 'x-dashi-source': 'events' };

interface Timed {
  p50: number;
  p95: number;
  rawP50: number;
  /** x-dashi-source of the engine's answer; `-` when the server does not send one. */
  source: string;
  /** Whether the engine's answer equals the raw path's. */
  same: boolean;
}

/** One warm-up (engine), then `runs` engine and raw requests, alternating. */
async function timeRequest(d: Dashi, token: string, req: BenchRequest): Promise<Timed> {
  const engine: number[] = [];
  const raw: number[] = [];
  let source = '-';
  let bodies: [string, string] = ['', ''];
  for (let i = 0; i <= runs; i++) {
    const answers: string[] = [];
    for (const [headers, times] of [[undefined, engine], [RAW, raw]] as const) {
      if (i === 0 && headers) continue;
      const t = performance.now();
      const res = await d.get(req.url, { token, headers });
      const ms = performance.now() - t;
      if (res.status !== 200) throw new Error(`${req.endpoint} ${req.range} ${req.filter}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      if (i > 0) times.push(ms);
      if (!headers) source = res.headers.get('x-dashi-source') ?? '-';
      answers.push(JSON.stringify(res.body));
    }
    if (i > 0) bodies = [answers[0], answers[1]];
  }
  engine.sort((a, b) => a - b);
  raw.sort((a, b) => a - b);
  return { p50: percentile(engine, 50), p95: percentile(engine, 95), rawP50: percentile(raw, 50), source, same: bodies[0] === bodies[1] };
}

async function main() {
  const exists = fs.existsSync(path.join(dataDir));
  const fresh = regen || !exists;
  const source = flag('source');
  let website: string;
  let d: Dashi;
  if (load === 'batch') {
    if (storeName !== 'duckdb') throw new Error('--load=batch loads into the embedded store only');
    if (batchEvents !== null && !(Number.isInteger(batchEvents) && batchEvents > 0)) throw new Error('--events must be a positive whole number');
    if (fresh && !source) await generate();
    const loaded = await loadThroughBatch(path.resolve(source ?? dataDir), path.resolve(here, '.data/query-batch'), batchEvents);
    d = loaded.dashi;
    website = loaded.websites.get(SITES[0].name)!;
    console.log(`loaded ${loaded.sent} events through /api/batch in ${loaded.seconds.toFixed(0)} s (${Math.round(loaded.sent / loaded.seconds)} hits/s)`);
  } else {
    website = fresh ? await generate() : await biggest();
    const env = await storeEnv(fresh);
    d = storeName === 'duckdb' ? await startDashi({ dataDir }) : await startDashi({ env });
  }
  try {
    const token = await d.login();
    // 30 days in the middle of the 90.
    const startAt = START + 30 * 86_400_000;
    const endAt = startAt + 30 * 86_400_000 - 1;
    const r = `startAt=${startAt}&endAt=${endAt}`;
    const w = `/api/websites/${website}`;
    const session = (await d.get(`${w}/sessions?${r}&pageSize=1`, { token })).body.data[0].id;
    const count = (await d.get(`${w}/events?${r}&pageSize=1`, { token })).body.count;
    const values = await frequentValues(d, token, w, r);
    const requests = benchRequests({ website, session, startAt, endAt, values }).filter((q) => !only || `${q.endpoint} ${q.range} ${q.filter}`.includes(only));
    const limit = process.env.DUCKDB_MEMORY_LIMIT ?? '256MB (default)';
    console.log(`${storeName} (${load} load, DUCKDB_MEMORY_LIMIT ${limit}): website ${website}: ${count} events in the 30-day range, ${requests.length} rows, ${runs} runs each\n`);
    console.log('| endpoint | range | filter | p50 ms | p95 ms | raw p50 ms | raw / p50 | source | = raw |');
    console.log('|---|---|---|---:|---:|---:|---:|---|---|');
    for (const req of requests) {
      const t = await timeRequest(d, token, req);
      const cells = [req.endpoint, req.range, req.filter.replace(/\|/g, '\\|'), t.p50.toFixed(1), t.p95.toFixed(1), t.rawP50.toFixed(1), (t.rawP50 / t.p50).toFixed(2), t.source, t.same ? 'yes' : 'NO'];
      console.log(`| ${cells.join(' | ')} |`);
    }
    const mem = procMemory(d.proc!.pid!);
    console.log(`\nserver memory after the run: VmRSS ${mem.rssMb.toFixed(0)} MiB (anonymous ${mem.anonMb.toFixed(0)}, file-backed ${mem.fileMb.toFixed(0)}), peak VmHWM ${mem.peakMb.toFixed(0)} MiB`);
  } finally {
    await stopAll();
  }
}

await main();
