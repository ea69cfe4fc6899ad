// The bulk load of `dashi import umami` (CSV: PostgreSQL COPY or the rows path's rows, into DuckDB
// read_csv or PostgreSQL COPY) stores exactly what the rows path (the store's write()) stores:
// one Umami database with escape-hostile values imported both ways into fresh stores of each
// kind with a bulk load, every analytics table (and DuckDB's rollups) compared row by row.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import postgres from 'postgres';
import mysql from 'mysql2/promise';
import { loadConfig } from '../../../src/config.js';
import { openStore } from '../../../src/store/index.js';
import type { Row, Store } from '../../../src/store/types.js';
import { trafficRollups } from '../../../src/query/rollups/embedded-rollups.js';
import { derivedVisitId, importUmami, visitIdSql } from '../../../src/store/umami/import.js';
import { openUmamiSource } from '../../../src/store/umami/source.js';
import { testStores } from '../../helpers/stores.js';
import { createUmamiDb, IDS, type UmamiDb, type UmamiFixture } from '../../helpers/umami.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const long = Array.from({ length: 500 }, (_, i) => ',"\n\\\'é😀'[i % 8]).join('');
const HOSTILE = ['a,b', 'say "hi"', 'line\nbreak', 'cr\r\nlf', 'back\\slash', '\\N', 'NULL', '', ' ', '"', '""', ',', 'tab\there', 'é😀中', "it's", '\u2028', long];
const NUMBERS = [12.3456, -0.0001, 123456789012345.67, 0, 0.1, 99999.9999, null];

type Insert = (table: string, row: Row) => Promise<void>;

/** Inserts into the Umami database, keeping the columns its schema has. */
async function umamiWriter(db: UmamiDb): Promise<{ insert: Insert; close(): Promise<void> }> {
  const u = new URL(db.url);
  if (db.fixture === 'v2-mysql') {
    const conn = await mysql.createConnection({ uri: db.url, timezone: 'Z' });
    await conn.query("SET time_zone = '+00:00'");
    const [cols] = (await conn.query('SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE()')) as unknown as [Row[]];
    const has = (t: string, c: string) => cols.some((r) => r.t === t && r.c === c);
    return {
      insert: async (table, row) => {
        const keys = Object.keys(row).filter((k) => has(table, k));
        await conn.query(`INSERT INTO \`${table}\` (${keys.join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`, keys.map((k) => row[k]));
      },
      close: () => conn.end(),
    };
  }
  u.password = '';
  const sql = postgres(u.toString(), { max: 1, onnotice: () => undefined, connection: { TimeZone: 'UTC' } });
  const cols = await sql.unsafe(`SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = 'public'`);
  const has = (t: string, c: string) => cols.some((r) => r.t === t && r.c === c);
  return {
    insert: async (table, row) => {
      const keys = Object.keys(row).filter((k) => has(table, k));
      await sql.unsafe(`INSERT INTO "${table}" (${keys.map((k) => `"${k}"`).join(', ')}) VALUES (${keys.map((_, i) => `$${i + 1}`).join(', ')})`, keys.map((k) => row[k]) as never[]);
    },
    close: () => sql.end(),
  };
}

/**
 * Day D+2 of w1: sessions and events over several clock hours whose text columns hold every hostile
 * string, event and session data with awkward numbers and dates (sub-millisecond on PostgreSQL).
 * MySQL also gets w2's D+3 with a NUL in a string, which CSV does not carry: that day takes the
 * rows path (into DuckDB; PostgreSQL refuses NUL, so w2 is left out there).
 */
