// `dashi import umami` throughput: generates an Umami v2 database in PostgreSQL with SQL
// generate_series (default 10M events over 90 days of one website, 1M sessions, every 10th event
// a custom one with one datum), then imports it into a fresh embedded store and into a fresh
// PostgreSQL database, and prints rows per second of the copy and of the whole run (with the
// count and stats checks). Into the embedded store it also times the floor: DuckDB's own INSERT of
// the imported events from one CSV file into an empty website_event, nothing else running. Usage:
//   node --import tsx bench/import-umami.ts [--events=N] [--stores=duckdb,postgres] [--keep]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import postgres from 'postgres';
import { DuckDBInstance } from '@duckdb/node-api';
import { csvRelation } from '../src/store/duckdb/csv-load.js';
import { tableIndex } from '../src/store/sql/csv.js';
import { loadConfig } from '../src/config.js';
import { openStore } from '../src/store/index.js';
import { trafficRollups } from '../src/query/rollups/embedded-rollups.js';
import { runUmamiImport } from '../src/api/import-umami.js';

const args = Object.fromEntries(process.argv.slice(2).map((a) => { const [k, v] = a.replace(/^--/, '').split('='); return [k, v ?? 'true']; }));
const EVENTS = Number(args.events ?? 10_000_000);
const SESSIONS = Math.max(1, Math.round(EVENTS / 10));
const DAYS = 90;
const STORES = String(args.stores ?? 'duckdb,postgres').split(',');
const admin = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WEBSITE = 'b0000000-0000-4000-8000-000000000001';

const dbUrl = (name: string) => {
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
};

async function createDb(prefix: string): Promise<string> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const sql = postgres(admin, { max: 1, onnotice: () => undefined });
  await sql.unsafe(`CREATE DATABASE ${name}`);
  await sql.end();
  return name;
}

async function dropDb(name: string): Promise<void> {
  const sql = postgres(admin, { max: 1, onnotice: () => undefined });
  await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await sql.end();
}

async function generate(name: string): Promise<void> {
  const sql = postgres(dbUrl(name), { max: 1, onnotice: () => undefined, connection: { TimeZone: 'UTC' } });
  const ddl = fs.readFileSync(path.join(root, 'test/fixtures/umami/v2-postgresql.sql'), 'utf8');
  for (const s of ddl.split(/;\s*\n/).map((x) => x.replace(/^--.*$/gm, '').trim()).filter(Boolean)) await sql.unsafe(s);
  const end = Math.floor(Date.now() / 86_400_000) * 86_400_000;
  const start = end - DAYS * 86_400_000;
  const span = (end - start) / 1000;
  await sql.unsafe(`INSERT INTO "user" (user_id, username, password, role) VALUES ('41e2b680-648e-4b09-bcd7-3e2b10c06264', 'admin', '$2b$10$BUli0c.muyCW1ErNJc3jL.vFRFtFJWrT8/GcR4A.sUdCznaXiqFXa', 'admin')`);
  await sql.unsafe(`INSERT INTO website (website_id, name, domain, user_id) VALUES ('${WEBSITE}', 'Bench', 'bench.example', '41e2b680-648e-4b09-bcd7-3e2b10c06264')`);
  // Session k lives around time k/SESSIONS of the span; event i belongs to session i % SESSIONS
  // and is placed in time order, so each day holds its share of both.
  await sql.unsafe(`
    INSERT INTO session (session_id, website_id, hostname, browser, os, device, screen, language, country, subdivision1, city, created_at)
    SELECT md5('s' || k)::uuid, '${WEBSITE}', 'bench.example',
      (ARRAY['chrome','firefox','safari','edge-chromium','ios'])[1 + k % 5], (ARRAY['Windows 10','Mac OS','Linux','iOS','Android OS'])[1 + k % 5],
      (ARRAY['desktop','laptop','mobile'])[1 + k % 3], '1920x1080', 'en-US', (ARRAY['US','DE','FR','GB','IN','BR'])[1 + k % 6], NULL, NULL,
      to_timestamp(${start / 1000} + ${span}::float8 * k / ${SESSIONS})
    FROM generate_series(0, ${SESSIONS - 1}) k`);
  await sql.unsafe(`
    INSERT INTO website_event (event_id, website_id, session_id, created_at, url_path, url_query, referrer_domain, page_title, event_type, event_name)
    SELECT md5('e' || i)::uuid, '${WEBSITE}', md5('s' || ((i / 10) % ${SESSIONS}))::uuid,
      to_timestamp(${start / 1000} + ${span}::float8 * i / ${EVENTS}),
      (ARRAY['/','/pricing','/docs','/blog/a','/blog/b','/about','/signup'])[1 + i % 7], NULL,
      (ARRAY[NULL,'google.com','news.example','t.co'])[1 + i % 4], 'Bench page',
      CASE WHEN i % 10 = 9 THEN 2 ELSE 1 END, CASE WHEN i % 10 = 9 THEN 'signup' END
    FROM generate_series(0, ${EVENTS - 1}) i`);
  await sql.unsafe(`
    INSERT INTO event_data (event_data_id, website_id, website_event_id, event_key, string_value, data_type, created_at)
    SELECT md5('d' || i)::uuid, '${WEBSITE}', md5('e' || i)::uuid, 'plan', 'pro', 1, to_timestamp(${start / 1000} + ${span}::float8 * i / ${EVENTS})
    FROM generate_series(9, ${EVENTS - 1}, 10) i`);
  await sql.unsafe('CREATE INDEX ON event_data (website_id, created_at)');
  await sql.unsafe('CREATE INDEX ON event_data (website_event_id)');
  await sql.unsafe('CREATE INDEX ON session (website_id, created_at)');
  await sql.unsafe('ANALYZE');
  await sql.end();
}

