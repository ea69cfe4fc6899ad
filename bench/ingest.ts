// Ingestion benchmark (not a test): autocannon against Dashi's /api/send with varied
// User-Agents, client IPs and URLs, and against a bare node:http server that parses the same
// JSON, in the same run. Prints req/s, p99 latency and the ratio, and checks that every
// acknowledged hit was stored.
//
//   node --import tsx bench/ingest.ts [seconds=10] [connections=64] [--store=duckdb|postgres|clickhouse]
//
// --store runs Dashi on a fresh PostgreSQL database (or PostgreSQL + ClickHouse through chdb) on
// the local server, as the conformance tests do.
// DASHI_NODE_OPTIONS is added to the server's NODE_OPTIONS only (node refuses --cpu-prof there).
// --profile=FILE writes a V8 CPU profile of the server during the measured run (bench/cpu-profile.mjs;
// summarise it with `node bench/profile-top.mjs FILE`).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import autocannon from 'autocannon';
import { startDashi, stopAll } from '../test/helpers/server.js';
import { readStored } from '../test/helpers/ingest-db.js';
import { testStores } from '../test/helpers/stores.js';
import { sendRequests } from './hits.js';

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const seconds = Number(positional[0] ?? 10);
const connections = Number(positional[1] ?? 64);
const storeName = process.argv.find((a) => a.startsWith('--store='))?.slice('--store='.length) ?? 'duckdb';
const found = (await testStores()).find((s) => s.name === storeName);
if (!found) throw new Error(`store ${storeName} is not available here`);
const store = found;
const profileOut = process.argv.find((a) => a.startsWith('--profile='))?.slice('--profile='.length);
// --perf=FILE: `perf record` of the server (every thread) during the measured run, where perf exists.
// --rate=N: the measured run sends N requests/s (seconds x N in all) instead of as many as it can,
// so that server CPU per hit can be compared between builds on a busy machine (same batch sizes).
const rate = Number(process.argv.find((a) => a.startsWith('--rate='))?.slice('--rate='.length) ?? 0);
const perfOut = process.argv.find((a) => a.startsWith('--perf='))?.slice('--perf='.length);
// --ticks: print each run's responses per second.
const ticks = process.argv.includes('--ticks');

type Run = autocannon.Result & { perSecond: number[] };

/** A timed run, or with `amount` a fixed number of requests that all complete (for counting). */
function run(url: string, reqs: autocannon.Request[], duration: number, amount?: number, overallRate?: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const perSecond: number[] = [];
    const instance = autocannon({ url, connections, duration, amount, overallRate, timeout: 60, requests: reqs }, (err, result) => (err ? reject(err) : resolve({ ...result, perSecond })));
    // autocannon's types leave out its per-second 'tick' event.
    (instance as unknown as NodeJS.EventEmitter).on('tick', ({ counter }: { counter: number }) => perSecond.push(counter));
    if (ticks) instance.on('done', (r: autocannon.Result) => console.log(`per second     ${url} ${perSecond.join(' ')} (max latency ${r.latency.max} ms)`));
  });
}

/**
 * Median of the whole seconds of a run. autocannon's mean also counts the seconds in which
 * connections were still being opened and the last, partial second of a fixed-count run.
 */
function steady(r: Run, fixedCount: boolean): number {
  const full = r.perSecond.filter((n) => n > 0).slice(1, fixedCount ? -1 : undefined);
  const xs = (full.length ? full : r.perSecond).slice().sort((a, b) => a - b);
  return xs[xs.length >> 1] ?? 0;
}

const BARE = `
const http = require('node:http');
http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    try {
      const hit = JSON.parse(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, type: hit.type }));
    } catch {
      res.writeHead(400).end();
    }
  });
}).listen(0, '127.0.0.1', function () { console.log('listening ' + this.address().port); });`;

async function startBare(): Promise<{ url: string; pid: number | undefined; stop: () => void }> {
  const proc = spawn(process.execPath, ['-e', BARE], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => proc.stdout.on('data', (d: Buffer) => resolve(/listening (\d+)/.exec(d.toString())![1])));
  return { url: `http://127.0.0.1:${port}`, pid: proc.pid, stop: () => proc.kill() };
}

/** User + system CPU seconds of a process so far (Linux /proc), or NaN elsewhere. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks (USER_HZ 100)
  } catch {
    return NaN;
  }
}

async function waitForFile(file: string): Promise<void> {
  for (let i = 0; i < 100 && !fs.existsSync(file); i++) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 500)); // written synchronously, but give it time to finish
}

/** CPU seconds per thread name (Linux /proc), e.g. node (main), libuv-worker, V8 workers, DuckDB. */
function threadCpu(pid: number | undefined): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const key = tid === String(pid) ? 'main' : name === 'node' ? 'other threads' : name;
      out.set(key, (out.get(key) ?? 0) + (Number(f[11]) + Number(f[12])) / 100);
    }
  } catch {
    // not Linux, or the process is gone
  }
  return out;
}

