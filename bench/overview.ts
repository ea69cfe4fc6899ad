// Dashboard overview load time (issue 6: "the overview of a website with 1M events is interactive
// within a second on localhost"), on the query bench's data (run bench/query.ts once first).
//
//   node --import tsx bench/overview.ts [runs=5]
//
// Headless Chromium opens a website's overview for a fixed range and waits until every API call
// the page made has answered (the metrics bar, the chart and every table are then filled). Prints
// the time from navigation to the last answer, p50 and max over the runs, per site and range.
// VERBOSE=1 lists the last run's API calls with their timings (VERBOSE=urls with their queries).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDuckDbStore } from '../src/store/duckdb/index.js';
import { launchChromium, ensureChromium } from '../test/helpers/browser.js';
import { startDashi } from '../test/helpers/server.js';
import { trafficRollups } from '../src/query/rollups/embedded-rollups.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dataDir = path.resolve(here, '.data/query');
const runs = Number(process.argv[2] ?? 5);

const CASES = [
  { site: 'mid.example', range: 'custom:2024-01-01:2024-02-29' },
  { site: 'big.example', range: 'custom:2024-01-31:2024-03-01' },
];

async function main() {
  if (!fs.existsSync(path.join(dataDir, 'dashi.duckdb'))) throw new Error('No bench data: run `node --import tsx bench/query.ts` first.');
  const store = await openDuckDbStore({ dataDir, rollups: trafficRollups });
  const sites = new Map<string, string>();
  for (const w of (await store.websites.list({}, { page: 1, pageSize: 100 })).data) sites.set(w.name, w.id);
  const counts = new Map<string, number>();
  for (const c of CASES) {
    const [from, to] = c.range.split(':').slice(1);
    const [row] = await store.analytics.query(
      `SELECT count(*) AS n FROM website_event WHERE website_id = $1::UUID AND event_type = 1 AND created_at >= $2::TIMESTAMP AND created_at < $3::TIMESTAMP + INTERVAL 1 DAY`,
      [sites.get(c.site), from, to],
    );
    counts.set(c.site, Number(row.n));
  }
  await store.close();

  ensureChromium();
  const dashi = await startDashi({ dataDir });
  const browser = await launchChromium();
  try {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'UTC', locale: 'en-US' });
    const page = await ctx.newPage();
    await page.goto(`${dashi.url}/login`);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('umami');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/websites$/);

    console.log(`overview load, ${runs} runs after a warm-up, time to the last API answer\n`);
    console.log('site          pageviews in range   calls   p50 ms   max ms');
    for (const c of CASES) {
      const times: number[] = [];
      let calls = 0;
      for (let i = 0; i <= runs; i++) {
        const pending = new Set<unknown>();
        let last = 0;
        let started = 0;
        const onRequest = (r: { url(): string }) => {
          if (r.url().includes('/api/')) pending.add(r);
        };
        const onDone = (r: { url(): string }) => {
          if (pending.delete(r)) last = performance.now();
        };
        page.on('request', onRequest);
        page.on('requestfinished', onDone);
        page.on('requestfailed', onDone);
        // A blank page first, so each run is a fresh load of the overview.
        await page.goto('about:blank');
        started = performance.now();
        await page.goto(`${dashi.url}/websites/${sites.get(c.site)}?range=${encodeURIComponent(c.range)}`);
        await page.waitForLoadState('networkidle');
        page.off('request', onRequest);
        page.off('requestfinished', onDone);
        page.off('requestfailed', onDone);
        if (i > 0) times.push(last - started);
      }
      const entries = await page.evaluate(() =>
        performance
          .getEntriesByType('resource')
          .filter((e) => e.name.includes('/api/'))
          .map((e) => ({ url: new URL(e.name), start: e.startTime, ms: e.duration })),
      );
      calls = entries.length;
      for (const e of process.env.VERBOSE ? entries : []) {
        const url = new URL(e.url);
        const name = url.pathname.replace(/^.*\/websites\/[^/]+/, '') + (process.env.VERBOSE === 'urls' ? url.search : (url.searchParams.get('type') ?? ''));
        console.log(`   ${name.padEnd(28)} starts ${e.start.toFixed(0).padStart(5)} ms, takes ${e.ms.toFixed(0).padStart(5)} ms`);
      }
      times.sort((a, b) => a - b);
      console.log(
        `${c.site.padEnd(14)}${String(counts.get(c.site)).padStart(18)}${String(calls).padStart(8)}${times[Math.floor(times.length / 2)].toFixed(0).padStart(9)}${times[times.length - 1].toFixed(0).padStart(9)}`,
      );
    }
  } finally {
    await browser.close();
    await dashi.stop();
  }
}

await main();