async function importInto(kind: string, umamiUrl: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashi-bench-import-'));
  const target = kind === 'postgres' ? await createDb('dashi_bench') : null;
  const store = await openStore(loadConfig({ ...process.env, DATA_DIR: dir, DATABASE_URL: target ? dbUrl(target) : '', CLICKHOUSE_URL: '' }), trafficRollups);
  try {
    const t0 = performance.now();
    let copyStart = 0;
    let copyEnd = 0;
    const result = await runUmamiImport(store, { from: umamiUrl }, (done, total) => {
      if (done === 0) copyStart = performance.now();
      if (done === total) copyEnd = performance.now();
    });
    const t1 = performance.now();
    const rows = Object.values(result.report.counts).reduce((n, c) => n + c.dashi, 0);
    const copyS = (copyEnd - copyStart) / 1000;
    const allS = (t1 - t0) / 1000;
    console.log(
      `${kind.padEnd(8)} ${rows.toLocaleString('en')} rows (${JSON.stringify(Object.fromEntries(Object.entries(result.report.counts).map(([t, c]) => [t, c.dashi])))}), ` +
        `copy ${copyS.toFixed(1)} s = ${Math.round(rows / copyS).toLocaleString('en')} rows/s; with metadata and checks ${allS.toFixed(1)} s = ${Math.round(rows / allS).toLocaleString('en')} rows/s; ok=${result.ok}`,
    );
    if (!result.ok) console.log(JSON.stringify(result.websites));
    if (kind === 'duckdb') await floor(store, result.report.counts.website_event.dashi, rows / copyS);
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
    if (target) await dropDb(target);
  }
}

/** DuckDB's INSERT of the imported events from one CSV file into a fresh store's website_event. */
async function floor(store: Awaited<ReturnType<typeof openStore>>, events: number, copyRate: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashi-bench-floor-'));
  try {
    const file = path.join(dir, 'website_event.csv');
    await pipeline((await store.analytics.csvOut!('website_event', WEBSITE, { from: new Date(0), to: new Date(Date.UTC(9999, 11, 31)) })) as Readable, fs.createWriteStream(file));
    const fresh = await openStore(loadConfig({ ...process.env, DATA_DIR: path.join(dir, 'store'), DATABASE_URL: '', CLICKHOUSE_URL: '' }), trafficRollups);
    await fresh.close();
    const duck = await DuckDBInstance.create(path.join(dir, 'store', 'dashi.duckdb'), { memory_limit: loadConfig(process.env).duckdbMemoryLimit });
    const c = await duck.connect();
    try {
      const t0 = performance.now();
      await c.run(`INSERT INTO website_event SELECT * FROM ${csvRelation(tableIndex('website_event'), file)}`);
      const s = (performance.now() - t0) / 1000;
      const rate = events / s;
      console.log(
        `floor    DuckDB's INSERT … read_csv of the ${events.toLocaleString('en')} events alone: ${s.toFixed(1)} s = ${Math.round(rate).toLocaleString('en')} rows/s ` +
          `(the import's copy runs at ${(copyRate / rate).toFixed(2)} of it)`,
      );
    } finally {
      c.closeSync();
      duck.closeSync();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const source = await createDb('umami_bench');
try {
  const g0 = performance.now();
  await generate(source);
  console.log(`Umami v2 (2.10 schema) in PostgreSQL: ${EVENTS.toLocaleString('en')} events, ${SESSIONS.toLocaleString('en')} sessions over ${DAYS} days, generated in ${((performance.now() - g0) / 1000).toFixed(1)} s`);
  for (const kind of STORES) await importInto(kind, dbUrl(source));
} finally {
  if (!args.keep) await dropDb(source);
}