function line(name: string, r: Run, fixedCount: boolean): string {
  return `${name.padEnd(14)} ${steady(r, fixedCount).toString().padStart(7)} req/s (steady; mean ${Math.round(r.requests.average)})   p50 ${r.latency.p50} ms   p99 ${r.latency.p99} ms   2xx ${r['2xx']}   non-2xx ${r.non2xx}   errors ${r.errors}`;
}

async function main(): Promise<void> {
  const nodeOptions = process.env.DASHI_NODE_OPTIONS;
  const env = await store.env();
  if (nodeOptions) env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} ${nodeOptions}`.trim();
  if (profileOut) {
    fs.rmSync(profileOut, { force: true });
    env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? process.env.NODE_OPTIONS ?? ''} --import=${new URL('./cpu-profile.mjs', import.meta.url).href}`.trim();
    env.DASHI_PROFILE_OUT = profileOut;
  }
  const dashi = await startDashi({ env });
  const token = await dashi.login();
  const website = (await dashi.post('/api/websites', { name: 'bench', domain: 'example.com' }, { token })).body.id as string;
  const reqs = sendRequests(website);
  const bare = await startBare();

  console.log(`ingest bench: ${seconds}s per run, ${connections} connections, ${new Set(reqs.map((r) => r.headers!['user-agent'])).size} user agents`);
  if (!rate) await run(bare.url, reqs, 2); // warm-up
  // Dashi warm-up in two fixed-count steps (JIT, caches), the second one also sizing the run.
  const cold = await run(dashi.url, reqs, 0, 4000);
  const warm = await run(dashi.url, reqs, 0, Math.max(10_000, Math.round((cold['2xx'] / (cold.duration || 1)) * 3)));
  const bareCpu0 = cpuSeconds(bare.pid);
  const bareResult = rate ? null : await run(bare.url, reqs, seconds);
  const bareCpu = cpuSeconds(bare.pid) - bareCpu0;
  // Fixed count sized to at least `seconds` (the warmed-up server runs faster than during the
  // warm-up, hence the margin), so that no request is cut off mid-flight and acknowledged can be
  // compared with stored exactly.
  const warmRate = Math.max(warm['2xx'] / (warm.duration || 1), ...warm.perSecond);
  const amount = rate ? rate * seconds : Math.max(20_000, Math.round(warmRate * seconds * 2));
  const cpu0 = cpuSeconds(dashi.proc?.pid);
  const threads0 = threadCpu(dashi.proc?.pid);
  if (profileOut) dashi.proc?.kill('SIGUSR2');
  const perf = perfOut ? spawn('perf', ['record', '-g', '-F', '499', '-p', String(dashi.proc?.pid), '-o', perfOut], { stdio: 'ignore' }) : null;
  const dashiResult = await run(dashi.url, reqs, 0, amount, rate || undefined);
  const cpu = cpuSeconds(dashi.proc?.pid) - cpu0;
  const threads = [...threadCpu(dashi.proc?.pid)]
    .map(([k, v]) => [k, v - (threads0.get(k) ?? 0)] as const)
    .filter(([k, v]) => v > 0 || k === 'main')
    .sort(([a], [b]) => Number(b === 'main') - Number(a === 'main'));
  if (perf) {
    const exited = new Promise((r) => perf.once('exit', r));
    perf.kill('SIGINT');
    await exited;
  }
  if (profileOut) {
    dashi.proc?.kill('SIGUSR2');
    await waitForFile(profileOut);
  }
  bare.stop();

  const acknowledged = cold['2xx'] + warm['2xx'] + dashiResult['2xx'];
  await dashi.stop();
  const [{ n }] = await readStored(dashi, `SELECT count(*) AS n FROM website_event WHERE website_id = '${website}'`);
  await stopAll();
  await store.cleanup();

  console.log(`store          ${storeName}   load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (1/5/15 min, at the end)`);
  if (bareResult) console.log(`${line('bare node:http', bareResult, false)}   CPU ${((bareCpu / bareResult.requests.total) * 1e6).toFixed(0)} µs per request`);
  console.log(line('dashi /api/send', dashiResult, true));
  const ratio = bareResult ? steady(dashiResult, true) / steady(bareResult, false) : NaN;
  const busy = cpu / dashiResult.duration;
  console.log(`dashi run      ${dashiResult.duration.toFixed(1)} s, ${Math.round(dashiResult['2xx'] / dashiResult.duration)} acknowledged/s, server CPU ${((cpu / dashiResult['2xx']) * 1e6).toFixed(0)} µs per hit (${(busy * 100).toFixed(0)}% of a core)`);
  console.log(`server threads ${threads.map(([k, v]) => `${k} ${((v / dashiResult['2xx']) * 1e6).toFixed(0)} µs`).join(', ')} (per hit)`);
  if (bareResult) console.log(`ratio          ${(ratio * 100).toFixed(1)}% of bare`);
  const stored = Number(n);
  console.log(`acknowledged   ${acknowledged}   stored ${stored}   ${acknowledged === stored ? 'OK' : 'MISMATCH'}`);
  if (acknowledged !== stored) process.exitCode = 1;
}

main().catch(async (err) => {
  console.error(err);
  await stopAll();
  process.exit(1);
});
