// Query benchmark (not a test). Generates 10M events over 90 days for four websites directly in
// the embedded store (DuckDB SQL over range(), written in time order as the live writer would),
// starts a real server on that data, and times every analytics endpoint over HTTP for a 30-day
// range on the largest website (~2.5M events in range). Prints p50 / p95 per endpoint.
//
//   node --import tsx bench/query.ts [--regen] [--store=duckdb|postgres|clickhouse] [runs=15]
//
// Data is kept in bench/.data/query between runs; pass --regen to rebuild it. With --store, the
// same data is copied once (metadata as migrate-store copies it, events by CSV bulk load) into PostgreSQL (database dashi_bench on
// BENCH_DATABASE_URL's server, default the local one) or ClickHouse (chdb in
// bench/.data/query-clickhouse, metadata in PostgreSQL database dashi_bench_ch), and the same
// endpoints are timed there.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { openDuckDbStore } from '../src/store/duckdb/index.js';
import { openClickHouseStore } from '../src/store/clickhouse/index.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import { copyMetadata } from '../src/store/transfer.js';
import { startDashi, stopAll } from '../test/helpers/server.js';
import { trafficRollups } from '../src/query/rollups/embedded-rollups.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dataDir = path.resolve(here, '.data/query');
const args = process.argv.slice(2);
const regen = args.includes('--regen');
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 15);
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
        NULL, NULL, CASE WHEN j = 0 AND r < 0.03 THEN 'gclid' END, NULL, NULL, NULL, NULL, NULL, NULL,
        ${pick(BROWSERS, 'sess')}, ${pick(OSES, 'sess + 1')}, ${pick(DEVICES, 'sess + 2')}, ${pick(SCREENS, 'sess + 3')},
        ${pick(LANGS, 'sess + 4')}, ${pick(COUNTRIES, 'sess + 5', 2.5)}, NULL, NULL,
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

async function main() {
  const exists = fs.existsSync(path.join(dataDir));
  const fresh = regen || !exists;
  const website = fresh ? await generate() : await biggest();
  const env = await storeEnv(fresh);
  const d = storeName === 'duckdb' ? await startDashi({ dataDir }) : await startDashi({ env });
  try {
    const token = await d.login();
    // 30 days in the middle of the 90.
    const startAt = START + 30 * 86_400_000;
    const endAt = startAt + 30 * 86_400_000 - 1;
    const r = `startAt=${startAt}&endAt=${endAt}`;
    const w = `/api/websites/${website}`;
    const firstSession = (await d.get(`${w}/sessions?${r}&pageSize=1`, { token })).body.data[0].id;
    const [count] = (await d.get(`${w}/stats?${r}`, { token })).body ? [(await d.get(`${w}/events?${r}&pageSize=1`, { token })).body.count] : [0];
    console.log(`${storeName}: website ${website}: ${count} events in the 30-day range, ${runs} runs per endpoint\n`);
    const endpoints: [string, string][] = [
      ['stats', `${w}/stats?${r}`],
      ['pageviews (day, New York)', `${w}/pageviews?${r}&unit=day&timezone=America/New_York`],
      ['pageviews (hour, UTC)', `${w}/pageviews?${r}&unit=hour&timezone=UTC`],
      ['metrics path', `${w}/metrics?${r}&type=path`],
      ['metrics referrer', `${w}/metrics?${r}&type=referrer`],
      ['metrics browser', `${w}/metrics?${r}&type=browser`],
      ['metrics country', `${w}/metrics?${r}&type=country`],
      ['metrics entry', `${w}/metrics?${r}&type=entry`],
      ['metrics channel', `${w}/metrics?${r}&type=channel`],
      ['metrics event', `${w}/metrics?${r}&type=event`],
      ['stats (filter country=DE)', `${w}/stats?${r}&country=DE`],
      ['metrics/expanded path', `${w}/metrics/expanded?${r}&type=path`],
      ['events', `${w}/events?${r}`],
      ['events/series', `${w}/events/series?${r}&unit=day&timezone=UTC`],
      ['events/stats', `${w}/events/stats?${r}`],
      ['event-data/events', `${w}/event-data/events?${r}`],
      ['event-data/fields', `${w}/event-data/fields?${r}`],
      ['event-data/values', `${w}/event-data/values?${r}&eventName=download&propertyName=plan`],
      ['event-data/properties', `${w}/event-data/properties?${r}`],
      ['event-data/stats', `${w}/event-data/stats?${r}`],
      ['sessions', `${w}/sessions?${r}`],
      ['sessions/stats', `${w}/sessions/stats?${r}`],
      ['sessions/:id', `${w}/sessions/${firstSession}`],
      ['sessions/:id/activity', `${w}/sessions/${firstSession}/activity?${r}`],
      ['sessions/:id/properties', `${w}/sessions/${firstSession}/properties`],
      ['session-data/properties', `${w}/session-data/properties?${r}`],
      ['session-data/values', `${w}/session-data/values?${r}&propertyName=tier`],
      ['sessions/weekly', `${w}/sessions/weekly?${r}&timezone=America/New_York`],
      ['active', `${w}/active`],
      ['daterange', `${w}/daterange`],
      ['values', `${w}/values?${r}&type=path`],
      ['realtime', `/api/realtime/${website}`],
    ];
    console.log('endpoint'.padEnd(30), 'p50 ms'.padStart(8), 'p95 ms'.padStart(8));
    for (const [name, url] of endpoints) {
      const times: number[] = [];
      for (let i = 0; i < runs + 2; i++) {
        const t = performance.now();
        const res = await d.get(url, { token });
        const ms = performance.now() - t;
        if (res.status !== 200) throw new Error(`${name}: ${res.status} ${JSON.stringify(res.body)}`);
        if (i >= 2) times.push(ms); // two warm-up requests
      }
      times.sort((a, b) => a - b);
      console.log(name.padEnd(30), percentile(times, 50).toFixed(1).padStart(8), percentile(times, 95).toFixed(1).padStart(8));
    }
  } finally {
    await stopAll();
  }
}

await main();
