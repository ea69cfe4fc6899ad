// Bulk writes (issue 15): rows/s of `analytics.write` with large batches on each store, and of
// `migrate-store` (transferStore) from the embedded store to PostgreSQL and back.
//
//   node --import tsx bench/transfer.ts [events=1000000] [batch=50000] [--stores=duckdb,postgres,clickhouse]
//
// Each store is fresh (a temp DATA_DIR, a new PostgreSQL database, a temp chdb directory). The
// data: two websites over 30 days; a session per 4 events (a session_data row for every 10th
// session), every 10th event a custom event with two event_data rows. Rows/s counts the rows of
// all four tables; the time of a write includes DuckDB's loading of its journal (flush).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { openDuckDbStore } from '../src/store/duckdb/index.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import { openClickHouseStore } from '../src/store/clickhouse/index.js';
import { transferStore } from '../src/store/transfer.js';
import { trafficRollups } from '../src/query/rollups/embedded-rollups.js';
import type { EventRow, Store, WriteBatch } from '../src/store/types.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const EVENTS = Number(args[0] ?? 1_000_000);
const BATCH = Number(args[1] ?? 50_000);
const storeArg = process.argv.find((a) => a.startsWith('--stores='));
const STORES = (storeArg ? storeArg.slice('--stores='.length) : 'duckdb,postgres,clickhouse').split(',');
const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

const START = Date.UTC(2026, 9, 1);
const PATHS = ['/', '/pricing', '/docs', '/blog/post-1', '/blog/post-2', '/about', '/signup'];
const BROWSERS = ['chrome', 'firefox', 'safari', 'edge'];
const COUNTRIES = ['DE', 'US', 'FR', 'GB', 'JP', null];

function batchAt(websites: string[], first: number, n: number): WriteBatch {
  const b: WriteBatch = { events: [], eventData: [], sessions: [], sessionData: [] };
  let session = '';
  let visit = '';
  for (let i = first; i < first + n; i++) {
    const websiteId = websites[i % websites.length];
    const createdAt = new Date(START + Math.floor((i / EVENTS) * 30 * 86_400_000));
    const browser = BROWSERS[i % BROWSERS.length];
    const country = COUNTRIES[i % COUNTRIES.length];
    if (i % 4 === 0 || !session) {
      session = randomUUID();
      visit = randomUUID();
      b.sessions.push({ sessionId: session, websiteId, createdAt, browser, os: 'Linux', device: 'desktop', screen: '1920x1080', language: 'en-US', country, region: null, city: null, distinctId: null });
      if (i % 40 === 0) {
        b.sessionData.push({ websiteId, sessionId: session, createdAt, dataKey: 'plan', stringValue: 'pro', numberValue: null, dateValue: null, dataType: 1, distinctId: null });
      }
    }
    const custom = i % 10 === 9;
    const event: EventRow = {
      eventId: randomUUID(), websiteId, sessionId: session, visitId: visit, createdAt, eventType: custom ? 2 : 1, eventName: custom ? 'signup' : null,
      eventCategory: null, urlPath: PATHS[i % PATHS.length], urlQuery: i % 3 ? null : 'utm_source=news', pageTitle: 'A page', hostname: 'bench.example',
      referrerDomain: i % 5 ? null : 'search.example', referrerPath: null, referrerQuery: null, utmSource: i % 3 ? null : 'news', utmMedium: null,
      utmCampaign: null, utmContent: null, utmTerm: null, gclid: null, fbclid: null, msclkid: null, ttclid: null, liFatId: null, twclid: null,
      tag: null, browser, os: 'Linux', device: 'desktop', screen: '1920x1080', language: 'en-US', country, region: null, city: null, distinctId: null,
    };
    b.events.push(event);
    if (custom) {
      const base = { websiteId, sessionId: session, eventId: event.eventId, eventName: 'signup', urlPath: event.urlPath, createdAt, dateValue: null };
      b.eventData.push({ ...base, dataKey: 'plan', stringValue: 'pro', numberValue: null, dataType: 1 });
      b.eventData.push({ ...base, dataKey: 'seats', stringValue: null, numberValue: i % 7, dataType: 2 });
    }
  }
  return b;
}

