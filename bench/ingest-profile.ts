// Per-hit cost of the ingest pipeline without HTTP, and of the DuckDB batch write, in-process.
//   node --import tsx bench/ingest-profile.ts
import { GeoDb } from '../src/ingest/geo.js';
import { Ingestor } from '../src/ingest/ingest.js';
import { Writer } from '../src/ingest/writer.js';
import type { WriteBatch } from '../src/store/types.js';

const website = '6a8b1c8e-1d1f-4e1a-9a58-3f9a1c1b2d3e';
const site = { id: website } as never;
const geo = await GeoDb.open();
let rows = 0;
const writer = new Writer(async (b: WriteBatch) => void (rows += b.events.length), { flushMs: 1 });
const ingestor = new Ingestor(
  { appSecret: 's', saltRotation: 'month', removeTrailingSlash: false, disableBotCheck: false, ignoreIp: [], clientIpHeader: null, skipLocationHeaders: false },
  { get: async () => site, getByLegacyId: async () => site },
  writer,
  geo,
);
const uas = Array.from({ length: 200 }, (_, v) => `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36`);
const body = (i: number) => ({ type: 'event', payload: { website, hostname: 'example.com', language: 'en-US', screen: '1920x1080', url: `/p/${i % 50}?utm_source=x`, referrer: 'https://www.google.com/', title: 'T' } });
const N = 50_000;
for (let round = 0; round < 2; round++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const all: Promise<unknown>[] = [];
  for (let i = 0; i < N; i++) {
    all.push(ingestor.send(body(i), { headers: { 'user-agent': uas[i % uas.length], 'x-forwarded-for': `8.${i % 250}.${(i * 7) % 250}.${(i * 13) % 250}` }, socketIp: '127.0.0.1' }));
    if (all.length >= 1000) await Promise.all(all.splice(0));
  }
  await Promise.all(all);
  const cpu = process.cpuUsage(c0);
  // CPU time too: unlike wall time it does not grow when other processes take the cores.
  console.log(`round ${round}: ${(((performance.now() - t0) * 1000) / N).toFixed(1)} µs per hit, ${((cpu.user + cpu.system) / N).toFixed(1)} µs CPU (pipeline, no-op store)`);
}
