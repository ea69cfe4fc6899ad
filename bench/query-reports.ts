// Reports benchmark (not a test). Reuses the 10M-event dataset that bench/query.ts generates
// (bench/.data/query), copied to bench/.data/reports so the two benchmarks never share a DuckDB
// file, with revenue data added to the copy (`revenue` + `currency` on every `checkout` event:
// two currencies). Starts a real server on the copy and times every report over HTTP for a
// 30-day range on the largest website. Prints p50 / p95 per report.
//
//   node --import tsx bench/query.ts --regen 1     # once, to generate the dataset
//   node --import tsx bench/query-reports.ts [--refresh] [--source=DIR] [--only=TEXT] [runs=10]
//
// --source: the dataset to copy (default bench/.data/query; point it at a copy of that directory
// while bench/query.ts holds it open). --only: run only the reports whose name contains TEXT.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDuckDbStore } from '../src/store/duckdb/index.js';
import { startDashi, stopAll } from '../test/helpers/server.js';
import { trafficRollups } from '../src/query/rollups/embedded-rollups.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const source = path.resolve(flag('source') ?? path.join(here, '.data/query'));
const only = flag('only');
const dataDir = path.resolve(here, '.data/reports');
const refresh = args.includes('--refresh');
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 10);

// bench/query.ts spreads its data over 90 days from this instant; we take the middle 30.
const START = Date.UTC(2024, 0, 1) + 30 * 86_400_000;
const END = START + 30 * 86_400_000 - 1;

async function prepare(): Promise<string> {
  if (!fs.existsSync(path.join(source, 'dashi.duckdb'))) {
    console.error(`no dataset in ${source}: run  node --import tsx bench/query.ts --regen 1  first`);
    process.exit(1);
  }
  if (refresh || !fs.existsSync(path.join(dataDir, 'dashi.duckdb'))) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.cpSync(source, dataDir, { recursive: true });
  }
  const store = await openDuckDbStore({ dataDir, rollups: trafficRollups });
  try {
    const q = (sql: string) => store.analytics.query(sql);
    const [site] = await q(`SELECT website_id, count(*) AS n FROM website_event GROUP BY 1 ORDER BY n DESC LIMIT 1`);
    const [have] = await q(`SELECT count(*) AS n FROM event_data WHERE data_key = 'revenue'`);
    if (Number(have.n) === 0) {
      // Two thirds of checkouts in EUR, one third in USD; amounts 1..200.
      await q(`INSERT INTO event_data
        SELECT website_id, session_id, event_id, event_name, url_path, created_at, 'revenue', NULL, CAST(1 + hash(event_id) % 200 AS DECIMAL(19,4)), NULL, 2
        FROM website_event WHERE event_type = 2 AND event_name = 'checkout'`);
      await q(`INSERT INTO event_data
        SELECT website_id, session_id, event_id, event_name, url_path, created_at, 'currency', CASE WHEN hash(event_id) % 3 = 0 THEN 'USD' ELSE 'EUR' END, NULL, NULL, 1
        FROM website_event WHERE event_type = 2 AND event_name = 'checkout'`);
      await q('CHECKPOINT');
    }
    return String(site.website_id);
  } finally {
    await store.close();
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  const websiteId = await prepare();
  const d = await startDashi({ dataDir });
  try {
    const token = await d.login();
    const dateRange = { startDate: new Date(START).toISOString(), endDate: new Date(END).toISOString(), unit: 'day' };
    const base = { websiteId, dateRange, timezone: 'UTC' };
    const reports: [string, string, Record<string, unknown>][] = [
      ['insights (url)', 'insights', { ...base, fields: [{ name: 'url' }], filters: [] }],
      ['insights (country, browser)', 'insights', { ...base, fields: [{ name: 'country' }, { name: 'browser' }], filters: [] }],
      ['funnel (3 steps, 60 min)', 'funnel', { ...base, window: 60, steps: [{ type: 'url', value: '/' }, { type: 'url', value: '/page/*' }, { type: 'event', value: 'checkout' }] }],
      ['retention (New York)', 'retention', { ...base, timezone: 'America/New_York' }],
      ['utm', 'utm', base],
      ['goals (3 goals)', 'goals', { ...base, goals: [{ type: 'url', value: '/', goal: 1000 }, { type: 'event', value: 'download', goal: 100 }, { type: 'url', value: '/page/1*', goal: 10 }] }],
      ['journey (5 steps)', 'journey', { ...base, steps: 5 }],
      ['journey (start /, end checkout)', 'journey', { ...base, steps: 7, startStep: '/', endStep: 'checkout' }],
      ['revenue (EUR, day, Berlin)', 'revenue', { ...base, timezone: 'Europe/Berlin', currency: 'EUR' }],
      // Newer Umami's body: previous period, region, referrer and channel too.
      ['revenue (newer body, compare)', 'revenue', { websiteId, type: 'revenue', filters: {}, parameters: { startDate: dateRange.startDate, endDate: dateRange.endDate, timezone: 'Europe/Berlin', currency: 'EUR' } }],
      ['funnel (event data step)', 'funnel', { ...base, window: 60, steps: [{ type: 'url', value: '/' }, { type: 'event', value: 'checkout', filters: [{ property: 'currency', operator: 'eq', value: 'EUR' }] }] }],
      ['attribution (first click)', 'attribution', { ...base, model: 'firstClick', steps: [{ type: 'event', value: 'checkout' }] }],
      ['attribution (last click)', 'attribution', { ...base, model: 'lastClick', steps: [{ type: 'event', value: 'checkout' }] }],
    ];
    const [count] = (await d.post('/api/reports/insights', { ...base, fields: [{ name: 'hostname' }] }, { token })).body;
    console.log(`website ${websiteId}: ${count?.views ?? '?'} pageviews in the 30-day range, ${runs} runs per report\n`);
    console.log('report'.padEnd(34), 'p50 ms'.padStart(8), 'p95 ms'.padStart(8));
    const time = async (name: string, call: () => Promise<{ status: number; body: unknown }>) => {
      const times: number[] = [];
      for (let i = 0; i < runs + 2; i++) {
        const t = performance.now();
        const res = await call();
        const ms = performance.now() - t;
        if (res.status !== 200) throw new Error(`${name}: ${res.status} ${JSON.stringify(res.body)}`);
        if (i >= 2) times.push(ms); // two warm-up requests
      }
      times.sort((a, b) => a - b);
      console.log(name.padEnd(34), percentile(times, 50).toFixed(1).padStart(8), percentile(times, 95).toFixed(1).padStart(8));
    };
    for (const [name, type, body] of reports) if (!only || name.includes(only)) await time(name, () => d.post(`/api/reports/${type}`, body, { token }));
    if (!only || 'revenue currencies (GET)'.includes(only)) await time('revenue currencies (GET)', () => d.get(`/api/reports/revenue?websiteId=${websiteId}&startDate=${dateRange.startDate}&endDate=${dateRange.endDate}`, { token }));
  } finally {
    await stopAll();
  }
}

await main();