async function addHostileRows(db: UmamiDb): Promise<void> {
  const w = await umamiWriter(db);
  const mysqlDb = db.fixture === 'v2-mysql';
  const D2 = db.day.getTime() + 2 * DAY;
  const at = (ms: number) => (mysqlDb ? new Date(Math.floor(ms / 1000) * 1000) : new Date(ms).toISOString().replace('Z', '437Z'));
  try {
    for (let k = 0; k < HOSTILE.length; k++) {
      const h = HOSTILE[k];
      const sessionId = randomUUID();
      const t = D2 + (k % 5) * HOUR + k * 61_001;
      await w.insert('session', {
        session_id: sessionId, website_id: IDS.w1, hostname: h.slice(0, 100), browser: h.slice(0, 20), os: k % 3 ? h.slice(0, 20) : null, device: 'desktop',
        screen: h.slice(0, 11), language: h.slice(0, 35), country: 'US', subdivision1: h.slice(0, 20), region: h.slice(0, 20), city: h.slice(0, 50), distinct_id: h.slice(0, 50), created_at: at(t),
      });
      const eventId = randomUUID();
      await w.insert('website_event', {
        event_id: eventId, website_id: IDS.w1, session_id: sessionId, visit_id: randomUUID(), created_at: at(t), url_path: h, url_query: k % 2 ? h : null,
        referrer_path: h, referrer_query: h, referrer_domain: h, page_title: h, event_type: 2, event_name: h.slice(0, 50), hostname: h.slice(0, 100),
        utm_source: h.slice(0, 255), utm_campaign: h.slice(0, 255), gclid: k % 4 ? null : h.slice(0, 255), tag: h.slice(0, 50),
      });
      await w.insert('website_event', {
        event_id: randomUUID(), website_id: IDS.w1, session_id: sessionId, visit_id: randomUUID(), created_at: at(t + 30 * 60_000 + 7), url_path: `/${k}`, event_type: 1,
      });
      const datum = {
        website_id: IDS.w1, event_key: h, data_key: h, session_key: h, string_value: h, number_value: NUMBERS[k % NUMBERS.length],
        date_value: k % 3 ? at(t - 1000 * k * DAY) : null, data_type: 1 + (k % 4), created_at: at(t),
      };
      await w.insert('event_data', { event_data_id: randomUUID(), website_event_id: eventId, ...datum });
      await w.insert('session_data', { session_data_id: randomUUID(), session_id: sessionId, distinct_id: h.slice(0, 50), ...datum });
    }
    if (mysqlDb) {
      const sessionId = randomUUID();
      const t = D2 + DAY + 10 * HOUR;
      await w.insert('session', { session_id: sessionId, website_id: IDS.w2, browser: 'nul\0here', created_at: at(t) });
      await w.insert('website_event', { event_id: randomUUID(), website_id: IDS.w2, session_id: sessionId, visit_id: randomUUID(), created_at: at(t), url_path: '/a\0b', event_type: 1 });
    }
  } finally {
    await w.close();
  }
}

const TABLES = ['website_event', 'event_data', 'session', 'session_data'];
const ROLLUPS = ['visit_rollup', 'session_slot', 'slot_count', 'visit_span', 'page_visit'];

const text = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? `${x}n` : x));

async function contents(store: Store): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of [...TABLES, ...(store.kind === 'duckdb' ? ROLLUPS : [])]) {
    out[table] = (await store.analytics.query(`SELECT * FROM ${table}`)).map(text).sort();
  }
  return out;
}

const fixtures: UmamiFixture[] = ['v2-postgresql', 'v2-mysql', 'v3-postgresql'];
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

