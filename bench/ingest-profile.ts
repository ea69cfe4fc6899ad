// Per-hit cost of the ingest pipeline without HTTP, in-process.
//   node --import tsx bench/ingest-profile.ts            pipeline only, no-op store
//   node --import tsx bench/ingest-profile.ts --duckdb   pipeline + writer + journal + DuckDB loads
//
// --duckdb opens the embedded store in a temporary directory (journal fsyncs included) and keeps
// 64 hits in flight, as bench/ingest.ts's 64 connections do, so batches have the same size. It
// prints the main thread's CPU per hit apart from the other threads' (DuckDB, the thread pool, GC
// helpers): the main thread is what limits the server's throughput.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GeoDb } from '../src/ingest/geo.js';
import { Ingestor } from '../src/ingest/ingest.js';
import { Writer } from '../src/ingest/writer.js';
import { openDuckDbStore } from '../src/store/duckdb/index.js';
import type { Store, WriteBatch } from '../src/store/types.js';
import { hitBody } from './hits.js';
import { trafficRollups } from '../src/query/rollups/embedded-rollups.js';

const duck = process.argv.includes('--duckdb');
const N = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 50_000);
const website = '6a8b1c8e-1d1f-4e1a-9a58-3f9a1c1b2d3e';
const site = { id: website } as never;
const geo = await GeoDb.open();
let store: Store | null = null;
let dir = '';
let write: (b: WriteBatch) => Promise<void> = async () => undefined;
if (duck) {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashi-ingest-profile-'));
  store = await openDuckDbStore({ dataDir: dir, rollups: trafficRollups });
  const analytics = store.analytics;
  write = (b) => analytics.write(b);
}
const writer = new Writer(write, { flushMs: duck ? 2 : 1 });
const ingestor = new Ingestor(
  { appSecret: 's', saltRotation: 'month', removeTrailingSlash: false, disableBotCheck: false, ignoreIp: [], clientIpHeader: null, skipLocationHeaders: false },
  { get: async () => site, getByLegacyId: async () => site },
  writer,
  geo,
);
const uas = Array.from({ length: 200 }, (_, v) => `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36`);
const body = (i: number) => hitBody(website, i);
const request = (i: number) => ({
  headers: { 'user-agent': uas[i % uas.length], 'x-forwarded-for': `8.${i % 250}.${(i * 7) % 250}.${(i * 13) % 250}` },
  socketIp: '127.0.0.1',
});

/** CPU seconds of the main thread (Linux /proc), NaN elsewhere. */
function mainThreadCpu(): number {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

let next = 0;
async function lane(end: number): Promise<void> {
  while (next < end) {
    const i = next++;
    await ingestor.send(body(i), request(i));
  }
}

for (let round = 0; round < 3; round++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const m0 = mainThreadCpu();
  const end = next + N;
  if (duck) {
    await Promise.all(Array.from({ length: 64 }, () => lane(end)));
    await store!.analytics.query('SELECT 1'); // loads every pending row
  } else {
    const all: Promise<unknown>[] = [];
    for (; next < end; next++) {
      all.push(ingestor.send(body(next), request(next)));
      if (all.length >= 1000) await Promise.all(all.splice(0));
    }
    await Promise.all(all);
  }
  const cpu = process.cpuUsage(c0);
  const main = mainThreadCpu() - m0;
  const total = (cpu.user + cpu.system) / N;
  // CPU time too: unlike wall time it does not grow when other processes take the cores.
  console.log(
    `round ${round}: ${(((performance.now() - t0) * 1000) / N).toFixed(1)} µs per hit, ${total.toFixed(1)} µs CPU` +
      (duck ? ` (main thread ${((main * 1e6) / N).toFixed(1)} µs, other threads ${(total - (main * 1e6) / N).toFixed(1)} µs; DuckDB store)` : ' (pipeline, no-op store)'),
  );
}
if (store) {
  const [{ n }] = await store.analytics.query('SELECT count(*) AS n FROM website_event');
  console.log(`stored ${n} events`);
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