const rowsOf = (b: WriteBatch) => b.events.length + b.eventData.length + b.sessions.length + b.sessionData.length;

const cleanups: (() => Promise<void>)[] = [];

async function freshPg(): Promise<string> {
  const name = `dashi_bench_${randomBytes(5).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  cleanups.push(async () => {
    const a = postgres(adminUrl, { max: 1, onnotice: () => undefined });
    await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await a.end();
  });
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function open(kind: string): Promise<Store> {
  if (kind === 'duckdb') return openDuckDbStore({ dataDir: tempDir('dashi-bench-duck-'), rollups: trafficRollups });
  if (kind === 'postgres') return openPostgresStore(await freshPg());
  return openClickHouseStore(await freshPg(), `chdb:${tempDir('dashi-bench-ch-')}`);
}

async function addWebsites(store: Store): Promise<string[]> {
  const ids: string[] = [];
  for (const name of ['a', 'b']) ids.push((await store.websites.create({ name, domain: `${name}.example`, shareId: null, userId: null, teamId: null, createdBy: randomUUID() })).id);
  return ids;
}

/** Writes EVENTS events in BATCH-event batches; answers rows/s over all tables. */
async function writeAll(store: Store, websites: string[]): Promise<{ rows: number; seconds: number }> {
  let rows = 0;
  let seconds = 0;
  for (let first = 0; first < EVENTS; first += BATCH) {
    const batch = batchAt(websites, first, Math.min(BATCH, EVENTS - first));
    rows += rowsOf(batch);
    const t = performance.now();
    await store.analytics.write(batch);
    seconds += (performance.now() - t) / 1000;
  }
  const t = performance.now();
  await store.analytics.query('SELECT 1'); // the embedded store loads its journal before a read
  seconds += (performance.now() - t) / 1000;
  return { rows, seconds };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main() {
  console.log(`${fmt(EVENTS)} events in batches of ${fmt(BATCH)}; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  let duck: Store | null = null;
  for (const kind of STORES) {
    const store = await open(kind);
    const websites = await addWebsites(store);
    const { rows, seconds } = await writeAll(store, websites);
    console.log(`write ${kind}: ${fmt(rows)} rows in ${seconds.toFixed(1)} s = ${fmt(rows / seconds)} rows/s`);
    if (kind === 'duckdb') duck = store;
    else await store.close();
  }
  if (duck) {
    const pg = await openPostgresStore(await freshPg());
    let t = performance.now();
    const there = await transferStore(duck, pg);
    let s = (performance.now() - t) / 1000;
    let rows = Object.values(there.analytics).reduce((n, c) => n + c.target, 0);
    console.log(`migrate-store duckdb -> postgres: ${fmt(rows)} rows in ${s.toFixed(1)} s = ${fmt(rows / s)} rows/s`);
    const back = await openDuckDbStore({ dataDir: tempDir('dashi-bench-back-'), rollups: trafficRollups });
    t = performance.now();
    const home = await transferStore(pg, back);
    await back.analytics.query('SELECT 1');
    s = (performance.now() - t) / 1000;
    rows = Object.values(home.analytics).reduce((n, c) => n + c.target, 0);
    console.log(`migrate-store postgres -> duckdb: ${fmt(rows)} rows in ${s.toFixed(1)} s = ${fmt(rows / s)} rows/s`);
    for (const [table, c] of Object.entries(home.analytics)) if (c.source !== c.target) console.log(`  MISMATCH ${table}: ${c.source} vs ${c.target}`);
    await back.close();
    await pg.close();
    await duck.close();
  }
}

try {
  await main();
} finally {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
}