for (const fixture of fixtures) {
  test(`Umami ${fixture}: the bulk load stores what the rows path stores`, async () => {
    const umami = await createUmamiDb(fixture);
    cleanups.push(() => umami.drop());
    await addHostileRows(umami);
    const stores = (await testStores()).filter((s) => s.name !== 'clickhouse'); // ClickHouse has no bulk load: it always takes the rows path
    for (const s of stores) cleanups.push(() => s.cleanup());
    for (const kind of stores) {
      const seen: Record<string, string[]>[] = [];
      for (const bulk of [false, true]) {
        const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashi-umami-bulk-'));
        cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
        const store = await openStore(loadConfig({ ...process.env, DATABASE_URL: '', CLICKHOUSE_URL: '', DATA_DIR: dataDir, ...(await kind.env()) }), trafficRollups);
        const source = await openUmamiSource(umami.url);
        try {
          // Chunks: w1's D-40, D, D+1, D+2, w2's D (and its D+3 with the NUL).
          const w1Only = fixture === 'v2-mysql' && kind.name === 'postgres';
          const report = await importUmami(source, store, { bulk, websiteIds: w1Only ? [IDS.w1] : undefined });
          const fast = w1Only ? 4 : 5;
          assert.equal(report.chunksCopied, fast + (fixture === 'v2-mysql' && !w1Only ? 1 : 0));
          // Every day but the one with the NUL, which alone fell back from its two-day chunk.
          assert.equal(report.chunksBulkLoaded, bulk ? fast : 0, `${kind.name} bulk=${bulk}: ${JSON.stringify(report.bulkFallbacks)}`);
          const nulDay = new Date(umami.day.getTime() + 3 * DAY);
          assert.deepEqual(
            report.bulkFallbacks.map((f) => [f.websiteId, f.from.getTime()]),
            bulk && fast < report.chunksCopied ? [[IDS.w2, nulDay.getTime()]] : [],
          );
          for (const [table, c] of Object.entries(report.counts)) assert.equal(c.dashi, c.umami, table);
          assert.ok(report.counts.website_event.dashi > 2 * HOSTILE.length);
          seen.push(await contents(store));
        } finally {
          await source.close();
          await store.close();
        }
      }
      for (const table of Object.keys(seen[0])) assert.deepEqual(seen[1][table], seen[0][table], `${fixture} into ${kind.name}: ${table}`);
    }
  });
}

test('visit ids derived in PostgreSQL are the ones derived in JavaScript', async () => {
  const sql = postgres(process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres', { max: 1, onnotice: () => undefined, connection: { TimeZone: 'UTC' } });
  try {
    const cases = Array.from({ length: 200 }, (_, i) => ({ session: randomUUID(), at: new Date(Math.floor(Math.random() * 4e12) - (i % 2 ? 1e12 : 0)) }));
    const rows = await sql.unsafe(
      `SELECT (${visitIdSql('s::uuid', 't::timestamptz')})::text AS id FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS x(s, t, n) ORDER BY n`,
      [cases.map((c) => c.session), cases.map((c) => c.at.toISOString())] as never[],
    );
    assert.deepEqual(
      rows.map((r) => r.id),
      cases.map((c) => derivedVisitId(c.session, c.at)),
    );
  } finally {
    await sql.end();
  }
});

test('a COPY of many rows from the Umami PostgreSQL source streams to its end', { timeout: 120_000 }, async () => {
  const umami = await createUmamiDb('v2-postgresql');
  cleanups.push(() => umami.drop());
  const source = await openUmamiSource(umami.url);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dashi-copy-')), 'rows.csv');
  try {
    // Far more than a stream's buffer, into a slow file: postgres.js's stream fills up. Then every
    // connection of the source still answers (a paused socket would leave a query hanging).
    for (let round = 0; round < 3; round++) {
      const stream = await source.copyCsv!('SELECT g, md5(g::text) FROM generate_series(1, ?::int) g', ['300000']);
      const out = fs.createWriteStream(file, { highWaterMark: 1024 });
      await pipeline(stream as NodeJS.ReadableStream, async function* (chunks: AsyncIterable<string | Buffer>) {
        for await (const b of chunks) {
          await new Promise((r) => setImmediate(r));
          yield b;
        }
      }, out);
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      assert.equal(lines.length, 300_001);
      assert.equal(lines[299_999], `300000,${createHash('md5').update('300000').digest('hex')}`);
      assert.deepEqual((await Promise.all([source.query('SELECT 1 AS x'), source.query('SELECT 2 AS x')])).map((rows) => [...rows]), [[{ x: 1 }], [{ x: 2 }]]);
    }
  } finally {
    await source.close();
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
});
