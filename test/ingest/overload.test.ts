// Overload: a server with a small INGEST_QUEUE_SIZE flooded with hits over loopback (bounded in
// count and time). Every answer is 200, or 503 with Retry-After; every acknowledged hit is stored
// (counted through the API afterwards); the server's resident memory stays bounded.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startDashi, stopAll } from '../helpers/server.js';
import { testStores } from '../helpers/stores.js';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const HITS = 4000;
const CONCURRENCY = 150;
const DEADLINE_MS = 90_000;
/** Generous: the server starts at ~150-250 MB; an unbounded queue of 4,000 hits would not show, so the bound is on growth. */
const MAX_GROWTH_MB = 300;

const stores = await testStores();
after(async () => {
  await stopAll();
  for (const s of stores) await s.cleanup();
});

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

for (const store of stores) {
  test(`a flood against INGEST_QUEUE_SIZE=5 (${store.name}): 200 or 503 with Retry-After, every 200 stored, memory bounded`, async () => {
    const dashi = await startDashi({ env: { ...(await store.env()), INGEST_QUEUE_SIZE: '5' } });
    const token = await dashi.login();
    const website = (await dashi.post('/api/websites', { name: 'Flood', domain: 'example.com' }, { token })).body.id as string;
    const pid = dashi.proc!.pid!;
    const baseline = rssMb(pid);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 100);

    const answers = new Map<number, number>();
    let missingRetryAfter = 0;
    let sent = 0;
    const deadline = Date.now() + DEADLINE_MS;
    const body = (i: number) =>
      JSON.stringify({ type: 'event', payload: { website, hostname: 'example.com', url: `/flood/${i % 50}`, title: `Page ${i % 50}`, data: i % 3 ? undefined : { n: i, k: 'v' } } });
    const worker = async () => {
      while (sent < HITS && Date.now() < deadline) {
        const i = sent++;
        const res = await fetch(`${dashi.url}/api/send`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': CHROME },
          body: body(i),
          signal: AbortSignal.timeout(30_000),
        });
        await res.arrayBuffer();
        answers.set(res.status, (answers.get(res.status) ?? 0) + 1);
        if (res.status === 503 && !res.headers.get('retry-after')) missingRetryAfter++;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    clearInterval(sampler);

    const ok = answers.get(200) ?? 0;
    const busy = answers.get(503) ?? 0;
    assert.deepEqual([...answers.keys()].filter((s) => s !== 200 && s !== 503), [], `statuses: ${JSON.stringify([...answers])}`);
    assert.equal(missingRetryAfter, 0, 'every 503 has Retry-After');
    assert.equal(ok + busy, sent);
    assert.ok(ok > 0, 'some hits acknowledged');
    assert.ok(busy > 0, 'the queue bound was reached (else this test proves nothing)');
    const stats = await dashi.get(`/api/websites/${website}/stats?startAt=0&endAt=${Date.now() + 60_000}`, { token });
    assert.equal(stats.status, 200);
    assert.equal(stats.body.pageviews.value, ok, `every acknowledged hit stored (${ok} acknowledged, ${busy} refused with 503)`);
    assert.ok(peak - baseline < MAX_GROWTH_MB, `RSS grew from ${baseline.toFixed(0)} MB to ${peak.toFixed(0)} MB`);
    console.log(`${store.name}: ${sent} hits, ${ok} x 200, ${busy} x 503; RSS ${baseline.toFixed(0)} -> peak ${peak.toFixed(0)} MB`);
  });
}
